"""Opening the cache: refuse foreign or newer files, migrate older ones, WAL mode.

One connection per thread (SQLite connections must not cross threads); every
write of a run goes through :meth:`Store.transaction`, so a crash leaves the
previous snapshot intact.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
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
_INSERT_COST = f"INSERT INTO cost_daily ({', '.join(COST_COLUMNS)}) VALUES ({', '.join('?' * len(COST_COLUMNS))})"


def utc_now_iso(now: datetime) -> str:
    """An ISO-8601 UTC stamp of ``now`` (the command's clock: ``Clock.now()``), to the second."""
    return now.astimezone(UTC).replace(microsecond=0).isoformat()


DEFAULT_LOCK_WAIT_SECONDS = 30.0


class Store:
    """A finops-tui cache file. Cheap to share; connections are made per thread.

    A connection never creates the file (only :func:`open_store` does), so a
    cache deleted under a running console is reported, not silently recreated
    empty. ``read_only`` connections write nothing and work on a read-only
    file or mount.
    """

    def __init__(self, path: Path, *, read_only: bool = False, lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS) -> None:
        self.path = path
        self.read_only = read_only
        self.lock_wait_seconds = lock_wait_seconds
        self._immutable = False
        self._local = threading.local()

    # -- connections -------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.read_only:
                conn, self._immutable = _connect_read_only(self.path, self.lock_wait_seconds, self._immutable)
            else:
                conn = _connect(self.path, self.lock_wait_seconds)
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
        if self.read_only:
            raise CacheError(f"the cache {self.path} was opened read-only; this command cannot write to it")
        from finops_tui.store.lock import writer_lock

        conn = self.conn
        with writer_lock(self.path, self.lock_wait_seconds):
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise _cache_error(error, self.path) from None
            yield from self._run_transaction(conn)

    def _run_transaction(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        try:
            first_new_id = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'cost_daily'").fetchone()[0]
            self._local.dirty_days = None
            yield conn
            inserted = conn.execute("SELECT MIN(day), MAX(day) FROM cost_daily WHERE id > ?", (first_new_id,)).fetchone()
            self._mark_dirty(inserted[0], inserted[1])
            if self._local.dirty_days is not None:
                refresh_rollup(conn, *self._local.dirty_days)
                check_bounds(conn, *self._local.dirty_days)
        except BaseException as error:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise _cache_error(error, self.path) from None
            raise
        else:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise _cache_error(error, self.path) from None
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
        cursor = conn.executemany(_INSERT_COST, (astuple(row) if isinstance(row, CostRow) else row for row in rows))
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
        if error is not None:
            from finops_tui.outside_text import redact

            error = redact(error)  # never a webhook URL or an AWS key in the cache
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


def out_of_bounds(conn: sqlite3.Connection, first_day: str = "", last_day: str = "\uffff") -> str | None:
    """Why the facts for ``first_day``..``last_day`` break the money or day bounds (``finops_tui.bounds``), or ``None``.

    Read from the rollup: a day's absolute amounts add up to at most 1e12, and
    no day lies outside 2000..2100. An infinite sum is caught here too.
    """
    from finops_tui.bounds import FIRST_ISO, LAST_ISO, MONEY_LIMIT

    outside = conn.execute(
        "SELECT MIN(day), MAX(day) FROM cost_rollup WHERE day >= ? AND day <= ? AND (day < ? OR day > ?)",
        (first_day, last_day, FIRST_ISO, LAST_ISO),
    ).fetchone()
    if outside[0] is not None:
        day = outside[0] if outside[0] < FIRST_ISO else outside[1]
        return f"costs dated {day}, outside the supported days {FIRST_ISO} to {LAST_ISO}"
    row = conn.execute(
        "SELECT day, SUM(ABS(amortized)) AS a, SUM(ABS(billed)) AS b FROM cost_rollup WHERE day >= ? AND day <= ? "
        "GROUP BY day HAVING NOT (a <= ? AND b <= ?) ORDER BY day LIMIT 1",
        (first_day, last_day, MONEY_LIMIT, MONEY_LIMIT),
    ).fetchone()
    if row is not None:
        return f"the amounts on {row[0]} add up to {max(row[1], row[2]):g}, outside the +-{MONEY_LIMIT:g} a day may hold"
    return None


def check_bounds(conn: sqlite3.Connection, first_day: str, last_day: str) -> None:
    """Refuse (roll back) a write that would leave the cache holding an out-of-range amount or day."""
    from finops_tui.bounds import BoundsError

    problem = out_of_bounds(conn, first_day, last_day)
    if problem is not None:
        raise BoundsError(f"refused: {problem}", "nothing was written")


def _cache_error(error: sqlite3.Error, path: Path) -> CacheError:
    from finops_tui.store.errors import describe_error

    return describe_error(error, path) or CacheError(f"cache error {path}: {error}")


def _uri(path: Path, **params: str) -> str:
    return path.absolute().as_uri() + "?" + "&".join(f"{key}={value}" for key, value in params.items())


def _connect(path: Path, wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a run is one transaction.
    # mode=rw: never create the file here (open_store creates it, with mode 0600).
    try:
        conn = sqlite3.connect(_uri(path, mode="rw"), uri=True, isolation_level=None, timeout=wait_seconds,
                               check_same_thread=True)
        conn.execute(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as error:
        raise _cache_error(error, path) from None
    return conn


def _connect_read_only(path: Path, wait_seconds: float, immutable: bool) -> tuple[sqlite3.Connection, bool]:
    """(connection, immutable), with SQLite errors as one-line :class:`CacheError`."""
    if not path.exists():
        raise CacheError(f"cannot open the cache {path}: it was moved or deleted")
    try:
        return _raw_read_only(path, wait_seconds, immutable)
    except sqlite3.Error as error:
        raise _cache_error(error, path) from None


def _raw_read_only(path: Path, wait_seconds: float, immutable: bool) -> tuple[sqlite3.Connection, bool]:
    """``mode=ro``; where that cannot work (a read-only folder: no -wal/-shm can be made), ``immutable=1``."""
    for use_immutable in ([True] if immutable else [False, True]):
        params = {"mode": "ro", "immutable": "1"} if use_immutable else {"mode": "ro"}
        conn = sqlite3.connect(_uri(path, **params), uri=True, isolation_level=None, timeout=wait_seconds,
                               check_same_thread=True)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return conn, use_immutable
        except sqlite3.OperationalError as error:
            conn.close()
            if use_immutable or "locked" in str(error):
                raise
    raise AssertionError("unreachable")


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise CacheError(f"cannot read cache file {path}: {error.strerror or error}") from None
    if header != SQLITE_HEADER:
        raise CacheError(f"{path} is not a finops-tui cache (not an SQLite database); it was left untouched")


def open_store(path: str | Path, *, create: bool = True, read_only: bool = False,
               lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS) -> Store:
    """Open (and if needed create or migrate) the cache at ``path``.

    A file that is not a finops-tui cache, or one written by a newer version,
    is refused with :class:`CacheError` and not modified. ``read_only`` never
    creates or changes anything (``mode=ro``; ``immutable=1`` on a read-only
    folder or mount): for read commands and ``--offline``. A new cache is
    created with mode 0600 (its -wal and -shm follow), new folders 0700.
    """
    path = Path(path)
    if path.is_dir():
        raise CacheError(f"cache path {path} is a directory; give a file such as {path / 'finops.db'}")
    try:
        size = path.stat().st_size if path.exists() else None
    except OSError as error:
        raise CacheError(f"cannot read cache file {path}: {error.strerror or error}") from None
    if size:
        _check_header(path)
        version = _inspect_existing(path, lock_wait_seconds)
        if read_only:
            return _open_read_only(path, version, lock_wait_seconds)
    elif read_only or not create:
        if size == 0:
            raise CacheError(f"the cache {path} is an empty file (0 bytes), not a finops-tui cache",
                             "delete it, then run `finops-tui sync`, `finops-tui import-focus` or `finops-tui demo`")
        raise CacheError(f"no cache at {path}", "run `finops-tui sync`, `finops-tui import-focus` or `finops-tui demo` first")
    else:
        _create_file(path)
    store = Store(path, lock_wait_seconds=lock_wait_seconds)
    try:
        from finops_tui.store.lock import writer_lock

        with writer_lock(path, lock_wait_seconds):
            if store.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                store.conn.execute("PRAGMA journal_mode = WAL")
            _migrate(store)
    except sqlite3.Error as error:
        store.close()
        raise _cache_error(error, path) from None
    except BaseException:
        store.close()
        raise
    return store


def _open_read_only(path: Path, version: int, lock_wait_seconds: float) -> Store:
    if version < SCHEMA_VERSION:
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            raise CacheError(f"the cache {path} has schema {version}, older than this finops-tui's {SCHEMA_VERSION}, "
                             "and cannot be upgraded where it is (read-only)", "open it once from a writable copy")
        open_store(path, lock_wait_seconds=lock_wait_seconds).close()  # migrate once, then read
    store = Store(path, read_only=True, lock_wait_seconds=lock_wait_seconds)
    store.conn  # noqa: B018 - connect now, so an unreadable file fails here with one line
    return store


def _create_file(path: Path) -> None:
    """The cache's folders (0700) and an empty file (0600): SQLite gives -wal and -shm the file's mode."""
    missing = [parent for parent in (path.parent, *path.parent.parents) if not parent.exists()]
    try:
        for folder in reversed(missing):
            folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as error:
        from finops_tui.store.errors import describe_error

        raise describe_error(error, path) or CacheError(
            f"cannot create the cache folder {path.parent}: {error.strerror or error}") from None
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
        os.chmod(path, 0o600)
    except OSError as error:
        from finops_tui.store.errors import describe_error

        raise describe_error(error, path) or CacheError(f"cannot create the cache {path}: {error.strerror or error}") from None


def _inspect_existing(path: Path, wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS) -> int:
    """Read-only look at an existing file: is it ours, and not from the future? Returns its schema version."""
    try:
        conn, _ = _raw_read_only(path, wait_seconds, immutable=False)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                return 0
            if "meta" not in tables:
                raise CacheError(f"{path} is an SQLite database but not a finops-tui cache; it was left untouched")
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise _cache_error(error, path) from None
        raise CacheError(f"{path} is not a readable finops-tui cache ({error}); it was left untouched") from None
    if meta.get("application") != APPLICATION:
        raise CacheError(f"{path} is an SQLite database but not a finops-tui cache; it was left untouched")
    version = int(meta.get("schema_version", "0") or 0)
    if version > SCHEMA_VERSION:
        raise CacheError(
            f"{path} was written by a newer finops-tui (schema {version}, this one knows {SCHEMA_VERSION})",
            "upgrade finops-tui to open it",
        )
    return version


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
