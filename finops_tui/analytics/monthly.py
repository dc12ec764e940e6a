"""The figures of one calendar month, for the monthly finance report.

The figures are the snapshot's for that month (one view-model for the console
and the report): the current month is month to date with today partial; a
past month is closed, as of its last day, with no forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from finops_tui import calendar as cal
from finops_tui.analytics.history import MonthHistory, monthly_history
from finops_tui.analytics.rules import cents, percent
from finops_tui.analytics.snapshot import BudgetLine, OneTimeCharge, Spike, WasteItem, _pct1, build_snapshot
from finops_tui.config import Settings
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
    days_with_leads: int = 0  # of complete_days: days without a leads count are left out of cost and leads
    complete_days: int = 0


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
    estimated_days: tuple[str, ...] = ()
    data_gaps: tuple[str, ...] = ()
    one_time_charges: tuple[OneTimeCharge, ...] = ()
    complete_days: int = 0
    currency: str = "USD"  # the cache's one currency (config ``currency``)


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
    """The report's figures for ``month``: the same month view-model as the console (``build_snapshot``).

    A closed month is as of its last day (no partial day, no forecast); the
    current month is month to date with today partial.
    """
    first = parse_month(month)
    if first > today:
        raise InputError(f"month {month} is in the future (today is {today.isoformat()})")
    store.use_settings(settings)
    with store.read():
        snapshot = build_snapshot(store, settings, today, month=first)
        flt = CostFilter(settings.metric, settings.exclude_credits)
        last = date.fromisoformat(snapshot.as_of)
        services = tuple(
            ServiceMonth(service, category, cents(amount), _pct1(percent(amount, snapshot.total.mtd)))
            for service, category, amount in queries.top_services(store.conn, flt, first, last, TOP_SERVICES)
        )
        history = monthly_history(store, settings, today, HISTORY_MONTHS, through=first)
    previous_month = cal.previous_month_start(first)
    same = cal.same_days_previous_month(first, snapshot.complete_days)
    if same and same[1] == cal.month_end(previous_month):
        previous_label = f"{cal.month_key(previous_month)} (the whole month)"
    elif snapshot.complete_days == 0:
        previous_label = "none yet: no complete days this month"
    else:
        previous_label = f"{cal.month_key(previous_month)} days 1 to {same[1].day} (this month: complete days 1 to {snapshot.complete_days})"
    categories = tuple(
        CategoryMonth(name=c.name, amount=c.mtd, share_pct=c.share_pct, previous=c.previous_mtd,
                      change=cents(c.complete - c.previous_mtd), change_pct=c.change_pct)
        for c in snapshot.categories
    )
    cpl = snapshot.cost_per_lead
    return MonthFigures(
        month=snapshot.month, first_day=first.isoformat(), last_day=snapshot.as_of, is_current=not snapshot.closed,
        complete=snapshot.closed, metric=settings.metric, previous_month=cal.month_key(previous_month),
        previous_label=previous_label, total=snapshot.total, environments=snapshot.environments,
        unallocated=snapshot.unallocated_mtd, categories=categories, top_services=services, spikes=snapshot.spikes,
        waste_total=snapshot.waste_total, waste=snapshot.waste,
        cost_per_lead=MonthCostPerLead(cpl.target, cpl.cost, cpl.leads, cpl.month_to_date, cpl.on_target,
                                       cpl.days_with_leads, cpl.complete_days),
        history=history, estimated_days=snapshot.estimated_days, data_gaps=snapshot.data_gaps,
        one_time_charges=snapshot.one_time_charges, complete_days=snapshot.complete_days, currency=settings.currency,
    )
