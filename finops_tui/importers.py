"""Files -> cache: FOCUS exports and leads CSV, each import in one transaction.

A malformed row stops the whole import with ``file:line: reason`` and leaves
the cache exactly as it was. FOCUS rows carry ``source = "focus:<sha256 of the
file>"``, so a file already imported (under any name) is skipped: importing
the same file twice changes nothing. A billing export covers (provider,
billing account, billing period) slices; importing a newer export of a slice
replaces the one loaded, in the same transaction.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import sqlite3
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from finops_tui import calendar as cal
from finops_tui.bounds import check_day_totals
from finops_tui.clock import Clock, resolve_clock
from finops_tui.config import Settings
from finops_tui.errors import InputError
from finops_tui.sources.focus import GZIP_MAGIC, FocusFile, FocusMapper, Progress, read_focus
from finops_tui.store.db import Store, utc_now_iso
from finops_tui.store.staging import DailyStage

HASH_CHUNK = 1 << 20
MAX_LEADS = 10**12  # a day's leads (bounds: like money, finite and at most 1e12)


@dataclass(frozen=True)
class FileImport:
    path: Path
    source: str
    source_rows: int
    rows_written: int
    skipped: bool
    first_day: str | None = None
    last_day: str | None = None
    billed: float = 0.0
    amortized: float = 0.0
    slices: tuple[str, ...] = ()  # "AWS 100000000001 2026-05" for each slice the file covers
    replaced: tuple[str, ...] = ()  # the slices it replaced, with the file they came from


@dataclass
class _Slice:
    """One (provider, billing account, billing period) slice of an export being imported."""

    provider: str
    billing_account: str
    period_start: str
    period_end: str
    accounts: set[str]
    first_day: str
    last_day: str
    data_through: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.provider, self.billing_account, self.period_start)

    @property
    def label(self) -> str:
        return slice_label(self.provider, self.billing_account, self.period_start)


def slice_label(provider: str, billing_account: str, period_start: str) -> str:
    return " ".join(part for part in (provider, billing_account or "(no billing account)", period_start[:7]) if part)


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's content; of the decompressed content for gzip, so x.csv and x.csv.gz are one file."""
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        gzipped = raw.read(2) == GZIP_MAGIC
    try:
        with (gzip.open(path, "rb") if gzipped else path.open("rb")) as handle:
            while chunk := handle.read(HASH_CHUNK):
                digest.update(chunk)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise InputError(f"{path}: not a readable gzip file: {error}") from None
    return digest.hexdigest()


def check_readable(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")


def _next_month(day: str) -> str:
    return cal.add_months(date.fromisoformat(day[:10]), 1).isoformat()


class _FileSink:
    """Where one file's chunks of daily sums go: the import's stage, under the file's number."""

    def __init__(self, stage: DailyStage, file: int) -> None:
        self.stage, self.file = stage, file
        self.number = stage.number

    def add(self, sums: Iterable[tuple[str, int, float, float, float]]) -> None:
        file = self.file
        self.stage.add((file, *row) for row in sums)

    def discard(self) -> None:
        self.stage.discard(self.file)


def _slices_of(focus: FocusFile, rows: list[tuple[int, str, str, str, str]]) -> tuple[dict[tuple, _Slice], dict[tuple[int, str], tuple]]:
    """The slices a file covers, and the slice key of each (slice reference, month) its rows fall in.

    ``rows``: (slice reference, 'YYYY-MM', account, first day, last day) of the file's daily rows.
    """
    coverage: dict[tuple[int, str], list] = {}
    for ref_index, month, account, first_day, last_day in rows:
        found = coverage.get((ref_index, month))
        if found is None:
            coverage[(ref_index, month)] = [{account}, first_day, last_day]
        else:
            found[0].add(account)
            found[1], found[2] = min(found[1], first_day), max(found[2], last_day)
    slices: dict[tuple, _Slice] = {}
    key_of: dict[tuple[int, str], tuple] = {}
    for (ref_index, month), (accounts, first_day, last_day) in sorted(coverage.items(), key=lambda item: item[1][1]):
        ref = focus.slice_refs[ref_index]
        start = ref.period_start or month + "-01"
        end = ref.period_end or _next_month(start)
        # Without BillingPeriodStart a file cannot say which period it covers: its slices are its own
        # (it is added, never replaces another file), but they still win over Cost Explorer.
        provider = ref.provider if ref.period_start else f"{ref.provider or 'file'} {focus.sha256[:12]}"
        slice_key = (provider, ref.billing_account, start)
        key_of[(ref_index, month)] = slice_key
        found = slices.get(slice_key)
        if found is None:
            slices[slice_key] = _Slice(provider, ref.billing_account, start, end, set(accounts), first_day, last_day)
        else:
            found.accounts |= accounts
            found.first_day, found.last_day = min(found.first_day, first_day), max(found.last_day, last_day)
    for ref_index, moment in focus.latest_start.items():
        ref = focus.slice_refs[ref_index]
        if not ref.period_start:
            continue  # no billing period in the file: import order decides
        found = slices.get((ref.provider, ref.billing_account, ref.period_start))
        if found is not None and moment > found.data_through:
            found.data_through = moment
    return slices, key_of


@dataclass
class _ReadFile:
    """A file read into the stage, waiting for the import's transaction."""

    path: Path
    file: int  # its number in the stage
    focus: FocusFile
    slices: dict[tuple, _Slice]
    key_of: dict[tuple[int, str], tuple]
    daily_rows: int
    first_day: str | None
    last_day: str | None
    billed: float
    amortized: float


def import_focus(store: Store, settings: Settings, paths: Sequence[str | Path], progress: Progress | None = None,
                 clock: Clock | None = None, *, force: bool = False) -> list[FileImport]:
    """Import FOCUS exports; all files land in one transaction, or none do.

    Each file replaces the (provider, billing account, billing period) slices it
    covers. A file already imported is skipped; an older export of a slice than
    the one loaded (by the latest ChargePeriodStart it holds) is refused unless ``force``;
    two files of one command covering the same slice are refused. The import
    run is stamped with ``clock`` (the command's; default: resolved from the environment).
    Files are read in chunks into a stage (``store/staging.py``), so memory does not grow with their size.
    """
    files = [Path(p) for p in paths]
    for path in files:
        check_readable(path)
    store.use_settings(settings)
    stamp = (clock or resolve_clock()).now()
    mapper = FocusMapper(settings)
    conn = store.conn
    stage = DailyStage(conn)
    try:
        read, results = _read_files(conn, stage, mapper, files, progress)
        if read:
            _write_files(store, stage, read, results, stamp, force)
    finally:
        stage.close()
    return [results[path] for path in files if path in results]


def _read_files(conn: sqlite3.Connection, stage: DailyStage, mapper: FocusMapper, files: list[Path],
                progress: Progress | None) -> tuple[list[_ReadFile], dict[Path, FileImport]]:
    """Read each new file into the stage (no lock on the cache); refuse a bad file before anything is written."""
    read: list[_ReadFile] = []
    results: dict[Path, FileImport] = {}
    seen_hash: set[str] = set()
    slice_owner: dict[tuple, Path] = {}
    for path in files:
        try:
            sha = file_sha256(path)
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
        source = f"focus:{sha}"
        if source in seen_hash or conn.execute("SELECT 1 FROM sources WHERE id = ?", (source,)).fetchone():
            results[path] = FileImport(path, source, 0, 0, skipped=True)
            continue
        seen_hash.add(source)
        sink = _FileSink(stage, len(read))
        focus = read_focus(path, sha, mapper, sink, progress)
        check_day_totals(stage.absolute_by_day(sink.file), str(path))
        slices, key_of = _slices_of(focus, stage.coverage(sink.file))
        for key, found in slices.items():
            other = slice_owner.get(key)
            if other is not None:
                raise InputError(f"{other} and {path} both cover {found.label}; import one export per billing period at a time",
                                 "nothing was imported")
            slice_owner[key] = path
        read.append(_ReadFile(path, sink.file, focus, slices, key_of, *stage.summary(sink.file)))
    return read, results


def _write_files(store: Store, stage: DailyStage, read: list[_ReadFile], results: dict[Path, FileImport],
                 stamp: datetime, force: bool) -> None:
    with store.transaction() as conn:
        for item in read:
            path, focus, slices = item.path, item.focus, item.slices
            if not item.daily_rows:  # a header-only file: not a source, not a sync, nothing replaced
                results[path] = FileImport(path, focus.source, focus.source_rows, 0, skipped=False)
                continue
            replaced = _replace_slices(store, conn, path, slices, force)
            conn.execute(
                "INSERT INTO sources (id, kind, label, loaded_at, loaded_seq) VALUES (?, 'focus', ?, ?, "
                "(SELECT COALESCE(MAX(loaded_seq), 0) + 1 FROM sources))",
                (focus.source, path.name, utc_now_iso(stamp)),
            )
            slice_ids: dict[tuple, int] = {}
            for key, found in slices.items():
                slice_ids[key] = int(conn.execute(
                    "INSERT INTO source_slices (source, provider, billing_account, period_start, period_end, first_day, "
                    "last_day, data_through) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (focus.source, found.provider, found.billing_account, found.period_start, found.period_end,
                     found.first_day, found.last_day, found.data_through),
                ).lastrowid)
                conn.executemany("INSERT INTO slice_accounts (slice_id, account) VALUES (?, ?)",
                                 [(slice_ids[key], account) for account in sorted(found.accounts)])
                store.mark_dirty(found.period_start, found.last_day)  # Cost Explorer days it now covers
            written = stage.write_costs(conn, item.file, focus.source,
                                        {ref_month: slice_ids[key] for ref_month, key in item.key_of.items()})
            results[path] = FileImport(
                path, focus.source, focus.source_rows, written, skipped=False, first_day=item.first_day,
                last_day=item.last_day, billed=item.billed, amortized=item.amortized,
                slices=tuple(found.label for found in slices.values()), replaced=tuple(replaced),
            )
        written_files = [results[item.path] for item in read if results[item.path].rows_written]  # no rows: not a sync
        if written_files:
            run_id = store.start_run("import", {"format": "focus", "files": [str(r.path) for r in written_files]}, now=stamp)
            store.finish_run(
                run_id, status="ok", now=stamp, rows_written=sum(r.rows_written for r in written_files), conn=conn,
                detail={"format": "focus", "files": [{"path": str(r.path), "source": r.source, "source_rows": r.source_rows,
                                                      "rows_written": r.rows_written, "slices": list(r.slices),
                                                      "replaced": list(r.replaced)} for r in written_files]},
            )


def _replace_slices(store: Store, conn: sqlite3.Connection, path: Path, slices: dict[tuple, _Slice], force: bool) -> list[str]:
    """Delete the loaded copies of the slices this file covers (inside the import's transaction)."""
    replaced: list[str] = []
    for key, found in slices.items():
        loaded = conn.execute(
            "SELECT s.slice_id, s.source, s.data_through, s.period_start, s.last_day, src.label FROM source_slices s "
            "JOIN sources src ON src.id = s.source WHERE s.provider = ? AND s.billing_account = ? AND s.period_start = ?",
            key,
        ).fetchone()
        if loaded is None:
            continue
        slice_id, old_source, old_through, period_start, old_last, old_label = loaded
        if not force and found.data_through and old_through and found.data_through < old_through:
            raise InputError(
                f"{path}: an older export of {found.label} than the one loaded ({old_label}: data through "
                f"{old_through}, this file through {found.data_through})",
                "pass --force to load it anyway; nothing was imported",
            )
        store.delete_costs(conn, "slice_id = ?", (slice_id,))
        store.mark_dirty(period_start, old_last)
        conn.execute("DELETE FROM source_slices WHERE slice_id = ?", (slice_id,))
        replaced.append(f"{found.label} (was {old_label or old_source})")
    return replaced


# -- leads ---------------------------------------------------------------------

def parse_leads_csv(text: str, origin: str) -> list[tuple[str, int, str]]:
    """Rows of ``date,leads[,label]`` (header optional) -> (day, leads, label); raises at the first bad line."""
    rows: dict[str, tuple[str, int, str]] = {}
    reader = csv.reader(io.StringIO(text))
    for number, fields in enumerate(reader, start=1):
        cells = [cell.strip() for cell in fields]
        if not cells or all(not cell for cell in cells) or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() in ("date", "day"):
            continue
        if len(cells) not in (2, 3):
            raise InputError(f"{origin}:{number}: expected date,leads[,label], found {len(cells)} fields", "nothing was written")
        day = parse_lead_day(cells[0], f"{origin}:{number}")
        count = parse_lead_count(cells[1], f"{origin}:{number}")
        rows[day] = (day, count, cells[2] if len(cells) == 3 else "")
    if not rows:
        raise InputError(f"{origin}: no leads rows found (expected date,leads[,label])")
    return sorted(rows.values())


def parse_lead_day(text: str, where: str) -> str:
    from finops_tui.bounds import day_problem

    try:
        day = date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InputError(f"{where}: {text!r} is not a date in the form YYYY-MM-DD", "nothing was written") from None
    problem = day_problem(day)
    if problem is not None:
        raise InputError(f"{where}: {problem}", "nothing was written")
    return day


def parse_lead_count(text: str, where: str) -> int:
    cleaned = text.strip().replace("_", "")
    if not cleaned.isdigit():
        raise InputError(f"{where}: leads {text!r} is not a whole number of zero or more", "nothing was written")
    if len(cleaned) > 13 or int(cleaned) > MAX_LEADS:
        raise InputError(f"{where}: leads {text!r} is more than {MAX_LEADS:,} a day", "nothing was written")
    return int(cleaned)


def write_leads(store: Store, rows: Sequence[tuple[str, int, str]], source: str) -> int:
    """Insert or replace leads per day in one transaction; returns how many days."""
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO leads (day, leads, label, source) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(day) DO UPDATE SET leads = excluded.leads, label = excluded.label, source = excluded.source",
            [(day, count, label, source) for day, count, label in rows],
        )
    return len(rows)


def import_leads(store: Store, path: str | Path) -> list[tuple[str, int, str]]:
    path = Path(path)
    check_readable(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    rows = parse_leads_csv(text, str(path))
    write_leads(store, rows, "csv")
    return rows
