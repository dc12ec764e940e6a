"""FOCUS import: rows per second against plain ``executemany`` of the same daily rows, and memory against file size.

Speed: A imports a synthetic hourly export (rows of the public FOCUS 1.2 sample, re-dated and spread
over many resources) through ``import_focus`` into a fresh cache; B inserts the daily rows that import
wrote, with one bare ``executemany`` in one transaction, into a fresh cache of the same schema. A and B
alternate. Rows per second: source rows for A, daily rows for B (ARCHITECTURE.md: A >= B).

Memory: peak RSS of ``finops-tui import-focus`` (a child process) for an export and one four times
its size; flat means the second is not much larger than the first.

Demo: the time ``write_demo`` takes to build the demo cache, which the first ``make run`` does before
it paints (ARCHITECTURE.md: under a third of the console's start).
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.caches import DATA
from bench.timing import Figure, Pair, alternate

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "focus" / "focus-1.2_aws_1000.csv"
RESOURCES_PER_HOUR = 200


def write_export(path: Path, rows: int) -> Path:
    if path.exists():
        return path
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        templates = list(reader)
    start_col, end_col, res_col = header.index("ChargePeriodStart"), header.index("ChargePeriodEnd"), header.index("ResourceId")
    first = datetime(2026, 1, 1)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with tmp.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(rows):
            row = list(templates[n % len(templates)])
            hour = first + timedelta(hours=n // RESOURCES_PER_HOUR)
            row[start_col] = hour.strftime("%Y-%m-%dT%H:00:00Z")
            row[end_col] = (hour + timedelta(hours=1)).strftime("%Y-%m-%dT%H:00:00Z")
            row[res_col] = f"{row[res_col]}-{n % RESOURCES_PER_HOUR}"
            writer.writerow(row)
    tmp.replace(path)
    return path


def _fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def bench_import_speed(rows: int, pairs: int) -> dict[str, object]:
    from finops_tui.config import default_settings
    from finops_tui.importers import import_focus
    from finops_tui.store import open_store

    workdir = DATA / "focus"
    workdir.mkdir(parents=True, exist_ok=True)
    export = write_export(workdir / f"focus-{rows}.csv", rows)
    imported, baseline = workdir / "import.db", workdir / "baseline.db"
    settings = default_settings()
    facts: dict[str, object] = {}

    def run_import() -> float:
        store = open_store(_fresh(imported))
        started = time.perf_counter()
        result = import_focus(store, settings, [export])[0]
        seconds = time.perf_counter() - started
        store.close()
        facts["source_rows"], facts["daily_rows"] = result.source_rows, result.rows_written
        return seconds

    run_import()
    with sqlite3.connect(imported) as conn:  # the very rows the import wrote, every column but the id
        columns = [row[1] for row in conn.execute("PRAGMA table_info(cost_daily)") if row[1] != "id"]
        daily = conn.execute(f"SELECT {', '.join(columns)} FROM cost_daily").fetchall()
    insert = f"INSERT INTO cost_daily ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"

    def run_executemany() -> float:
        open_store(_fresh(baseline)).close()  # same schema, indexes and WAL mode
        conn = sqlite3.connect(baseline, isolation_level=None)
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(insert, daily)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        conn.close()
        return seconds

    pair = alternate(run_import, run_executemany, pairs, warmup=0)
    source_rows, daily_rows = int(facts["source_rows"]), len(daily)  # type: ignore[call-overload]
    import_rps = Figure(tuple(source_rows / s for s in pair.a.values))
    baseline_rps = Figure(tuple(daily_rows / s for s in pair.b.values))
    ratio = Figure(tuple(a / b for a, b in zip(import_rps.values, baseline_rps.values, strict=True)))
    return {"source_rows": source_rows, "daily_rows": daily_rows, "import_rps": import_rps, "baseline_rps": baseline_rps,
            "ratio": ratio, "pair": pair}


def import_peak_mb(rows: int) -> float:
    """Peak RSS (MB) of `finops-tui import-focus` of an export with ``rows`` rows, in a fresh process."""
    workdir = DATA / "focus"
    workdir.mkdir(parents=True, exist_ok=True)
    export = write_export(workdir / f"focus-{rows}.csv", rows)
    cache = _fresh(workdir / f"memory-{rows}.db")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    env.pop("FINOPS_TUI_CONFIG", None)
    child = subprocess.Popen([sys.executable, "-m", "finops_tui", "--cache", str(cache), "import-focus", str(export)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=workdir)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"import-focus failed: {child.stderr.read().decode()[-500:] if child.stderr else ''}")
    _fresh(cache)
    return usage.ru_maxrss / 1024


def demo_build_seconds(runs: int) -> tuple[int, Figure]:
    """(rows, seconds) of ``write_demo`` (what the first ``make run`` builds before it paints), in this process."""
    from datetime import date

    from finops_tui.config import default_settings
    from finops_tui.sources.demo import write_demo

    settings = default_settings()
    workdir = DATA / "focus"
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / "demo.db"
    values, rows = [], 0
    for index in range(runs + 1):
        _fresh(target)
        started = time.perf_counter()
        rows = write_demo(target, settings, date(2026, 11, 26))
        if index:  # the first run imports the modules it needs
            values.append(time.perf_counter() - started)
    _fresh(target)
    return rows, Figure(tuple(values))


def bench_import(rows: int, pairs: int) -> dict[str, object]:
    figures = bench_import_speed(rows, pairs)
    figures["peak_mb"] = {rows: import_peak_mb(rows), rows * 4: import_peak_mb(rows * 4)}
    figures["demo_rows"], figures["demo_seconds"] = demo_build_seconds(pairs)
    return figures


__all__ = ["bench_import", "Pair"]
