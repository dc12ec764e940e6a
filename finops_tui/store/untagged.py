"""Untagged spend by resource over any days, read from a monthly rollup instead of the facts.

Every refresh lists each resource (or service, when the row names no resource)
with spend in the ``unallocated`` environment over the last 30 complete days.
At 5 M rows that is tens of thousands of fact rows a refresh, and a daily rollup
still holds one row per resource a day. ``cost_rollup_untagged`` holds one row
per month x what x charge type x service with the month's daily amounts in
columns: ``a1`` .. ``a31`` amortized and ``b1`` .. ``b31`` billed for days 1-31
(NULL: no row that day), and ``days``, a bit mask of the days that have rows
(bit 0 = day 1). A window of days reads one row per resource and month it
touches and adds the window's columns, so the same figures come from a few
thousand rows.

Kept in step by ``finops_tui.store.allocation`` for the days a write touched
(their columns are cleared and read again from the facts; the other days of a
row stay), rebuilt with the other rollups when the allocation changes,
shadowed in TEMP on a read-only cache like them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

from finops_tui import calendar as cal

DAYS = range(1, 32)
METRIC_PREFIX = {"amortized": "a", "billed": "b"}
TABLE_SQL = (
    "CREATE TABLE {schema}.cost_rollup_untagged (month TEXT NOT NULL, what TEXT NOT NULL, charge_type TEXT NOT NULL, "
    "service TEXT NOT NULL, days INTEGER NOT NULL, "
    + "".join(f"a{day} REAL, " for day in DAYS) + "".join(f"b{day} REAL, " for day in DAYS)
    + "PRIMARY KEY (month, what, charge_type, service)) WITHOUT ROWID"
)
# The untagged facts of days ``lo``..``hi`` of one month, through the untagged dimension tuples and the
# (dim_id, day) index: one row per what x charge type x service, one column a day (SUM of no rows is NULL).
_FACTS = (
    " FROM (SELECT day, CAST(substr(day, 9, 2) AS INTEGER) AS day_of_month, "
    "CASE WHEN resource_id != '' THEN resource_id ELSE 'service:' || service END AS what, charge_type, service, "
    "amortized, billed FROM counted_costs "
    "WHERE dim_id IN (SELECT dim_id FROM dim_allocation WHERE environment = 'unallocated') "
    "AND environment = 'unallocated' AND day >= ? AND day <= ?) "
    "GROUP BY what, charge_type, service"
)


def _columns(lo: int, hi: int) -> list[str]:
    return [f"{prefix}{day}" for prefix in ("a", "b") for day in range(lo, hi + 1)]


def _upsert(schema: str, lo: int, hi: int) -> str:
    """Days ``lo``..``hi`` of a month's rows from the facts; the other days of a row already there are kept."""
    values = ", ".join(f"SUM(CASE WHEN day_of_month = {day} THEN {metric} END)"
                       if lo <= day <= hi else "NULL" for metric in ("amortized", "billed") for day in DAYS)
    kept = ", ".join(f"{column} = excluded.{column}" for column in _columns(lo, hi))
    return (f"INSERT INTO {schema}.cost_rollup_untagged SELECT substr(day, 1, 7), what, charge_type, service, "
            f"SUM(DISTINCT 1 << (day_of_month - 1)), {values}{_FACTS} "
            f"ON CONFLICT (month, what, charge_type, service) DO UPDATE SET days = days | excluded.days, {kept}")


def _months(first: date, last: date) -> Iterator[tuple[str, date, date]]:
    """(YYYY-MM, first day, last day) of every month ``first``..``last`` touches, clipped to them."""
    start = cal.month_start(first)
    while start <= last:
        yield cal.month_key(start), max(first, start), min(last, cal.month_end(start))
        start = cal.month_end(start) + cal.ONE_DAY


def rebuild(conn: sqlite3.Connection, first_day: str, last_day: str, schema: str = "main") -> None:
    """Inside a write transaction (or on a TEMP shadow): recompute days ``first_day``..``last_day`` from the facts."""
    table = f"{schema}.cost_rollup_untagged"
    for month, lo, hi in _months(date.fromisoformat(first_day), date.fromisoformat(last_day)):
        mask = (1 << hi.day) - (1 << (lo.day - 1))
        cleared = ", ".join(f"{column} = NULL" for column in _columns(lo.day, hi.day))
        conn.execute(f"UPDATE {table} SET days = days & ~?, {cleared} WHERE month = ? AND days & ? != 0", (mask, month, mask))
        conn.execute(_upsert(schema, lo.day, hi.day), (lo.isoformat(), hi.isoformat()))
        conn.execute(f"DELETE FROM {table} WHERE month = ? AND days = 0", (month,))


def spend_by_what(conn: sqlite3.Connection, column: str, exclude_credits: bool, first: date, last: date,
                  limit: int) -> list[tuple[str, str, float]]:
    """(resource or ``service:NAME``, its largest service name, spend) of untagged spend ``first``..``last``
    with spend above zero, largest first: what a GROUP BY over the facts of those days gives."""
    prefix = METRIC_PREFIX[column]  # whitelisted: the column names below are ours
    credit = " AND charge_type NOT IN ('credit', 'refund')" if exclude_credits else ""
    parts, params = [], []
    for month, lo, hi in _months(first, last):
        days = " + ".join(f"COALESCE({prefix}{day}, 0)" for day in range(lo.day, hi.day + 1))
        parts.append(f"SELECT what, service, {days} AS amount FROM cost_rollup_untagged "
                     f"WHERE month = ? AND days & ? != 0{credit}")
        params += [month, (1 << hi.day) - (1 << (lo.day - 1))]  # bits lo..hi: a row on one of the window's days
    if not parts:
        return []
    sql = (f"SELECT what, MAX(service), SUM(amount) AS spend FROM ({' UNION ALL '.join(parts)}) "
           "GROUP BY what HAVING spend > 0 ORDER BY spend DESC LIMIT ?")
    return conn.execute(sql, [*params, limit]).fetchall()
