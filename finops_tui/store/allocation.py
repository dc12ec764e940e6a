"""Allocation and source precedence in SQL: ``dims``, ``dim_allocation``, ``counted_costs``, the rollup.

- ``dims`` interns the distinct raw allocation inputs; each fact row has a ``dim_id``.
- ``dim_allocation`` maps every ``dim_id`` to (category, environment) under the
  config whose fingerprint ``meta.allocation.fingerprint`` names; it is
  recomputed (thousands of tuples, not millions of rows) and the rollup rebuilt
  when the config changes. On a read-only cache the same is built in TEMP
  tables of that connection, which shadow the stored ones.
- ``counted_costs`` (a TEMP view, per connection) is ``cost_daily`` with the
  allocation joined in and without the rows source precedence sets aside:
  ``export`` (default): a Cost Explorer row (any row not from a billing export)
  is set aside when an export slice covers its account and day
  (``period_start`` .. the slice's ``last_day``); ``ce``: an export row is set
  aside when Cost Explorer has a row for its account and day.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from finops_tui.allocation import DIM_COLUMNS, Allocation, Dim
from finops_tui.store import untagged

FINGERPRINT_KEY = "allocation.fingerprint"
CONFIG_KEY = "allocation.config"

_SET_ASIDE = {
    "export": (
        "f.slice_id IS NULL AND EXISTS (SELECT 1 FROM slice_accounts sa JOIN source_slices s ON s.slice_id = sa.slice_id "
        "WHERE sa.account = f.account AND f.day >= s.period_start AND f.day <= s.last_day)"
    ),
    "ce": (
        "f.slice_id IS NOT NULL AND EXISTS (SELECT 1 FROM cost_daily g WHERE g.account = f.account AND g.day = f.day "
        "AND g.source = 'ce')"
    ),
}

_ROLLUP_SELECT = (
    "SELECT day, category, environment, service, charge_type, SUM(amortized), SUM(billed), MAX(estimated), COUNT(*) "
    "FROM counted_costs"
)
_ROLLUP_GROUP = " GROUP BY day, category, environment, service, charge_type"
# The usage-type drill-down's rollup: the same rows, one level finer.
_USAGE_SELECT = (
    "SELECT category, service, day, environment, usage_type, charge_type, SUM(amortized), SUM(billed) FROM counted_costs"
)
_USAGE_GROUP = " GROUP BY category, service, day, environment, usage_type, charge_type"


USAGE_TABLE_SQL = (
    "CREATE TABLE {schema}.cost_rollup_usage (category TEXT NOT NULL, service TEXT NOT NULL, day TEXT NOT NULL, "
    "environment TEXT NOT NULL, usage_type TEXT NOT NULL, charge_type TEXT NOT NULL, amortized REAL NOT NULL, "
    "billed REAL NOT NULL, PRIMARY KEY (category, service, day, environment, usage_type, charge_type)) WITHOUT ROWID"
)


def set_aside_predicate(precedence: str, alias: str = "f") -> str:
    """SQL that is true for a ``cost_daily`` row (named ``f``) that precedence sets aside."""
    return _SET_ASIDE[precedence].replace("f.", f"{alias}.")


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def stored_allocation(conn: sqlite3.Connection) -> Allocation | None:
    """The allocation the stored mapping was made with, if any (writers without settings keep using it)."""
    text = _meta(conn, CONFIG_KEY)
    if not text:
        return None
    try:
        return Allocation.from_json(text)
    except (ValueError, KeyError, TypeError):
        return None


def _install_view(conn: sqlite3.Connection, precedence: str) -> None:
    conn.execute("DROP VIEW IF EXISTS temp.counted_costs")
    conn.execute(
        "CREATE TEMP VIEW counted_costs AS SELECT f.*, a.category AS category, a.environment AS environment "
        "FROM cost_daily f JOIN dim_allocation a ON a.dim_id = f.dim_id "
        f"WHERE NOT ({set_aside_predicate(precedence)})"
    )


def _drop_shadows(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS temp.cost_rollup")
    conn.execute("DROP TABLE IF EXISTS temp.cost_rollup_usage")
    conn.execute("DROP TABLE IF EXISTS temp.cost_rollup_untagged")
    conn.execute("DROP TABLE IF EXISTS temp.dim_allocation")


def prepare(conn: sqlite3.Connection, allocation: Allocation) -> None:
    """Make this connection read figures under ``allocation``: mapping current, rollup current, view installed.

    Outside any transaction. Writes the new mapping when the stored one is for
    another config; on a read-only cache builds it in TEMP tables instead.
    """
    _drop_shadows(conn)
    _install_view(conn, allocation.precedence)
    if _meta(conn, FINGERPRINT_KEY) == allocation.fingerprint:
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if not _read_only(error):
            raise
        _shadow(conn, allocation)
        return
    try:
        reallocate(conn, allocation)
    except sqlite3.OperationalError as error:
        conn.execute("ROLLBACK")
        if not _read_only(error):
            raise
        _shadow(conn, allocation)
        return
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _read_only(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "readonly" in text or "read-only" in text or "read only" in text


def _dims(conn: sqlite3.Connection, where: str = "") -> list[tuple[int, Dim]]:
    sql = f"SELECT dim_id, {', '.join(DIM_COLUMNS)} FROM dims {where}"
    return [(row[0], Dim(*row[1:])) for row in conn.execute(sql)]


def _mapping(allocation: Allocation, dims: Iterable[tuple[int, Dim]]) -> list[tuple[int, str, str]]:
    return [(dim_id, *allocation.allocate(dim)) for dim_id, dim in dims]


def reallocate(conn: sqlite3.Connection, allocation: Allocation) -> None:
    """Inside a write transaction: the whole mapping and rollup for ``allocation``, and the meta that names it."""
    conn.execute("DELETE FROM main.dim_allocation")
    conn.executemany("INSERT INTO main.dim_allocation (dim_id, category, environment) VALUES (?, ?, ?)",
                     _mapping(allocation, _dims(conn)))
    _install_view(conn, allocation.precedence)
    conn.execute("DELETE FROM main.cost_rollup")
    conn.execute("INSERT INTO main.cost_rollup " + _ROLLUP_SELECT + _ROLLUP_GROUP)
    conn.execute("DELETE FROM main.cost_rollup_usage")
    conn.execute("INSERT INTO main.cost_rollup_usage " + _USAGE_SELECT + _USAGE_GROUP)
    _rebuild_untagged(conn, "main")
    for key, value in ((FINGERPRINT_KEY, allocation.fingerprint), (CONFIG_KEY, allocation.to_json())):
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     (key, value))


def _shadow(conn: sqlite3.Connection, allocation: Allocation) -> None:
    """A read-only cache under another config: this connection's own mapping and rollup, in TEMP tables."""
    conn.execute("CREATE TEMP TABLE dim_allocation (dim_id INTEGER PRIMARY KEY, category TEXT NOT NULL, environment TEXT NOT NULL)")
    conn.executemany("INSERT INTO temp.dim_allocation VALUES (?, ?, ?)", _mapping(allocation, _dims(conn)))
    conn.execute(
        "CREATE TEMP TABLE cost_rollup (day TEXT NOT NULL, category TEXT NOT NULL, environment TEXT NOT NULL, "
        "service TEXT NOT NULL, charge_type TEXT NOT NULL, amortized REAL NOT NULL, billed REAL NOT NULL, "
        "estimated INTEGER NOT NULL, fact_rows INTEGER NOT NULL, "
        "PRIMARY KEY (day, category, environment, service, charge_type)) WITHOUT ROWID"
    )
    conn.execute("INSERT INTO temp.cost_rollup " + _ROLLUP_SELECT + _ROLLUP_GROUP)
    conn.execute("CREATE INDEX temp.cost_rollup_drill ON cost_rollup (category, service, day)")
    conn.execute(USAGE_TABLE_SQL.format(schema="temp"))
    conn.execute("INSERT INTO temp.cost_rollup_usage " + _USAGE_SELECT + _USAGE_GROUP)
    conn.execute(untagged.TABLE_SQL.format(schema="temp"))
    _rebuild_untagged(conn, "temp")


def _rebuild_untagged(conn: sqlite3.Connection, schema: str) -> None:
    first, last = conn.execute("SELECT MIN(day), MAX(day) FROM cost_daily").fetchone()
    conn.execute(f"DELETE FROM {schema}.cost_rollup_untagged")
    if first is not None:
        untagged.rebuild(conn, first, last, schema)


def allocate_new_dims(conn: sqlite3.Connection, allocation: Allocation) -> None:
    """Inside a write transaction: map the tuples a run added (the rest are mapped already)."""
    new = _dims(conn, "WHERE dim_id NOT IN (SELECT dim_id FROM main.dim_allocation)")
    if new:
        conn.executemany("INSERT INTO main.dim_allocation (dim_id, category, environment) VALUES (?, ?, ?)",
                         _mapping(allocation, new))


def refresh_rollup(conn: sqlite3.Connection, first_day: str, last_day: str) -> None:
    """Recompute the rollups for days ``first_day``..``last_day`` from the counted facts."""
    conn.execute("DELETE FROM main.cost_rollup WHERE day >= ? AND day <= ?", (first_day, last_day))
    conn.execute("INSERT INTO main.cost_rollup " + _ROLLUP_SELECT + " WHERE day >= ? AND day <= ?" + _ROLLUP_GROUP,
                 (first_day, last_day))
    conn.execute("DELETE FROM main.cost_rollup_usage WHERE day >= ? AND day <= ?", (first_day, last_day))
    conn.execute("INSERT INTO main.cost_rollup_usage " + _USAGE_SELECT + " WHERE day >= ? AND day <= ?" + _USAGE_GROUP,
                 (first_day, last_day))
    untagged.rebuild(conn, first_day, last_day)


class DimInterner:
    """Raw dimension tuple -> ``dim_id``, adding tuples not seen before (inside the caller's transaction)."""

    _WHERE = " AND ".join(f"{name} = ?" for name in DIM_COLUMNS)
    _INSERT = f"INSERT INTO dims ({', '.join(DIM_COLUMNS)}) VALUES ({', '.join('?' * len(DIM_COLUMNS))})"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.ids: dict[tuple, int] = {}

    def id_of(self, key: Sequence[str]) -> int:
        key = tuple(key)
        found = self.ids.get(key)
        if found is None:
            row = self.conn.execute(f"SELECT dim_id FROM dims WHERE {self._WHERE}", key).fetchone()
            found = row[0] if row else int(self.conn.execute(self._INSERT, key).lastrowid)
            self.ids[key] = found
        return found


# -- per-source totals ------------------------------------------------------------------------------


def source_kind(source: str) -> str:
    prefix = source.split(":", 1)[0]
    return prefix if prefix in ("ce", "demo", "focus", "athena") else "other"


def refresh_source_totals(conn: sqlite3.Connection, sources: Iterable[str]) -> None:
    """Inside a write transaction: the rows, totals, days and accounts of each source named.

    A source seen for the first time is stamped with the latest run's start (the command's clock).
    """
    loaded_at = conn.execute("SELECT MAX(started_at) FROM sync_runs").fetchone()[0] or ""
    for source in sorted(set(sources)):
        rows, amortized, billed, first, last = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(amortized), 0), COALESCE(SUM(billed), 0), MIN(day), MAX(day) "
            "FROM cost_daily WHERE source = ?", (source,)).fetchone()
        has_slices = conn.execute("SELECT 1 FROM source_slices WHERE source = ? LIMIT 1", (source,)).fetchone()
        if rows == 0 and not has_slices:
            conn.execute("DELETE FROM sources WHERE id = ?", (source,))
            continue
        accounts = [row[0] for row in conn.execute(
            "SELECT DISTINCT account FROM cost_daily WHERE source = ? AND account != '' ORDER BY account", (source,))]
        conn.execute(
            "INSERT INTO sources (id, kind, loaded_at, loaded_seq) VALUES (?, ?, ?, "
            "(SELECT COALESCE(MAX(loaded_seq), 0) + 1 FROM sources)) ON CONFLICT(id) DO NOTHING",
            (source, source_kind(source), loaded_at),
        )
        conn.execute(
            "UPDATE sources SET rows = ?, amortized = ?, billed = ?, first_day = ?, last_day = ?, accounts = ? WHERE id = ?",
            (rows, amortized, billed, first, last, json.dumps(accounts), source),
        )
