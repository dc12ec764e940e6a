"""`finops-tui snapshot OUT.db`: a whole, single-file copy of the cache to review elsewhere."""

from __future__ import annotations

import argparse

from finops_tui.context import Context


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "snapshot", help="write a consistent single-file copy of the cache (to open with --offline)",
        description="Write a consistent single-file copy of the cache, safe while a console or a sync has it open "
        "(copying the .db file is not: recent data may still sit in its -wal file). Open the copy anywhere with "
        "`finops-tui --cache OUT.db --offline`. An existing OUT.db is never replaced unless --force is given.",
    )
    parser.add_argument("out", metavar="OUT.db", help="the file to write")
    parser.add_argument("--force", action="store_true", help="replace OUT.db if it exists")
    parser.set_defaults(handler=run)
    return [parser]


def run(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.store.snapshot import write_snapshot

    out = write_snapshot(ctx.cache_path, args.out, overwrite=args.force)
    print(f"Wrote a snapshot of {ctx.cache_path} to {out}; open it with `finops-tui --cache {out} --offline`.")
    return 0
