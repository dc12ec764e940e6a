"""The ranges every input must lie in, checked where data enters (importers, sync, config).

- Money: every amount is finite and within +-``MONEY_LIMIT`` (1e12, in the
  cache's currency), and so is the sum of a day's absolute amounts. With at
  most 1e12 a day, every month, forecast and total the program computes stays
  finite (13 months of days add up to less than 4e14).
- Days: between ``FIRST_DAY`` (2000-01-01) and ``LAST_DAY`` (2100-12-31).

Out of range is refused with :class:`BoundsError`: one line that names the
field, or the file and line, and nothing is written.
"""

from __future__ import annotations

import math
from datetime import date

from finops_tui.errors import InputError

MONEY_LIMIT = 1e12
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
FIRST_ISO = FIRST_DAY.isoformat()
LAST_ISO = LAST_DAY.isoformat()


class BoundsError(InputError):
    """A value outside its documented range; the cache was not changed."""


def money_problem(amount: float) -> str | None:
    """Why ``amount`` may not be stored ("is not a finite number"), or ``None`` when it may."""
    if not math.isfinite(amount):
        return "is not a finite number"
    if abs(amount) > MONEY_LIMIT:
        return f"is outside the allowed +-{MONEY_LIMIT:g}"
    return None


def check_money(amount: float, what: str) -> float:
    """``amount`` when it is finite and within +-1e12; else :class:`BoundsError` naming ``what``."""
    problem = money_problem(amount)
    if problem is not None:
        raise BoundsError(f"{what} {amount!r} {problem}", "nothing was written")
    return amount


def day_problem(day: date | str) -> str | None:
    """Why a day is out of range (2000-01-01 to 2100-12-31), or ``None``."""
    text = day.isoformat() if isinstance(day, date) else str(day)
    if not FIRST_ISO <= text <= LAST_ISO:
        return f"{text} is outside the supported years {FIRST_DAY.year} to {LAST_DAY.year}"
    return None


def check_day(day: date | str, what: str) -> None:
    problem = day_problem(day)
    if problem is not None:
        raise BoundsError(f"{what}: {problem}", "nothing was written")


def check_day_totals(absolute_by_day: dict[str, float], what: str) -> None:
    """Every day's sum of absolute amounts within 1e12 (a sum of finite rows can still overflow)."""
    for day in sorted(absolute_by_day):
        total = absolute_by_day[day]
        if not math.isfinite(total) or total > MONEY_LIMIT:
            raise BoundsError(
                f"{what}: the amounts on {day} add up to {total:g}, outside the +-{MONEY_LIMIT:g} a day may hold",
                "nothing was written",
            )
