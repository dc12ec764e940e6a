"""Untagged spend by resource over any days, read from a monthly rollup instead of the facts.

Every refresh lists each resource (or service, when the row names no resource)
with spend in the ``unallocated`` environment over the last 30 complete days.
At 5 M rows that is tens of thousands of fact rows a refresh; a daily rollup
still holds one row per resource a day. ``cost_rollup_untagged`` holds one row
per month x what x charge type x service: the daily amounts of that month packed
as little-endian doubles from its first day with rows to its last
(``first_day``, 1-31), and a bit mask of the days that had rows (bit 0 = day 1).
A window of days then reads one row per resource and month it touches and sums
a slice of each, so the same figures come from a few thousand rows.

Kept in step by ``finops_tui.store.allocation`` (whole months: a changed day
changes its month's row), rebuilt with the other rollups when the allocation
changes, shadowed in TEMP on a read-only cache like them.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from datetime import date

from finops_tui import calendar as cal

TABLE_SQL = (
    "CREATE TABLE {schema}.cost_rollup_untagged (month TEXT NOT NULL, what TEXT NOT NULL, charge_type TEXT NOT NULL, "
    "service TEXT NOT NULL, first_day INTEGER NOT NULL, days INTEGER NOT NULL, amortized BLOB NOT NULL, "
    "billed BLOB NOT NULL, PRIMARY KEY (month, what, charge_type, service)) WITHOUT ROWID"
)
WHAT = "CASE WHEN resource_id != '' THEN resource_id ELSE 'service:' || service END"
# The untagged facts through the untagged dimension tuples and the (dim_id, day) index.
_FACTS = (
    f"SELECT {WHAT} AS what, charge_type, service, day, SUM(amortized), SUM(billed) FROM counted_costs "
    "WHERE dim_id IN (SELECT dim_id FROM dim_allocation WHERE environment = 'unallocated') "
    "AND environment = 'unallocated' AND day >= ? AND day <= ? "
    "GROUP BY what, charge_type, service, day ORDER BY what, charge_type, service, day"
)
_STRUCTS: dict[int, struct.Struct] = {}


def _packer(count: int) -> struct.Struct:
    found = _STRUCTS.get(count)
    if found is None:
        found = _STRUCTS[count] = struct.Struct(f"<{count}d")
    return found


def _months(first: date, last: date) -> Iterator[tuple[str, date, date]]:
    """(YYYY-MM, first day, last day) of every month ``first``..``last`` touches, clipped to them."""
    start = cal.month_start(first)
    while start <= last:
        yield cal.month_key(start), max(first, start), min(last, cal.month_end(start))
        start = cal.month_end(start) + cal.ONE_DAY


def rebuild(conn: sqlite3.Connection, first_day: str, last_day: str, schema: str = "main") -> None:
    """Inside a write transaction (or on a TEMP shadow): recompute every month ``first_day``..``last_day`` touches."""
    first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    month_first, month_last = cal.month_start(first), cal.month_end(last)
    conn.execute(f"DELETE FROM {schema}.cost_rollup_untagged WHERE month >= ? AND month <= ?",
                 (cal.month_key(month_first), cal.month_key(month_last)))
    insert = f"INSERT INTO {schema}.cost_rollup_untagged VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    for month, lo, hi in _months(month_first, month_last):
        conn.executemany(insert, _packed(conn.execute(_FACTS, (lo.isoformat(), hi.isoformat())), month))


def _packed(rows: Iterator[tuple], month: str) -> Iterator[tuple]:
    key: tuple | None = None
    days: list[tuple[int, float, float]] = []
    for what, charge_type, service, day_iso, amortized, billed in rows:
        if (what, charge_type, service) != key:
            if key is not None:
                yield _row(month, key, days)
            key, days = (what, charge_type, service), []
        days.append((int(day_iso[8:10]), amortized or 0.0, billed or 0.0))
    if key is not None:
        yield _row(month, key, days)


def _row(month: str, key: tuple, days: list[tuple[int, float, float]]) -> tuple:
    first, width = days[0][0], days[-1][0] - days[0][0] + 1
    amortized, billed, mask = [0.0] * width, [0.0] * width, 0
    for day, day_amortized, day_billed in days:
        amortized[day - first] = day_amortized
        billed[day - first] = day_billed
        mask |= 1 << (day - 1)
    packer = _packer(width)
    return (month, *key, first, mask, packer.pack(*amortized), packer.pack(*billed))


def spend_by_what(conn: sqlite3.Connection, column: str, exclude_credits: bool, first: date, last: date,
                  limit: int) -> list[tuple[str, str, float]]:
    """(resource or ``service:NAME``, its largest service name, spend) of untagged spend ``first``..``last``
    with spend above zero, largest first: what a GROUP BY over the facts of those days gives."""
    if column not in ("amortized", "billed"):
        raise ValueError(column)
    credit = " AND charge_type NOT IN ('credit', 'refund')" if exclude_credits else ""
    sql = (f"SELECT what, service, first_day, {column} FROM cost_rollup_untagged "
           f"WHERE month = ? AND days & ? != 0{credit}")
    spend: dict[str, float] = {}
    service_of: dict[str, str] = {}
    for month, lo_day, hi_day in _months(first, last):
        lo, hi = lo_day.day, hi_day.day
        window = (1 << hi) - (1 << (lo - 1))  # bits lo..hi: the row has a fact on one of these days
        for what, service, start, packed in conn.execute(sql, (month, window)):
            skip = lo - start if lo > start else 0
            count = min(hi - start + 1, len(packed) >> 3) - skip
            spend[what] = spend.get(what, 0.0) + sum(_packer(count).unpack_from(packed, skip << 3))
            if service > service_of.get(what, ""):
                service_of[what] = service
    found = [(what, service_of[what], amount) for what, amount in spend.items() if amount > 0]
    found.sort(key=lambda item: -item[2])
    return found[:limit]
