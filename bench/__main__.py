"""Run every benchmark and print its figures against the budgets of ARCHITECTURE.md.

`python -m bench [--cache PATH]`: the big cache (over a million daily rows) is
built once under bench/.data/ and reused.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.bigcache import build_big_cache


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--cache", type=Path, default=Path("bench/.data/big.db"))
    parser.add_argument("--only", choices=["refresh", "paint", "import"], action="append")
    args = parser.parse_args()
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    cache = build_big_cache(args.cache)
    only = set(args.only or ["refresh", "paint", "import"])
    if "refresh" in only:
        from bench.refresh import bench_refresh

        figures = bench_refresh(cache)
        print(f"pane refresh (snapshot on {cache.name}): median {figures['median_ms']:.1f} ms, "
              f"max {figures['max_ms']:.1f} ms (budget: median <= {figures['budget_ms']:.0f} ms)")
    if "paint" in only:
        from bench.paint import bench_paint

        figures = bench_paint(cache)
        print(f"first paint: console {figures['console_s']:.3f} s vs bare Textual {figures['bare_s']:.3f} s "
              f"= {figures['ratio']:.2f}x (budget <= 1.5x)")
        print(f"console peak memory: {figures['peak_mb']:.0f} MB (budget <= 250 MB)")
    if "import" in only:
        from bench.focus_import import bench_focus_import

        figures = bench_focus_import(args.cache.parent / "focus")
        print(f"FOCUS import ({figures['rows']:,} hourly rows -> {figures['daily_rows']:,} daily): "
              f"{figures['import_rows_per_s']:,.0f} rows/s vs executemany {figures['baseline_rows_per_s']:,.0f} rows/s, "
              f"ratio {figures['ratio']:.2f} (budget: >= {figures['budget_ratio']:.1f})")


if __name__ == "__main__":
    main()
