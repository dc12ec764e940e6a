"""Monthly history: spend by month and category, and cost per lead by month, on complete days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from finops_tui.analytics.history import monthly_history
from tests.analytics_cache import Cache, cost, small_settings


def test_history_by_month_with_cost_per_lead(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.db")
    cache.add(cost("2026-09-30", 40.0), cost("2026-10-01", 100.0), cost("2026-10-31", 23.0, category="Storage"),
              cost("2026-11-01", 60.0), cost("2026-11-10", 5.0), cost("2026-11-11", 999.0),  # the 11th is today
              cost("2026-10-15", -3.0, charge_type="credit", category="Other"))
    cache.leads(("2026-10-01", 1000), ("2026-10-02", 1000), ("2026-11-01", 1300), ("2026-11-11", 50))
    history = monthly_history(cache.store, small_settings(), date(2026, 11, 11), months=3)
    assert [(h.month, h.total, h.leads, h.cost_per_lead, h.on_target, h.partial) for h in history] == [
        ("2026-09", 40.0, 0, None, None, False),
        ("2026-10", 120.0, 2000, 0.06, False, False),       # 100 + 23 - 3 credit
        ("2026-11", 65.0, 1300, 0.05, True, True),          # today's 999 and 50 leads are not complete
    ]
    assert history[1].categories == {"Compute": 100.0, "Database": 0.0, "AI/ML": 0.0, "Storage": 23.0, "Networking": 0.0,
                                     "Other": -3.0}
    excluded = monthly_history(cache.store, small_settings(exclude_credits=True), date(2026, 11, 11), months=3)
    assert excluded[1].total == 123.0


def test_history_through_a_past_month_and_across_a_year(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.db")
    cache.add(cost("2025-12-31", 7.0), cost("2026-01-31", 8.0), cost("2026-02-01", 9.0))
    history = monthly_history(cache.store, small_settings(), date(2026, 11, 11), months=2, through=date(2026, 1, 1))
    assert [(h.month, h.total, h.partial) for h in history] == [("2025-12", 7.0, False), ("2026-01", 8.0, False)]
