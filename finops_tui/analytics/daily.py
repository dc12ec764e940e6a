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
    """Spend per (day, category, environment), usage-based and other charges apart."""

    usage: dict[tuple[str, str, str], float] = field(default_factory=dict)
    other: dict[tuple[str, str, str], float] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, int, float]]) -> DailySpend:
        spend = cls()
        for day_iso, category, environment, usage, amount in rows:
            target = spend.usage if usage else spend.other
            key = (day_iso, category, environment)
            target[key] = target.get(key, 0.0) + (amount or 0.0)
        return spend

    def days_with_usage(self) -> set[str]:
        return {day for (day, _c, _e), amount in self.usage.items()}

    def sum(self, first: date, last: date, *, usage_only: bool = False, category: str | None = None,
            environment: str | None = None) -> float:
        """Spend from ``first`` to ``last`` inclusive, optionally usage only, of one category or environment."""
        lo, hi = first.isoformat(), last.isoformat()
        total = 0.0
        sources = (self.usage,) if usage_only else (self.usage, self.other)
        for source in sources:
            for (day, cat, env), amount in source.items():
                if lo <= day <= hi and (category is None or cat == category) and (environment is None or env == environment):
                    total += amount
        return total

    def by_day(self, *, usage_only: bool = False, category: str | None = None) -> dict[str, float]:
        """Day -> spend (of one category when given)."""
        totals: dict[str, float] = {}
        sources = (self.usage,) if usage_only else (self.usage, self.other)
        for source in sources:
            for (day, cat, _env), amount in source.items():
                if category is None or cat == category:
                    totals[day] = totals.get(day, 0.0) + amount
        return totals

    def by_category(self, first: date, last: date, *, usage_only: bool = False) -> dict[str, float]:
        totals = {name: 0.0 for name in CATEGORIES}
        lo, hi = first.isoformat(), last.isoformat()
        for source in ((self.usage,) if usage_only else (self.usage, self.other)):
            for (day, cat, _env), amount in source.items():
                if lo <= day <= hi:
                    totals[cat] = totals.get(cat, 0.0) + amount
        return totals

    def by_environment(self, first: date, last: date, *, usage_only: bool = False) -> dict[str, float]:
        totals: dict[str, float] = {}
        lo, hi = first.isoformat(), last.isoformat()
        for source in ((self.usage,) if usage_only else (self.usage, self.other)):
            for (day, _cat, env), amount in source.items():
                if lo <= day <= hi:
                    totals[env] = totals.get(env, 0.0) + amount
        return totals


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
