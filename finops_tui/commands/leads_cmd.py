"""`finops-tui leads import FILE` and `finops-tui leads set DATE COUNT`."""

from __future__ import annotations

import argparse
from pathlib import Path

from finops_tui.context import Context


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser("leads", help="record leads distributed per day (cost per lead)",
                                   description="Record leads distributed per UTC day, for cost per lead.")
    actions = parser.add_subparsers(dest="leads_action", metavar="ACTION", required=True, parser_class=type(parser))
    importer = actions.add_parser(
        "import", help="import a CSV of date,leads[,label]",
        description="Import a CSV of date,leads[,label] (header optional). A day already known is replaced. "
        "A bad row stops the import with file:line and nothing is written.",
    )
    importer.add_argument("file", metavar="FILE")
    importer.set_defaults(handler=run_import)
    setter = actions.add_parser("set", help="set the leads of one day", description="Set the leads of one UTC day.")
    setter.add_argument("day", metavar="DATE", help="YYYY-MM-DD")
    setter.add_argument("count", metavar="COUNT", help="leads distributed that day (0 or more)")
    setter.add_argument("--label", default="", help="optional note")
    setter.set_defaults(handler=run_set)
    parser.set_defaults(handler=run_import)
    return [parser, importer, setter]


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.importers import check_readable, import_leads

    check_readable(Path(args.file))  # before opening the cache: a typo must not create an empty cache file
    rows = import_leads(ctx.store(), args.file)
    total = sum(count for _, count, _ in rows)
    print(f"Imported leads for {len(rows)} day{'s' if len(rows) != 1 else ''} ({rows[0][0]} to {rows[-1][0]}), {total:,} leads.")
    return 0


def run_set(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.importers import parse_lead_count, parse_lead_day, write_leads

    day = parse_lead_day(args.day, "DATE")
    count = parse_lead_count(args.count, "COUNT")
    write_leads(ctx.store(), [(day, count, args.label)], "manual")
    print(f"Leads for {day}: {count:,}.")
    return 0
