"""Allocation follows the config: a rule, alias or account-map change re-allocates every day, past and present."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from finops_tui.allocation import Allocation
from finops_tui.allocation.categories import CategoryRules
from finops_tui.analytics.history import monthly_history
from finops_tui.analytics.snapshot import build_snapshot
from finops_tui.config import Settings, parse_settings
from finops_tui.settings_schema import plain
from finops_tui.store import allocation as alloc_sql
from finops_tui.store.db import CostRow
from tests.analytics_cache import Cache

TODAY = date(2026, 11, 20)
LAMBDA = "AWS Lambda"


def raw(day: str, amount: float, service: str, usage_type: str = "", tag: str = "prod", account: str = "111111111111") -> CostRow:
    """A fact as a source reports it: no category, the tag's raw value."""
    return CostRow(day, account, service, usage_type, "", tag, "", amount, amount, "usage", False, "test")


def category_mtd(snapshot: object) -> dict[str, float]:
    return {line.name: line.mtd for line in snapshot.categories}  # type: ignore[attr-defined]


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    rows = []
    for day in ("2026-10-05", "2026-10-06", "2026-11-05", "2026-11-06"):
        rows += [raw(day, 524.67, LAMBDA, "USE1-Lambda-GB-Second"), raw(day, 100.0, "Amazon Simple Storage Service",
                                                                         "USE1-TimedStorage-ByteHrs")]
    rows.append(raw("2026-11-07", 80.25, "Amazon Simple Storage Service", "USE1-DataTransfer-Out-Bytes"))
    rows.append(raw("2026-11-07", 12.5, LAMBDA, "USE1-Lambda-GB-Second", tag="preprod"))
    return Cache(tmp_path / "c.db", synced_on=TODAY).add(*rows)


def test_a_new_rule_applies_to_every_day_at_once(cache: Cache) -> None:
    before = build_snapshot(cache.store, Settings(), TODAY)
    # Lambda: 2 x 524.67 + 12.50 this month; S3 egress is Networking (data transfer before the service rule).
    assert category_mtd(before) == {"Compute": 1061.84, "Storage": 200.0, "Networking": 80.25, "AI/ML": 0.0,
                                    "Database": 0.0, "Other": 0.0}
    settings = parse_settings({"categories": {"rules": [{"category": "AI/ML", "services": ["*Lambda*"]},
                                                        *[plain(r) for r in Settings().categories.rules]]}})
    after = build_snapshot(cache.store, settings, TODAY)
    assert category_mtd(after)["AI/ML"] == 1061.84 and category_mtd(after)["Compute"] == 0.0
    october = next(m for m in monthly_history(cache.store, settings, TODAY, 2) if m.month == "2026-10")
    assert october.categories["AI/ML"] == 1049.34  # the past month moved too: 2 x 524.67
    assert october.categories["Compute"] == 0.0
    # And back: the default config gives the first figures again, no re-import.
    assert category_mtd(build_snapshot(cache.store, Settings(), TODAY)) == category_mtd(before)


def test_an_alias_or_account_map_change_moves_spend_between_environments(cache: Cache) -> None:
    default = build_snapshot(cache.store, Settings(), TODAY)
    assert default.unallocated_mtd == 12.5
    aliased = build_snapshot(cache.store, parse_settings({"environments": {"aliases": {
        "production": ["prod"], "staging": ["preprod"]}}}), TODAY)
    assert aliased.unallocated_mtd == 0.0
    assert next(e for e in aliased.environments if e.name == "staging").mtd == 12.5
    mapped = build_snapshot(cache.store, parse_settings({"environments": {"accounts": {"111111111111": "rnd"}}}), TODAY)
    assert next(e for e in mapped.environments if e.name == "rnd").mtd == 2 * 624.67 + 80.25 + 12.5


def test_a_read_only_cache_is_allocated_in_memory_and_left_untouched(cache: Cache) -> None:
    build_snapshot(cache.store, Settings(), TODAY)
    cache.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cache.store.close()
    before = cache.path.read_bytes()
    conn = sqlite3.connect(f"file:{cache.path}?mode=ro", uri=True, isolation_level=None)
    settings = parse_settings({"categories": {"rules": [{"category": "Other", "services": ["*"]}]}})
    alloc_sql.prepare(conn, Allocation.from_settings(settings))
    assert conn.execute("SELECT category, ROUND(SUM(amortized), 2) FROM cost_rollup GROUP BY 1").fetchall() == [
        ("Other", round(4 * 624.67 + 80.25 + 12.5, 2))]
    conn.close()
    assert cache.path.read_bytes() == before


@pytest.mark.parametrize(("service", "usage_type", "category"), [
    ("Amazon Simple Storage Service", "USE1-DataTransfer-Out-Bytes", "Networking"),
    ("Amazon Simple Storage Service", "USE1-EUC1-AWS-Out-Bytes", "Networking"),
    ("Amazon Relational Database Service", "USE1-USW2-AWS-In-Bytes", "Networking"),
    ("EC2 - Other", "USE1-NatGateway-Bytes", "Networking"),
    ("Amazon Elastic Compute Cloud - Compute", "USE1-HeavyUsage:g5.12xlarge", "AI/ML"),
    ("Amazon Elastic Compute Cloud - Compute", "HeavyUsage:p4d.24xlarge", "AI/ML"),
    ("Amazon Elastic Compute Cloud - Compute", "USE2-HeavyUsage:inf2.xlarge", "AI/ML"),
    ("Amazon Elastic Compute Cloud - Compute", "HeavyUsage:trn1.32xlarge", "AI/ML"),
    ("Amazon Elastic Compute Cloud - Compute", "USE1-HeavyUsage:m6i.large", "Compute"),
])
def test_audit_classification_fixes(service: str, usage_type: str, category: str) -> None:
    rules = CategoryRules(Settings().categories.rules)
    assert rules.category_of(service=service, usage_type=usage_type) == category
