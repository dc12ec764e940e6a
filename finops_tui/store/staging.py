"""An import's daily sums, staged in TEMP tables of the importing connection until they are written.

An export is read in chunks; each chunk's daily sums are added here (a day
whose hours span two chunks is summed in SQL), so the importer never holds a
whole file. TEMP tables live in SQLite's temporary database, which spills to
a temporary file past its page cache: memory stays flat with the file's size.
Staging takes no lock on the cache; :meth:`DailyStage.write_costs` moves a
file's rows into ``cost_daily`` with one ``INSERT ... SELECT`` inside the
import's transaction.

A staged row is (file, day, dims, sums). ``dims`` numbers one raw dimension
tuple, in ``DIMS_FIELDS`` order (a ``finops_tui.sources.focus.DailyKey`` without
its day); ``slice_ref`` is the export's own slice reference, which
:meth:`write_costs` turns into a ``slice_id`` per (reference, month).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from finops_tui.allocation import DIM_COLUMNS
from finops_tui.store.allocation import DimInterner

DIMS_FIELDS = ("account", "service", "usage_type", "cost_category", "env_tag", "resource_id", "charge_type",
               "service_category", "instance_type", "region", "resource_name", "tags", "pricing_category", "usage_unit",
               "slice_ref")
_DIM_KEY = tuple(DIMS_FIELDS.index(name) for name in DIM_COLUMNS)  # the dims table's columns, in a dims tuple
_ADD = ("INSERT INTO temp.import_daily (file, day, dims, amortized, billed, quantity) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (file, day, dims) DO UPDATE SET amortized = amortized + excluded.amortized, "
        "billed = billed + excluded.billed, quantity = quantity + excluded.quantity")
_COPY = (
    "INSERT INTO main.cost_daily (day, account, service, usage_type, cost_category, env_tag, resource_id, amortized, billed, "
    "charge_type, estimated, source, service_category, instance_type, region, resource_name, pricing_category, "
    "usage_quantity, usage_unit, slice_id, dim_id) "
    "SELECT s.day, d.account, d.service, d.usage_type, d.cost_category, d.env_tag, d.resource_id, s.amortized, s.billed, "
    "d.charge_type, 0, ?, d.service_category, d.instance_type, d.region, d.resource_name, d.pricing_category, "
    "s.quantity, d.usage_unit, k.slice_id, d.dim_id "
    "FROM temp.import_daily s JOIN temp.import_dims d ON d.dims = s.dims "
    "JOIN temp.import_slices k ON k.file = s.file AND k.slice_ref = d.slice_ref AND k.month = substr(s.day, 1, 7) "
    "WHERE s.file = ? ORDER BY s.day, s.dims"
)


class DailyStage:
    """Daily sums of the files of one import, keyed by file index; dropped by :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.dims_of: dict[tuple, int] = {}  # raw dimension tuple -> its number in this stage
        self._new_dims: list[tuple] = []  # numbered, not yet in temp.import_dims
        self.close()
        conn.execute("CREATE TEMP TABLE import_daily (file INTEGER NOT NULL, day TEXT NOT NULL, dims INTEGER NOT NULL, "
                     "amortized REAL NOT NULL, billed REAL NOT NULL, quantity REAL NOT NULL, "
                     "PRIMARY KEY (file, day, dims)) WITHOUT ROWID")
        conn.execute(f"CREATE TEMP TABLE import_dims (dims INTEGER PRIMARY KEY, {', '.join(DIMS_FIELDS)}, dim_id INTEGER)")
        conn.execute("CREATE TEMP TABLE import_slices (file INTEGER, slice_ref INTEGER, month TEXT, slice_id INTEGER, "
                     "PRIMARY KEY (file, slice_ref, month))")

    def number(self, dims: tuple) -> int:
        """The stage's number for a raw dimension tuple (``DIMS_FIELDS`` order)."""
        found = self.dims_of.get(dims)
        if found is None:
            found = self.dims_of[dims] = len(self.dims_of)
            self._new_dims.append((found, *dims))
        return found

    def add(self, rows: Iterable[tuple[int, str, int, float, float, float]]) -> None:
        """Add one chunk's (file, day, dims number, amortized, billed, quantity) sums to the staged ones."""
        conn = self.conn
        own = not conn.in_transaction  # only TEMP tables are written: the cache itself is not locked
        if own:
            conn.execute("BEGIN")
        try:
            conn.executemany(_ADD, rows)
            if self._new_dims:  # numbered while the rows were read
                conn.executemany(f"INSERT INTO temp.import_dims VALUES ({', '.join('?' * (len(DIMS_FIELDS) + 1))}, NULL)",
                                 self._new_dims)
                self._new_dims = []
        except BaseException:
            if own and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if own:
            conn.execute("COMMIT")

    def discard(self, file: int) -> None:
        """Forget what was staged for ``file`` (a reader starting the file over)."""
        self.conn.execute("DELETE FROM temp.import_daily WHERE file = ?", (file,))

    def absolute_by_day(self, file: int) -> dict[str, float]:
        """Per day, the larger of the two metrics' sums of absolute daily amounts (``bounds.check_day_totals``)."""
        return dict(self.conn.execute(
            "SELECT day, MAX(SUM(ABS(amortized)), SUM(ABS(billed))) FROM temp.import_daily WHERE file = ? GROUP BY day",
            (file,)))

    def coverage(self, file: int) -> list[tuple[int, str, str, str, str]]:
        """(slice reference, 'YYYY-MM', account, first day, last day) of ``file``'s rows."""
        return self.conn.execute(
            "SELECT d.slice_ref, substr(s.day, 1, 7), d.account, MIN(s.day), MAX(s.day) FROM temp.import_daily s "
            "JOIN temp.import_dims d ON d.dims = s.dims WHERE s.file = ? GROUP BY 1, 2, 3", (file,)).fetchall()

    def summary(self, file: int) -> tuple[int, str | None, str | None, float, float]:
        """(daily rows, first day, last day, billed, amortized) staged for ``file``."""
        rows, first, last, billed, amortized = self.conn.execute(
            "SELECT COUNT(*), MIN(day), MAX(day), TOTAL(billed), TOTAL(amortized) FROM temp.import_daily WHERE file = ?",
            (file,)).fetchone()
        return rows, first, last, billed, amortized

    def write_costs(self, conn: sqlite3.Connection, file: int, source: str, slice_ids: Mapping[tuple[int, str], int]) -> int:
        """Inside the import's transaction: insert ``file``'s rows into ``cost_daily``; returns how many.

        ``slice_ids`` maps (slice reference, 'YYYY-MM') to the ``slice_id`` its rows belong to.
        """
        if not self._interned:  # every file's dimensions at once: the files are written in one transaction
            interner = DimInterner(conn)
            conn.executemany("UPDATE temp.import_dims SET dim_id = ? WHERE dims = ?",
                             ((interner.id_of([dims[i] for i in _DIM_KEY]), number) for dims, number in self.dims_of.items()))
            self._interned = True
        conn.executemany("INSERT INTO temp.import_slices VALUES (?, ?, ?, ?)",
                         ((file, ref, month, slice_id) for (ref, month), slice_id in slice_ids.items()))
        return conn.execute(_COPY, (source, file)).rowcount

    _interned = False

    def close(self) -> None:
        for table in ("import_daily", "import_dims", "import_slices"):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
