"""Honest on every day of the month: like-for-like, the usage run-rate forecast, late and missing data.

Every expected figure is worked out by hand in the comments; small caches hold
exactly the rows a test reasons about (budget 10,000: production 7,000,
staging 1,500, development 1,000, rnd 500).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from finops_tui.alerts.events import evaluate
from finops_tui.analytics.health import UNKNOWN, assess
from finops_tui.analytics.snapshot import Snapshot, build_snapshot
from finops_tui.config import Settings
from tests.analytics_cache import Cache, cost, small_settings


def snap(cache: Cache, today: date, settings: Settings | None = None, **kwargs: object) -> Snapshot:
    return build_snapshot(cache.store, settings or small_settings(), today,
                          now=datetime.combine(today, time(12), tzinfo=UTC), **kwargs)


def daily(first: date, last: date, amount: float, **kwargs: object) -> list:
    return [cost(first + timedelta(days=n), amount, **kwargs) for n in range((last - first).days + 1)]


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "c.db")


def env(s: Snapshot, name: str):
    return next(line for line in s.environments if line.name == name)


# -- like for like ------------------------------------------------------------------

def test_on_the_first_nothing_is_compared_and_today_is_shown_as_today(cache: Cache) -> None:
    # October 1st: 100 of AI/ML; today (Nov 1) a partial 928.6 of AI/ML.
    cache.add(cost("2026-10-01", 100.0, category="AI/ML"), cost("2026-11-01", 928.6, category="AI/ML"))
    s = snap(cache, date(2026, 11, 1))
    ai = next(c for c in s.categories if c.name == "AI/ML")
    assert (ai.mtd, ai.today, ai.complete, ai.change_pct) == (928.6, 928.6, 0.0, None)  # not "+828.6 %"
    assert s.to_json()["categories"][0]["change_pct"] is None
    assert s.complete_days == 0 and s.partial_day == "2026-11-01"


def test_on_the_second_day_one_compares_with_day_one(cache: Cache) -> None:
    cache.add(cost("2026-10-01", 100.0), cost("2026-10-02", 500.0),  # Oct 2 is not among "days 1..1"
              cost("2026-11-01", 150.0), cost("2026-11-02", 9999.0))  # Nov 2 is today: not compared
    compute = snap(cache, date(2026, 11, 2)).categories[0]
    assert (compute.complete, compute.previous_mtd, compute.change_pct) == (150.0, 100.0, 50.0)


def test_march_30_compares_with_the_whole_of_february(cache: Cache) -> None:
    # March 2028: 29 complete days on the 30th; February 2028 has 29 days (leap year), all of them compared.
    cache.add(*daily(date(2028, 2, 1), date(2028, 2, 29), 10.0), *daily(date(2028, 3, 1), date(2028, 3, 29), 20.0))
    compute = snap(cache, date(2028, 3, 30)).categories[0]
    assert (compute.complete, compute.previous_mtd, compute.change_pct) == (580.0, 290.0, 100.0)


# -- the forecast ---------------------------------------------------------------------

def test_forecast_from_the_second_counts_one_time_and_recurring_charges_once(cache: Cache) -> None:
    # Usage 100 a day from Oct 25; on Nov 1 a 3,000 reservation purchase and a 500 recurring monthly charge.
    cache.add(*daily(date(2026, 10, 25), date(2026, 11, 1), 100.0),
              cost("2026-11-01", 3000.0, charge_type="purchase", service="Savings Plans"),
              cost("2026-11-01", 500.0, charge_type="recurring", category="Storage", service="Amazon S3"))
    s = snap(cache, date(2026, 11, 2))
    # Through Nov 1: 100 + 3,000 + 500 = 3,600. Run-rate: usage of Oct 26..Nov 1 = 700 / 7 = 100 a day.
    # Remaining days, today included: 30 - 1 = 29. Forecast 3,600 + 29 x 100 = 6,500 (not 3,600 x 30 = 108,000).
    assert s.total.forecast_eom == 6500.0
    assert s.forecast_window == ("2026-10-26", "2026-11-01")
    prod = env(s, "production")
    assert (prod.forecast_eom, prod.forecast_level) == (6500.0, "warning")  # 92.9 % of 7,000
    assert (prod.overrun, prod.approval) == (None, None)  # inside its budget: nothing to approve


def test_forecast_needs_min_days_of_usage(cache: Cache) -> None:
    cache.add(cost("2026-11-01", 10.0), cost("2026-11-02", 20.0), cost("2026-11-03", 30.0))
    assert snap(cache, date(2026, 11, 3)).total.forecast_eom is None  # two complete usage days < 3
    # On the 4th: three usage days in the window (Oct 28..Nov 3): (10 + 20 + 30) / 3 = 20 a day;
    # 60 + 20 x 27 remaining = 600.
    assert snap(cache, date(2026, 11, 4)).total.forecast_eom == 600.0
    assert snap(cache, date(2026, 11, 4), small_settings(forecast={"min_days": 4})).total.forecast_eom is None


def test_a_closed_month_is_as_of_its_last_day_without_forecast(cache: Cache) -> None:
    cache.add(*daily(date(2026, 10, 1), date(2026, 10, 31), 10.0), cost("2026-11-01", 99.0))
    s = snap(cache, date(2026, 11, 20), month=date(2026, 10, 1))
    assert (s.as_of, s.closed, s.partial_day, s.complete_days, s.last_complete_day) == (
        "2026-10-31", True, None, 31, "2026-10-31")
    assert (s.total.mtd, s.total.forecast_eom, s.total.forecast_level) == (310.0, None, None)


def test_approval_is_on_the_projected_overrun(cache: Cache) -> None:
    # staging: 60 a day for 10 days = 600 of 1,500 (40 %); forecast 600 + 60 x 20 = 1,800: overrun 300 -> team lead.
    # rnd: 90 a day = 900 of 500 (180 %, hard limit); forecast 900 + 90 x 20 = 2,700: overrun 2,200 -> VP Engineering.
    cache.add(*daily(date(2026, 11, 1), date(2026, 11, 10), 60.0, environment="staging"),
              *daily(date(2026, 11, 1), date(2026, 11, 10), 90.0, environment="rnd"))
    s = snap(cache, date(2026, 11, 11))
    assert (env(s, "staging").overrun, env(s, "staging").approval) == (300.0, "team_lead")
    assert (env(s, "rnd").level, env(s, "rnd").overrun, env(s, "rnd").approval) == ("hard_limit", 2200.0, "vp_engineering")
    assert (env(s, "production").overrun, env(s, "production").approval) == (None, None)


# -- data you cannot trust yet -----------------------------------------------------------

def test_estimated_days_are_listed(cache: Cache) -> None:
    rows = daily(date(2026, 11, 1), date(2026, 11, 10), 10.0)
    for row in rows[-2:]:
        row.estimated = True
    cache.add(*rows)
    s = snap(cache, date(2026, 11, 11))
    assert s.estimated_days == ("2026-11-09", "2026-11-10")
    assert s.to_json()["estimated_days"] == ["2026-11-09", "2026-11-10"]


def test_a_gap_is_listed_and_makes_status_unknown(cache: Cache) -> None:
    cache.add(*daily(date(2026, 11, 1), date(2026, 11, 3), 10.0), *daily(date(2026, 11, 6), date(2026, 11, 10), 10.0))
    s = snap(cache, date(2026, 11, 11))
    assert s.data_gaps == ("2026-11-04", "2026-11-05")
    health = assess(s)
    assert health.code == UNKNOWN
    assert health.reasons == ("data gap: no cost rows for 2 days, 2026-11-04 to 2026-11-05",)


def test_stale_when_the_newest_cost_day_lags_whatever_the_last_sync(cache: Cache) -> None:
    cache.add(*daily(date(2026, 11, 1), date(2026, 11, 7), 10.0))  # synced "now", but data ends on the 7th
    fresh = snap(cache, date(2026, 11, 9))  # 2 days of lag: allowed
    stale = snap(cache, date(2026, 11, 10))  # 3 days
    assert (fresh.freshness.stale, fresh.freshness.data_through, fresh.freshness.lag_days) == (False, "2026-11-07", 2)
    assert stale.freshness.stale
    assert stale.freshness.reasons == (
        "the newest cost day 2026-11-07 is 3 days before today (more than freshness.max_lag_days = 2)",)
    assert assess(stale).code == UNKNOWN


def test_a_month_without_cost_data_is_unknown_not_ok(cache: Cache) -> None:
    cache.add(*daily(date(2026, 10, 1), date(2026, 10, 31), 10.0))
    s = snap(cache, date(2026, 12, 1), month=date(2026, 9, 1))
    assert (s.month_has_data, s.total.mtd) == (False, 0.0)
    assert "no cost data for 2026-09" in assess(s).reasons


# -- spikes and one-time charges ------------------------------------------------------------

def test_a_spike_revealed_by_late_data_is_found_under_its_own_date(cache: Cache) -> None:
    cache.add(*daily(date(2026, 11, 1), date(2026, 11, 10), 100.0))
    assert snap(cache, date(2026, 11, 11)).spikes == ()
    cache.add(cost("2026-11-07", 50.0))  # late rows for the 7th: 150 against 100 (+50 %), three days back
    spikes = snap(cache, date(2026, 11, 11)).spikes
    assert [(sp.date, sp.scope, sp.change_pct, sp.monthly_increase) for sp in spikes] == [
        ("2026-11-07", "total", 50.0, 1500.0), ("2026-11-07", "category:Compute", 50.0, 1500.0)]
    keys = {event.key for event in evaluate(snap(cache, date(2026, 11, 11)), small_settings(), cache.store.conn)}
    assert {"spike:total:2026-11-07", "spike:category:Compute:2026-11-07"} <= keys


def test_spike_percentages_come_from_unrounded_amounts(cache: Cache) -> None:
    # 3 x 33.333 = 99.999 the day before, 120.5 on the day: +20.5012 % -> 20.5; x 30 days = 615.03 a month.
    cache.add(*[cost("2026-11-09", 33.333) for _ in range(3)], cost("2026-11-10", 120.5))
    total = snap(cache, date(2026, 11, 11)).spikes[0]
    assert (total.scope, total.previous, total.change_pct, total.monthly_increase) == ("total", 100.0, 20.5, 615.03)


def test_one_time_charges_never_make_or_hide_a_spike_and_are_alerted_above_the_minimum(cache: Cache) -> None:
    cache.add(*daily(date(2026, 11, 1), date(2026, 11, 10), 100.0),
              cost("2026-11-10", 3000.0, charge_type="purchase", service="Savings Plans"),  # no spike from this
              cost("2026-11-09", 400.0, charge_type="fee", service="AWS Support"),          # under 500: listed only
              cost("2026-11-08", -700.0, charge_type="credit", service="Credits", category="Other"))
    s = snap(cache, date(2026, 11, 11))
    assert s.spikes == ()
    assert [(c.date, c.charge_type, c.amount, c.approval, c.alert) for c in s.one_time_charges] == [
        ("2026-11-08", "credit", -700.0, None, False), ("2026-11-09", "fee", 400.0, "team_lead", False),
        ("2026-11-10", "purchase", 3000.0, "vp_engineering", True)]
    events = [e for e in evaluate(s, small_settings(), cache.store.conn) if e.kind == "one_time"]
    assert [(e.key, e.amount, e.approval) for e in events] == [
        ("one_time:purchase:Savings Plans:2026-11-10", 3000.0, "vp_engineering")]


# -- cost per lead and waste ----------------------------------------------------------------

def test_cost_per_lead_over_the_days_that_have_leads(cache: Cache) -> None:
    cache.add(cost("2026-11-01", 100.0), cost("2026-11-02", 50.0), cost("2026-11-03", 70.0))
    cache.leads(("2026-11-01", 2000), ("2026-11-03", 1000))  # no count for the 2nd: its 50 is left out
    cpl = snap(cache, date(2026, 11, 4)).cost_per_lead
    # (100 + 70) / (2000 + 1000) = 0.056666... -> 0.0567
    assert (cpl.month_to_date, cpl.days_with_leads, cpl.complete_days, cpl.cost, cpl.leads) == (0.0567, 2, 3, 170.0, 3000)
    first = snap(cache, date(2026, 11, 1)).cost_per_lead
    assert (first.complete_days, first.month_to_date) == (0, None)


def test_a_resource_listed_twice_counts_once_at_its_larger_estimate(cache: Cache) -> None:
    cache.waste("vol-9", "ebs_unattached", 12.5)
    cache.add(cost("2026-11-05", 20.0, environment="unallocated", resource_id="vol-9"))  # untagged spend 20
    cache.waste("eipalloc-1", "eip_unassociated", 3.6)
    s = snap(cache, date(2026, 11, 11))
    assert [(w.resource_id, w.kinds, w.monthly_cost) for w in s.waste] == [
        ("vol-9", ("untagged_spend", "ebs_unattached"), 20.0), ("eipalloc-1", ("eip_unassociated",), 3.6)]
    assert s.waste_total == 23.6  # not 36.1


# -- one month view-model for the console and the report ---------------------------------------

@pytest.mark.parametrize("month", ["2026-11", "2026-10"])
def test_the_report_figures_are_the_snapshots(cache: Cache, month: str) -> None:
    import json

    from finops_tui.reports import render_monthly_report

    cache.add(*daily(date(2026, 9, 1), date(2026, 11, 11), 40.0), *daily(date(2026, 10, 1), date(2026, 11, 11), 9.0, environment="rnd"),
              cost("2026-10-20", 900.0, category="AI/ML", environment="rnd"),
              cost("2026-10-01", 700.0, charge_type="purchase", service="Savings Plans"))
    today = date(2026, 11, 11)
    report = json.loads(render_monthly_report(cache.store, small_settings(), month, "json", today))
    s = snap(cache, today, month=date.fromisoformat(month + "-01"))
    assert report["total"] == {"name": "total", "mtd": s.total.mtd, "budget": s.total.budget, "pct": s.total.pct,
                               "level": s.total.level, "forecast_eom": s.total.forecast_eom,
                               "forecast_level": s.total.forecast_level, "overrun": s.total.overrun, "approval": s.total.approval}
    assert [e["mtd"] for e in report["environments"]] == [e.mtd for e in s.environments]
    assert [(c["name"], c["amount"], c["previous"], c["change_pct"]) for c in report["categories"]] == [
        (c.name, c.mtd, c.previous_mtd, c.change_pct) for c in s.categories]
    assert [sp["date"] for sp in report["spikes"]] == [sp.date for sp in s.spikes]
    assert report["cost_per_lead"]["value"] == s.cost_per_lead.month_to_date
    if month == "2026-10":
        # Closed: October in full (31 x 40 + 31 x 9 + 900 + 700 = 1,240 + 279 + 1,600 = 3,119), as of its last day, no forecast.
        assert (report["last_day"], report["total"]["mtd"], report["total"]["forecast_eom"]) == ("2026-10-31", 3119.0, None)
    else:
        # Current: Nov 1-11 (today partial): 11 x 49 = 539; forecast 490 + 49 x 20 = 1,470.
        assert (report["last_day"], report["total"]["mtd"], report["total"]["forecast_eom"]) == ("2026-11-11", 539.0, 1470.0)


def test_the_cost_explorer_cap_follows_the_wall_clock_day(cache: Cache) -> None:
    from finops_tui.sync import ce_requests_today

    with cache.store.transaction() as conn:  # a sync under --today 2026-11-20, run on the real day 2026-12-01
        conn.execute("INSERT INTO sync_runs (kind, started_at, status, ce_request_count, detail) VALUES "
                     "('sync', '2026-11-20T12:00:00+00:00', 'ok', 150, '{\"wall_day\": \"2026-12-01\"}')")
    assert ce_requests_today(cache.store, "2026-12-01") == 150
    assert ce_requests_today(cache.store, "2026-11-20") == 0  # changing --today does not reset the real bill's cap


def test_an_alert_on_an_estimated_day_says_so(cache: Cache) -> None:
    from finops_tui.alerts.messages import text_message

    rows = daily(date(2026, 11, 1), date(2026, 11, 9), 100.0) + [cost("2026-11-10", 150.0)]
    rows[-1].estimated = True
    cache.add(*rows)
    events = {e.key: e for e in evaluate(snap(cache, date(2026, 11, 11)), small_settings(), cache.store.conn)}
    message = text_message(events["spike:total:2026-11-10"])
    assert "2026-11-10 is still estimated by AWS and may change." in message
