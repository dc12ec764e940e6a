"""Approval items as every front end reads them: plain data, no UI types, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

STATES = ("pending", "approved", "rejected", "done", "withdrawn")
ORIGINS = ("alert", "review", "manual")
DIRECTIONS = ("increase", "saving")

# action -> (the state it leads to, the states it may start from)
TRANSITIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "approve": ("approved", ("pending",)),
    "reject": ("rejected", ("pending",)),
    "done": ("done", ("approved",)),
    "withdraw": ("withdrawn", ("pending", "approved", "rejected", "done")),
}
ACTION_OF_STATE = {"approved": "approved", "rejected": "rejected", "done": "done", "withdrawn": "withdrawn"}


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened to an item: who did what, when and why (never rewritten)."""

    id: int
    action: str  # opened | approved | rejected | done | withdrawn
    state: str  # the item's state after it
    actor: str
    note: str
    at: str  # ISO-8601 UTC
    on_day: str  # the command's today, YYYY-MM-DD

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "state": self.state, "by": self.actor or None, "note": self.note or None,
                "at": self.at, "on": self.on_day}


@dataclass(frozen=True)
class ApprovalItem:
    id: int
    origin: str  # alert | review | manual
    origin_key: str | None  # the alert event key (spike:..., budget:..., one_time:...) or review:<id>
    title: str
    scope: str  # canonical scope text, '' for the whole bill
    direction: str  # increase | saving
    monthly_amount: float  # USD a month, never negative; the direction says which way
    tier: str  # team_lead | vp_engineering | cto_cfo
    created_at: str
    created_on: str
    state: str
    state_at: str
    history: tuple[HistoryEntry, ...] = ()

    @property
    def label(self) -> str:
        return f"#{self.id}"

    def age_days(self, today: date) -> int:
        """Whole days since the item was opened (0 on the day itself)."""
        return max(0, (today - date.fromisoformat(self.created_on)).days)

    @property
    def done_on(self) -> str | None:
        """The day it was marked done (the latest such entry), if it is done."""
        if self.state != "done":
            return None
        return next((entry.on_day for entry in reversed(self.history) if entry.action == "done"), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "scope": self.scope, "direction": self.direction,
            "monthly_amount": round(self.monthly_amount, 2) + 0.0, "tier": self.tier, "origin": self.origin,
            "origin_key": self.origin_key, "state": self.state, "opened_at": self.created_at,
            "opened_on": self.created_on, "updated_at": self.state_at,
            "history": [entry.to_json() for entry in self.history],
        }
