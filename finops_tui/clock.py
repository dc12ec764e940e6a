""""Today" and "now" for every command: ``--today``, else ``FINOPS_TUI_TODAY``, else the real UTC date.

This is the only module that reads the real time (a test walks the package to
keep it so). A command's ``Clock`` gives three things:

- ``today`` and ``now()``: the command's day and moment. Every figure and every
  timestamp it writes (sync runs, alert times, audit stamps, the demo) comes
  from here. A fixed clock pins the moment to noon UTC of its day, so figures
  and stamps are reproducible.
- ``wall_now()``: the real UTC moment, for what must follow the wall clock even
  when the day is fixed: retry backoff and delivery claims (other processes
  compare them with their own wall clock) and the daily Cost Explorer request
  cap, which protects the real bill.
- ``monotonic()``: real elapsed seconds within the process (timeouts, waits).
"""

from __future__ import annotations

import os
import time as _time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as day_time

from finops_tui.errors import InputError

TODAY_ENV = "FINOPS_TUI_TODAY"
FIXED_HOUR = 12


def parse_day(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None


def real_now() -> datetime:
    """The real UTC moment. Call it only through a ``Clock`` (or to build one)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Clock:
    """A fixed clock pins both the day and the moment (noon UTC), so every figure is reproducible."""

    today: date
    fixed: bool

    def now(self) -> datetime:
        if self.fixed:
            return datetime.combine(self.today, day_time(FIXED_HOUR, 0), tzinfo=UTC)
        return real_now()

    def now_iso(self) -> str:
        """``now()`` as stored in the cache: ISO-8601 UTC to the second."""
        return self.now().replace(microsecond=0).isoformat()

    def wall_now(self) -> datetime:
        """The real moment, even for a fixed clock (backoff, claims, the Cost Explorer cap)."""
        return real_now()

    def wall_today(self) -> date:
        return self.wall_now().date()

    def monotonic(self) -> float:
        return _time.monotonic()


def resolve_clock(explicit: str | None = None) -> Clock:
    text = explicit or os.environ.get(TODAY_ENV)
    if text:
        return Clock(parse_day(text, "--today"), fixed=True)
    return Clock(real_now().date(), fixed=False)


def fixed_clock(day: date) -> Clock:
    return Clock(day, fixed=True)
