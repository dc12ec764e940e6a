"""Opening the cache: refuse foreign or newer files, migrate older ones, WAL mode.

One connection per thread (SQLite connections must not cross threads); every
write of a run goes through :meth:`Store.transaction`, so a crash leaves the
previous snapshot intact.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from finops_tui.errors import CacheError
from finops_tui.store.schema import APPLICATION, MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(slots=True)
class CostRow:
    """One daily cost fact as it is stored."""

    day: str
    account: str
    service: str
    usage_type: str
    category: str
    environment: str
    resource_id: str
    amortized: float
    billed: float
    charge_type: str = "usage"
    estimated: bool = False
    source: str = ""


COST_COLUMNS = tuple(CostRow.__dataclass_fields__)
_ROW_VALUES = attrgetter(*COST_COLUMNS)  # one C call per row (dataclasses.astuple deep-copies every field)
_INSERT_COST = f"INSERT INTO cost_daily ({', '.join(COST_COLUMNS)}) VALUES ({', '.join('?' * len(COST_COLUMNS))})"


def utc_now_iso(now: datetime) -> str:
    """An ISO-8601 UTC stamp of ``now`` (the command's clock: ``Clock.now()``), to the second."""
    return now.astimezone(UTC).replace(microsecond=0).isoformat()


class Store:
    """A finops-tui cache file. Cheap to share; connections are made per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    # -- connections -------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path)
            self._local.conn = conn
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over this thread's connection (imported lazily: it imports pandas)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it.

        Before committing, the daily rollup is refreshed for every day whose
        facts were inserted (found by id, which only grows) or deleted through
        :meth:`delete_costs`, so readers never see the two disagree.
        """
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            first_new_id = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'cost_daily'").fetchone()[0]
            self._local.dirty_days = None
            yield conn
            inserted = conn.execute("SELECT MIN(day), MAX(day) FROM cost_daily WHERE id > ?", (first_new_id,)).fetchone()
            self._mark_dirty(inserted[0], inserted[1])
            if self._local.dirty_days is not None:
                refresh_rollup(conn, *self._local.dirty_days)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            self._local.dirty_days = None

    def _mark_dirty(self, first: str | None, last: str | None) -> None:
        if first is None or last is None:
            return
        current = getattr(self._local, "dirty_days", None)
        if current is not None:
            first, last = min(first, current[0]), max(last, current[1])
        self._local.dirty_days = (first, last)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same commit (a view never mixes two syncs).

        Inside a transaction already open on this thread it just joins it.
        """
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def delete_costs(self, conn: sqlite3.Connection, where: str, params: Sequence[object] = ()) -> int:
        """Delete facts matching ``where`` (SQL, parameterised) inside a transaction, keeping the rollup in step."""
        span = conn.execute(f"SELECT MIN(day), MAX(day) FROM cost_daily WHERE {where}", params).fetchone()
        self._mark_dirty(span[0], span[1])
        return conn.execute(f"DELETE FROM cost_daily WHERE {where}", params).rowcount

    # -- meta --------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str, conn: sqlite3.Connection | None = None) -> None:
        (conn or self.conn).execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @property
    def schema_version(self) -> int:
        return int(self.get_meta("schema_version", "0") or 0)

    # -- writes ------------------------------------------------------------
    @staticmethod
    def insert_costs(conn: sqlite3.Connection, rows: Iterable[CostRow | Sequence[object]]) -> int:
        """Insert cost rows inside the caller's transaction; returns how many."""
        cursor = conn.executemany(_INSERT_COST, (_ROW_VALUES(row) if isinstance(row, CostRow) else row for row in rows))
        return cursor.rowcount

    def start_run(self, kind: str, detail: dict | None = None, *, now: datetime) -> int:
        """Record that a run began (outside the run's own transaction, so a failed run is still logged).

        ``now`` is the command's clock: a run under ``--today`` is stamped on that day.
        """
        cursor = self.conn.execute(
            "INSERT INTO sync_runs (kind, started_at, status, detail) VALUES (?, ?, 'running', ?)",
            (kind, utc_now_iso(now), json.dumps(detail or {})),
        )
        return int(cursor.lastrowid)

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        error: str | None = None,
        request_count: int = 0,
        ce_request_count: int = 0,
        rows_written: int = 0,
        detail: dict | None = None,
        conn: sqlite3.Connection | None = None,
        now: datetime,
    ) -> None:
        params: list[object] = [utc_now_iso(now), status, error, request_count, ce_request_count, rows_written]
        sql = "UPDATE sync_runs SET finished_at = ?, status = ?, error = ?, request_count = ?, ce_request_count = ?, rows_written = ?"
        if detail is not None:
            sql += ", detail = ?"
            params.append(json.dumps(detail))
        (conn or self.conn).execute(sql + " WHERE id = ?", (*params, run_id))

    def acknowledge_alert(self, key: str, kind: str, scope: str, month: str, *, now: datetime) -> None:
        """Mark an alert event (e.g. ``spike:total:2026-11-20``) acknowledged: it is never sent again."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO alert_events (key, kind, scope, month, created_at, status) VALUES (?, ?, ?, ?, ?, 'acknowledged') "
                "ON CONFLICT(key) DO UPDATE SET status = 'acknowledged'",
                (key, kind, scope, month, utc_now_iso(now)),
            )

    def acknowledged_keys(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT key FROM alert_events WHERE status = 'acknowledged'")}

    def has_costs(self) -> bool:
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM cost_daily)").fetchone()[0] == 1


def refresh_rollup(conn: sqlite3.Connection, first_day: str, last_day: str) -> None:
    """Recompute the rollup for days ``first_day``..``last_day`` from the facts."""
    conn.execute("DELETE FROM cost_rollup WHERE day >= ? AND day <= ?", (first_day, last_day))
    conn.execute(
        "INSERT INTO cost_rollup SELECT day, category, environment, service, charge_type, SUM(amortized), SUM(billed), "
        "MAX(estimated), COUNT(*) FROM cost_daily WHERE day >= ? AND day <= ? "
        "GROUP BY day, category, environment, service, charge_type",
        (first_day, last_day),
    )


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a run is one transaction.
    conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=True)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise CacheError(f"cannot read cache file {path}: {error.strerror or error}") from None
    if header != SQLITE_HEADER:
        raise CacheError(f"{path} is not a finops-tui cache (not an SQLite database); it was left untouched")


def open_store(path: str | Path, *, create: bool = True) -> Store:
    """Open (and if needed create or migrate) the cache at ``path``.

    A file that is not a finops-tui cache, or one written by a newer version,
    is refused with :class:`CacheError` and not modified.
    """
    path = Path(path)
    exists = path.exists() and path.stat().st_size > 0
    if path.is_dir():
        raise CacheError(f"cache path {path} is a directory; give a file such as {path / 'finops.db'}")
    if exists:
        _check_header(path)
        _inspect_existing(path)
    elif not create:
        raise CacheError(f"no cache at {path}", "run `finops-tui sync`, `finops-tui import-focus` or `finops-tui demo` first")
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CacheError(f"cannot create the cache folder {path.parent}: {error.strerror or error}") from None
    store = Store(path)
    try:
        store.conn.execute("PRAGMA journal_mode = WAL")
        _migrate(store)
    except sqlite3.DatabaseError as error:
        store.close()
        raise CacheError(f"cannot open cache {path}: {error}") from None
    return store


def _inspect_existing(path: Path) -> None:
    """Read-only look at an existing file: is it ours, and not from the future?"""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                return
            if "meta" not in tables:
                raise CacheError(f"{path} is an SQLite database but not a finops-tui cache; it was left untouched")
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise CacheError(f"{path} is not a readable finops-tui cache ({error}); it was left untouched") from None
    if meta.get("application") != APPLICATION:
        raise CacheError(f"{path} is an SQLite database but not a finops-tui cache; it was left untouched")
    version = int(meta.get("schema_version", "0") or 0)
    if version > SCHEMA_VERSION:
        raise CacheError(
            f"{path} was written by a newer finops-tui (schema {version}, this one knows {SCHEMA_VERSION})",
            "upgrade finops-tui to open it",
        )


def _migrate(store: Store, target: int = SCHEMA_VERSION) -> None:
    conn = store.conn
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    current = store.schema_version if has_meta else 0
    if current >= target:
        return
    # Each migration runs in its own transaction: a failure leaves the file at
    # the last complete version.
    for version in range(current + 1, target + 1):
        script = MIGRATIONS[version - 1]
        try:
            conn.executescript(
            "BEGIN IMMEDIATE;\n"
            + script
            + f"\nINSERT INTO meta (key, value) VALUES ('application', '{APPLICATION}') ON CONFLICT(key) DO NOTHING;"
            + f"\nINSERT INTO meta (key, value) VALUES ('schema_version', '{version}') "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value;\nCOMMIT;"
            )
        except sqlite3.DatabaseError:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
