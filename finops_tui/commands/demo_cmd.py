"""`finops-tui demo`: write the deterministic demo snapshot."""

from __future__ import annotations

import argparse

from finops_tui.context import Context
from finops_tui.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    from finops_tui.sources.demo import DEFAULT_DAYS, DEFAULT_SEED

    parser = subparsers.add_parser(
        "demo", help="write the built-in demo snapshot",
        description="Write a deterministic demo snapshot (same seed and today, same figures) of a believable company. "
        "It goes to cache/demo.db next to the cache, or to --cache when given; real caches are never overwritten.",
    )
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"days of history (default {DEFAULT_DAYS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.set_defaults(handler=run)
    return [parser]


def demo_path(ctx: Context):
    from finops_tui.sources.demo import default_demo_path

    return ctx.cache_path if ctx.cache_explicit else default_demo_path(ctx.cache_path)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.sources.demo import write_demo

    if not 1 <= args.days <= 1200:
        raise InputError(f"--days must be between 1 and 1200, not {args.days}")
    path = demo_path(ctx)
    rows = write_demo(path, ctx.settings, ctx.clock.today, days=args.days, seed=args.seed)
    print(f"Wrote the demo snapshot to {path}: {rows:,} cost rows, {args.days} days to {ctx.clock.today.isoformat()}, seed {args.seed}.")
    return 0
