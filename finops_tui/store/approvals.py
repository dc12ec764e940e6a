"""SQL of the approval ledger: immutable items, their append-only history, the delivery outbox.

An item's state is the state of its latest history entry; nothing here
updates or deletes an item or a history row (triggers in the schema refuse
it). Every write takes the caller's connection inside a transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

ITEM_COLUMNS = "i.id, i.origin, i.origin_key, i.title, i.scope, i.direction, i.monthly_amount, i.tier, i.created_at, i.created_on"
# The latest history entry of each item: its state, when and on which day it got there.
_LATEST = ("(SELECT h.state FROM approval_history h WHERE h.item_id = i.id ORDER BY h.id DESC LIMIT 1), "
           "(SELECT h.at FROM approval_history h WHERE h.item_id = i.id ORDER BY h.id DESC LIMIT 1)")


@dataclass(frozen=True)
class ScopeFilter:
    """Which cost rows a scope covers; ``None`` fields match everything."""

    environment: str | None = None
    category: str | None = None
    service: str | None = None
    resource: str | None = None


def insert_item(conn: sqlite3.Connection, *, origin: str, origin_key: str | None, title: str, scope: str, direction: str,
                monthly_amount: float, tier: str, created_at: str, created_on: str) -> int | None:
    """A new item; ``None`` when an item with this ``origin_key`` already exists."""
    cursor = conn.execute(
        "INSERT INTO approval_items (origin, origin_key, title, scope, direction, monthly_amount, tier, created_at, created_on) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(origin_key) DO NOTHING",
        (origin, origin_key, title, scope, direction, monthly_amount, tier, created_at, created_on),
    )
    return int(cursor.lastrowid) if cursor.rowcount == 1 else None


def append_history(conn: sqlite3.Connection, item_id: int, *, action: str, state: str, actor: str, note: str,
                   at: str, on_day: str, posted_by: str | None = None) -> int:
    """Append one entry and queue it for delivery; returns the entry's id.

    ``posted_by`` names another message that already announces it (the alert
    of an alert's item, on the alert channels): recorded as sent by that.
    """
    cursor = conn.execute(
        "INSERT INTO approval_history (item_id, action, state, actor, note, at, on_day) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (item_id, action, state, actor, note, at, on_day),
    )
    history_id = int(cursor.lastrowid)
    if posted_by is None:
        conn.execute("INSERT INTO approval_outbox (history_id) VALUES (?)", (history_id,))
    else:
        conn.execute("INSERT INTO approval_outbox (history_id, status, delivered, sent_at) VALUES (?, 'sent', ?, ?)",
                     (history_id, json.dumps([posted_by]), at))
    return history_id


def current_state(conn: sqlite3.Connection, item_id: int) -> str | None:
    row = conn.execute("SELECT state FROM approval_history WHERE item_id = ? ORDER BY id DESC LIMIT 1", (item_id,)).fetchone()
    return row[0] if row else None


def item_rows(conn: sqlite3.Connection, state: str | None = None) -> list[tuple]:
    """Items with (columns..., state, state_at), oldest first; optionally in one state only."""
    rows = conn.execute(f"SELECT {ITEM_COLUMNS}, {_LATEST} FROM approval_items i ORDER BY i.id").fetchall()
    return [row for row in rows if state is None or row[10] == state]


def item_row(conn: sqlite3.Connection, item_id: int) -> tuple | None:
    return conn.execute(f"SELECT {ITEM_COLUMNS}, {_LATEST} FROM approval_items i WHERE i.id = ?", (item_id,)).fetchone()


def history_rows(conn: sqlite3.Connection, item_id: int) -> list[tuple]:
    """(id, action, state, actor, note, at, on_day) in the order they happened."""
    return conn.execute(
        "SELECT id, action, state, actor, note, at, on_day FROM approval_history WHERE item_id = ? ORDER BY id", (item_id,)
    ).fetchall()


def all_history_rows(conn: sqlite3.Connection) -> list[tuple]:
    """(item_id, id, action, state, actor, note, at, on_day) for every item, in order."""
    return conn.execute(
        "SELECT item_id, id, action, state, actor, note, at, on_day FROM approval_history ORDER BY item_id, id"
    ).fetchall()


def states_by_origin_key(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, tuple[int, str, str, str, str]]:
    """origin_key -> (item id, tier, current state, who made the latest decision, its day) for the keys that have an item.

    The decider is the actor of the latest approve or reject entry ('' when nobody decided yet).
    """
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    rows = conn.execute(
        "SELECT i.origin_key, i.id, i.tier, "
        "(SELECT h.state FROM approval_history h WHERE h.item_id = i.id ORDER BY h.id DESC LIMIT 1), "
        "(SELECT h.actor FROM approval_history h WHERE h.item_id = i.id AND h.action IN ('approved', 'rejected') "
        "ORDER BY h.id DESC LIMIT 1), "
        "(SELECT h.on_day FROM approval_history h WHERE h.item_id = i.id ORDER BY h.id DESC LIMIT 1) "
        f"FROM approval_items i WHERE i.origin_key IN ({', '.join('?' * len(wanted))})",
        wanted,
    ).fetchall()
    return {key: (item_id, tier, state, actor or "", on_day or "") for key, item_id, tier, state, actor, on_day in rows}


# -- the outbox ----------------------------------------------------------------

def outbox_due(conn: sqlite3.Connection, now: str) -> list[tuple[int, int, str, int]]:
    """(history id, item id, delivered JSON, attempts) of pending posts due at ``now``, oldest first."""
    return conn.execute(
        "SELECT o.history_id, h.item_id, o.delivered, o.attempts FROM approval_outbox o "
        "JOIN approval_history h ON h.id = o.history_id "
        "WHERE o.status = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) ORDER BY o.history_id",
        (now,),
    ).fetchall()


def claim_post(conn: sqlite3.Connection, history_id: int, now: str, until: str) -> tuple[bool, bool]:
    """Take a due post for this run (a concurrent run then skips it until ``until``): (taken, possible repeat).

    Inside a write transaction. A possible repeat is a post claimed before and never marked sent or failed:
    that run died between sending and marking, so the channel may already have it.
    """
    row = conn.execute(
        "SELECT claims, attempts FROM approval_outbox WHERE history_id = ? AND status = 'pending' "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
        (history_id, now),
    ).fetchone()
    if row is None:
        return False, False
    conn.execute("UPDATE approval_outbox SET next_attempt_at = ?, claims = claims + 1 WHERE history_id = ?",
                 (until, history_id))
    return True, row[0] > row[1]


def mark_post_sent(conn: sqlite3.Connection, history_id: int, delivered: str, now: str) -> None:
    conn.execute(
        "UPDATE approval_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, next_attempt_at = NULL, "
        "last_error = NULL, delivered = ? WHERE history_id = ? AND status = 'pending'",
        (now, delivered, history_id),
    )


def mark_post_failed(conn: sqlite3.Connection, history_id: int, delivered: str, error: str, next_at: str) -> None:
    conn.execute(
        "UPDATE approval_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, delivered = ? "
        "WHERE history_id = ? AND status = 'pending'",
        (next_at, error, delivered, history_id),
    )


def post_attempts(conn: sqlite3.Connection, history_id: int) -> int:
    row = conn.execute("SELECT attempts FROM approval_outbox WHERE history_id = ?", (history_id,)).fetchone()
    return row[0] if row else 0


def pending_posts(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM approval_outbox WHERE status = 'pending'").fetchone()[0]


# -- spend of a scope ------------------------------------------------------------

def scope_daily_spend(conn: sqlite3.Connection, column: str, scope: ScopeFilter, first: date, last: date) -> dict[str, float]:
    """day -> usage-based spend of the scope, for the days from ``first`` to ``last`` that have rows.

    Usage-based only (like run-rates and spikes): a one-time purchase inside
    the window must not read as a saving or an increase (credits and refunds
    are not usage either). ``column`` must be a
    whitelisted metric column (``CostFilter.column``).
    """
    if column not in ("amortized", "billed"):
        raise ValueError(f"unknown metric column {column!r}")
    clauses = ["day >= ?", "day <= ?", "charge_type = 'usage'"]
    params: list[object] = [first.isoformat(), last.isoformat()]
    for name in ("environment", "category", "service"):
        value = getattr(scope, name)
        if value is not None:
            clauses.append(f"{name} = ?")
            params.append(value)
    table = "cost_rollup"
    if scope.resource is not None:
        table = "cost_daily"  # only the facts know resources
        clauses.append("resource_id = ?")
        params.append(scope.resource)
    sql = f"SELECT day, SUM({column}) FROM {table} WHERE {' AND '.join(clauses)} GROUP BY day"
    return dict(conn.execute(sql, params).fetchall())


def days_with_costs(conn: sqlite3.Connection, first: date, last: date) -> set[str]:
    """Days from ``first`` to ``last`` that have any cost row (to tell a zero day from a missing one)."""
    rows = conn.execute("SELECT DISTINCT day FROM cost_rollup WHERE day >= ? AND day <= ?", (first.isoformat(), last.isoformat()))
    return {row[0] for row in rows}
