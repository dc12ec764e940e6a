"""`finops-tui config`: the effective configuration and where it came from."""

from __future__ import annotations

import argparse

from finops_tui.config import EXAMPLE_CONFIG, effective_config_toml
from finops_tui.context import Context


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser("config", help="print the effective configuration and where it came from",
                                   description="Print the effective configuration (secrets masked) and where it came from.")
    parser.add_argument("--example", action="store_true", help="print the annotated example config instead")
    parser.set_defaults(handler=run)
    return [parser]


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.example:
        print(EXAMPLE_CONFIG.read_text(encoding="utf-8"), end="")
        return 0
    print(f"# source: {ctx.loaded.source}")
    print(f"# cache: {ctx.cache_path}")
    print(f"# today: {ctx.clock.today.isoformat()}{' (fixed)' if ctx.clock.fixed else ''}")
    print(effective_config_toml(ctx.settings), end="")
    return 0
