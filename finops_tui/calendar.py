"""Month and day arithmetic, in one place: UTC calendar days, months as their first day.

Every "the same days of last month", "days in this month" and "the last N
complete days" of the analytics, alerts and reports is computed here, so the
1st, month ends and 28- or 29-day Februaries follow one set of rules.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterator
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def days_in_month(day: date) -> int:
    return _stdlib_calendar.monthrange(day.year, day.month)[1]


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=days_in_month(day))


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def previous_month_start(day: date) -> date:
    return add_months(day, -1)


def month_key(day: date) -> str:
    """``YYYY-MM`` of ``day``'s month."""
    return f"{day.year:04d}-{day.month:02d}"


def days(first: date, last: date) -> Iterator[date]:
    """Every day from ``first`` to ``last`` inclusive (none when ``last`` is before ``first``)."""
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def last_days(last: date, count: int) -> list[date]:
    """The ``count`` days ending with ``last``, oldest first."""
    return [last - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def same_days_previous_month(first: date, count: int) -> tuple[date, date] | None:
    """Days 1..``count`` of the month before ``first``'s, as (first, last); capped at that month's length.

    None for ``count`` 0: on the 1st there are no complete days to compare.
    """
    if count <= 0:
        return None
    previous = previous_month_start(first)
    return previous, previous + timedelta(days=min(count, days_in_month(previous)) - 1)


def day_before(day: date) -> date:
    return day - ONE_DAY
