"""Files -> cache: FOCUS exports and leads CSV, each import in one transaction.

A malformed row stops the whole import with ``file:line: reason`` and leaves
the cache exactly as it was. FOCUS rows carry ``source = "focus:<sha256 of the
file>"``, so a file already imported (under any name) is skipped: importing
the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from finops_tui.clock import Clock, resolve_clock
from finops_tui.config import Settings
from finops_tui.errors import InputError
from finops_tui.sources.focus import GZIP_MAGIC, FocusMapper, Progress, read_focus
from finops_tui.store.db import Store

HASH_CHUNK = 1 << 20


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


def import_focus(store: Store, settings: Settings, paths: Sequence[str | Path], progress: Progress | None = None,
                 clock: Clock | None = None) -> list[FileImport]:
    """Import FOCUS exports; all files land in one transaction, or none do.

    The import run is stamped with ``clock`` (the command's; default: resolved from the environment).
    """
    files = [Path(p) for p in paths]
    for path in files:
        check_readable(path)
    mapper = FocusMapper(settings)
    results: list[FileImport] = []
    with store.transaction() as conn:
        seen: set[str] = set()
        for path in files:
            try:
                sha = file_sha256(path)
            except OSError as error:
                raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
            source = f"focus:{sha}"
            already = source in seen or conn.execute("SELECT 1 FROM cost_daily WHERE source = ? LIMIT 1", (source,)).fetchone()
            if already:
                results.append(FileImport(path, source, 0, 0, skipped=True))
                continue
            seen.add(source)
            focus = read_focus(path, sha, mapper, progress)
            rows = [(*key, amortized, billed, 0, source) for key, (amortized, billed) in focus.daily.items()]
            conn.executemany(
                "INSERT INTO cost_daily (day, account, service, usage_type, category, environment, resource_id, charge_type, "
                "amortized, billed, estimated, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            days = [key[0] for key in focus.daily]
            results.append(FileImport(
                path, source, focus.source_rows, len(rows), skipped=False,
                first_day=min(days) if days else None, last_day=max(days) if days else None,
                billed=sum(v[1] for v in focus.daily.values()), amortized=sum(v[0] for v in focus.daily.values()),
            ))
        written = [r for r in results if not r.skipped]
        if written:
            stamp = (clock or resolve_clock()).now()
            run_id = store.start_run("import", {"format": "focus", "files": [str(r.path) for r in written]}, now=stamp)
            store.finish_run(
                run_id, status="ok", now=stamp, rows_written=sum(r.rows_written for r in written), conn=conn,
                detail={"format": "focus", "files": [{"path": str(r.path), "source": r.source, "source_rows": r.source_rows,
                                                      "rows_written": r.rows_written} for r in written]},
            )
    return results


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
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InputError(f"{where}: {text!r} is not a date in the form YYYY-MM-DD", "nothing was written") from None


def parse_lead_count(text: str, where: str) -> int:
    cleaned = text.strip().replace("_", "")
    if not cleaned.isdigit():
        raise InputError(f"{where}: leads {text!r} is not a whole number of zero or more", "nothing was written")
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
