"""`finops-tui waste [--format md|csv|json] [-o FILE]`: the weekly waste report."""

from __future__ import annotations

import argparse

from finops_tui.context import Context


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "waste", help="the weekly waste report: idle and unassigned resources by dollars",
        description="Idle or unassigned resources (unattached volumes, idle IPs and load balancers, stopped instances, "
        "old snapshots, spend with no environment tag) by estimated monthly cost, with the total.",
    )
    parser.add_argument("--format", choices=("md", "csv", "json"), default="md", help="output format (default md)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=run)
    return [parser]


def run(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.commands.report_cmd import write_output
    from finops_tui.reports import render_waste_report

    write_output(render_waste_report(ctx.store(create=False, read_only=True), ctx.settings, args.format, ctx.clock.today), args.output)
    return 0
