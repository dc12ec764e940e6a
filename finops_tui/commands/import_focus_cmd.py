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
        "and leaves the cache as it was. A file already imported is skipped. An s3://bucket/prefix/ argument reads a "
        "Data Export straight from S3: the newest delivery of each billing period (by its Manifest.json where "
        "present), streamed to a temporary folder and imported the same way.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="FOCUS export(s), or s3://bucket/prefix/ of a Data Export")
    parser.add_argument("--profile", metavar="P", help="AWS profile for s3:// sources (default: sync.profile, else the boto3 chain)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_alerts_option(parser)
    parser.set_defaults(handler=run)
    return [parser]


def _progress(path: str, rows: int) -> None:
    print(f"\r{path}: {rows:,} rows read", end="", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, ctx: Context) -> int:
    import tempfile

    from finops_tui.publish import is_s3_url, parse_s3_url

    from finops_tui.importers import check_readable

    remote = [name for name in args.files if is_s3_url(name)]
    for name in args.files:  # before downloading or opening the cache: a typo must not cost a download or create a cache
        if is_s3_url(name):
            parse_s3_url(name)
        else:
            check_readable(Path(name))
    with tempfile.TemporaryDirectory(prefix="finops-focus-s3-") as folder:
        names: dict[str, str] = {}
        local: list[str] = []
        if remote:
            from finops_tui.publish import s3_client
            from finops_tui.sources.focus_s3 import fetch_export

            s3 = s3_client(args.profile or ctx.settings.sync.profile)
            for url in remote:
                for uri, path, delivery in fetch_export(s3, url, Path(folder)):
                    names[str(path)] = uri
                    local.append(str(path))
        return _import(args, ctx, [name for name in args.files if not is_s3_url(name)] + local, names)


def _import(args: argparse.Namespace, ctx: Context, files: list[str], names: dict[str, str]) -> int:
    from finops_tui.importers import check_readable, import_focus

    for name in files:  # before opening the cache: a typo must not create an empty cache file
        check_readable(Path(name))

    show_progress = not args.quiet and sys.stderr.isatty()
    results = import_focus(ctx.store(), ctx.settings, files, _progress if show_progress else None, clock=ctx.clock)
    if show_progress:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    for result in results:
        shown = names.get(str(result.path), result.path)
        if result.skipped:
            print(f"{shown}: already imported, skipped")
        else:
            span = f"{result.first_day} to {result.last_day}" if result.first_day else "no days"
            print(f"{shown}: {result.source_rows:,} rows -> {result.rows_written:,} daily rows, {span}, "
                  f"billed ${result.billed:,.2f}, amortized ${result.amortized:,.2f}")
    if any(not result.skipped for result in results):
        deliver_alerts(args, ctx)
    return 0
