"""Time travel: the analytics on every day of a year (month ends, the 1st, the 2nd, 28- and 29-day Februaries).

Two years of data:

- a flat year whose figures are worked out by hand: production Compute usage of
  100 a day, and on every 1st a 3,100 Savings Plans purchase (Compute,
  one-time) and a 620 recurring S3 charge (Storage). Usage is flat, so from the
  2nd on the forecast must equal the month's real total exactly;
- the demo company's year (weekly rhythm, planted spikes, credits), checked on
  every day against figures recomputed here from the generated rows, not read
  back through the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from finops_tui import calendar as cal
from finops_tui.analytics.snapshot import Snapshot, build_snapshot
from finops_tui.config import Settings
from finops_tui.sources.demo import demo_rows
from finops_tui.store import open_store
from finops_tui.store.db import CostRow, Store
from tests.analytics_cache import LATEST_SYNC

FIRST = date(2027, 1, 1)
LAST = date(2028, 12, 31)


def _store(path: Path, rows: list[CostRow]) -> Store:
    store = open_store(path)
    with store.transaction() as conn:
        store.insert_costs(conn, rows)
        conn.execute("INSERT INTO sync_runs (kind, started_at, finished_at, status) VALUES ('sync', ?, ?, 'ok')",
                     (LATEST_SYNC.isoformat(), LATEST_SYNC.isoformat()))
    return store


def _snap(store: Store, today: date, settings: Settings) -> Snapshot:
    return build_snapshot(store, settings, today, now=datetime.combine(today, time(12), tzinfo=UTC))


def _row(day: date, amount: float, charge_type: str = "usage", category: str = "Compute", service: str = "Amazon EC2") -> CostRow:
    return CostRow(day.isoformat(), "111111111111", service, "", category, "production", "", amount, amount, charge_type, False, "test")


@pytest.fixture(scope="module")
def flat_year(tmp_path_factory: pytest.TempPathFactory) -> Store:
    rows = []
    for day in cal.days(FIRST, LAST):
        rows.append(_row(day, 100.0))
        if day.day == 1:
            rows.append(_row(day, 3100.0, "purchase", service="Savings Plans"))
            rows.append(_row(day, 620.0, "recurring", "Storage", "Amazon S3"))
    return _store(tmp_path_factory.mktemp("flat") / "flat.db", rows)


def month_total(day: date) -> float:
    """The flat year's whole month: 100 a day plus 3,100 and 620 on the 1st."""
    return 100.0 * cal.days_in_month(day) + 3720.0


def category(s: Snapshot, name: str):
    return next(line for line in s.categories if line.name == name)


@pytest.mark.parametrize(("today", "mtd", "forecast", "compute_change"), [
    # The 1st: 100 + 3,100 + 620 booked today; no complete day: nothing compared; forecast = 0 + 100 x 31.
    (date(2028, 3, 1), 3820.0, 3100.0, None),
    # The 2nd: through Mar 1 3,820 + run-rate 100 (Feb 24..Mar 1) x 30 remaining = 6,820 = March's total.
    # Compute day 1 (100 + 3,100) against Feb day 1 (the same): 0 %.
    (date(2028, 3, 2), 3920.0, 6820.0, 0.0),
    # Feb 28 of a leap year: through Feb 27 (2,700 + 3,720) + 100 x 2 = 6,620 = February 2028's total.
    (date(2028, 2, 28), 6520.0, 6620.0, 0.0),
    # Feb 29: through Feb 28 (2,800 + 3,720) + 100 x 1.
    (date(2028, 2, 29), 6620.0, 6620.0, 0.0),
    # Feb 28 of a 28-day February: through Feb 27 6,420 + 100 x 1 = 6,520.
    (date(2027, 2, 28), 6520.0, 6520.0, 0.0),
    # March 31: days 1..30 of March (3,000 + 3,100 of Compute) against the whole of February 2028 (2,900 + 3,100):
    # +100 / 6,000 = +1.7 %. Forecast: 6,720 through the 30th + 100 x 1.
    (date(2028, 3, 31), 6820.0, 6820.0, 1.7),
    # April 30, a month end: through the 29th 6,620 + 100 x 1 = 6,720.
    (date(2028, 4, 30), 6720.0, 6720.0, 0.0),
])
def test_named_days_of_the_flat_year(flat_year: Store, today: date, mtd: float, forecast: float,
                                     compute_change: float | None) -> None:
    s = _snap(flat_year, today, Settings())
    assert (s.total.mtd, s.total.forecast_eom) == (mtd, forecast)
    assert category(s, "Compute").change_pct == compute_change
    assert s.spikes == ()  # the purchase and the recurring charge never make a spike
    assert s.data_gaps == () and not s.freshness.stale


def test_the_first_lists_the_purchase_as_a_one_time_charge(flat_year: Store) -> None:
    s = _snap(flat_year, date(2028, 3, 1), Settings())
    assert [(c.date, c.charge_type, c.amount, c.approval, c.alert) for c in s.one_time_charges] == [
        ("2028-03-01", "purchase", 3100.0, "vp_engineering", True), ("2028-03-01", "recurring", 620.0, None, False)]


def test_every_day_of_the_flat_year(flat_year: Store) -> None:
    settings = Settings()
    for today in cal.days(date(2028, 1, 1), LAST):
        s = _snap(flat_year, today, settings)
        dim = cal.days_in_month(today)
        expected = 100.0 * dim if today.day == 1 else month_total(today)
        assert (today, s.total.forecast_eom) == (today, expected)
        assert (today, s.complete_days, s.days_in_month) == (today, today.day - 1, dim)
        assert all(line.change_pct is None for line in s.categories) is (today.day == 1)
        assert s.spikes == ()


@pytest.fixture(scope="module")
def demo_year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, list[CostRow]]:
    rows = list(demo_rows(Settings(), LAST, days=(LAST - date(2027, 12, 1)).days + 1))
    return _store(tmp_path_factory.mktemp("demo-year") / "demo.db", rows), rows


def test_every_day_of_the_demo_year_against_figures_recomputed_from_the_rows(demo_year: tuple[Store, list[CostRow]]) -> None:
    store, rows = demo_year
    settings = Settings()
    all_charges: dict[date, float] = {}
    usage: dict[date, float] = {}
    for row in rows:
        day = date.fromisoformat(row.day)
        all_charges[day] = all_charges.get(day, 0.0) + row.amortized
        if row.charge_type == "usage":
            usage[day] = usage.get(day, 0.0) + row.amortized
    for today in cal.days(date(2028, 1, 1), LAST - timedelta(days=1)):
        s = _snap(store, today, settings)
        first = today.replace(day=1)
        month_days = list(cal.days(first, cal.month_end(today)))
        done = [d for d in month_days if d < today]
        window = [today - timedelta(days=n) for n in range(1, 8)]
        rate = sum(usage[d] for d in window) / 7
        forecast = sum(all_charges[d] for d in done) + rate * (len(month_days) - len(done))
        assert s.total.mtd == pytest.approx(sum(all_charges[d] for d in done + [today]), abs=0.006)
        assert s.total.forecast_eom == pytest.approx(forecast, abs=0.006)
        if today.day >= 2:  # the forecast holds from the 2nd: within 10 % of the month's real total
            assert s.total.forecast_eom / sum(all_charges[d] for d in month_days) == pytest.approx(1.0, abs=0.10), today
        for spike in (sp for sp in s.spikes if sp.scope == "total"):
            day = date.fromisoformat(spike.date)
            before = usage[day - timedelta(days=1)]
            assert (usage[day] - before) / before > 0.20
        assert not s.freshness.stale and s.data_gaps == ()
