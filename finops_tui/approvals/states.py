"""The approval item behind each spike and budget line of a snapshot, for the console's panes.

Joined by the alert event key the item was opened from (``approval_items.origin_key``):
a spike by its key, a budget line by the keys its budget and forecast alerts use.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from finops_tui.analytics.rules import APPROVER_NAMES, LEVELS
from finops_tui.store import approvals as sql


@dataclass(frozen=True)
class ItemState:
    """Where an approval item stands: enough for a pane's cell (the whole item is on the `p` screen)."""

    id: int
    tier: str
    state: str  # pending | approved | rejected | done | withdrawn
    decided_by: str  # who approved or rejected it ('' while pending)
    since: str  # the day of its latest history entry

    def text(self, tier_names: dict[str, str] = APPROVER_NAMES) -> str:
        """``pending VP Engineering``, ``approved by carol``, ``rejected by dana``, ``done``, ``withdrawn``."""
        if self.state == "pending":
            return f"pending {tier_names.get(self.tier, self.tier)}"
        if self.state in ("approved", "rejected") and self.decided_by:
            return f"{self.state} by {self.decided_by}"
        return self.state


def line_key(name: str) -> str:
    """The key of a budget line (``total`` or an environment) in :func:`snapshot_states`."""
    return f"line:{name}"


def snapshot_states(conn: sqlite3.Connection, snapshot: Any) -> dict[str, ItemState]:
    """key -> the item's state: a spike by its key; a budget line by ``line:<name>`` (its newest item this month).

    A budget line's items are keyed ``budget:<name>:<level>:<month>`` and
    ``forecast:<name>:<level>:<month>`` by the alerts; the newest one is shown.
    """
    spike_keys = [spike.key for spike in snapshot.spikes]
    line_keys = {line.name: [f"{kind}:{line.name}:{level}:{snapshot.month}" for kind in ("budget", "forecast")
                             for level in LEVELS[1:]] for line in (snapshot.total, *snapshot.environments)}
    found = {key: ItemState(*row) for key, row in
             sql.states_by_origin_key(conn, spike_keys + [key for keys in line_keys.values() for key in keys]).items()}
    states = {key: found[key] for key in spike_keys if key in found}
    for name, keys in line_keys.items():
        items = [found[key] for key in keys if key in found]
        if items:
            states[line_key(name)] = max(items, key=lambda item: item.id)  # the newest
    return states
