"""The ``finops-tui`` command: global options, subcommands, and the error edge.

Global options (``--cache``, ``--config``, ``--today``, ``--debug``) are accepted
before or after the subcommand. Errors are one line on stderr and a non-zero
exit; ``--debug`` shows the traceback too.
"""

from __future__ import annotations

import argparse
import difflib
import sqlite3
import sys
import traceback
from collections.abc import Sequence

from finops_tui import __version__
from finops_tui.commands import COMMAND_NAMES, command_module
from finops_tui.context import build_context
from finops_tui.errors import FinopsError
from finops_tui.outside_text import safe
from finops_tui.store.errors import describe_error

DESCRIPTION = "finops-tui: a terminal console to watch and steer AWS spend."
EPILOG = "With no subcommand, opens the console (same as `finops-tui tui`)."


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("global options")
    group.add_argument("--cache", metavar="PATH", default=default,
                       help="SQLite cache file, or s3://bucket/prefix: the latest published snapshot, downloaded into "
                       "$FINOPS_TUI_CACHE_DIR (else cache/) and opened read-only (default: $FINOPS_TUI_CACHE, else "
                       "cache/finops.db)")
    group.add_argument("--config", metavar="PATH", default=default,
                       help="TOML config (default: $FINOPS_TUI_CONFIG, ./finops.toml, the user config dir, else built-in)")
    group.add_argument("--today", metavar="YYYY-MM-DD", default=default,
                       help="fix 'today' for every figure (default: $FINOPS_TUI_TODAY, else the real UTC date)")
    group.add_argument("--debug", action="store_true", default=argparse.SUPPRESS if suppress else False,
                       help="show a traceback on errors")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other usage error
        self.exit(2, f"finops-tui: {message} (see `{self.prog} --help`)\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``only`` registers just that subcommand (the console's start: every other
    subparser would be built for nothing), its name still checked against all of them."""
    parser = _Parser(prog="finops-tui", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"finops-tui {__version__}")
    _global_options(parser, suppress=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_NAMES if only is None else (only,):
        for sub in command_module(name).register(subparsers):
            _global_options(sub, suppress=True)
    parser.set_defaults(command_names=frozenset(COMMAND_NAMES))
    return parser


GLOBAL_VALUE_OPTIONS = ("--cache", "--config", "--today")


def first_word(argv: Sequence[str]) -> str | None:
    """The first argument that is neither an option nor the value of a global option (the subcommand, if any)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in GLOBAL_VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def unknown_command(word: str, commands: Sequence[str]) -> str:
    """One line for a mistyped subcommand, naming the nearest ones (as git does)."""
    nearest = difflib.get_close_matches(word, sorted(commands), n=2, cutoff=0.6)
    message = f"finops-tui: unknown command {word!r}"
    if nearest:
        message += "; did you mean " + " or ".join(f"`finops-tui {name}`" for name in nearest) + "?"
    return message + " (see `finops-tui --help`)"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    word = first_word(argv)
    asks_for_help = any(arg in ("-h", "--help", "--version") for arg in argv)
    parser = build_parser(only="tui" if word in (None, "tui") and not asks_for_help else None)
    # Bare options without a subcommand open the console (`finops-tui --demo`).
    commands = parser.get_default("command_names")
    if word is not None and word not in commands:
        print(unknown_command(word, commands), file=sys.stderr)
        return 2
    if word is None and not asks_for_help:
        argv = ["tui", *argv]
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        ctx = build_context(args.cache, args.config, args.today, debug)
        if args.command != "tui":  # the console says so itself, after its first frame
            from finops_tui.entry import started

            started()
        try:
            return int(args.handler(args, ctx) or 0)
        finally:
            ctx.close()
    except FinopsError as error:
        if debug:
            traceback.print_exc()
        print(f"finops-tui: {safe(str(error))}", file=sys.stderr)
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
        known = describe_error(error)
        if known is not None:
            print(f"finops-tui: {safe(str(known))}", file=sys.stderr)
            return known.exit_code
        print(f"finops-tui: unexpected error: {type(error).__name__}: {safe(str(error))} (rerun with --debug for details)",
              file=sys.stderr)
        return 1
