"""Spend and cost per lead by calendar month: the monthly history (reports, trends).

Only complete days count (the current month up to yesterday), so a month's
cost per lead is the month's cost over the month's leads, on the same days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from finops_tui import calendar as cal
from finops_tui.analytics.rules import cents
from finops_tui.config import CATEGORIES, Settings
from finops_tui.store import queries
from finops_tui.store.db import Store
from finops_tui.store.queries import CostFilter


@dataclass(frozen=True)
class MonthHistory:
    month: str  # YYYY-MM
    total: float
    categories: dict[str, float]  # every category, in CATEGORIES order
    leads: int
    cost_per_lead: float | None  # four decimals; None without leads
    on_target: bool | None
    partial: bool  # the current month: complete days so far


def _month_start(day: date, back: int) -> date:
    return cal.add_months(day, -back)


def monthly_history(store: Store, settings: Settings, today: date, months: int = 13,
                    environment: str | None = None, through: date | None = None) -> tuple[MonthHistory, ...]:
    """``months`` calendar months ending with the month of ``through`` (default: today's), oldest first."""
    end_month = (through or today).replace(day=1)
    next_month = _month_start(end_month, -1)
    last = min(today, next_month) - timedelta(days=1)
    first = _month_start(end_month, months - 1)
    flt = CostFilter(settings.metric, settings.exclude_credits, environment)
    store.use_settings(settings)
    spend: dict[str, dict[str, float]] = {}
    for month, category, amount in queries.monthly_by_category(store.conn, flt, first, last):
        spend.setdefault(month, {})[category] = amount
    leads = queries.leads_by_month(store.conn, first, last)
    target = settings.leads.target_cost_per_lead
    current = today.strftime("%Y-%m")
    history = []
    for back in range(months - 1, -1, -1):
        month = _month_start(end_month, back).strftime("%Y-%m")
        by_category = spend.get(month, {})
        total = sum(by_category.values())
        count = leads.get(month, 0)
        value = round(total / count, 4) if count else None
        history.append(MonthHistory(
            month=month, total=cents(total), categories={c: cents(by_category.get(c, 0.0)) for c in CATEGORIES},
            leads=count, cost_per_lead=value, on_target=None if value is None else value <= target, partial=month == current,
        ))
    return tuple(history)
