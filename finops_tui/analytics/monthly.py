"""The figures of one calendar month, for the monthly finance report.

For the current month the figures are month to date and equal the snapshot's
(same queries, same forecast); for a past month, "month to date" is the whole
month and the forecast is the actual.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from finops_tui.analytics.history import MonthHistory, monthly_history
from finops_tui.analytics.rules import cents, percent
from finops_tui.analytics.snapshot import BudgetLine, Spike, WasteItem, _budget_line, _pct1, build_snapshot, find_spikes
from finops_tui.config import CATEGORIES, ENVIRONMENTS, UNALLOCATED, Settings
from finops_tui.errors import InputError
from finops_tui.store import queries
from finops_tui.store.db import Store
from finops_tui.store.queries import CostFilter

TOP_SERVICES = 10
HISTORY_MONTHS = 6


@dataclass(frozen=True)
class CategoryMonth:
    name: str
    amount: float
    share_pct: float | None
    previous: float
    change: float
    change_pct: float | None


@dataclass(frozen=True)
class ServiceMonth:
    service: str
    category: str
    amount: float
    share_pct: float | None


@dataclass(frozen=True)
class MonthCostPerLead:
    target: float
    cost: float
    leads: int
    value: float | None
    on_target: bool | None


@dataclass(frozen=True)
class MonthFigures:
    month: str
    first_day: str
    last_day: str  # the last day counted (today for the current month)
    is_current: bool
    complete: bool  # the whole month is in the past
    metric: str
    previous_month: str
    previous_label: str  # what "previous" means: the whole previous month, or the same days of it
    total: BudgetLine
    environments: tuple[BudgetLine, ...]
    unallocated: float
    categories: tuple[CategoryMonth, ...]
    top_services: tuple[ServiceMonth, ...]
    spikes: tuple[Spike, ...]
    waste_total: float
    waste: tuple[WasteItem, ...]
    cost_per_lead: MonthCostPerLead
    history: tuple[MonthHistory, ...]  # the report month and the months before it, oldest first


def parse_month(text: str) -> date:
    """``YYYY-MM`` -> the first day of that month."""
    try:
        year, month = text.strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError:
        raise InputError(f"month {text!r} is not in the form YYYY-MM") from None


def month_figures(store: Store, settings: Settings, month: str, today: date) -> MonthFigures:
    first = parse_month(month)
    if first > today:
        raise InputError(f"month {month} is in the future (today is {today.isoformat()})")
    store.use_settings(settings)
    conn = store.conn
    flt = CostFilter(settings.metric, settings.exclude_credits)
    days_in_month = calendar.monthrange(first.year, first.month)[1]
    month_last = first.replace(day=days_in_month)
    is_current = first == today.replace(day=1)
    last = today if is_current else month_last
    complete_days = (today - first).days if is_current else days_in_month
    last_complete = today - timedelta(days=1) if is_current else month_last

    env_mtd = {name: 0.0 for name in (*ENVIRONMENTS, UNALLOCATED)}
    env_base = dict(env_mtd)
    cat_amount = {name: 0.0 for name in CATEGORIES}
    for category, env, mtd, before_last in queries.month_by_category_environment(conn, flt, first, last):
        env_mtd[env] = env_mtd.get(env, 0.0) + mtd
        env_base[env] = env_base.get(env, 0.0) + (before_last if is_current else mtd)
        cat_amount[category] = cat_amount.get(category, 0.0) + mtd
    total_amount = sum(env_mtd.values())

    def line(name: str, amount: float, base: float, budget: float) -> BudgetLine:
        return _budget_line(name, amount, base, budget, settings, complete_days, days_in_month)

    environments = tuple(line(name, env_mtd[name], env_base[name], settings.budget.for_environment(name)) for name in ENVIRONMENTS)
    total = line("total", total_amount, sum(env_base.values()), settings.budget.monthly_total)

    prev_first = (first - timedelta(days=1)).replace(day=1)
    prev_days = calendar.monthrange(prev_first.year, prev_first.month)[1]
    if is_current:
        prev_last = prev_first + timedelta(days=min(complete_days, prev_days - 1))
        previous_label = f"{prev_first.strftime('%Y-%m')} through day {prev_last.day}"
    else:
        prev_last = first - timedelta(days=1)
        previous_label = prev_first.strftime("%Y-%m")
    prev_amount = queries.category_totals(conn, flt, prev_first, prev_last)
    categories = sorted(
        (CategoryMonth(
            name=name, amount=cents(cat_amount.get(name, 0.0)), share_pct=_pct1(percent(cat_amount.get(name, 0.0), total_amount)),
            previous=cents(prev_amount.get(name, 0.0)),
            change=cents(cat_amount.get(name, 0.0) - prev_amount.get(name, 0.0)),
            change_pct=_pct1(percent(cat_amount.get(name, 0.0) - prev_amount.get(name, 0.0), prev_amount.get(name, 0.0)))
            if prev_amount.get(name, 0.0) > 0 else None,
        ) for name in CATEGORIES),
        key=lambda c: (-c.amount, CATEGORIES.index(c.name)),
    )
    services = tuple(
        ServiceMonth(service, category, cents(amount), _pct1(percent(amount, total_amount)))
        for service, category, amount in queries.top_services(conn, flt, first, last, TOP_SERVICES)
    )

    daily: dict[str, dict[str, float]] = {}
    for day_iso, category, spend in queries.daily_by_category(conn, flt, first - timedelta(days=1), last_complete):
        daily.setdefault(day_iso, {})[category] = spend
    spike_days = [first + timedelta(days=offset) for offset in range((last_complete - first).days + 1)]
    spikes = tuple(find_spikes(daily, spike_days, settings))

    lead_days = {d.isoformat() for d in spike_days}
    lead_cost = sum(sum(cats.values()) for day_iso, cats in daily.items() if day_iso in lead_days)
    leads = sum(count for day_iso, count in queries.leads_between(conn, first, last_complete).items() if day_iso in lead_days) \
        if spike_days else 0
    cpl_value = round(lead_cost / leads, 4) if leads else None
    target = settings.leads.target_cost_per_lead
    cost_per_lead = MonthCostPerLead(target, cents(lead_cost), leads, cpl_value, None if cpl_value is None else cpl_value <= target)

    snapshot = build_snapshot(store, settings, today, now=None)
    return MonthFigures(
        month=first.strftime("%Y-%m"), first_day=first.isoformat(), last_day=last.isoformat(), is_current=is_current,
        complete=not is_current, metric=settings.metric, previous_month=prev_first.strftime("%Y-%m"),
        previous_label=previous_label, total=total, environments=environments, unallocated=cents(env_mtd.get(UNALLOCATED, 0.0)),
        categories=tuple(categories), top_services=services, spikes=spikes,
        waste_total=snapshot.waste_total, waste=snapshot.waste, cost_per_lead=cost_per_lead,
        history=monthly_history(store, settings, today, HISTORY_MONTHS, through=first),
    )
