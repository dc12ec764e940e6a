"""`finops-tui review [--month YYYY-MM] [--format md|json|csv] [-o FILE]`: the monthly FinOps review."""

from __future__ import annotations

import argparse

from finops_tui.context import Context


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "review", help="the monthly FinOps review: levers in dollars, coverage, right-sizing, Spot, data transfer, approvals",
        description="The FinOps review held on the first Monday of a month: every optimization lever of the framework "
        "with its base and saving range in dollars from the month's usage-based spend, Savings Plans and RI "
        "coverage, right-sizing recommendations, Spot candidates, data transfer by class, and the month's approvals "
        "(opened, decided, pending per tier with ages, realised savings). The Markdown is the meeting document.",
    )
    parser.add_argument("--month", metavar="YYYY-MM", help="the month (default: the last complete month)")
    parser.add_argument("--format", choices=("md", "json", "csv"), default="md", help="output format (default md)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=run)
    return [parser]


def run(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.analytics.review import build_review, parse_review_month
    from finops_tui.commands.report_cmd import write_output
    from finops_tui.review_document import render_review

    month = parse_review_month(args.month, ctx.clock.today)  # a bad month is refused before the cache is opened
    review = build_review(ctx.store(create=False), ctx.settings, ctx.clock, month)
    write_output(render_review(review, args.format), args.output)
    return 0
