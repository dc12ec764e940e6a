"""Hand-computed figures and boundaries of build_snapshot (ARCHITECTURE.md semantics)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from finops_tui.analytics.snapshot import Snapshot, build_snapshot
from finops_tui.config import Settings
from tests.analytics_cache import Cache, cost, small_settings

TODAY = date(2026, 11, 11)  # 10 complete days in a 30-day month


def snap(cache: Cache, settings: Settings, today: date = TODAY, **kwargs: object) -> Snapshot:
    return build_snapshot(cache.store, settings, today, now=datetime.combine(today, time(12), tzinfo=UTC), **kwargs)


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "c.db")


def env_line(snapshot: Snapshot, name: str):
    return next(line for line in snapshot.environments if line.name == name)


# -- budget levels: rnd budget is 500 ----------------------------------------------

@pytest.mark.parametrize(("amount", "level", "pct"), [
    (399.99, "ok", 80.0),        # 79.998 % shows as 80.0 but is not yet 80 %
    (400.00, "warning", 80.0),   # exactly 80 %
    (499.99, "warning", 100.0),
    (500.00, "critical", 100.0),  # exactly 100 %
    (599.99, "critical", 120.0),
    (600.00, "hard_limit", 120.0),  # exactly 120 %
    (750.00, "hard_limit", 150.0),
])
def test_budget_level_boundaries(cache: Cache, amount: float, level: str, pct: float) -> None:
    cache.add(cost("2026-11-03", amount, environment="rnd"))
    line = env_line(snap(cache, small_settings()), "rnd")
    assert (line.mtd, line.budget, line.level, line.pct) == (amount, 500.0, level, pct)


def test_exactly_80_percent_from_many_float_rows_is_a_warning(cache: Cache) -> None:
    # 4,000 rows of 0.1 do not sum to exactly 400.0 in binary floating point.
    cache.add(*[cost("2026-11-02", 0.1, environment="rnd") for _ in range(4000)])
    line = env_line(snap(cache, small_settings()), "rnd")
    assert line.mtd == 400.0 and line.level == "warning"


def test_budgets_are_the_framework_shares(cache: Cache) -> None:
    s = snap(cache, small_settings())
    assert [(line.name, line.budget) for line in s.environments] == [
        ("production", 7000.0), ("staging", 1500.0), ("development", 1000.0), ("rnd", 500.0)]
    assert s.total.budget == 10_000.0


def test_forecast_uses_complete_days_only(cache: Cache) -> None:
    # 10 complete days of 30 in production, and a partial today of 50.
    cache.add(*[cost(date(2026, 11, d), 30.0) for d in range(1, 11)], cost("2026-11-11", 50.0))
    s = snap(cache, small_settings())
    prod = env_line(s, "production")
    assert prod.mtd == 350.0  # month to date includes today
    assert prod.forecast_eom == 900.0  # 300 / 10 * 30
    assert prod.forecast_level == "ok"
    assert s.total.forecast_eom == 900.0
    assert (s.complete_days, s.days_in_month) == (10, 30)


def test_forecast_level_can_warn_before_the_actual(cache: Cache) -> None:
    # rnd: 14 a day for 10 days = 140 (28 %), forecast 420 = 84 % of 500.
    cache.add(*[cost(date(2026, 11, d), 14.0, environment="rnd") for d in range(1, 11)])
    rnd = env_line(snap(cache, small_settings()), "rnd")
    assert (rnd.level, rnd.forecast_eom, rnd.forecast_level) == ("ok", 420.0, "warning")


def test_forecast_is_null_on_the_first(cache: Cache) -> None:
    cache.add(cost("2026-11-01", 100.0), cost("2026-10-31", 100.0))
    s = snap(cache, small_settings(), today=date(2026, 11, 1))
    assert s.total.mtd == 100.0
    assert s.total.forecast_eom is None and s.total.forecast_level is None
    assert all(line.forecast_eom is None for line in s.environments)
    assert s.to_json()["total"]["forecast_eom"] is None


# -- credits and metric -----------------------------------------------------------

def test_credits_are_included_unless_excluded(cache: Cache) -> None:
    cache.add(cost("2026-11-02", 100.0), cost("2026-11-02", -30.0, charge_type="credit", category="Other"),
              cost("2026-11-03", -5.0, charge_type="refund", category="Other"))
    assert snap(cache, small_settings()).total.mtd == 65.0
    assert snap(cache, small_settings(exclude_credits=True)).total.mtd == 100.0


def test_metric_billed_vs_amortized(cache: Cache) -> None:
    cache.add(cost("2026-11-02", 80.0, billed=120.0), cost("2026-11-03", 0.0, billed=365.0, charge_type="purchase"))
    assert snap(cache, small_settings()).total.mtd == 80.0
    billed = snap(cache, small_settings(metric="billed"))
    assert billed.total.mtd == 485.0 and billed.metric == "billed"


# -- unallocated and the environment filter ------------------------------------------

def test_unallocated_counts_in_the_total_but_no_budget(cache: Cache) -> None:
    cache.add(cost("2026-11-02", 100.0), cost("2026-11-02", 25.5, environment="unallocated"))
    s = snap(cache, small_settings())
    assert s.total.mtd == 125.5 and s.unallocated_mtd == 25.5
    assert env_line(s, "production").mtd == 100.0
    assert "unallocated" not in [line.name for line in s.environments]


def test_environment_filter(cache: Cache) -> None:
    cache.add(cost("2026-11-02", 100.0), cost("2026-11-02", 40.0, environment="staging"))
    s = snap(cache, small_settings(), environment="staging")
    assert [line.name for line in s.environments] == ["staging"]
    assert (s.total.mtd, s.total.budget) == (40.0, 1500.0)


def test_unallocated_filter_has_no_budget_level(cache: Cache) -> None:
    cache.add(cost("2026-11-02", 25.0, environment="unallocated"))
    s = snap(cache, small_settings(), environment="unallocated")
    assert s.total.mtd == 25.0 and s.unallocated_mtd == 25.0
    assert s.total.level == "ok"


# -- categories ------------------------------------------------------------------

def test_categories_by_mtd_with_share_and_previous_month(cache: Cache) -> None:
    cache.add(
        cost("2026-11-02", 300.0, category="Compute"), cost("2026-11-05", 100.0, category="Storage"),
        cost("2026-10-02", 200.0, category="Compute"),  # previous month, same days (through the 11th)
        cost("2026-10-20", 999.0, category="Compute"),  # previous month, later: whole month only
    )
    s = snap(cache, small_settings())
    compute, storage = s.categories[0], s.categories[1]
    assert (compute.name, compute.mtd, compute.share_pct) == ("Compute", 300.0, 75.0)
    assert (compute.previous_mtd, compute.previous_month, compute.change_pct) == (200.0, 1199.0, 50.0)
    assert (storage.name, storage.mtd, storage.share_pct, storage.change_pct) == ("Storage", 100.0, 25.0, None)
    assert [c.name for c in s.categories[2:]] == ["Database", "AI/ML", "Networking", "Other"]


# -- spikes -----------------------------------------------------------------------

def test_exactly_20_percent_is_not_a_spike_but_20_01_is(cache: Cache) -> None:
    cache.add(cost("2026-11-05", 100.0), cost("2026-11-06", 120.0),  # +20.00 %: not a spike
              cost("2026-11-07", 100.0), cost("2026-11-08", 120.01))  # +20.01 %: spike
    spikes = snap(cache, small_settings()).spikes
    assert [(s.date, s.scope) for s in spikes] == [("2026-11-08", "total"), ("2026-11-08", "category:Compute")]
    total = spikes[0]
    assert (total.previous, total.amount, total.change_pct) == (100.0, 120.01, 20.0)
    assert total.monthly_increase == 600.3  # 20.01 a day x 30 days
    assert total.approval == "vp_engineering"


def test_previous_day_zero_is_never_a_spike(cache: Cache) -> None:
    cache.add(cost("2026-11-05", 0.0), cost("2026-11-06", 1000.0), cost("2026-11-08", 50.0))  # the 7th has no rows
    assert snap(cache, small_settings()).spikes == ()


def test_min_delta(cache: Cache) -> None:
    cache.add(cost("2026-11-02", 100.0), cost("2026-11-03", 124.0),   # +24 %, +$24: below min_delta 25
              cost("2026-11-04", 100.0), cost("2026-11-05", 125.0))   # +25 %, +$25: counts
    spikes = snap(cache, small_settings(spikes={"min_delta": 25, "lookback_days": 10})).spikes
    assert {s.date for s in spikes} == {"2026-11-05"}
    assert {s.date for s in snap(cache, small_settings(spikes={"lookback_days": 10})).spikes} == {"2026-11-03", "2026-11-05"}


def test_category_spike_without_a_total_spike(cache: Cache) -> None:
    cache.add(cost("2026-11-05", 1000.0), cost("2026-11-05", 10.0, category="Networking"),
              cost("2026-11-06", 1000.0), cost("2026-11-06", 50.0, category="Networking"))
    spikes = snap(cache, small_settings()).spikes
    assert [(s.scope, s.previous, s.amount, s.change_pct, s.monthly_increase, s.approval) for s in spikes] == [
        ("category:Networking", 10.0, 50.0, 400.0, 1200.0, "vp_engineering")]


def test_spike_approval_uses_days_of_the_spike_month(cache: Cache) -> None:
    # October has 31 days: +170 a day -> 5,270 a month -> CTO/CFO.
    cache.add(cost("2026-10-20", 100.0), cost("2026-10-21", 270.0))
    spike = snap(cache, small_settings(spikes={"lookback_days": 30})).spikes[0]
    assert (spike.date, spike.monthly_increase, spike.approval) == ("2026-10-21", 5270.0, "cto_cfo")


def test_today_partial_is_never_a_spike(cache: Cache) -> None:
    cache.add(cost("2026-11-10", 100.0), cost("2026-11-11", 500.0))
    assert snap(cache, small_settings()).spikes == ()


# -- cost per lead ------------------------------------------------------------------

def test_cost_per_lead_null_without_leads(cache: Cache) -> None:
    cache.add(cost("2026-11-02", 100.0))
    cpl = snap(cache, small_settings()).cost_per_lead
    assert (cpl.target, cpl.month_to_date, cpl.on_target) == (0.05, None, None)
    assert all(point.value is None for point in cpl.trend)


def test_cost_per_lead_four_decimals_over_complete_days(cache: Cache) -> None:
    cache.add(cost("2026-11-02", 60.0), cost("2026-11-03", 40.0), cost("2026-11-11", 999.0))  # the 11th is today
    cache.leads(("2026-11-02", 1000), ("2026-11-03", 951), ("2026-11-11", 5))
    cpl = snap(cache, small_settings()).cost_per_lead
    assert cpl.month_to_date == 0.0513  # 100 / 1951 = 0.051255...
    assert cpl.on_target is False
    by_day = {p.date: p for p in cpl.trend}
    assert (by_day["2026-11-02"].cost, by_day["2026-11-02"].leads, by_day["2026-11-02"].value) == (60.0, 1000, 0.06)
    assert by_day["2026-11-03"].value == 0.0421  # 40 / 951 = 0.04206...
    assert "2026-11-11" not in by_day and cpl.trend[-1].date == "2026-11-10"
    assert len(cpl.trend) == 30


def test_cost_per_lead_on_target_at_exactly_the_target(cache: Cache) -> None:
    cache.add(cost("2026-11-02", 50.0))
    cache.leads(("2026-11-02", 1000))
    cpl = snap(cache, small_settings()).cost_per_lead
    assert (cpl.month_to_date, cpl.on_target) == (0.05, True)


# -- waste --------------------------------------------------------------------------

def test_waste_sorted_by_dollars_with_untagged_spend(cache: Cache) -> None:
    cache.waste("vol-1", "ebs_unattached", 12.5, "development")
    cache.waste("eipalloc-1", "eip_unassociated", 3.6, "staging")
    # Untagged spend over the last 30 complete days (Oct 12 .. Nov 10); Oct 11 and today are outside.
    cache.add(cost("2026-10-12", 20.0, environment="unallocated", resource_id="i-untagged"),
              cost("2026-11-10", 10.25, environment="unallocated", resource_id="i-untagged"),
              cost("2026-10-11", 500.0, environment="unallocated", resource_id="i-untagged"),
              cost("2026-11-11", 500.0, environment="unallocated", resource_id="i-untagged"),
              cost("2026-11-03", 7.0, environment="unallocated", service="AWS Glue"))
    s = snap(cache, small_settings())
    assert [(w.resource_id, w.kind, w.monthly_cost) for w in s.waste] == [
        ("i-untagged", "untagged_spend", 30.25), ("vol-1", "ebs_unattached", 12.5),
        ("service:AWS Glue", "untagged_spend", 7.0), ("eipalloc-1", "eip_unassociated", 3.6)]
    assert s.waste_total == 53.35


def test_to_json_money_rounded_to_cents(cache: Cache) -> None:
    cache.add(cost("2026-11-02", 10.004), cost("2026-11-02", 10.004))
    data = snap(cache, small_settings()).to_json()
    assert data["total"]["mtd"] == 20.01
    assert data["environments"][0]["pct"] == 0.3  # 20.01 / 7000 = 0.2858 %
