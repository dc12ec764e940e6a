"""Approval items from the FinOps review: `approvals propose review:<lever or recommendation id>`.

The id is one of the review's stable ids (``analytics/review.py``): a lever
(``s3_lifecycle``, ``rightsizing``, ``commitments``, ``graviton``,
``serverless``), ``rightsizing:<resource id>``, ``spot``,
``serverless:<resource id>``, ``transfer:<class>``. The item is an expected
saving of the item's monthly saving in the review of the last complete month,
keyed ``review:<id>``: one item per review id, ever.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from finops_tui.approvals.model import ApprovalItem
from finops_tui.config import Settings
from finops_tui.errors import InputError
from finops_tui.money import usd
from finops_tui.store import approvals as sql
from finops_tui.store.db import Store

# Which spend a lever acts on, for the verification after it is done.
LEVER_SCOPES = {"s3_lifecycle": "category:Storage", "rightsizing": "category:Compute", "graviton": "category:Compute",
                "serverless": "category:Compute", "spot": "category:Compute", "commitments": ""}


def review_id(source: str) -> str:
    text = source.strip()
    if not text.lower().startswith("review:") or not text[len("review:"):].strip():
        raise InputError(f"{source!r} is not a review item; write review:ID (ids are listed by `finops-tui review`)")
    return text[len("review:"):].strip()


def describe(found: Any, item_id: str) -> tuple[str, str]:
    """(title, scope) of a review item, from what it is."""
    resource = getattr(found, "resource_id", None)
    if resource and hasattr(found, "suggested"):
        return f"Right-size {resource}: {found.current} -> {found.suggested}", f"resource:{resource}"
    if hasattr(found, "range_text"):  # a lever
        return f"{found.name} ({found.range_text} of its base)", LEVER_SCOPES.get(found.id, "")
    if item_id == "spot":
        return "Spot for non-critical background jobs", LEVER_SCOPES["spot"]
    if item_id.startswith("serverless:"):
        target = item_id.removeprefix("serverless:")
        scope = f"resource:{target}" if "@" not in target else "category:Compute"
        return f"Serverless for idle task {getattr(found, 'name', target)}", scope
    if item_id.startswith("transfer:"):
        return str(getattr(found, "title", item_id)), "category:Networking"
    return str(getattr(found, "name", item_id)), ""


def propose_from_review(store: Store, settings: Settings, source: str, *, now: datetime, today: date,
                        actor: str = "", note: str = "") -> tuple[ApprovalItem, bool]:
    """(the item, whether it was opened now); one item per review id, ever."""
    from finops_tui.approvals.ledger import load_item, printable, propose

    item_id = review_id(source)
    origin_key = f"review:{item_id}"
    existing = sql.states_by_origin_key(store.conn, [origin_key])
    if origin_key in existing:
        return load_item(store.conn, existing[origin_key][0]), False
    try:
        from finops_tui.analytics.review import build_review
    except ImportError:
        raise InputError("review items are not available in this build",
                         "propose by hand with --title, --amount and --scope") from None
    from finops_tui.clock import Clock

    review = build_review(store, settings, Clock(today, fixed=True))
    found = review.find(item_id)
    if found is None:
        raise InputError(f"the review of {review.month} has no item {item_id!r}",
                         "`finops-tui review` lists the levers and recommendations with their ids")
    saving = float(getattr(found, "monthly_saving", 0.0) or 0.0)
    if not saving > 0:
        raise InputError(f"review item {item_id} has no monthly saving to approve ({usd(saving)})")
    title, scope = describe(found, item_id)
    item = propose(store, settings, title=printable(f"{title}, review {review.month}"), amount=saving,
                   direction="saving", scope=scope, now=now, today=today, origin="review", origin_key=origin_key,
                   actor=actor, note=note)
    if item is None:  # opened by someone else meanwhile
        return load_item(store.conn, sql.states_by_origin_key(store.conn, [origin_key])[origin_key][0]), False
    return item, True
