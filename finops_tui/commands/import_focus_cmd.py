"""`finops-tui import-focus FILE...`: load FOCUS 1.0-1.3 exports into the cache."""

from __future__ import annotations

import argparse
from pathlib import Path
import sys

from finops_tui.commands.after_data import add_alerts_option, deliver_alerts
from finops_tui.context import Context


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "import-focus", help="import FOCUS 1.0-1.3 cost exports (CSV, .csv.gz, Parquet)",
        description="Import FOCUS 1.0-1.3 cost exports (CSV, gzipped CSV, or Parquet with pyarrow) into the cache, "
        "summed per UTC day. All files land in one transaction; a malformed row stops the import with file:line "
        "and leaves the cache as it was. A file already imported is skipped.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="FOCUS export(s)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_alerts_option(parser)
    parser.set_defaults(handler=run)
    return [parser]


def _progress(path: str, rows: int) -> None:
    print(f"\r{path}: {rows:,} rows read", end="", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.importers import check_readable, import_focus

    for name in args.files:  # before opening the cache: a typo must not create an empty cache file
        check_readable(Path(name))

    show_progress = not args.quiet and sys.stderr.isatty()
    results = import_focus(ctx.store(), ctx.settings, args.files, _progress if show_progress else None)
    if show_progress:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    for result in results:
        if result.skipped:
            print(f"{result.path}: already imported, skipped")
        elif not result.rows_written:
            print(f"{result.path}: no cost rows, nothing imported (not counted as a sync)")
        else:
            span = f"{result.first_day} to {result.last_day}" if result.first_day else "no days"
            print(f"{result.path}: {result.source_rows:,} rows -> {result.rows_written:,} daily rows, {span}, "
                  f"billed ${result.billed:,.2f}, amortized ${result.amortized:,.2f}")
    if any(result.rows_written for result in results):
        deliver_alerts(args, ctx)
    return 0
