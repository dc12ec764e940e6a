"""`make bench` / `python -m bench`: every figure against the budgets of ARCHITECTURE.md, as one table.

Caches of 0.1 M, 1 M and 5 M daily rows are built once under bench/.data/ (bench/caches.py) and reused.
Every ratio alternates A and B run by run; every figure is the median with the min-max in brackets.

  python -m bench            the full run: 15 pairs, all three caches (about half an hour on 2 busy cores)
  python -m bench --quick    while developing: 5 pairs, 0.1 M and 1 M rows, a small import, one sync pair
  python -m bench --only paint --sizes 1M --pairs 21
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench.caches import SIZES, TODAY, build_cache
from bench.timing import Figure

PARTS = ("paint", "screens", "status", "import", "sync")
HERE = Path(__file__).resolve().parent


def _child_json(module: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, check=True,
                          cwd=HERE.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _status_seconds(cache: Path, runs: int) -> Figure:
    from bench.paint import child_env

    env = child_env()
    command = [sys.executable, "-m", "finops_tui", "--cache", str(cache), "--today", TODAY.isoformat(), "status", "--json"]
    values = []
    for index in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - started
        if done.returncode not in (0, 1, 2, 3) or not done.stdout.startswith("{"):
            raise RuntimeError(f"status failed: {done.stderr[-300:]}")
        if index:  # the first run warms the page cache
            values.append(seconds)
    return Figure(tuple(values))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer pairs and smaller inputs, for development")
    parser.add_argument("--only", choices=PARTS, action="append", help="run only these parts (repeatable)")
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), help="caches to measure")
    parser.add_argument("--pairs", type=int, help="A/B pairs (and runs) per figure (default 15, quick 5)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    pairs = args.pairs or (5 if args.quick else 15)
    sizes = args.sizes or (["0.1M", "1M"] if args.quick else list(SIZES))
    parts = set(args.only or PARTS)
    import_rows = 50_000 if args.quick else 250_000
    sync_pairs = 1 if args.quick else max(3, pairs // 3)

    print(f"finops-tui bench: {'quick, ' if args.quick else ''}{pairs} pairs; Python {platform.python_version()}, "
          f"{platform.machine()}; caches {', '.join(sizes)}")
    caches = {size: build_cache(size) for size in sizes}
    rows: list[tuple[str, dict[str, str], str]] = []  # (figure, {size: text}, budget)

    if "paint" in parts:
        from bench.paint import bench_paint

        ratio, console, bare, peak = {}, {}, {}, {}
        for size in sizes:
            figures = bench_paint(caches[size], pairs)
            pair = figures["paint"]
            ratio[size] = pair.ratio.show("x", digits=2)  # type: ignore[union-attr]
            console[size] = pair.a.show(" ms", 1000)  # type: ignore[union-attr]
            bare[size] = pair.b.show(" ms", 1000)  # type: ignore[union-attr]
            peak[size] = figures["peak_mb"].show(" MB")  # type: ignore[union-attr]
        rows += [("first paint, console / bare Textual (pty)", ratio, "<= 1.5x at 1 M"),
                 ("  console, spawn to first full frame", console, ""),
                 ("  bare Textual (Header + Footer)", bare, ""),
                 ("console peak RSS", peak, "<= 100 MB at 5 M")]
    if "screens" in parts:
        names = {"refresh": ("pane refresh (snapshot, all envs)", "<= 50 ms"),
                 "refresh_untagged": ("pane refresh, env = unallocated", "<= 50 ms"),
                 "services": ("drill-down 1: services of a category", "<= 100 ms"),
                 "usage_types": ("drill-down 2: usage types + daily", "<= 100 ms"),
                 "usage_types_env": ("drill-down 2, env = production", "<= 100 ms")}
        table: dict[str, dict[str, str]] = {name: {} for name in names}
        for size in sizes:
            series = _child_json("bench.screens", str(caches[size]), str(pairs))
            for name, values in series.items():
                table[name][size] = Figure(tuple(values)).show(" ms", digits=1)
        rows += [(label, table[name], budget) for name, (label, budget) in names.items()]
    if "status" in parts:
        rows.append(("`status --json` wall time", {size: _status_seconds(caches[size], pairs).show(" ms", 1000)
                                                   for size in sizes}, ""))

    print()
    width = max(len(label) for label, _, _ in rows) if rows else 10
    if rows:
        print(f"| {'figure':<{width}} | " + " | ".join(f"{s:>22}" for s in sizes) + " | budget |")
        print(f"|{'-' * (width + 2)}|" + "|".join("-" * 24 for _ in sizes) + "|--------|")
        for label, values, budget in rows:
            print(f"| {label:<{width}} | " + " | ".join(f"{values.get(s, '-'):>22}" for s in sizes) + f" | {budget} |")

    if "import" in parts:
        from bench.focus_import import bench_import

        figures = bench_import(import_rows, pairs)
        peaks = figures["peak_mb"]
        print(f"\nFOCUS import of {figures['source_rows']:,} hourly rows -> {figures['daily_rows']:,} daily rows, "
              f"alternating with executemany of the same daily rows:")
        print(f"  import {figures['import_rps'].show(' rows/s')}; executemany {figures['baseline_rps'].show(' rows/s')}; "
              f"ratio {figures['ratio'].show('x', digits=2)} (budget >= 1.0x)")
        print("  peak RSS of `finops-tui import-focus`: " + ", ".join(f"{rows:,} rows {mb:.0f} MB" for rows, mb in peaks.items())
              + " (budget: flat with file size)")
        print(f"  demo build (sources/demo.py, {figures['demo_rows']:,} rows): {figures['demo_seconds'].show(' ms', 1000)} "
              "(budget: under a third of the console's start)")
    if "sync" in parts:
        from bench.sync import bench_sync

        figures = bench_sync(sync_pairs)
        backfill, rerun = figures["backfill"], figures["rerun"]
        print(f"\nsync against moto on 127.0.0.1, alternating with bare boto3 fetching the same pages ({sync_pairs} pairs):")
        print(f"  backfill, 13 months ({figures['backfill_pages']} pages): sync {backfill.a.show(' s', digits=2)}, "
              f"bare boto3 {backfill.b.show(' s', digits=2)}, ratio {backfill.ratio.show('x', digits=2)}")
        print(f"  same-day re-run ({figures['rerun_pages']} pages): sync {rerun.a.show(' s', digits=2)}, "
              f"bare boto3 {rerun.b.show(' s', digits=2)}, ratio {rerun.ratio.show('x', digits=2)}")


if __name__ == "__main__":
    main()
