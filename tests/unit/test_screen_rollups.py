"""The rollups drill-down 2 and the untagged spend read give the figures the facts give, whatever happened to them.

``cost_rollup_usage`` (usage types) and ``cost_rollup_untagged`` (untagged spend by resource, packed by month)
are kept in step by ``Store.transaction``. Figures here are worked out by hand, or (for many random rows)
by the GROUP BY over the counted facts that the screens ran before the rollups existed.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from finops_tui.analytics.drilldown import service_detail
from finops_tui.analytics.snapshot import build_snapshot
from finops_tui.config import Settings, parse_settings
from finops_tui.store import open_store
from finops_tui.store.db import CostRow, Store
from finops_tui.store.queries import CostFilter, untagged_spend, usage_types_of_service
from tests.analytics_cache import Cache

TODAY = date(2026, 11, 26)  # untagged spend covers the last 30 complete days: 2026-10-27 .. 2026-11-25
EC2 = "Amazon Elastic Compute Cloud - Compute"
S3 = "Amazon Simple Storage Service"
ACCOUNT = "111111111111"


def row(day: str, amount: float, *, tag: str = "", resource: str = "", service: str = EC2, usage_type: str = "BoxUsage",
        charge_type: str = "usage", account: str = ACCOUNT, source: str = "test", slice_id: int | None = None) -> CostRow:
    return CostRow(day, account, service, usage_type, "", tag, resource, amount, amount * 2, charge_type, False, source,
                   slice_id=slice_id)


def untagged(store: Store, settings: Settings | None = None) -> list[tuple[str, float, str]]:
    """The untagged items of the waste pane as a user reads them: (resource, monthly cost, service)."""
    snapshot = build_snapshot(store, settings or Settings(), TODAY)
    return sorted((w.resource_id, w.monthly_cost, w.name) for w in snapshot.waste if w.kind == "untagged_spend")


def test_untagged_spend_follows_inserts_deletes_and_revisions(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.db", synced_on=TODAY)
    cache.add(
        row("2026-10-26", 1000.0, resource="i-a"),  # the day before the window
        row("2026-10-27", 10.0, resource="i-a"), row("2026-10-31", 2.5, resource="i-a"),
        row("2026-11-01", 4.0, resource="i-a"), row("2026-11-25", 0.25, resource="i-a"),
        row("2026-11-26", 500.0, resource="i-a"),  # today: not a complete day
        row("2026-11-03", 7.0, resource="i-a", service=S3),  # the same resource under a second service
        row("2026-11-10", 3.0, tag="prod", resource="i-a"),  # tagged: not untagged spend
        row("2026-10-29", 6.0), row("2026-11-02", 1.5),  # no resource: counted under the service
        row("2026-11-04", 8.0, resource="i-b"), row("2026-11-05", -8.0, resource="i-b", charge_type="credit"),
        row("2026-11-06", 2.0, resource="vol-c", charge_type="credit"),  # a positive credit: what the bill says
    )
    assert untagged(cache.store) == [("i-a", 23.75, S3), ("service:" + EC2, 7.5, EC2), ("vol-c", 2.0, EC2)]
    credits_left_out = parse_settings({"exclude_credits": True})
    assert untagged(cache.store, credits_left_out) == [("i-a", 23.75, S3), ("i-b", 8.0, EC2), ("service:" + EC2, 7.5, EC2)]
    billed = parse_settings({"metric": "billed"})
    assert untagged(cache.store, billed) == [("i-a", 47.5, S3), ("service:" + EC2, 15.0, EC2), ("vol-c", 4.0, EC2)]

    with cache.store.transaction() as conn:  # a revision: October's last day and November's 1st again, other amounts
        cache.store.delete_costs(conn, "resource_id = 'i-a' AND day IN ('2026-10-31', '2026-11-01')")
        cache.store.insert_costs(conn, [row("2026-10-31", 1.0, resource="i-a"), row("2026-11-01", 0.5, resource="i-a")])
    assert untagged(cache.store)[0] == ("i-a", 18.75, S3)
    with cache.store.transaction() as conn:
        cache.store.delete_costs(conn, "service = ?", (S3,))
        cache.store.delete_costs(conn, "resource_id = 'vol-c'")
    assert untagged(cache.store) == [("i-a", 11.75, EC2), ("service:" + EC2, 7.5, EC2)]
    with cache.store.transaction() as conn:
        cache.store.delete_costs(conn, "resource_id = 'i-a' AND day >= '2026-10-27' AND day <= '2026-11-25'")
    assert untagged(cache.store) == [("service:" + EC2, 7.5, EC2)]


def test_untagged_spend_follows_the_config_and_a_read_only_copy(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.db", synced_on=TODAY)
    cache.add(row("2026-11-02", 40.0, tag="preprod", resource="i-p"), row("2026-11-03", 5.0, resource="i-u"))
    assert untagged(cache.store) == [("i-p", 40.0, EC2), ("i-u", 5.0, EC2)]
    cache.store.close()
    preprod_is_staging = parse_settings({"environments": {"aliases": {"staging": ["preprod"]}}})
    read_only = open_store(cache.path, read_only=True)
    assert untagged(read_only, preprod_is_staging) == [("i-u", 5.0, EC2)]  # TEMP shadows of this config
    read_only.close()
    writable = open_store(cache.path)
    assert untagged(writable) == [("i-p", 40.0, EC2), ("i-u", 5.0, EC2)]  # the file kept the other config's rollups
    assert untagged(writable, preprod_is_staging) == [("i-u", 5.0, EC2)]  # and a writer reallocates it


def _export_slice(store: Store, conn: sqlite3.Connection, first: str, last: str, rows: list[CostRow]) -> None:
    """An export slice of ACCOUNT for November (days ``first``..``last``), written as a billing-export import writes one."""
    conn.execute("INSERT INTO sources (id, kind, loaded_at) VALUES ('focus:x', 'focus', '2026-11-26T00:00:00+00:00')")
    slice_id = conn.execute(
        "INSERT INTO source_slices (source, provider, billing_account, period_start, period_end, first_day, last_day) "
        "VALUES ('focus:x', 'AWS', 'b', '2026-11-01', '2026-12-01', ?, ?)", (first, last)).lastrowid
    conn.execute("INSERT INTO slice_accounts (slice_id, account) VALUES (?, ?)", (slice_id, ACCOUNT))
    store.mark_dirty("2026-11-01", last)  # the Cost Explorer days it now covers
    store.insert_costs(conn, [replace(fact, slice_id=slice_id) for fact in rows])


def test_an_export_that_covers_cost_explorer_days_replaces_them_in_the_untagged_spend(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.db", synced_on=TODAY)
    cache.add(row("2026-10-30", 9.0, resource="i-a", source="ce"), row("2026-11-02", 10.0, resource="i-a", source="ce"),
              row("2026-11-20", 20.0, resource="i-a", source="ce"))
    assert untagged(cache.store) == [("i-a", 39.0, EC2)]
    with cache.store.transaction() as conn:  # the export reached the 10th: Cost Explorer still counts after it
        _export_slice(cache.store, conn, "2026-11-01", "2026-11-10", [row("2026-11-02", 12.0, resource="i-a", source="focus:x")])
    assert untagged(cache.store) == [("i-a", 41.0, EC2)]  # 9 (October) + 12 (export) + 20 (after its last day)
    ce_first = parse_settings({"sources": {"precedence": "ce"}})
    assert untagged(cache.store, ce_first) == [("i-a", 39.0, EC2)]


def test_usage_types_follow_inserts_deletes_and_environments(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.db", synced_on=TODAY)
    cache.add(row("2026-10-31", 100.0, tag="prod", usage_type="BoxUsage"),  # last month
              row("2026-11-01", 10.0, tag="prod", usage_type="BoxUsage"), row("2026-11-26", 5.0, tag="prod", usage_type="BoxUsage"),
              row("2026-11-02", 4.0, tag="dev", usage_type="BoxUsage"), row("2026-11-02", 6.0, tag="dev", usage_type="SpotUsage"),
              row("2026-11-03", 1.0, tag="prod", usage_type="SpotUsage", charge_type="credit"))
    settings = Settings()

    def lines(environment: str | None = None) -> list[tuple[str, float]]:
        detail = service_detail(cache.store, settings, "Compute", EC2, TODAY, environment)
        return [(line.name, line.mtd) for line in detail.usage_types]

    assert lines() == [("BoxUsage", 19.0), ("SpotUsage", 7.0)]
    assert lines("production") == [("BoxUsage", 15.0), ("SpotUsage", 1.0)]
    assert lines("development") == [("SpotUsage", 6.0), ("BoxUsage", 4.0)]
    with cache.store.transaction() as conn:
        cache.store.delete_costs(conn, "usage_type = 'SpotUsage' AND env_tag = 'dev'")
        cache.store.insert_costs(conn, [row("2026-11-04", 2.5, tag="dev", usage_type="Requests")])
    assert lines() == [("BoxUsage", 19.0), ("Requests", 2.5), ("SpotUsage", 1.0)]
    assert lines("development") == [("BoxUsage", 4.0), ("Requests", 2.5)]


# -- many random rows against the GROUP BY over the counted facts ------------------------------------

_FACT_UNTAGGED = (
    "SELECT CASE WHEN resource_id != '' THEN resource_id ELSE 'service:' || service END AS what, MAX(service), "
    "SUM({column}) AS spend FROM counted_costs WHERE environment = 'unallocated' AND day >= ? AND day <= ?{credit} "
    "GROUP BY what HAVING spend > 0"
)
_FACT_USAGE = ("SELECT usage_type, SUM({column}) FROM counted_costs WHERE category = ? AND service = ? AND day >= ? "
               "AND day <= ?{extra} GROUP BY usage_type")


def _random_rows(rng: random.Random, count: int) -> list[CostRow]:
    start = date(2026, 1, 20)
    services = [EC2, S3, "AWS Lambda", "Amazon Relational Database Service"]
    rows = []
    for _ in range(count):
        day = (start + timedelta(days=rng.randrange(75))).isoformat()
        rows.append(row(day, round(rng.uniform(-5, 50), 2), tag=rng.choice(["", "", "prod", "dev", "weird"]),
                        resource=rng.choice(["", "i-1", "i-2", "i-3", "vol-9", "fn-4"]), service=rng.choice(services),
                        usage_type=rng.choice(["A", "B", "C"]), charge_type=rng.choice(["usage"] * 6 + ["credit", "tax"])))
    return rows


def _same(rolled: list[tuple], facts: list[tuple]) -> bool:
    """The same names, and amounts equal up to the order they were added in."""
    rolled, facts = sorted(rolled), sorted(facts)
    return len(rolled) == len(facts) and all(a[:-1] == b[:-1] and abs(a[-1] - b[-1]) < 1e-9 for a, b in zip(rolled, facts))


def _agree(store: Store, rng: random.Random) -> None:
    conn = store.conn
    compared = 0
    for _ in range(25):
        first = date(2026, 1, 15) + timedelta(days=rng.randrange(85))
        last = first + timedelta(days=rng.randrange(70))
        for column in ("amortized", "billed"):
            for exclude_credits in (False, True):
                credit = " AND charge_type NOT IN ('credit', 'refund')" if exclude_credits else ""
                facts = conn.execute(_FACT_UNTAGGED.format(column=column, credit=credit),
                                     (first.isoformat(), last.isoformat())).fetchall()
                rolled = untagged_spend(conn, CostFilter(column, exclude_credits), first, last, limit=10_000)
                assert _same(rolled, facts), (first, last, column, exclude_credits, rolled, facts)
                assert [spend for _, _, spend in rolled] == sorted((spend for _, _, spend in rolled), reverse=True)
                for environment in (None, "production", "unallocated"):
                    flt = CostFilter(column, exclude_credits, environment)
                    extra, params = flt.where()
                    for category, service in (("Compute", EC2), ("Storage", S3)):
                        facts = conn.execute(_FACT_USAGE.format(column=column, extra=extra),
                                             [category, service, first.isoformat(), last.isoformat(), *params]).fetchall()
                        rolled = usage_types_of_service(conn, flt, category, service, first, last)
                        assert _same(rolled, facts), (first, last, flt, category)
                        compared += bool(facts)
    assert compared > 500  # most windows have spend: the comparisons are not of empty lists


def test_random_rows_give_the_figures_of_the_facts(tmp_path: Path) -> None:
    rng = random.Random(14)
    store = open_store(tmp_path / "c.db")
    store.use_settings(Settings())
    with store.transaction() as conn:
        store.insert_costs(conn, _random_rows(rng, 600))
    _agree(store, rng)
    with store.transaction() as conn:  # deletes across a month boundary, and new rows in the middle of a month
        store.delete_costs(conn, "day >= '2026-02-25' AND day <= '2026-03-03' AND resource_id IN ('i-1', '')")
        store.insert_costs(conn, _random_rows(rng, 150))
    _agree(store, rng)
    with store.transaction() as conn:  # a few days in the middle of a month: its other days stay as they were
        store.delete_costs(conn, "day >= '2026-02-10' AND day <= '2026-02-14' AND resource_id != 'i-2'")
        store.insert_costs(conn, [fact for fact in _random_rows(rng, 400) if "2026-02-11" <= fact.day <= "2026-02-13"])
    _agree(store, rng)


def test_an_older_cache_upgrades_in_place_and_keeps_its_figures(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = open_store(path)
    with store.transaction() as conn:
        store.insert_costs(conn, _random_rows(random.Random(7), 300))
    facts_before = store.conn.execute("SELECT * FROM cost_daily ORDER BY id").fetchall()
    store.close()
    conn = sqlite3.connect(path)  # the cache as schema 6 left it: no rollups for usage types and untagged spend
    conn.executescript("DROP TABLE cost_rollup_usage; DROP TABLE cost_rollup_untagged; "
                       "UPDATE meta SET value = '6' WHERE key = 'schema_version';")
    conn.close()

    store = open_store(path)
    assert store.schema_version >= 7
    assert store.conn.execute("SELECT * FROM cost_daily ORDER BY id").fetchall() == facts_before
    assert store.conn.execute("SELECT COUNT(*) FROM cost_rollup_untagged").fetchone()[0] > 0
    store.use_settings(Settings())
    _agree(store, random.Random(8))
