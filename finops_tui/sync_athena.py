"""`sync --source athena`: one Athena aggregate per billing period, then one transaction.

The first run backfills ``sync.backfill_months`` billing periods (only those
the Glue table has partitions for); later runs re-query the last
``athena.restated_periods`` (AWS restates a closed month for about two weeks).
Each query's scan is priced and counted the moment it finishes, before
anything is written, so a run that fails later still shows what it cost. The
monthly cap is checked before every query, against what that billing period
scanned last time (at least Athena's 10 MB minimum).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from finops_tui.clock import Clock
from finops_tui.config import Settings
from finops_tui.errors import SyncError
from finops_tui.money import ATHENA_TB as TB
from finops_tui.money import ATHENA_USD_PER_TB as USD_PER_TB
from finops_tui.sources.athena import (
    MIN_BILLED_BYTES,
    AthenaFact,
    AthenaRunner,
    QueryFailed,
    billed_bytes,
    billing_periods,
    discover_layout,
    facts_from_rows,
    query_cost_usd,
)
from finops_tui.sources.athena_sql import ExportLayout, build_query
from finops_tui.store.athena_write import PeriodsWritten, replace_periods
from finops_tui.store.db import Store
from finops_tui.store.queries import ATHENA_BYTES_KEY as MONTH_BYTES_KEY  # bytes billed in a month (the clock's)
from finops_tui.store.queries import ATHENA_FETCHED_KEY as FETCHED_KEY  # billing periods fetched so far (JSON list)
from finops_tui.store.queries import ATHENA_QUERIES_KEY as MONTH_QUERIES_KEY

PERIOD_BYTES_KEY = "athena.period_bytes.{source}.{period}"  # what the period's query scanned last time


def source_id(settings: Settings) -> str:
    return f"athena:{settings.athena.database}.{settings.athena.table}"


def month_of(day: date, months_back: int = 0) -> str:
    index = day.year * 12 + day.month - 1 - months_back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class PlannedQuery:
    period: str
    sql: str
    expected_bytes: int | None  # what the same period scanned last time; None: never run


@dataclass
class AthenaMeter:
    """Bytes billed and queries this month (the clock's month), read and kept in the cache's meta."""

    month: str
    billed_bytes: int
    queries: int

    @property
    def cost_usd(self) -> float:
        return self.billed_bytes / TB * USD_PER_TB


def read_meter(store: Store, month: str) -> AthenaMeter:
    from finops_tui.store.queries import athena_meter

    queries, billed = athena_meter(store.conn, month)
    return AthenaMeter(month, billed, queries)


def _count_query(store: Store, month: str, scanned: int) -> None:
    """Add one billed query to the month (its own small transaction: it stays counted whatever happens next)."""
    with store.transaction() as conn:
        meter = read_meter(store, month)
        store.set_meta(MONTH_BYTES_KEY.format(month=month), str(meter.billed_bytes + billed_bytes(scanned)), conn)
        store.set_meta(MONTH_QUERIES_KEY.format(month=month), str(meter.queries + 1), conn)


@dataclass
class AthenaSyncResult:
    status: str  # ok | dry_run
    source: str
    backfill: bool
    planned: list[PlannedQuery]
    meter: AthenaMeter
    cap_usd: float
    rows_written: int = 0
    scanned: dict[str, int] = field(default_factory=dict)  # period -> bytes scanned this run
    rows_by_period: dict[str, int] = field(default_factory=dict)
    replaced: list[str] = field(default_factory=list)  # slices another source had: "AWS 1111 2026-10 (was <label>)"

    @property
    def run_cost_usd(self) -> float:
        return sum(query_cost_usd(b) for b in self.scanned.values())


def plan_periods(store: Store, settings: Settings, clock: Clock, known: list[str] | None) -> tuple[list[str], bool]:
    """(billing periods to query, whether this is the backfill)."""
    today = clock.today
    current = month_of(today)
    fetched = store.get_meta(FETCHED_KEY.format(source=source_id(settings)))
    backfill = not fetched
    depth = settings.sync.backfill_months if backfill else settings.athena.restated_periods
    periods = [month_of(today, back) for back in range(depth - 1, -1, -1)]
    if known is not None:
        periods = [p for p in periods if p in known]
    return [p for p in periods if p <= current], backfill


def plan_queries(store: Store, settings: Settings, layout: ExportLayout, periods: list[str]) -> list[PlannedQuery]:
    source = source_id(settings)
    planned = []
    for period in periods:
        last = store.get_meta(PERIOD_BYTES_KEY.format(source=source, period=period))
        planned.append(PlannedQuery(period, build_query(layout, period), int(last) if last is not None else None))
    return planned


def _clients(settings: Settings, profile: str | None) -> tuple[Any, Any, Any]:
    from finops_tui.sources.aws import AwsSession, RequestMeter

    session = AwsSession(profile or settings.sync.profile, RequestMeter())
    region = settings.athena.region
    return session, session.client("glue", region), session.client("athena", region)


def run_athena_sync(store: Store, settings: Settings, clock: Clock, *, profile: str | None = None, dry_run: bool = False,
                    sleep: Callable[[float], None] = time.sleep, monotonic: Callable[[], float] = time.monotonic,
                    ) -> AthenaSyncResult:
    """Query each billing period and replace it in the cache; raises SyncError (cache unchanged) on any failure."""
    from finops_tui.sources.aws import translate

    profile = profile or settings.sync.profile
    source = source_id(settings)
    month = month_of(clock.today)
    cap = settings.athena.monthly_cost_cap_usd
    run_id: int | None = None
    detail: dict[str, Any] = {"source": source, "queries": []}
    try:
        session, glue, athena = _clients(settings, profile)
        layout = discover_layout(glue, settings.athena)
        periods, backfill = plan_periods(store, settings, clock, billing_periods(glue, layout))
        planned = plan_queries(store, settings, layout, periods)
        result = AthenaSyncResult("dry_run" if dry_run else "ok", source, backfill, planned, read_meter(store, month), cap)
        if dry_run:
            return result
        if not planned:
            raise SyncError(f"the Glue table {layout.database}.{layout.table} has no billing period to query",
                            "check that the Data Export has delivered and its partitions are registered")
        run_id = store.start_run("athena", {"source": source, "periods": periods, "backfill": backfill}, now=clock.now())
        runner = AthenaRunner(athena, settings.athena, sleep=sleep, monotonic=monotonic)
        fetched: dict[str, list[AthenaFact]] = {}
        for query in planned:
            meter = read_meter(store, month)
            expected = billed_bytes(query.expected_bytes if query.expected_bytes is not None else MIN_BILLED_BYTES)
            if (meter.billed_bytes + expected) / TB * USD_PER_TB > cap + 1e-12:
                raise SyncError(
                    f"refused before the query for billing period {query.period}: Athena has cost "
                    f"${meter.cost_usd:,.4f} this month and this query is expected to add ${expected / TB * USD_PER_TB:,.4f}, "
                    f"over athena.monthly_cost_cap_usd = ${cap:,.2f}",
                    "raise the cap or sync again next month; the cache was not changed",
                )
            try:
                outcome = runner.run(query.sql)
            except QueryFailed as failed:
                if failed.billable:
                    _count_query(store, month, failed.bytes_scanned)
                detail["queries"].append({"period": query.period, "error": failed.message, "bytes": failed.bytes_scanned})
                raise
            _count_query(store, month, outcome.bytes_scanned)
            store.set_meta(PERIOD_BYTES_KEY.format(source=source, period=query.period), str(outcome.bytes_scanned))
            result.scanned[query.period] = outcome.bytes_scanned
            detail["queries"].append({"period": query.period, "execution_id": outcome.execution_id,
                                      "bytes": outcome.bytes_scanned, "rows": len(outcome.rows), "pages": outcome.pages})
            fetched[query.period] = facts_from_rows(outcome.rows, settings.athena.export_format,
                                                    settings.environments.tag_key, query.period)
        written = write_periods(store, settings, fetched, run_id, session.meter.requests, detail, clock)
        result.rows_written, result.replaced = written.rows, written.replaced
        result.rows_by_period = {period: len(facts) for period, facts in fetched.items()}
        result.meter = read_meter(store, month)
        return result
    except BaseException as raw:
        error = raw if isinstance(raw, SyncError) else translate(raw, profile, "athena") if isinstance(raw, Exception) else None
        if run_id is not None:
            store.finish_run(run_id, status="failed", error=str(error or "interrupted"), detail=detail, now=clock.now())
        if error is None:
            raise
        raise error from None


def source_label(settings: Settings) -> str:
    from finops_tui.sources.athena_sql import FORMAT_NAMES

    return f"{settings.athena.database}.{settings.athena.table} ({FORMAT_NAMES[settings.athena.export_format]} via Athena)"


def write_periods(store: Store, settings: Settings, fetched: dict[str, list[AthenaFact]], run_id: int, requests: int,
                  detail: dict[str, Any], clock: Clock) -> PeriodsWritten:
    """Replace every fetched (billing account, billing period) slice in one transaction; rows keep raw dimensions."""
    source = source_id(settings)
    store.use_settings(settings)  # the rows' new dimension tuples are allocated with this config
    with store.transaction() as conn:
        written = replace_periods(store, conn, source, source_label(settings), fetched, clock.now())
        detail["slices"], detail["replaced"] = written.slices, written.replaced
        previous = json.loads(store.get_meta(FETCHED_KEY.format(source=source), "[]") or "[]")
        store.set_meta(FETCHED_KEY.format(source=source), json.dumps(sorted(set(previous) | set(fetched))), conn)
        store.finish_run(run_id, status="ok", request_count=requests, rows_written=written.rows, detail=detail, conn=conn,
                         now=clock.now())
    return written
