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
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from finops_tui.errors import CacheError
from finops_tui.store import allocation as alloc_sql
from finops_tui.store.schema import APPLICATION, MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

    from finops_tui.allocation import Allocation
    from finops_tui.config import Settings

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(slots=True)
class CostRow:
    """One daily cost fact as a source reports it (raw dimensions; allocation happens at read time).

    ``category`` is a category the source itself assigned (an AWS Cost Category
    value); '' (the usual case) lets the config's rules decide. ``environment``
    is the environment tag's raw value as reported ("prod", "Staging", '');
    aliases and the account map turn it into an environment when figures are
    read. ``tags`` is the resource's tags as a JSON object (FOCUS), used by tag
    rules and a changed tag key. ``charge_type``: see ``store/schema.py``.
    """

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
    service_category: str = ""
    instance_type: str = ""
    region: str = ""
    resource_name: str = ""
    tags: str = ""
    pricing_category: str = ""
    usage_quantity: float = 0.0
    usage_unit: str = ""
    slice_id: int | None = None


COST_FIELDS = tuple(CostRow.__dataclass_fields__)
_FIELD_DEFAULTS = tuple(CostRow.__dataclass_fields__[name].default for name in COST_FIELDS)
_STORED = [name for name in COST_FIELDS if name != "tags"]
# The fact table's names for the two raw fields whose row names predate allocation at read time.
_COLUMN_OF = {"category": "cost_category", "environment": "env_tag"}
COST_COLUMNS = tuple(_COLUMN_OF.get(name, name) for name in _STORED) + ("dim_id",)
_INSERT_COST = f"INSERT INTO cost_daily ({', '.join(COST_COLUMNS)}) VALUES ({', '.join('?' * len(COST_COLUMNS))})"
_ROW_VALUES = attrgetter(*COST_FIELDS)
_I = {name: index for index, name in enumerate(COST_FIELDS)}
# Positions, in a row's values, of the dims columns (finops_tui.allocation.DIM_COLUMNS order).
_DIM_INDEXES = tuple(_I[name] for name in ("account", "service", "usage_type", "service_category", "instance_type",
                                            "environment", "resource_id", "resource_name", "category", "tags"))
_STORED_INDEXES = tuple(_I[name] for name in _STORED)
_INSERT_CHUNK = 50_000


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
        self._allocation: Allocation | None = None
        self._ready = False  # migrated: connections may be prepared for reading figures

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
            self._local.prepared = None
            if self._ready:
                self._prepare(conn)
        return conn

    # -- allocation --------------------------------------------------------
    @property
    def allocation(self) -> Allocation:
        """The allocation figures are read with: the one given by :meth:`use_settings`, else the stored one, else the defaults."""
        if self._allocation is None:
            from finops_tui.allocation import Allocation
            from finops_tui.config import Settings

            self._allocation = alloc_sql.stored_allocation(self.conn) or Allocation.from_settings(Settings())
        return self._allocation

    def use_settings(self, settings: Settings) -> None:
        """Read figures with this config's categories, environments and precedence (cheap when nothing changed)."""
        from finops_tui.allocation import Allocation

        wanted = Allocation.from_settings(settings)
        if self._allocation is None or self._allocation.fingerprint != wanted.fingerprint:
            self._allocation = wanted
        conn = self.conn
        if conn.in_transaction:  # inside a read or write: the connection was prepared when it was opened or before
            return
        if self._ready and (self._local.prepared != wanted.fingerprint
                            or self.get_meta(alloc_sql.FINGERPRINT_KEY) != wanted.fingerprint and not self._shadowed(conn)):
            self._prepare(conn)

    def _prepare(self, conn: sqlite3.Connection) -> None:
        allocation = self.allocation
        alloc_sql.prepare(conn, allocation)
        self._local.prepared = allocation.fingerprint

    @staticmethod
    def _shadowed(conn: sqlite3.Connection) -> bool:
        return conn.execute("SELECT 1 FROM sqlite_temp_master WHERE name = 'dim_allocation'").fetchone() is not None

    def mark_ready(self) -> None:
        """The schema is current: prepare this thread's connection (and every later one) for reading figures."""
        self._ready = True
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._prepare(conn)

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

    def wait_for_locks(self, seconds: float) -> None:
        """How long this thread's writes wait for another process's lock before failing (default 30 s).

        The console's own writes wait briefly, so a held lock is reported in seconds, not half a minute.
        """
        self.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it.

        Before committing, new raw dimension tuples are allocated, the daily
        rollup is refreshed for every day whose facts were inserted (found by
        id, which only grows), deleted through :meth:`delete_costs` or marked
        with :meth:`mark_dirty` (a slice whose coverage changed), and the
        totals of every source touched are recounted, so readers never see
        them disagree.
        """
        if self.read_only:
            raise CacheError(f"the cache {self.path} was opened read-only; this command cannot write to it")
        from finops_tui.store.lock import writer_lock

        conn = self.conn
        if self._ready and self._local.prepared is None:
            self._prepare(conn)
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
            self._local.touched_sources = set()
            yield conn
            inserted = conn.execute("SELECT MIN(day), MAX(day) FROM cost_daily WHERE id > ?", (first_new_id,)).fetchone()
            self.mark_dirty(inserted[0], inserted[1])
            if inserted[0] is not None:
                self._local.touched_sources.update(
                    row[0] for row in conn.execute("SELECT DISTINCT source FROM cost_daily WHERE id > ?", (first_new_id,)))
            if self._ready and (self._local.dirty_days is not None or self._local.touched_sources):
                allocation = self.allocation
                if self.get_meta(alloc_sql.FINGERPRINT_KEY, conn=conn) != allocation.fingerprint:
                    alloc_sql.reallocate(conn, allocation)  # another config wrote last: every day, this one's way
                else:
                    alloc_sql.allocate_new_dims(conn, allocation)
                    if self._local.dirty_days is not None:
                        alloc_sql.refresh_rollup(conn, *self._local.dirty_days)
                alloc_sql.refresh_source_totals(conn, self._local.touched_sources)
            if self._local.dirty_days is not None:
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
            self._local.touched_sources = set()

    def mark_dirty(self, first: str | None, last: str | None) -> None:
        """Inside :meth:`transaction`: days ``first``..``last`` need their rollup recomputed (coverage changed)."""
        if first is None or last is None:
            return
        current = getattr(self._local, "dirty_days", None)
        if current is not None:
            first, last = min(first, current[0]), max(last, current[1])
        self._local.dirty_days = (first, last)

    _mark_dirty = mark_dirty

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
        self.mark_dirty(span[0], span[1])
        if span[0] is not None:
            touched = getattr(self._local, "touched_sources", None)
            if touched is not None:
                touched.update(row[0] for row in conn.execute(f"SELECT DISTINCT source FROM cost_daily WHERE {where}", params))
        return conn.execute(f"DELETE FROM cost_daily WHERE {where}", params).rowcount

    # -- meta --------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None, conn: sqlite3.Connection | None = None) -> str | None:
        row = (conn or self.conn).execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
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
        """Insert cost rows inside the caller's transaction; returns how many.

        A row is a :class:`CostRow` or a sequence of its fields in order (trailing
        fields may be left out). Each row's raw allocation inputs are interned in ``dims``.
        """
        interner = alloc_sql.DimInterner(conn)
        ids, id_of = interner.ids, interner.id_of
        dim_key = itemgetter(*_DIM_INDEXES)
        stored = itemgetter(*_STORED_INDEXES)
        width = len(COST_FIELDS)
        written = 0
        chunk: list[tuple] = []
        for row in rows:
            values = _ROW_VALUES(row) if isinstance(row, CostRow) else tuple(row)
            if len(values) < width:
                values = values + _FIELD_DEFAULTS[len(values):]
            key = dim_key(values)
            dim_id = ids.get(key) or id_of(key)
            chunk.append((*stored(values), dim_id))
            if len(chunk) >= _INSERT_CHUNK:
                written += conn.executemany(_INSERT_COST, chunk).rowcount
                chunk = []
        if chunk:
            written += conn.executemany(_INSERT_COST, chunk).rowcount
        return written

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

    def acknowledge_alert(self, key: str, kind: str, scope: str, month: str, *, now: datetime | None = None,
                          by: str = "", at: str | None = None) -> None:
        """Mark an alert event (e.g. ``spike:total:2026-11-20``) acknowledged: it is never sent again.

        Who and when go into the event's payload (``$.acknowledged``), with the status it had, so
        :meth:`unacknowledge_alert` can put it back.
        """
        stamp = at or utc_now_iso(now)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO alert_events (key, kind, scope, month, created_at, status, payload) "
                "VALUES (?, ?, ?, ?, ?, 'acknowledged', json_object('acknowledged', json_object('by', ?, 'at', ?, "
                "'previous_status', NULL))) "
                "ON CONFLICT(key) DO UPDATE SET payload = json_set(CASE WHEN json_valid(payload) THEN payload ELSE '{}' END, "
                "'$.acknowledged', json_object('by', ?, 'at', ?, 'previous_status', status)), "
                "status = 'acknowledged' WHERE status != 'acknowledged'",
                (key, kind, scope, month, stamp, by, stamp, by, stamp),
            )

    def unacknowledge_alert(self, key: str) -> None:
        """Undo :meth:`acknowledge_alert`: the status it had comes back (an event only the console made is dropped)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM alert_events WHERE key = ? AND status = 'acknowledged' "
                         "AND json_extract(payload, '$.acknowledged.previous_status') IS NULL", (key,))
            conn.execute(
                "UPDATE alert_events SET status = json_extract(payload, '$.acknowledged.previous_status'), "
                "payload = json_remove(payload, '$.acknowledged') WHERE key = ? AND status = 'acknowledged'", (key,))

    def acknowledged_keys(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT key FROM alert_events WHERE status = 'acknowledged'")}

    def acknowledgements(self) -> dict[str, dict[str, str]]:
        """Who acknowledged each acknowledged event and when (empty strings when not recorded)."""
        rows = self.conn.execute(
            "SELECT key, CASE WHEN json_valid(payload) THEN json_extract(payload, '$.acknowledged.by') END, "
            "CASE WHEN json_valid(payload) THEN json_extract(payload, '$.acknowledged.at') END "
            "FROM alert_events WHERE status = 'acknowledged'")
        return {key: {"by": by or "", "at": at or ""} for key, by, at in rows}

    def alert_event_state(self, key: str) -> dict[str, object] | None:
        """The delivery state of one alert event (status, attempts, sent_at, last_error), or None if never recorded."""
        row = self.conn.execute(
            "SELECT status, attempts, sent_at, last_error, next_attempt_at FROM alert_events WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        return dict(zip(("status", "attempts", "sent_at", "last_error", "next_attempt_at"), row))

    def has_costs(self) -> bool:
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM cost_daily)").fetchone()[0] == 1


refresh_rollup = alloc_sql.refresh_rollup  # kept importable from here


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


def is_read_only_location(path: Path) -> bool:
    """The cache exists where this process cannot write it: a read-only mount, file or folder (a copy to review).

    Opening it read-write would fail on the first write; the console opens it read-only instead.
    """
    try:
        if os.statvfs(path.parent if not path.exists() else path).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise CacheError(f"cannot read cache file {path}: {error.strerror or error}") from None
    if header != SQLITE_HEADER:
        raise CacheError(f"{path} is not a finops-tui cache (not an SQLite database); it was left untouched")


def open_store(path: str | Path, *, create: bool = True, read_only: bool = False, upgrade: bool = True,
               lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS, settings: Settings | None = None) -> Store:
    """Open (and if needed create or migrate) the cache at ``path``.

    A file that is not a finops-tui cache, or one written by a newer version,
    is refused with :class:`CacheError` and not modified. ``read_only`` never
    creates or changes anything (``mode=ro``; ``immutable=1`` on a read-only
    folder or mount): for read commands and ``--offline``. An older cache opened
    read-only is migrated once first where it is writable and ``upgrade`` holds
    (read commands); with ``upgrade=False`` (``--offline``: nothing may be
    written) it is refused with a hint. A new cache is created with mode 0600
    (its -wal and -shm follow), new folders 0700. ``settings``: read figures
    with this config's allocation from the start (a new cache otherwise starts
    with the default config's, which costs building a default ``Settings``).
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
            return _open_read_only(path, version, lock_wait_seconds, upgrade)
    elif read_only or not create:
        if size == 0:
            raise CacheError(f"the cache {path} is an empty file (0 bytes), not a finops-tui cache",
                             "delete it, then run `finops-tui sync`, `finops-tui import-focus` or `finops-tui demo`")
        raise CacheError(f"no cache at {path}", "run `finops-tui sync`, `finops-tui import-focus` or `finops-tui demo` first")
    else:
        _create_file(path)
    store = Store(path, lock_wait_seconds=lock_wait_seconds)
    if settings is not None:
        from finops_tui.allocation import Allocation

        store._allocation = Allocation.from_settings(settings)
    with _closed_on_failure(store):
        from finops_tui.store.lock import writer_lock

        with writer_lock(path, lock_wait_seconds):
            if store.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                store.conn.execute("PRAGMA journal_mode = WAL")
            _migrate(store)
        store.mark_ready()
    return store


@contextmanager
def _closed_on_failure(store: Store) -> Iterator[None]:
    """Opening ``store``: any failure closes it again; SQLite's errors become one-line :class:`CacheError`."""
    try:
        yield
    except sqlite3.Error as error:
        store.close()
        raise _cache_error(error, store.path) from None
    except BaseException:
        store.close()
        raise


def _open_read_only(path: Path, version: int, lock_wait_seconds: float, upgrade: bool) -> Store:
    if version < SCHEMA_VERSION:
        if not upgrade:
            raise CacheError(
                f"{path} was written by an older finops-tui (schema {version}) and cannot be upgraded read-only",
                "open it once without --offline, or make a new copy with `finops-tui snapshot`",
            )
        if is_read_only_location(path):
            raise CacheError(f"the cache {path} has schema {version}, older than this finops-tui's {SCHEMA_VERSION}, "
                             "and cannot be upgraded where it is (read-only)", "open it once from a writable copy")
        open_store(path, lock_wait_seconds=lock_wait_seconds).close()  # migrate once, then read
    store = Store(path, read_only=True, lock_wait_seconds=lock_wait_seconds)
    with _closed_on_failure(store):
        store.conn  # noqa: B018 - connect now, so an unreadable file fails here with one line
        store.mark_ready()  # figures read through counted_costs; the mapping is shadowed in TEMP tables, never written
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
