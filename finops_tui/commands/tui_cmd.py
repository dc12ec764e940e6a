"""`finops-tui tui`: the console (also what a bare `finops-tui` opens)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from finops_tui.context import Context

if TYPE_CHECKING:
    from finops_tui.tui.app import FinopsApp


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser("tui", help="open the console (the default)",
                                   description="Open the console on the cache, or on the built-in demo.")
    parser.add_argument("--demo", action="store_true", help="open the deterministic demo snapshot (built on first use)")
    parser.add_argument("--offline", action="store_true",
                        help="never call AWS and never write: the cache is opened read-only (for a `snapshot` copy)")
    parser.set_defaults(handler=run)
    return [parser]


def build_console(ctx: Context, *, demo: bool = False, offline: bool = False) -> FinopsApp:
    """The console on the command's cache. ``--offline``, or a cache in a read-only location (a copy on a
    read-only mount, a file this user may not write), opens it read-only: nothing is written and nothing synced."""
    from finops_tui.first_read import FirstRead
    from finops_tui.store.db import is_read_only_location

    if demo:
        from finops_tui.commands.demo_cmd import demo_path
        from finops_tui.sources.demo import ensure_demo

        ctx.cache_path = ensure_demo(demo_path(ctx), ctx.settings, ctx.clock.today)
    ctx.read_only = ctx.read_only or offline or is_read_only_location(ctx.cache_path)
    # The cache is opened and first read on a thread while Textual is imported (finops_tui/first_read.py).
    first_read = FirstRead(ctx.store, ctx.settings, ctx.clock)
    from finops_tui.tui.app import make_app

    store = first_read.store()  # a cache that cannot be opened: its one-line error, before the console opens
    return make_app(ctx.settings, store, ctx.clock, demo=demo, offline=offline or demo, remote=ctx.remote,
                    first_read=first_read)


def run(args: argparse.Namespace, ctx: Context) -> int:
    app = build_console(ctx, demo=args.demo, offline=args.offline)
    app.run()
    from finops_tui.tui.quitting import exit_now_if_busy

    ctx.close()
    exit_now_if_busy(app.return_code or 0)  # a sync still waiting on AWS must not hold up `q`
    return app.return_code or 0
