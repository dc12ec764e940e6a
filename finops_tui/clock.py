""""Today" for every command: ``--today``, else ``FINOPS_TUI_TODAY``, else the real UTC date."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from finops_tui.errors import InputError

TODAY_ENV = "FINOPS_TUI_TODAY"


def parse_day(text: str, what: str = "date") -> date:
    """A day between 2000-01-01 and 2100-12-31 (``finops_tui.bounds``), else one-line ``InputError``."""
    from finops_tui.bounds import day_problem

    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None
    problem = day_problem(day)
    if problem is not None:
        raise InputError(f"{what} {problem}")
    return day


@dataclass(frozen=True)
class Clock:
    """A fixed clock pins both the day and the moment (noon UTC), so every figure is reproducible."""

    today: date
    fixed: bool

    def wall_now(self) -> datetime:
        """The real UTC moment, also under a fixed ``--today``: for delivery claims that must expire by elapsed time."""
        return datetime.now(UTC)

    def now(self) -> datetime:
        if self.fixed:
            return datetime.combine(self.today, time(12, 0), tzinfo=UTC)
        return datetime.now(UTC)


def resolve_clock(explicit: str | None = None) -> Clock:
    text = explicit or os.environ.get(TODAY_ENV)
    if text:
        return Clock(parse_day(text, "--today"), fixed=True)
    return Clock(datetime.now(UTC).date(), fixed=False)
