"""What the cache holds per source, what precedence sets aside, and removing one source.

The per-source totals are kept in ``sources`` by ``Store.transaction``; what is
set aside depends on the config's ``sources.precedence`` and is counted here,
through indexes (the covered days of export slices, or the export rows).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from finops_tui.errors import InputError
from finops_tui.store.allocation import set_aside_predicate
from finops_tui.store.queries import ATHENA_FETCHED_KEY

if TYPE_CHECKING:
    from finops_tui.store.db import Store


@dataclass(frozen=True)
class SetAside:
    rows: int = 0
    amortized: float = 0.0
    billed: float = 0.0


@dataclass(frozen=True)
class SourceLine:
    id: str
    kind: str  # ce | focus | demo | athena | other
    label: str
    accounts: tuple[str, ...]
    first_day: str | None
    last_day: str | None
    billing_periods: tuple[str, ...]  # YYYY-MM of each export slice
    rows: int
    amortized: float
    billed: float
    loaded_at: str
    set_aside: SetAside


def set_aside_by_source(conn: sqlite3.Connection, precedence: str) -> dict[str, SetAside]:
    """Rows, amortized and billed that precedence leaves out, per source."""
    if precedence == "export":
        sql = (
            "SELECT source, COUNT(*), SUM(amortized), SUM(billed) FROM cost_daily WHERE id IN ("
            "SELECT f.id FROM source_slices s JOIN slice_accounts sa ON sa.slice_id = s.slice_id "
            "JOIN cost_daily f ON f.account = sa.account AND f.day >= s.period_start AND f.day <= s.last_day "
            "WHERE f.slice_id IS NULL) GROUP BY source"
        )
    else:
        sql = (f"SELECT f.source, COUNT(*), SUM(f.amortized), SUM(f.billed) FROM cost_daily f "
               f"WHERE {set_aside_predicate(precedence)} GROUP BY f.source")
    return {source: SetAside(rows, amortized or 0.0, billed or 0.0) for source, rows, amortized, billed in conn.execute(sql)}


def list_sources(conn: sqlite3.Connection, precedence: str) -> list[SourceLine]:
    """Every source, oldest load first."""
    periods: dict[str, list[str]] = {}
    for source, period_start in conn.execute("SELECT source, period_start FROM source_slices ORDER BY period_start"):
        month = period_start[:7]
        if month not in periods.setdefault(source, []):
            periods[source].append(month)
    aside = set_aside_by_source(conn, precedence)
    lines = []
    for row in conn.execute(
        "SELECT id, kind, label, accounts, first_day, last_day, rows, amortized, billed, loaded_at FROM sources "
        "ORDER BY loaded_seq, id"
    ):
        source_id, kind, label, accounts, first, last, rows, amortized, billed, loaded_at = row
        lines.append(SourceLine(source_id, kind, label, tuple(json.loads(accounts or "[]")), first, last,
                                tuple(periods.get(source_id, ())), rows, amortized, billed, loaded_at,
                                aside.get(source_id, SetAside())))
    return lines


def resolve_source(conn: sqlite3.Connection, wanted: str) -> str:
    """The one source whose id is ``wanted`` or starts with it (``focus:1a2b`` or just ``1a2b``)."""
    ids = [row[0] for row in conn.execute("SELECT id FROM sources ORDER BY id")]
    if wanted in ids:
        return wanted
    matches = [i for i in ids if i.startswith(wanted) or i.split(":", 1)[-1].startswith(wanted)] if wanted else []
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise InputError(f"no source {wanted!r} in the cache", "`finops-tui sources` lists them")
    raise InputError(f"{wanted!r} matches {len(matches)} sources ({', '.join(m[:20] for m in matches[:3])}...); give more of the id")


def slice_spans(conn: sqlite3.Connection, source: str) -> list[tuple[str, str]]:
    """(period_start, last_day) of each slice of ``source``: the days its coverage reaches."""
    return [(row[0], row[1] or row[0]) for row in
            conn.execute("SELECT period_start, last_day FROM source_slices WHERE source = ?", (source,))]


def remove_source(store: Store, source: str) -> SourceLine:
    """Remove one source's rows, slices and record in one transaction; what it held is returned.

    Removing ``ce`` also forgets how far Cost Explorer was fetched, and removing
    an Athena source which billing periods it fetched, so the next sync backfills.
    """
    with store.transaction() as conn:
        removed = next(line for line in list_sources(conn, store.allocation.precedence) if line.id == source)
        for first, last in slice_spans(conn, source):
            store.mark_dirty(first, last)  # Cost Explorer rows these days were set aside for may count again
        store.delete_costs(conn, "source = ?", (source,))
        conn.execute("DELETE FROM source_slices WHERE source = ?", (source,))
        conn.execute("DELETE FROM sources WHERE id = ?", (source,))
        if source == "ce":
            conn.execute("DELETE FROM meta WHERE key = 'ce.fetched_until'")
        elif removed.kind == "athena":
            conn.execute("DELETE FROM meta WHERE key = ?", (ATHENA_FETCHED_KEY.format(source=source),))
    return removed
