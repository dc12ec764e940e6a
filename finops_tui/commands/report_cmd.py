"""`finops-tui report --month YYYY-MM [--format md|csv|json] [-o FILE]`: the monthly finance report."""

from __future__ import annotations

import argparse

from finops_tui.context import Context
from finops_tui.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "report", help="the monthly finance report (md, csv or json)",
        description="The monthly finance report: total and environment budgets vs actual, categories against the "
        "previous month, top 10 services, the month's spikes with approval tier, waste, cost per lead. "
        "For a past month the whole month counts; for the current month, month to date. "
        "A cache without cost data prints UNKNOWN and exits 3 (as `status`), never a $0.00 report.",
    )
    parser.add_argument("--month", metavar="YYYY-MM", help="the month (default: the month of today)")
    parser.add_argument("--format", choices=("md", "csv", "json"), default="md", help="output format (default md)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=run)
    return [parser]


def write_output(text: str, output: str | None) -> None:
    """Print or write a report; control characters from tag values and names are escaped (JSON escapes its own)."""
    from finops_tui.outside_text import escape_controls, escape_controls_json

    text = escape_controls_json(text) if text.lstrip().startswith(("{", "[")) else escape_controls(text)
    if not output:
        print(text, end="")
        return
    from pathlib import Path

    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write {output}: {error.strerror or error}") from None
    print(f"Wrote {output}.")


UNKNOWN = 3  # as `status`: no data is not "$0.00 OK"


def run(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.reports import render_monthly_report

    month = args.month or ctx.clock.today.strftime("%Y-%m")
    if not ctx.cache_path.exists() or not ctx.store(create=False, read_only=True).has_costs():
        where = "no cache at" if not ctx.cache_path.exists() else "no cost data in"
        print(f"UNKNOWN: {where} {ctx.cache_path}, so no report for {month} ({ctx.fill_hint()})")
        return UNKNOWN
    text = render_monthly_report(ctx.store(create=False, read_only=True), ctx.settings, month, args.format, ctx.clock.today)
    write_output(text, args.output)
    return 0
