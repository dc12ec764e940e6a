"""FOCUS import speed against plain ``sqlite3.executemany`` into the same table. Budget: ratio >= 0.5.

A synthetic hourly export (rows of the public 1.2 sample, re-dated and spread
over many resources) is imported through ``import_focus``; the baseline inserts
one row per source row with a bare ``executemany`` in one transaction.
"""

from __future__ import annotations

import csv
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

from finops_tui.config import Settings
from finops_tui.importers import import_focus
from finops_tui.store import open_store

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "focus" / "focus-1.2_aws_1000.csv"


def write_export(path: Path, rows: int) -> Path:
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        templates = list(reader)
    start_col, end_col, res_col = header.index("ChargePeriodStart"), header.index("ChargePeriodEnd"), header.index("ResourceId")
    first = datetime(2026, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(rows):
            row = list(templates[n % len(templates)])
            hour = first + timedelta(hours=n // 200)
            row[start_col] = hour.strftime("%Y-%m-%dT%H:00:00Z")
            row[end_col] = (hour + timedelta(hours=1)).strftime("%Y-%m-%dT%H:00:00Z")
            row[res_col] = f"{row[res_col]}-{n % 200}"
            writer.writerow(row)
    return path


def bench_focus_import(workdir: Path, rows: int = 200_000) -> dict[str, float]:
    workdir.mkdir(parents=True, exist_ok=True)
    export = workdir / f"focus-{rows}.csv"
    if not export.exists():
        write_export(export, rows)
    imported = workdir / "import.db"
    baseline = workdir / "baseline.db"
    for path in (imported, baseline):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    store = open_store(imported)
    started = time.perf_counter()
    result = import_focus(store, Settings(), [export])[0]
    import_seconds = time.perf_counter() - started
    store.close()

    open_store(baseline).close()  # same schema, indexes and WAL mode
    values = [(f"2026-01-{1 + n % 28:02d}", "200000000011", "AmazonEC2", "", "Compute", "production", f"i-{n}", n * 0.001,
               n * 0.001, "usage", 0, "focus:baseline") for n in range(rows)]
    conn = sqlite3.connect(baseline, isolation_level=None)
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO cost_daily (day, account, service, usage_type, category, environment, resource_id, "
                     "amortized, billed, charge_type, estimated, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
    conn.execute("COMMIT")
    baseline_seconds = time.perf_counter() - started
    conn.close()
    import_rps = result.source_rows / import_seconds
    baseline_rps = rows / baseline_seconds
    return {"rows": rows, "daily_rows": result.rows_written, "import_rows_per_s": import_rps,
            "baseline_rows_per_s": baseline_rps, "ratio": import_rps / baseline_rps, "budget_ratio": 0.5}
