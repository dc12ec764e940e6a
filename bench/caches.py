"""Realistic caches of 0.1 M, 1 M and 5 M daily rows, built once under bench/.data/ and reused.

What a real organisation's cache looks like, and what makes queries slow:
13 months of resource-level daily rows over several accounts; 10 % of the
rows (and of the spend) carry no environment tag; credits, refunds, tax and
one-time purchases; leads, waste items and a recent good sync. No ANALYZE:
real caches never get statistics unless the program itself gathers them.

Every row goes through the program's own write path (``Store.insert_costs``
inside ``Store.transaction``), one transaction per month, so the rollup and
indexes are what a sync or an import leaves. The file is written under a
temporary name and renamed at the end: an interrupted build is never reused.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from finops_tui.store import open_store
from finops_tui.store.db import CostRow

TODAY = date(2026, 11, 26)
DAYS = 396  # 13 months and a bit, as a first sync's backfill
DATA = Path(__file__).resolve().parent / ".data"
GENERATOR = 2  # bump when the generated rows change, so old caches are rebuilt
SIZES = {"0.1M": 100_000, "1M": 1_000_000, "5M": 5_000_000}
UNTAGGED_SHARE = 0.10

# (account, raw environment tag value): several accounts per environment, tags spelled as people spell them.
ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("111111111111", "prod"), ("111111111112", "production"), ("111111111113", "Prod"),
    ("222222222221", "staging"), ("222222222222", "qa"),
    ("333333333331", "dev"), ("333333333332", "sandbox"),
    ("444444444441", "rnd"),
)
# (service, usage type, resource prefix, relative daily weight)
SERVICES: tuple[tuple[str, str, str, float], ...] = (
    ("Amazon Elastic Compute Cloud - Compute", "USE1-BoxUsage:m6i.2xlarge", "i-", 8.0),
    ("Amazon Elastic Compute Cloud - Compute", "USE1-BoxUsage:c6i.xlarge", "i-", 5.0),
    ("Amazon Elastic Compute Cloud - Compute", "USE1-BoxUsage:g5.2xlarge", "i-", 4.0),
    ("Amazon Elastic Compute Cloud - Compute", "USE1-SpotUsage:m6i.large", "i-", 1.5),
    ("EC2 - Other", "USE1-EBS:VolumeUsage.gp3", "vol-", 3.0),
    ("EC2 - Other", "USE1-EBS:SnapshotUsage", "snap-", 0.8),
    ("EC2 - Other", "USE1-DataTransfer-Regional-Bytes", "i-", 1.2),
    ("EC2 - Other", "USE1-NatGateway-Hours", "nat-", 0.9),
    ("Amazon Elastic Container Service for Kubernetes", "USE1-AmazonEKS-Hours:perCluster", "eks-", 1.0),
    ("AWS Lambda", "USE1-Lambda-GB-Second", "fn-", 0.7),
    ("AWS Lambda", "USE1-Request", "fn-", 0.2),
    ("Amazon Relational Database Service", "USE1-InstanceUsage:db.r6g.2xlarge", "db-", 5.0),
    ("Amazon Relational Database Service", "USE1-RDS:GP3-Storage", "db-", 0.9),
    ("Amazon ElastiCache", "USE1-NodeUsage:cache.r6g.large", "cache-", 1.5),
    ("Amazon DynamoDB", "USE1-TimedStorage-ByteHrs", "table-", 0.4),
    ("Amazon SageMaker", "USE1-ml.g5.xlarge-Training", "sm-", 2.5),
    ("Amazon Bedrock", "USE1-ModelInference-Tokens", "bedrock-", 1.0),
    ("Amazon Simple Storage Service", "USE1-TimedStorage-ByteHrs", "s3-", 2.5),
    ("Amazon Simple Storage Service", "USE1-Requests-Tier1", "s3-", 0.4),
    ("Amazon Elastic File System", "USE1-TimedStorage-ByteHrs", "fs-", 0.5),
    ("Elastic Load Balancing", "USE1-LoadBalancerUsage", "lb-", 1.0),
    ("Elastic Load Balancing", "USE1-LCUUsage", "lb-", 0.4),
    ("Amazon CloudFront", "US-DataTransfer-Out-Bytes", "cf-", 0.8),
    ("Amazon Route 53", "HostedZone", "zone-", 0.1),
    ("Amazon CloudWatch", "USE1-CW:MetricMonitorUsage", "", 0.5),
    ("AWS Key Management Service", "USE1-KMS-Requests", "", 0.1),
)


def cache_path(size: str) -> Path:
    return DATA / f"cache-{size}-g{GENERATOR}.db"  # an older schema is migrated on open, as a user's cache is


def _rows(total_rows: int, seed: int) -> Iterator[tuple[str, list[CostRow]]]:
    """(month, rows) for every month of the window, oldest first: raw dimensions, as a sync or an import writes
    them (no category: the config allocates at read time; the environment tag as people spell it, or none)."""
    rng = random.Random(seed)
    weights = [w for _, _, _, w in SERVICES]
    per_day = max(1, total_rows // DAYS - 3)  # 3 rows a day of credits, tax, support
    # The same resources every day (a resource lives for the whole window), a tenth of them untagged.
    resources = []
    for n in range(per_day):
        service, usage_type, prefix, weight = rng.choices(SERVICES, weights)[0]
        account, tag = ACCOUNTS[n % len(ACCOUNTS)]
        untagged = rng.random() < UNTAGGED_SHARE
        environment = "" if untagged else tag
        resource_id = f"{prefix}{n:08x}" if prefix else ""
        resources.append((account, service, usage_type, "", environment, resource_id,
                          weight / 4.0))
    first = TODAY - timedelta(days=DAYS - 1)
    month: str | None = None
    batch: list[CostRow] = []
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        iso = day.isoformat()
        if month is not None and iso[:7] != month:
            yield month, batch
            batch = []
        month = iso[:7]
        estimated = day >= TODAY - timedelta(days=2)
        partial = 0.45 if day == TODAY else 1.0
        uniform = rng.uniform
        for account, service, usage_type, cat, environment, resource_id, scale in resources:
            amount = scale * partial * uniform(0.8, 1.2)
            batch.append(CostRow(iso, account, service, usage_type, cat, environment, resource_id, amount,
                                 amount * 1.02, "usage", estimated, "ce"))
        batch.append(CostRow(iso, ACCOUNTS[0][0], "AWS Support (Enterprise)", "Credit", "", "prod", "",
                             -0.004 * per_day, -0.004 * per_day, "credit", estimated, "ce"))
        batch.append(CostRow(iso, ACCOUNTS[1][0], "Tax", "Tax", "", "prod", "", 0.01 * per_day,
                             0.01 * per_day, "tax", estimated, "ce"))
        if day.day == 1:
            batch.append(CostRow(iso, ACCOUNTS[0][0], "Savings Plans for AWS Compute usage", "ComputeSP:1yrNoUpfront",
                                 "", "prod", "", 2.0 * per_day, 2.0 * per_day, "purchase", estimated, "ce"))
            batch.append(CostRow(iso, ACCOUNTS[3][0], "Amazon Relational Database Service", "Refund", "",
                                 "staging", "", -0.5 * per_day, -0.5 * per_day, "refund", estimated, "ce"))
    if batch:
        yield month or "", batch


def build_cache(size: str, *, seed: int = 1, quiet: bool = False) -> Path:
    """The cache of ``size`` ("0.1M", "1M", "5M"), built on first use."""
    path = cache_path(size)
    if path.exists():
        started = time.perf_counter()
        open_store(path).close()  # a cache of an older schema is migrated here, once, not inside a measurement
        if not quiet and time.perf_counter() - started > 1:
            print(f"opened {path.name} (migrated) in {time.perf_counter() - started:.0f} s")
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = path.with_name(f".building-{os.getpid()}-{path.name}")
    store = open_store(tmp)
    try:
        written = 0
        for _, rows in _rows(SIZES[size], seed):
            with store.transaction() as conn:
                written += store.insert_costs(conn, rows)
        _extras(store, written)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        os.replace(tmp, path)
    finally:
        store.close()
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    if not quiet:
        print(f"built {path.name}: {written:,} rows in {time.perf_counter() - started:.0f} s")
    return path


def _extras(store, written: int) -> None:
    """Leads, idle resources and a good sync two hours ago: a cache a sync left behind."""
    rng = random.Random(2)
    first = TODAY - timedelta(days=DAYS - 1)
    leads = [((first + timedelta(days=n)).isoformat(), rng.randint(80_000, 120_000), "", "csv") for n in range(DAYS - 1)]
    synced = f"{TODAY.isoformat()}T04:00:00+00:00"
    with store.transaction() as conn:
        conn.executemany("INSERT INTO leads (day, leads, label, source) VALUES (?, ?, ?, ?)", leads)
        conn.executemany(
            "INSERT INTO waste_items (resource_id, kind, region, account, name, environment, monthly_cost, detail, source, seen_at)"
            " VALUES (?, ?, 'us-east-1', ?, '', ?, ?, '', 'scan', ?)",
            [(f"vol-{n:08x}", "ebs_unattached", ACCOUNTS[n % 8][0], "development", 8.0 + n, synced) for n in range(40)],
        )
        conn.execute(
            "INSERT INTO sync_runs (kind, started_at, finished_at, status, rows_written, detail) VALUES ('sync', ?, ?, 'ok', ?, '{}')",
            (synced, synced, written),
        )
