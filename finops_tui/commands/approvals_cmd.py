"""`finops-tui approvals list|show|propose|approve|reject|done|withdraw`: spend changes routed to their approver."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from finops_tui.approvals.model import STATES
from finops_tui.context import Context
from finops_tui.errors import InputError

TIERS_HELP = "< $500/month Team Lead; $500 to $5,000 VP Engineering; > $5,000 CTO/CFO"
SCOPE_HELP = ("which spend: environment:NAME, category:NAME, service:NAME, resource:ID, comma-separated "
              "(e.g. environment:production,category:Compute); default the whole bill")


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "approvals", help="approval items: what waits for whom, decisions on the record, verified savings",
        description="Approval items for spend changes, routed by the framework's tiers (" + TIERS_HELP + "). "
        "Alerts open one item per spike, one-time charge and projected budget overrun; `propose` opens one by hand "
        "or from a review item. Every decision is appended to the item's history and posted once to the tier's channel.",
    )
    actions = parser.add_subparsers(dest="approvals_action", metavar="ACTION", required=True)
    made = [parser]

    list_parser = actions.add_parser("list", help="items, pending first by tier and age",
                                     description="List approval items: pending first (highest tier, then oldest), then the rest.")
    list_parser.add_argument("--state", choices=STATES, help="only items in this state")
    list_parser.add_argument("--json", action="store_true", help="items as JSON (with their history and verification)")
    list_parser.set_defaults(handler=list_items)
    made.append(list_parser)

    show_parser = actions.add_parser("show", help="one item, its history and, once done, its verified saving",
                                     description="Show one item with its full history; for a done item, the spend of "
                                     "its scope over approvals.verify_days days after the change against as many before.")
    show_parser.add_argument("id", metavar="ID", help="the item id (12 or #12)")
    show_parser.add_argument("--json", action="store_true", help="the item as JSON")
    show_parser.set_defaults(handler=show_item)
    made.append(show_parser)

    propose_parser = actions.add_parser(
        "propose", help="open an item by hand or from a review item",
        description="Open a pending approval item: `propose review:ID` from a lever or recommendation of the review, "
        "or `propose --title T --amount N --scope S` by hand. The tier follows the monthly amount (" + TIERS_HELP + ").")
    propose_parser.add_argument("source", metavar="review:ID", nargs="?", help="a review lever or recommendation id")
    propose_parser.add_argument("--title", help="what is proposed (one line)")
    propose_parser.add_argument("--amount", type=float, metavar="USD", help="the monthly amount in dollars")
    propose_parser.add_argument("--scope", default="", help=SCOPE_HELP)
    propose_parser.add_argument("--saving", action="store_true", help="the amount is an expected saving (default: a spend increase)")
    propose_parser.add_argument("--by", default="", metavar="NAME", help="who proposes it")
    propose_parser.add_argument("--note", default="", help="why")
    propose_parser.set_defaults(handler=propose)
    made.append(propose_parser)

    for action, helptext, by_required, note_required in (
        ("approve", "approve a pending item (named approvers of its tier or above)", True, False),
        ("reject", "reject a pending item, saying why", True, True),
        ("done", "mark an approved item done (the change is made; verification starts)", False, False),
        ("withdraw", "withdraw an item", False, False),
    ):
        sub = actions.add_parser(action, help=helptext, description=helptext[0].upper() + helptext[1:] + ".")
        sub.add_argument("id", metavar="ID", help="the item id (12 or #12)")
        sub.add_argument("--by", required=by_required, default="", metavar="NAME",
                         help="who decides (must be named in [approvals.approvers])" if by_required else "who")
        sub.add_argument("--note", required=note_required, default="", help="why" + (" (required)" if note_required else ""))
        sub.set_defaults(handler=decide, decision=action)
        made.append(sub)
    return made


def _item_json(item: Any, ctx: Context, store: Any) -> dict[str, Any]:
    from finops_tui.approvals.verify import verify

    data = item.to_json()
    data["age_days"] = item.age_days(ctx.clock.today)
    verification = verify(store, ctx.settings, item, ctx.clock.today)
    data["verification"] = None if verification is None else verification.to_json()
    return data


def list_items(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.approvals.ledger import load_items
    from finops_tui.approvals.views import list_lines, ordered

    store = ctx.store(create=False)
    items = ordered(load_items(store.conn, args.state), ctx.clock.today)
    if args.json:
        print(json.dumps({"as_of": ctx.clock.today.isoformat(), "items": [_item_json(i, ctx, store) for i in items]}, indent=2))
        return 0
    if not items:
        print("No approval items" + (f" in state {args.state}." if args.state else "."))
        return 0
    print("\n".join(list_lines(items, ctx.clock.today)))
    return 0


def show_item(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.approvals.ledger import load_item, parse_item_id
    from finops_tui.approvals.verify import verify
    from finops_tui.approvals.views import show_lines

    store = ctx.store(create=False)
    item = load_item(store.conn, parse_item_id(args.id))
    if args.json:
        print(json.dumps(_item_json(item, ctx, store), indent=2))
        return 0
    print("\n".join(show_lines(item, verify(store, ctx.settings, item, ctx.clock.today), ctx.clock.today)))
    return 0


def propose(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.approvals.ledger import propose as open_item
    from finops_tui.approvals.tiers import tier_name
    from finops_tui.money import usd

    store = _writable(ctx)
    if args.source is not None:
        return _propose_from_review(args, ctx, store)
    missing = [flag for flag, value in (("--title", args.title), ("--amount", args.amount)) if value is None]
    if missing:
        raise InputError(f"propose needs {' and '.join(missing)} (or a review:ID)")
    item = open_item(store, ctx.settings, title=args.title, amount=args.amount, direction="saving" if args.saving else "increase",
                     scope=args.scope, now=ctx.clock.now(), today=ctx.clock.today, actor=args.by, note=args.note)
    assert item is not None  # a hand-made item has no origin key: it always opens
    print(f"Opened {item.label}: {item.title} ({usd(item.monthly_amount)}/month, needs {tier_name(item.tier)}).")
    _deliver(ctx, store)
    return 0


def _propose_from_review(args: argparse.Namespace, ctx: Context, store: Any) -> int:
    from finops_tui.approvals.review_items import propose_from_review

    if args.title is not None or args.amount is not None:
        raise InputError("give either review:ID or --title/--amount, not both")
    item, created = propose_from_review(store, ctx.settings, args.source, now=ctx.clock.now(), today=ctx.clock.today,
                                        actor=args.by, note=args.note)
    if not created:
        print(f"{args.source.strip()} already has item {item.label} ({item.state}).")
        return 0
    from finops_tui.approvals.tiers import tier_name
    from finops_tui.money import usd

    print(f"Opened {item.label}: {item.title} ({usd(item.monthly_amount)}/month saving, needs {tier_name(item.tier)}).")
    _deliver(ctx, store)
    return 0


def decide(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.approvals.ledger import PAST_TENSE, decide as record, parse_item_id

    store = _writable(ctx)
    item = record(store, ctx.settings, parse_item_id(args.id), args.decision, by=args.by, note=args.note,
                  now=ctx.clock.now(), today=ctx.clock.today)
    by = f" by {item.history[-1].actor}" if item.history[-1].actor else ""
    print(f"{item.label} {PAST_TENSE[args.decision]}{by}: {item.title}")
    _deliver(ctx, store)
    return 0


def _writable(ctx: Context) -> Any:
    """The cache for a decision; a read-only one (a published snapshot, mode=ro) is refused in one sentence."""
    store = ctx.store(create=False)
    if getattr(store, "read_only", False):
        raise InputError(f"{ctx.cache_path} is open read-only: decisions are recorded on the cache the syncing host writes")
    return store


def _deliver(ctx: Context, store: Any) -> None:
    """Post the new entry to the tier's webhooks now (stdout posts wait for `alerts run`); failures are retried there."""
    from finops_tui.approvals.delivery import deliver_due

    result = deliver_due(store, ctx.settings, ctx.clock.wall_now(), out=None)
    for error in result.errors:
        print(f"finops-tui: approval post failed (retried by the next `finops-tui alerts run`): {error}", file=sys.stderr)
