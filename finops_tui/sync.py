"""One sync run from AWS into the cache: plan the window, check the cap, fetch, write once.

Everything is fetched into memory first; the cache is then changed in a single
transaction (cost rows of source ``ce`` in the window, waste items, leads,
optional-source status, the run record). Any failure before or during that
transaction leaves the previous snapshot intact and records the failed run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from finops_tui import calendar as cal
from finops_tui.clock import Clock
from finops_tui.config import Settings
from finops_tui.errors import FinopsError, InputError, SyncError
from finops_tui.store.db import Store

FETCHED_UNTIL_KEY = "ce.fetched_until"  # exclusive end day of the last successful Cost Explorer fetch
OPTIONAL_SOURCES = ("forecast", "anomalies", "savings_plans_coverage", "reservation_coverage", "savings_plans_utilization",
                    "reservation_utilization", "purchase_types", "cost_categories")
RIGHTSIZING_SOURCE = "cost_optimization_hub"  # the first of the review's right-sizing chain: checked today = chain done
READ_ONLY_PREFIXES = ("Get", "Describe", "List")


@dataclass(frozen=True)
class SyncWindow:
    start: date
    end: date  # exclusive: today + 1, so today's partial day is included
    backfill: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass
class SyncResult:
    status: str  # ok | dry_run
    requests: int
    ce_requests: int
    rows_written: int
    messages: list[str] = field(default_factory=list)
    window: SyncWindow | None = None
    waste_items: int = 0
    lead_days: int = 0
    run_id: int | None = None
    operations: dict[str, int] = field(default_factory=dict)
    requests_today: int = 0

    @property
    def ce_cost_usd(self) -> float:
        from finops_tui.money import CE_REQUEST_USD

        return round(self.ce_requests * CE_REQUEST_USD, 2)


def aws_configured(settings: Settings, profile: str | None = None) -> bool:
    """Credentials resolvable through the boto3 chain (no AWS request is made)."""
    from finops_tui.sources.aws import credentials_resolvable

    return credentials_resolvable(profile or settings.sync.profile)


def _month_start(day: date, months_back: int = 0) -> date:
    return cal.add_months(day, -months_back)


def plan_window(store: Store, settings: Settings, today: date, since: date | None = None) -> SyncWindow:
    """Backfill on the first run; afterwards only the open window (and any gap since the last run)."""
    end = today + timedelta(days=1)
    backfill_start = _month_start(today, settings.sync.backfill_months - 1)
    if since is not None:
        if since > today:
            raise InputError(f"--since {since.isoformat()} is after today ({today.isoformat()})")
        return SyncWindow(since, end, backfill=False)
    fetched_until = store.get_meta(FETCHED_UNTIL_KEY)
    if not fetched_until:
        return SyncWindow(backfill_start, end, backfill=True)
    open_days = timedelta(days=settings.sync.open_window_days)
    start = today - open_days
    if today.day <= settings.sync.previous_month_grace_days:
        start = min(start, _month_start(today, 1))  # last month's bill is still being revised
    start = min(start, date.fromisoformat(fetched_until) - open_days)  # close any gap since the last run
    return SyncWindow(max(start, backfill_start), end, backfill=False)


def _checked_today(store: Store, today: str) -> set[str]:
    rows = store.conn.execute("SELECT name FROM source_status WHERE substr(checked_at, 1, 10) = ?", (today,))
    return {row[0] for row in rows}


def _optional_due(store: Store, settings: Settings, today: str) -> list[str]:
    """Optional sources change at most daily: ask once per UTC day (the day their checks are stamped with)."""
    due = [name for name in OPTIONAL_SOURCES if name not in _checked_today(store, today)]
    if not settings.categories.aws_cost_category and "cost_categories" in due:
        due.remove("cost_categories")
    if RIGHTSIZING_SOURCE not in _checked_today(store, today):
        due.append("rightsizing")  # not a Cost Explorer request: Cost Optimization Hub, Compute Optimizer, CloudWatch
    return due


def _outside_key(wall_day: str) -> str:
    return f"ce.outside_requests.{wall_day}"


def record_outside_requests(store: Store, ce_requests: int, clock: Clock) -> None:
    """Count Cost Explorer requests made outside a sync run (``doctor``) against the real day's cap."""
    if not ce_requests:
        return
    key = _outside_key(clock.wall_today().isoformat())
    with store.transaction() as conn:
        store.set_meta(key, str(int(store.get_meta(key, "0") or 0) + ce_requests), conn)


def ce_requests_today(store: Store, wall_day: str) -> int:
    """Cost Explorer requests made on the real UTC day ``wall_day``: the request ledger, killed runs included.

    The cap protects the real bill, so it follows the wall clock even under
    ``--today``: the ledger stamps each request with the real time.
    """
    from finops_tui.store.ledger import ce_requests_on

    return ce_requests_on(store.conn, wall_day) + int(store.get_meta(_outside_key(wall_day), "0") or 0)


def planned_requests(settings: Settings, window: SyncWindow, optional_due: list[str]) -> tuple[int, int]:
    """(all requests, Cost Explorer requests) a run makes at least: one page per query.

    More pages are only known when Cost Explorer answers; the meter stops the run
    at the cap whatever happens.
    """
    from finops_tui.sources.aws_costs import plan_queries

    ce = len(plan_queries(settings)) + len([name for name in optional_due if name != "rightsizing"])
    per_region = 5  # DescribeVolumes, DescribeInstances, DescribeAddresses, DescribeSnapshots, DescribeLoadBalancers
    per_region += 1 if settings.sync.scan_rds else 0
    other = per_region * len(settings.sync.regions) + (1 if settings.leads.cloudwatch.enabled else 0)
    other += 1 if "rightsizing" in optional_due else 0  # at least the Cost Optimization Hub's first page
    return ce + other, ce


def _close_abandoned_runs(store: Store, clock: Clock) -> None:
    """A run still 'running' an hour after it started (on the clock that stamped it) was killed: say so."""
    cutoff = (clock.now() - timedelta(hours=1)).replace(microsecond=0).isoformat()
    store.conn.execute(
        "UPDATE sync_runs SET status = 'failed', error = 'interrupted: the process ended before the run finished', "
        "finished_at = started_at WHERE kind = 'sync' AND status = 'running' AND started_at < ?",
        (cutoff,),
    )


def _record_failure(store: Store, run_id: int, error: FinopsError, meter: Any, detail: dict[str, Any], clock: Clock) -> None:
    detail = dict(detail, operations=dict(meter.operations))
    store.finish_run(run_id, status="failed", error=str(error), request_count=meter.requests,
                     ce_request_count=meter.ce_requests, detail=detail, now=clock.now())


def run_sync(store: Store, settings: Settings, clock: Clock, *, since: date | None = None, profile: str | None = None,
             dry_run: bool = False) -> SyncResult:
    """Pull Cost Explorer, the waste scan and leads into the cache in one transaction.

    Raises :class:`SyncError` (one line, with a hint) after recording the failed run.
    """
    from finops_tui.sources.aws import AwsSession, RequestMeter, translate

    profile = profile or settings.sync.profile
    store.use_settings(settings)
    today = clock.today
    wall_day = clock.wall_today().isoformat()  # the cap protects the real bill: it follows the wall clock
    window = plan_window(store, settings, today, since)
    optional_due = _optional_due(store, settings, today.isoformat())
    planned_total, planned_ce = planned_requests(settings, window, optional_due)
    spent_today = ce_requests_today(store, wall_day)
    cap = settings.sync.daily_request_cap
    if dry_run:
        return SyncResult("dry_run", planned_total, planned_ce, 0, window=window, requests_today=spent_today,
                          messages=[f"would fetch {window.start.isoformat()} to {(window.end - timedelta(days=1)).isoformat()}"
                                    + (" (first run: backfill)" if window.backfill else "")])
    meter = RequestMeter(ce_cap=max(0, cap - spent_today))
    detail: dict[str, Any] = {"window": [window.start.isoformat(), window.end.isoformat()], "backfill": window.backfill,
                              "profile": profile or "", "wall_day": wall_day}
    _close_abandoned_runs(store, clock)
    run_id = store.start_run("sync", detail, now=clock.now())
    from finops_tui.store.ledger import RequestLedger

    meter.ledger = RequestLedger(store.path, run_id, clock.now, store.lock_wait_seconds, clock.wall_now)  # the cap follows the wall day
    if spent_today + planned_ce > cap:
        error = SyncError(
            f"refused: this sync needs at least {planned_ce} Cost Explorer requests and {spent_today} of today's cap of {cap} are used",
            "raise sync.daily_request_cap or sync again tomorrow",
        )
        _record_failure(store, run_id, error, meter, detail, clock)
        raise error
    try:
        fetched = _fetch(AwsSession(profile, meter), settings, clock, window, optional_due)
        rows_written = _write(store, run_id, window, fetched, meter, detail, clock)
    except BaseException as raw:  # KeyboardInterrupt too: record it, then re-raise
        error = raw if isinstance(raw, FinopsError) else translate(raw, profile) if isinstance(raw, Exception) else None
        _record_failure(store, run_id, error or SyncError("interrupted"), meter, detail, clock)
        if error is None:
            raise
        raise error from None
    finally:
        meter.ledger.close()
    return SyncResult("ok", meter.requests, meter.ce_requests, rows_written, messages=fetched.messages, window=window,
                      waste_items=len(fetched.waste), lead_days=len(fetched.leads or {}), run_id=run_id,
                      operations=dict(meter.operations), requests_today=spent_today + meter.ce_requests)


@dataclass
class Fetched:
    cost_rows: list[Any]
    pages: dict[str, int]
    waste: list[Any]
    scanned_regions: list[str]
    leads: dict[str, int] | None  # None: not fetched
    statuses: list[tuple[str, str, str]]  # (name, status, message)
    extras: dict[str, Any]  # optional-source results, kept in meta
    messages: list[str]


def _fetch(aws: Any, settings: Settings, clock: Clock, window: SyncWindow, optional_due: list[str]) -> Fetched:
    from finops_tui.sources.aws import CE_REGION, classify, get_cost_and_usage_pages, optional_call, translate
    from finops_tui.sources.aws_costs import CostAssembler, plan_queries
    from finops_tui.sources.ce_answers import check_pages
    from finops_tui.sources.aws_optional import fetch_optional
    from finops_tui.sources.aws_scan import WasteScanner, fetch_leads

    ce = aws.client("ce", CE_REGION)
    assembler = CostAssembler(settings)
    pages: dict[str, int] = {}
    for query in plan_queries(settings):
        try:
            answer = get_cost_and_usage_pages(ce, query.request(window.start, window.end), name=query.name)
        except Exception as error:  # noqa: BLE001 - translated into one line
            raise translate(error, aws.profile, "ce:GetCostAndUsage") from None
        # Before anything is deleted or written: every field present and sane, every day of the window answered.
        check_pages(query.name, len(query.group_by), answer, window.start, window.end, settings.currency, query.metrics)
        pages[query.name] = len(answer)
        assembler.add_pages(query, answer)
    cost_rows = assembler.rows()
    messages = [f"Cost Explorer: {len(cost_rows):,} daily rows for {window.start.isoformat()} to "
                f"{(window.end - timedelta(days=1)).isoformat()} ({sum(pages.values())} pages)"]
    estimated = sorted(assembler.estimated_days)
    if estimated:
        span = estimated[0] if len(estimated) == 1 else f"{estimated[0]} to {estimated[-1]} ({len(estimated)} days)"
        messages.append(f"estimated by AWS (may still change): {span}")
    statuses: list[tuple[str, str, str]] = []

    def degrade(name: str, error: Exception, permission: str) -> None:
        kind = classify(error)
        if kind not in ("denied", "not_available"):
            raise translate(error, aws.profile, permission) from None
        status = "access_denied" if kind == "denied" else "not_available"
        statuses.append((name, status, f"{permission}: {error}"[:300]))
        messages.append(f"{name}: {status.replace('_', ' ')} ({permission})")

    waste, scanned = [], []
    scanner = WasteScanner(aws, settings, clock.now())
    for region in settings.sync.regions:
        try:
            waste.extend(scanner.scan(region))
            scanned.append(region)
            statuses.append((f"waste_scan:{region}", "ok", ""))
        except Exception as error:  # noqa: BLE001
            degrade(f"waste_scan:{region}", error, "ec2/elasticloadbalancing Describe*")
    leads = None
    if settings.leads.cloudwatch.enabled:
        try:
            leads = fetch_leads(aws, settings, window.start, window.end)
            statuses.append(("leads", "ok", ""))
        except Exception as error:  # noqa: BLE001
            degrade("leads", error, "cloudwatch:GetMetricData")
    extras: dict[str, Any] = {}
    optional_ce = aws.client("ce", CE_REGION, attempts=1)  # each try costs $0.01; an optional source is not worth a retry
    ce_due = [name for name in optional_due if name != "rightsizing"]
    if "rightsizing" in optional_due:
        from finops_tui.sources.aws_recommendations import fetch_rightsizing

        found_statuses, found = fetch_rightsizing(aws, settings, clock.today, optional_call)
        statuses += found_statuses
        extras.update(found)
        messages += [f"{name}: {status.replace('_', ' ')} ({message})" for name, status, message in found_statuses
                     if status != "ok"]
    for name, (status, message, value) in fetch_optional(optional_ce, settings, clock.today, ce_due, optional_call).items():
        statuses.append((name, status, message))
        if status == "ok":
            extras[name] = value
        else:
            messages.append(f"{name}: {status.replace('_', ' ')} ({message})")
    return Fetched(cost_rows, pages, waste, scanned, leads, statuses, extras, messages)


def _write(store: Store, run_id: int, window: SyncWindow, fetched: Fetched, meter: Any, detail: dict[str, Any],
           clock: Clock) -> int:
    now = clock.now_iso()
    start, end = window.start.isoformat(), window.end.isoformat()
    with store.transaction() as conn:
        store.delete_costs(conn, "source = 'ce' AND day >= ? AND day < ?", (start, end))
        written = store.insert_costs(conn, fetched.cost_rows)
        if fetched.scanned_regions:
            marks = ", ".join("?" * len(fetched.scanned_regions))
            conn.execute(f"DELETE FROM waste_items WHERE source = 'scan' AND region IN ({marks})", fetched.scanned_regions)
        conn.executemany(
            "INSERT OR REPLACE INTO waste_items (resource_id, kind, region, account, name, environment, monthly_cost, detail, "
            "source, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'scan', ?)",
            [(w.resource_id, w.kind, w.region, w.account, w.name, w.environment, w.monthly_cost, w.detail, now)
             for w in fetched.waste],
        )
        if fetched.leads is not None:
            conn.execute("DELETE FROM leads WHERE source = 'cloudwatch' AND day >= ? AND day < ?", (start, end))
            conn.executemany(  # a count entered by hand or imported from CSV wins over CloudWatch
                "INSERT INTO leads (day, leads, label, source) VALUES (?, ?, '', 'cloudwatch') ON CONFLICT(day) DO NOTHING",
                sorted(fetched.leads.items()),
            )
        conn.executemany(
            "INSERT INTO source_status (name, status, message, checked_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET status = excluded.status, message = excluded.message, checked_at = excluded.checked_at",
            [(name, status, message, now) for name, status, message in fetched.statuses],
        )
        for name, value in fetched.extras.items():
            if value is None:  # a source that no longer answers: its stale value goes
                conn.execute("DELETE FROM meta WHERE key = ?", (f"aws.{name}",))
            else:
                store.set_meta(f"aws.{name}", json.dumps(value, default=str), conn)
        store.set_meta(FETCHED_UNTIL_KEY, max(end, store.get_meta(FETCHED_UNTIL_KEY) or end), conn)
        done = dict(detail, operations=dict(meter.operations), pages=fetched.pages, messages=fetched.messages)
        store.finish_run(run_id, status="ok", request_count=meter.requests, ce_request_count=meter.ce_requests,
                         rows_written=written, detail=done, conn=conn, now=clock.now())
    return written
