""""Today" for every command: ``--today``, else ``FINOPS_TUI_TODAY``, else the real UTC date."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from finops_tui.errors import InputError, UsageError

TODAY_ENV = "FINOPS_TUI_TODAY"


def parse_day(text: str, what: str = "date", error: type[InputError] = InputError) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise error(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None


@dataclass(frozen=True)
class Clock:
    """A fixed clock pins both the day and the moment (noon UTC), so every figure is reproducible."""

    today: date
    fixed: bool

    def now(self) -> datetime:
        if self.fixed:
            return datetime.combine(self.today, time(12, 0), tzinfo=UTC)
        return datetime.now(UTC)


def resolve_clock(explicit: str | None = None) -> Clock:
    text = explicit or os.environ.get(TODAY_ENV)
    if text:
        # A bad --today is a usage error (exit 2); a bad $FINOPS_TUI_TODAY too: both are how the command was called.
        return Clock(parse_day(text, "--today" if explicit else f"${TODAY_ENV}", UsageError), fixed=True)
    return Clock(datetime.now(UTC).date(), fixed=False)
