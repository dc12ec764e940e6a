"""`finops-tui sources [--json]` / `sources remove ID`: what the cache holds per source, and what precedence set aside."""

from __future__ import annotations

import argparse
import json
from typing import Any

from finops_tui.context import Context

# Outside text (file names, account ids) never reaches the terminal as control codes.
_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))}


def printable(text: str) -> str:
    return text.translate(_CONTROL)


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "sources", help="what the cache holds per source (Cost Explorer, each import), and what precedence set aside",
        description="List the cache's sources: one line per source (ce, demo, each imported export) with its accounts, "
        "days, billing periods, rows, amortized and billed totals, when it was loaded, and how much of it "
        "sources.precedence sets aside because another source covers the same account and day. "
        "`sources remove ID` removes one source (an id or a unique prefix of it) in one transaction.",
    )
    parser.add_argument("--json", action="store_true", help="the same as JSON (the `sources` list of `status --json`)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    remove = actions.add_parser("remove", help="remove one source's rows from the cache",
                                description="Remove every row, slice and record of one source in one transaction. "
                                "Rows of other sources that it had set aside count again. Removing `ce` makes the "
                                "next sync backfill.")
    remove.add_argument("source", metavar="ID", help="a source id from `finops-tui sources`, or a unique prefix")
    parser.set_defaults(handler=run)
    return [parser]


def sources_json(lines: list[Any]) -> list[dict[str, Any]]:
    """The stable ``sources`` list (``status --json`` carries the same)."""
    from finops_tui.analytics.rules import cents

    return [{
        "id": line.id, "kind": line.kind, "label": line.label, "accounts": list(line.accounts),
        "first_day": line.first_day, "last_day": line.last_day, "billing_periods": list(line.billing_periods),
        "rows": line.rows, "amortized": cents(line.amortized), "billed": cents(line.billed), "loaded_at": line.loaded_at,
        "set_aside": {"rows": line.set_aside.rows, "amortized": cents(line.set_aside.amortized),
                      "billed": cents(line.set_aside.billed)},
    } for line in lines]


def overlap_reason(lines: list[Any], metric: str) -> str | None:
    """One sentence when precedence set anything aside, else None."""
    from finops_tui.money import usd

    aside = [line for line in lines if line.set_aside.rows]
    if not aside:
        return None
    amount = sum(line.set_aside.amortized if metric == "amortized" else line.set_aside.billed for line in aside)
    parts = ", ".join(f"{line.id[:18]} {line.set_aside.rows:,} rows" for line in aside)
    return f"overlap: {usd(amount)} set aside by source precedence, not counted ({parts}; see `finops-tui sources`)"


def _text(line: Any) -> str:
    from finops_tui.money import usd

    days = f"{line.first_day} to {line.last_day}" if line.first_day else "no days"
    accounts = ", ".join(printable(a) for a in line.accounts[:4]) + (f" and {len(line.accounts) - 4} more" if len(line.accounts) > 4 else "")
    text = (f"{printable(line.id[:18]):<18}  {line.kind:<5}  {days}  {line.rows:,} rows  amortized {usd(line.amortized)}  "
            f"billed {usd(line.billed)}")
    details = [f"accounts {accounts or '-'}"]
    if line.billing_periods:
        details.append(f"billing periods {', '.join(line.billing_periods)}")
    if line.label:
        details.append(f"from {printable(line.label)}")
    details.append(f"loaded {line.loaded_at}")
    if line.set_aside.rows:
        details.append(f"set aside: {line.set_aside.rows:,} rows, amortized {usd(line.set_aside.amortized)}, "
                       f"billed {usd(line.set_aside.billed)}")
    else:
        details.append("set aside: nothing")
    return text + "\n" + "".join(f"    {detail}\n" for detail in details)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.store.sources import list_sources, remove_source, resolve_source

    store = ctx.store(create=False)
    if args.action == "remove":
        source = resolve_source(store.conn, args.source)
        removed = remove_source(store, source)
        print(printable(f"removed {removed.id}: {removed.rows:,} rows, amortized ${removed.amortized:,.2f}, "
                        f"billed ${removed.billed:,.2f}"))
        return 0
    lines = list_sources(store.conn, ctx.settings.sources.precedence)
    if args.json:
        print(json.dumps({"precedence": ctx.settings.sources.precedence, "sources": sources_json(lines)}, indent=2))
        return 0
    if not lines:
        print("no sources: the cache holds no cost rows")
        return 0
    print(f"precedence: {ctx.settings.sources.precedence} "
          f"({'an imported export wins for what it covers' if ctx.settings.sources.precedence == 'export' else 'Cost Explorer wins where it has the day'})")
    for line in lines:
        print(_text(line), end="")
    reason = overlap_reason(lines, ctx.settings.metric)
    if reason:
        print(printable(reason))
    return 0
