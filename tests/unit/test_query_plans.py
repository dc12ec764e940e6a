"""Every screen's reads are bounded by an index: checked with EXPLAIN QUERY PLAN, never with a stopwatch.

The statements are the real ones: the pane refresh (all environments and the untagged spend), both
drill-down levels and ``status`` run against a cache with no ANALYZE statistics (as real caches are),
with SQLite's trace callback recording every SELECT. At 5 M rows a full scan of the fact table costs
seconds; bench/ measures the time, this test keeps the plans that make it small.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from finops_tui.analytics.drilldown import service_detail, services_of_category
from finops_tui.analytics.snapshot import build_snapshot
from finops_tui.config import default_settings
from finops_tui.store import open_store

TODAY = date(2026, 11, 26)
FACTS = "cost_daily"


def _screen_statements(cache: Path) -> tuple[sqlite3.Connection, list[str]]:
    settings = default_settings()
    store = open_store(cache)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    snapshot = build_snapshot(store, settings, TODAY)
    build_snapshot(store, settings, TODAY, environment="unallocated")
    build_snapshot(store, settings, TODAY, environment="production")
    for line in snapshot.categories[:2]:
        services = services_of_category(store, settings, line.name, TODAY)
        for service in services[:2]:
            service_detail(store, settings, line.name, service.name, TODAY)
            service_detail(store, settings, line.name, service.name, TODAY, environment="production")
    store.conn.set_trace_callback(None)
    selects = [sql for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert any(FACTS in sql for sql in selects) and len(selects) > 20  # the test sees the real reads
    return store.conn, selects


def _plan(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]


def _fact_names(conn: sqlite3.Connection, statements: list[str]) -> set[str]:
    """The fact table's name and every alias it has in these statements and in the views they read."""
    views = [row[0] or "" for row in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'view' UNION ALL SELECT sql FROM sqlite_temp_master WHERE type = 'view'")]
    names = {FACTS}
    for text in (*statements, *views):
        names.update(re.findall(rf"\b{FACTS}\s+(?:AS\s+)?(?!WHERE|JOIN|ON|GROUP|ORDER|LIMIT|LEFT|INNER|CROSS)(\w+)", text, re.I))
    return names


def _on_facts(step: str, names: set[str], verb: str) -> bool:
    match = re.match(rf"{verb} (\w+)", step)
    return bool(match) and match.group(1) in names


@pytest.fixture(scope="module")
def screen_plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], list[tuple[str, list[str]]]]:
    from finops_tui.sources.demo import write_demo

    cache = tmp_path_factory.mktemp("plans") / "cache.db"
    write_demo(cache, default_settings(), TODAY)
    with sqlite3.connect(cache) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is None
    conn, selects = _screen_statements(cache)
    return _fact_names(conn, selects), [(sql, _plan(conn, sql)) for sql in selects]


def test_no_screen_scans_the_fact_table(screen_plans) -> None:
    names, plans = screen_plans
    scans = [(sql[:120], plan) for sql, plan in plans
             if any(_on_facts(step, names, "SCAN") for step in plan)
             and not sql.lstrip().upper().startswith(f"SELECT EXISTS (SELECT 1 FROM {FACTS.upper()}")]  # stops at one row
    assert scans == []


def test_no_screen_reads_the_facts(screen_plans) -> None:
    """The panes, both drill-down levels and the untagged spend read rollups; only "is there any cost at all"
    touches the facts, and it stops at its first row. A search of the facts at 5 M rows costs 100s of ms."""
    names, plans = screen_plans
    on_facts = [(sql[:160], step) for sql, plan in plans for step in plan
                if _on_facts(step, names, "SEARCH") or _on_facts(step, names, "SCAN")]
    assert [(sql, step) for sql, step in on_facts if not sql.startswith(f"SELECT EXISTS (SELECT 1 FROM {FACTS}")] == []


def test_the_panes_read_the_rollup_by_day(screen_plans) -> None:
    _, plans = screen_plans
    rollup = [step for _, plan in plans for step in plan if re.search(r"\bcost_rollup\b", step)]
    assert rollup and all(step.startswith("SEARCH cost_rollup") for step in rollup), rollup


def test_usage_types_read_their_service_days_in_the_usage_rollup(screen_plans) -> None:
    """Drill-down 2: the usage types of one service, month to date, through the usage rollup's key."""
    _, plans = screen_plans
    usage = [(sql, plan) for sql, plan in plans if sql.startswith("SELECT usage_type")]
    assert len(usage) >= 4  # all environments and production, for several services
    for sql, plan in usage:
        assert "FROM cost_rollup_usage" in sql, sql
        steps = [step for step in plan if "cost_rollup_usage" in step]
        assert steps and all(re.search(r"SEARCH cost_rollup_usage USING PRIMARY KEY "
                                        r"\(category=\? AND service=\? AND day>\? AND day<\?\)", step)
                             for step in steps), plan


def test_untagged_spend_reads_one_month_at_a_time(screen_plans) -> None:
    """Every refresh (all environments, and unallocated) lists untagged spend by resource over 30 days:
    through the month key of the untagged rollup, never the facts."""
    _, plans = screen_plans
    untagged = [(sql, plan) for sql, plan in plans if "FROM cost_rollup_untagged" in sql]
    assert len(untagged) >= 2  # the two refreshes that list it
    for sql, plan in untagged:
        steps = [step for step in plan if "cost_rollup_untagged" in step]
        # One search a month of the window: October 27-31 and November 1-25.
        assert steps == ["SEARCH cost_rollup_untagged USING PRIMARY KEY (month=?)"] * 2, (sql, plan)
