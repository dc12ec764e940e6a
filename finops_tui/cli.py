"""The ``finops-tui`` command: global options, subcommands, and the error edge.

Global options (``--cache``, ``--config``, ``--today``, ``--debug``) are accepted
before or after the subcommand. Errors are one line on stderr and a non-zero
exit; ``--debug`` shows the traceback too.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import traceback
from collections.abc import Sequence

from finops_tui import __version__
from finops_tui.commands import COMMAND_MODULES
from finops_tui.context import build_context
from finops_tui.errors import FinopsError

DESCRIPTION = "finops-tui: a terminal console to watch and steer AWS spend."
EPILOG = "With no subcommand, opens the console (same as `finops-tui tui`)."


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("global options")
    group.add_argument("--cache", metavar="PATH", default=default,
                       help="SQLite cache file (default: $FINOPS_TUI_CACHE, else cache/finops.db)")
    group.add_argument("--config", metavar="PATH", default=default,
                       help="TOML config (default: $FINOPS_TUI_CONFIG, ./finops.toml, the user config dir, else built-in)")
    group.add_argument("--today", metavar="YYYY-MM-DD", default=default,
                       help="fix 'today' for every figure (default: $FINOPS_TUI_TODAY, else the real UTC date)")
    group.add_argument("--debug", action="store_true", default=argparse.SUPPRESS if suppress else False,
                       help="show a traceback on errors")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other usage error
        self.exit(2, f"finops-tui: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="finops-tui", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"finops-tui {__version__}")
    _global_options(parser, suppress=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMAND_MODULES:
        for sub in module.register(subparsers):
            _global_options(sub, suppress=True)
    parser.set_defaults(command_names=frozenset(subparsers.choices))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # Bare options without a subcommand open the console (`finops-tui --demo`).
    commands = parser.get_default("command_names")
    if not any(arg in commands for arg in argv) and not any(arg in ("-h", "--help", "--version") for arg in argv):
        argv = ["tui", *argv]
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        ctx = build_context(args.cache, args.config, args.today, debug)
        try:
            return int(args.handler(args, ctx) or 0)
        finally:
            ctx.close()
    except FinopsError as error:
        if debug:
            traceback.print_exc()
        print(f"finops-tui: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("finops-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # noqa: BLE001 - the edge: never a traceback without --debug
        if debug:
            traceback.print_exc()
        if isinstance(error, sqlite3.OperationalError) and "readonly" in str(error):
            print("finops-tui: the cache is read-only here (a snapshot from --cache s3://...): change it on the host "
                  "that syncs and publishes", file=sys.stderr)
            return 1
        print(f"finops-tui: unexpected error: {type(error).__name__}: {error} (rerun with --debug for details)", file=sys.stderr)
        return 1
