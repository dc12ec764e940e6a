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


def test_every_read_of_the_facts_is_bounded_by_its_days(screen_plans) -> None:
    """A search on the facts that is not limited to the days it shows reads 13 months to show one."""
    names, plans = screen_plans
    searches = [(sql[:160], step) for sql, plan in plans for step in plan if _on_facts(step, names, "SEARCH")]
    assert searches  # the screens do read the facts (drill-down, untagged spend)
    assert [(sql, step) for sql, step in searches if not re.search(r"\bday[<>=]", step)] == []


def test_the_panes_read_the_rollup_by_day(screen_plans) -> None:
    _, plans = screen_plans
    rollup = [step for _, plan in plans for step in plan if "cost_rollup" in step]
    assert rollup and all(step.startswith("SEARCH cost_rollup") for step in rollup), rollup


def test_untagged_spend_and_usage_types_read_only_their_rows(screen_plans) -> None:
    """Every refresh lists untagged spend; a service's usage types are drill-down 2. The first is read through
    the untagged dimension tuples (index on dim_id, day): a tenth of a window's rows, not all of them; the
    second through the service's own rows (index on service, day)."""
    names, plans = screen_plans
    untagged = [(sql, plan) for sql, plan in plans if "'unallocated'" in sql and " AS what" in sql]
    usage = [(sql, plan) for sql, plan in plans if sql.startswith("SELECT usage_type")]
    assert untagged and usage
    for (sql, plan), needed in [*((item, "dim_id=?") for item in untagged), *((item, "service=?") for item in usage)]:
        on_facts = [step for step in plan if _on_facts(step, names, "SEARCH")]
        assert on_facts and all(needed in step for step in on_facts), (sql[:100], plan)
