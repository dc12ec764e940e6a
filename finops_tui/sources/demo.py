"""A deterministic demo company: same seed, same today, same budget -> same figures.

Thirteen months of daily spend over the five categories and four environments
plus some untagged spend, a weekly rhythm, planted spikes in the last two
weeks, an R&D GPU experiment running hot this month, idle resources, and daily
leads around the $0.05 target.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from finops_tui import calendar as cal
from finops_tui.allocation.categories import CategoryRules, instance_type_from_usage
from finops_tui.config import Settings
from finops_tui.errors import InputError
from finops_tui.store.db import CostRow, open_store

DEFAULT_SEED = 7
DEFAULT_DAYS = 396  # thirteen months and a bit

ACCOUNTS = {
    "production": "111111111111",
    "staging": "222222222222",
    "development": "333333333333",
    "rnd": "444444444444",
}


@dataclass(frozen=True)
class DemoService:
    service: str
    usage_type: str
    weights: dict[str, float]  # environment -> share of that environment's daily spend


SERVICES: tuple[DemoService, ...] = (
    DemoService("Amazon Elastic Container Service for Kubernetes", "USE1-AmazonEKS-Hours:perCluster", {"production": 0.06, "staging": 0.08, "development": 0.10, "rnd": 0.03}),
    DemoService("Amazon Elastic Compute Cloud - Compute", "USE1-BoxUsage:m6i.2xlarge", {"production": 0.22, "staging": 0.25, "development": 0.28, "rnd": 0.08}),
    DemoService("Amazon Elastic Compute Cloud - Compute", "USE1-BoxUsage:g5.2xlarge", {"production": 0.07, "staging": 0.04, "development": 0.04, "rnd": 0.30}),
    DemoService("AWS Lambda", "USE1-Lambda-GB-Second", {"production": 0.04, "staging": 0.04, "development": 0.05, "rnd": 0.02}),
    DemoService("Amazon Relational Database Service", "USE1-InstanceUsage:db.r6g.2xlarge", {"production": 0.16, "staging": 0.15, "development": 0.12, "rnd": 0.05}),
    DemoService("Amazon ElastiCache", "USE1-NodeUsage:cache.r6g.large", {"production": 0.05, "staging": 0.05, "development": 0.04, "rnd": 0.02}),
    DemoService("Amazon SageMaker", "USE1-ml.g5.xlarge-Training", {"production": 0.06, "staging": 0.03, "development": 0.03, "rnd": 0.35}),
    DemoService("Amazon Simple Storage Service", "USE1-TimedStorage-ByteHrs", {"production": 0.09, "staging": 0.08, "development": 0.09, "rnd": 0.06}),
    DemoService("EC2 - Other", "USE1-EBS:VolumeUsage.gp3", {"production": 0.08, "staging": 0.09, "development": 0.09, "rnd": 0.04}),
    DemoService("EC2 - Other", "USE1-DataTransfer-Regional-Bytes", {"production": 0.07, "staging": 0.06, "development": 0.03, "rnd": 0.02}),
    DemoService("Elastic Load Balancing", "USE1-LoadBalancerUsage", {"production": 0.05, "staging": 0.06, "development": 0.05, "rnd": 0.02}),
    DemoService("EC2 - Other", "USE1-NatGateway-Hours", {"production": 0.05, "staging": 0.07, "development": 0.04, "rnd": 0.01}),
)

# Untagged spend (no Environment tag): it counts in totals and shows as waste.
UNTAGGED: tuple[tuple[str, str, str, float], ...] = (
    ("Amazon Elastic Compute Cloud - Compute", "USE1-BoxUsage:c6i.xlarge", "i-0b7e1f2a9c3d4e5f6", 41.0),
    ("Amazon Simple Storage Service", "USE1-TimedStorage-ByteHrs", "arn:aws:s3:::legacy-[exports]-bucket", 23.0),
    ("EC2 - Other", "USE1-EBS:VolumeUsage.gp2", "vol-0c1d2e3f4a5b6c7d8", 12.5),
)

# How full each environment runs against its budget in a normal month.
RUN_RATE = {"production": 0.86, "staging": 0.78, "development": 0.72, "rnd": 0.70}
WEEKDAY_FACTOR = (1.0, 1.02, 1.03, 1.01, 0.98, 0.88, 0.86)  # Monday first; Mon/Sun < +20 %

WASTE_ITEMS: tuple[tuple[str, str, str, str, float, str], ...] = (
    # resource_id, kind, name, environment, monthly_cost, detail
    ("vol-0a1b2c3d4e5f60718", "ebs_unattached", "old-jenkins-data", "development", 80.0, "gp3, 1000 GiB, available"),
    ("vol-0f9e8d7c6b5a40312", "ebs_unattached", "", "unallocated", 12.5, "gp2, 125 GiB, available"),
    ("eipalloc-0123456789abcdef0", "eip_unassociated", "bastion-old", "staging", 3.6, "34.201.10.7"),
    ("i-0fedcba9876543210", "instance_stopped", "gpu-notebook-[alice]", "rnd", 64.0, "stopped 41 days, 800 GiB io1 attached"),
    ("arn:aws:elasticloadbalancing:us-east-1:222222222222:loadbalancer/app/qa-preview/5d2c", "lb_no_targets", "qa-preview", "staging", 16.43, "application, 0 healthy targets"),
    ("snap-0abc1234def567890", "snapshot_old", "pre-migration-2025", "production", 47.5, "950 GiB, 214 days old"),
)


def _days(today: date, days: int) -> Iterator[date]:
    start = today - timedelta(days=days - 1)
    for offset in range(days):
        yield start + timedelta(days=offset)


def demo_rows(settings: Settings, today: date, *, days: int = DEFAULT_DAYS, seed: int = DEFAULT_SEED) -> Iterator[CostRow]:
    """Every cost row of the demo, from ``days`` ago through a partial today."""
    rng = random.Random(seed)
    rules = CategoryRules(settings.categories.rules)
    budget = settings.budget
    month_start = today.replace(day=1)
    elapsed = (today - month_start).days + 0.45  # today counts as a partial day
    spike_network = today - timedelta(days=5)
    spike_ai = today - timedelta(days=11)
    # Per service, not per row: the category and instance type its usage type names.
    compute = [rules.category_of(service=svc.service, usage_type=svc.usage_type) == "Compute" for svc in SERVICES]
    instance_types = [instance_type_from_usage(svc.usage_type) for svc in SERVICES]
    untagged_types = [instance_type_from_usage(usage_type) for _, usage_type, _, _ in UNTAGGED]
    for day in _days(today, days):
        months_ago = (today.year - day.year) * 12 + today.month - day.month
        growth = 1.0 - 0.012 * months_ago
        rhythm = WEEKDAY_FACTOR[day.weekday()]
        partial = 0.45 if day == today else 1.0
        estimated = day >= today - timedelta(days=2)
        dim = cal.days_in_month(day)
        iso = day.isoformat()
        for environment, account in ACCOUNTS.items():
            env_daily = budget.for_environment(environment) * RUN_RATE[environment] / dim
            if environment == "rnd" and day >= month_start:
                # An R&D GPU experiment running hot: about 86 % of the month's budget by today.
                env_daily = budget.for_environment(environment) * 0.86 / elapsed
            for svc, is_compute, instance_type in zip(SERVICES, compute, instance_types, strict=True):
                amount = env_daily * svc.weights[environment] * growth * rhythm * partial * rng.uniform(0.97, 1.03)
                if environment == "production" and day == spike_network and "DataTransfer" in svc.usage_type:
                    amount *= 11.0  # a replication job gone wrong: cross-region transfer
                if day == spike_ai and svc.service == "Amazon SageMaker":
                    amount *= 2.2  # an unplanned training run
                amortized = round(amount, 6)
                billed = round(amount * (1.04 if is_compute else 1.0), 6)
                # Raw dimensions only (the tag value as written, no category): the config allocates them.
                yield CostRow(iso, account, svc.service, svc.usage_type, "", environment, "", amortized, billed, "usage", estimated,
                              "demo", instance_type=instance_type, region="us-east-1")
        for (service, usage_type, resource_id, monthly), instance_type in zip(UNTAGGED, untagged_types, strict=True):
            amount = monthly * budget.monthly_total / 50_000 / dim * partial * rng.uniform(0.98, 1.02)
            yield CostRow(iso, ACCOUNTS["production"], service, usage_type, "", "", resource_id, round(amount, 6), round(amount, 6),
                          "usage", estimated, "demo", instance_type=instance_type, region="us-east-1")
        # A promotional credit spread over the month: negative rows, as AWS reports them.
        credit = round(-0.004 * budget.monthly_total / dim * partial, 6)
        yield CostRow(iso, ACCOUNTS["production"], "AWS Support (Enterprise)", "Credit", "", "production", "", credit, credit, "credit", estimated, "demo")


def demo_leads(settings: Settings, today: date, rows: list[CostRow], *, seed: int = DEFAULT_SEED) -> list[tuple[str, int]]:
    """Daily leads so that cost per lead moves around the target."""
    rng = random.Random(seed + 1)
    daily_cost: dict[str, float] = {}
    for row in rows:
        daily_cost[row.day] = daily_cost.get(row.day, 0.0) + (row.amortized if settings.metric == "amortized" else row.billed)
    target = settings.leads.target_cost_per_lead
    leads = []
    for day, cost in sorted(daily_cost.items()):
        if day >= today.isoformat():
            continue  # today's leads are not in yet
        leads.append((day, max(0, int(cost / (target * rng.uniform(0.86, 1.12))))))
    return leads


def default_demo_path(cache_path: Path) -> Path:
    return cache_path.with_name("demo.db")


def write_demo(path: Path, settings: Settings, today: date, *, days: int = DEFAULT_DAYS, seed: int = DEFAULT_SEED) -> int:
    """Write the demo snapshot to ``path`` atomically (a new file, then a rename); returns rows written.

    Refuses to replace a file that is not itself a demo snapshot.
    """
    _demo_is_fresh(path, settings, today)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=".demo-", suffix=".db", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        store = open_store(tmp, settings=settings)
        store.conn.execute("PRAGMA synchronous = OFF")  # a new file, renamed into place only when complete
        rows = list(demo_rows(settings, today, days=days, seed=seed))
        leads = demo_leads(settings, today, rows, seed=seed)
        seen_at = f"{today.isoformat()}T06:00:00+00:00"
        with store.transaction() as conn:
            written = store.insert_costs(conn, rows)
            conn.executemany("INSERT INTO leads (day, leads, label, source) VALUES (?, ?, 'demo', 'demo')", leads)
            conn.executemany(
                "INSERT INTO waste_items (resource_id, kind, region, account, name, environment, monthly_cost, detail, source, seen_at)"
                " VALUES (?, ?, 'us-east-1', '', ?, ?, ?, ?, 'demo', ?)",
                [(rid, kind, name, env, cost * settings.budget.monthly_total / 50_000, detail, seen_at) for rid, kind, name, env, cost, detail in WASTE_ITEMS],
            )
            conn.execute(
                "INSERT INTO sync_runs (kind, started_at, finished_at, status, rows_written, detail) VALUES ('demo', ?, ?, 'ok', ?, ?)",
                (seen_at, seen_at, written, f'{{"seed": {seed}, "days": {days}}}'),
            )
            for key, value in (("demo", "1"), ("demo_today", today.isoformat()), ("demo_seed", str(seed)), ("demo_days", str(days)),
                               ("demo_budget", repr(settings.budget.monthly_total)), ("created_at", seen_at)):
                store.set_meta(key, value, conn)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        os.replace(tmp, path)
        return written
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


def _demo_is_fresh(path: Path, settings: Settings, today: date) -> bool:
    """Whether ``path`` holds a demo built for this day and budget.

    Raises for a file that is not a demo: a real or foreign cache is never overwritten.
    """
    if not path.exists() or path.stat().st_size == 0:
        return False
    store = open_store(path, create=False)
    try:
        if store.get_meta("demo") != "1":
            raise InputError(f"{path} holds real data, not a demo; choose another --cache for the demo")
        return store.get_meta("demo_today") == today.isoformat() and store.get_meta("demo_budget") == repr(settings.budget.monthly_total)
    finally:
        store.close()


def ensure_demo(path: Path, settings: Settings, today: date) -> Path:
    """Build the demo on first use, or again when it was built for another day or budget."""
    if not _demo_is_fresh(path, settings, today):
        write_demo(path, settings, today)
    return path
