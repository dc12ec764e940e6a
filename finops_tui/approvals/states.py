"""The approval item behind each spike and budget line of a snapshot, for the console's panes."""

from __future__ import annotations

import sqlite3
from typing import Any

from finops_tui.analytics.rules import LEVELS
from finops_tui.store import approvals as sql


def snapshot_states(conn: sqlite3.Connection, snapshot: Any) -> dict[str, tuple[int, str]]:
    """key -> (item id, state): a spike by its key; a budget line by ``line:<name>`` (its newest item this month).

    A budget line's items are keyed ``budget:<name>:<level>:<month>`` and
    ``forecast:<name>:<level>:<month>`` by the alerts; the newest one is shown.
    """
    spike_keys = [spike.key for spike in snapshot.spikes]
    line_keys = {line.name: [f"{kind}:{line.name}:{level}:{snapshot.month}" for kind in ("budget", "forecast")
                             for level in LEVELS[1:]] for line in (snapshot.total, *snapshot.environments)}
    found = sql.states_by_origin_key(conn, spike_keys + [key for keys in line_keys.values() for key in keys])
    states = {key: found[key] for key in spike_keys if key in found}
    for name, keys in line_keys.items():
        items = [found[key] for key in keys if key in found]
        if items:
            states[f"line:{name}"] = max(items)  # the newest (highest id)
    return states
