"""Approval items from the FinOps review: `approvals propose review:<lever or recommendation id>`."""

from __future__ import annotations

from datetime import date, datetime

from finops_tui.approvals.model import ApprovalItem
from finops_tui.config import Settings
from finops_tui.errors import InputError
from finops_tui.store.db import Store


def propose_from_review(store: Store, settings: Settings, source: str, *, now: datetime, today: date,
                        actor: str = "", note: str = "") -> tuple[ApprovalItem, bool]:
    """(the item, whether it was opened now); one item per review id, ever."""
    text = source.strip()
    if not text.lower().startswith("review:") or not text[len("review:"):].strip():
        raise InputError(f"{source!r} is not a review item; write review:ID (ids are listed by `finops-tui review`)")
    raise InputError("review items are not available in this build yet",
                     "propose by hand with --title, --amount and --scope")
