"""Daily spend of one view, split by category, environment and charge kind, and the figures made from it.

Pure functions over one SQL read (``daily_by_category_environment_kind``):
like-for-like sums, the usage run-rate forecast and spikes. Amounts stay
unrounded here; the view-model rounds for display.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from finops_tui import calendar as cal
from finops_tui.config import CATEGORIES


@dataclass
class DailySpend:
    """Spend per day by category and by environment, usage-based and other charges apart.

    Built once from one query; the sums below walk at most a few hundred
    (day, category) cells, so a whole view costs well under a millisecond.
    """

    # category -> day -> [usage, other]; environment -> day -> [usage, other]
    by_category_day: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    by_environment_day: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, int, float]]) -> DailySpend:
        spend = cls()
        for day_iso, category, environment, usage, amount in rows:
            slot = 0 if usage else 1
            for table, key in ((spend.by_category_day, category), (spend.by_environment_day, environment)):
                cell = table.setdefault(key, {}).setdefault(day_iso, [0.0, 0.0])
                cell[slot] += amount or 0.0
        return spend

    def days_with_usage(self) -> set[str]:
        return {day for days in self.by_category_day.values() for day, cell in days.items() if cell[0] != 0.0}

    def by_day(self, *, usage_only: bool = False, category: str | None = None) -> dict[str, float]:
        """Day -> spend (of one category when given)."""
        totals: dict[str, float] = {}
        tables = [self.by_category_day.get(category, {})] if category is not None else self.by_category_day.values()
        for days in tables:
            for day, (usage, other) in days.items():
                totals[day] = totals.get(day, 0.0) + usage + (0.0 if usage_only else other)
        return totals

    @staticmethod
    def _range(table: dict[str, dict[str, list[float]]], first: date, last: date, usage_only: bool) -> dict[str, float]:
        lo, hi = first.isoformat(), last.isoformat()
        return {key: sum(usage + (0.0 if usage_only else other) for day, (usage, other) in days.items() if lo <= day <= hi)
                for key, days in table.items()}

    def by_category(self, first: date, last: date, *, usage_only: bool = False) -> dict[str, float]:
        return {name: 0.0 for name in CATEGORIES} | self._range(self.by_category_day, first, last, usage_only)

    def by_environment(self, first: date, last: date, *, usage_only: bool = False) -> dict[str, float]:
        return self._range(self.by_environment_day, first, last, usage_only)


@dataclass(frozen=True)
class RunRate:
    """The usage run-rate: the window of complete days it was taken over and how many of them had usage."""

    first: date
    last: date
    usage_days: int

    def usable(self, min_days: int) -> bool:
        return self.usage_days >= min_days


def run_rate_window(spend: DailySpend, last_complete: date, window_days: int) -> RunRate:
    """The last ``window_days`` complete days ending at ``last_complete`` (into the previous month when needed)."""
    window = cal.last_days(last_complete, window_days)
    with_usage = spend.days_with_usage()
    return RunRate(window[0], window[-1], sum(1 for day in window if day.isoformat() in with_usage))


def forecast_eom(through_last_complete: float, usage_in_window: float, rate: RunRate, remaining_days: int) -> float:
    """Spend through the last complete day (all charges) + mean daily usage x remaining days (today included).

    The mean is over the window's days that have usage rows, so a day the
    cache has no rows for yet does not pull the rate down.
    """
    usage_rate = usage_in_window / rate.usage_days
    return through_last_complete + usage_rate * remaining_days


def monthly_increase(previous: float, current: float, day: date) -> float:
    """A daily increase as a monthly amount: x the days of that day's month."""
    return (current - previous) * cal.days_in_month(day)
