"""The alert ledger in the cache: recorded events, delivery attempts with backoff, snoozes.

``alert_events.status``: ``pending`` (to send, or retrying), ``sent``,
``acknowledged`` (from the console: never sent), ``snoozed`` (its scope was
snoozed when it happened or when it was due: never sent). A pending event's
``payload`` holds the event and the channels that already took it, so a retry
only goes to the channels that failed.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from finops_tui.alerts.events import AlertEvent
from finops_tui.config import CATEGORIES, ENVIRONMENTS
from finops_tui.errors import InputError
from finops_tui.store.db import Store

FIRST_RETRY_MINUTES = 5.0
ALL_SCOPES = "all"


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def backoff_minutes(attempts: int, max_minutes: float) -> float:
    """Wait before the next try after ``attempts`` failures: 5, 10, 20, ... minutes, capped."""
    return min(max_minutes, FIRST_RETRY_MINUTES * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class PendingEvent:
    event: AlertEvent
    attempts: int
    delivered: frozenset[str]


def record(conn: sqlite3.Connection, event: AlertEvent, status: str, now: datetime) -> bool:
    """Record a new event (inside the caller's transaction); False when its key is already there."""
    cursor = conn.execute(
        "INSERT INTO alert_events (key, kind, scope, month, payload, created_at, status) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(key) DO NOTHING",
        (event.key, event.kind, event.scope, event.month, _payload(event, frozenset()), iso(now), status),
    )
    return cursor.rowcount == 1


def _payload(event: AlertEvent, delivered: frozenset[str]) -> str:
    return json.dumps({"event": event.to_json(), "delivered": sorted(delivered)}, sort_keys=True)


def due(conn: sqlite3.Connection, now: datetime) -> list[PendingEvent]:
    """Pending events whose next attempt is due, oldest first."""
    rows = conn.execute(
        "SELECT payload, attempts FROM alert_events WHERE status = 'pending' "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY created_at, key",
        (iso(now),),
    ).fetchall()
    pending = []
    for payload, attempts in rows:
        data = json.loads(payload)
        pending.append(PendingEvent(AlertEvent.from_json(data["event"]), attempts, frozenset(data.get("delivered", []))))
    return pending


@dataclass(frozen=True)
class Claim:
    taken: bool
    possible_repeat: bool  # an earlier claim was never marked: that run died after (or while) sending


def claim(store: Store, key: str, now: datetime, lease: timedelta, wall_now: datetime | None = None) -> Claim:
    """Take a due pending event for this run (so a concurrent run skips it).

    Delivery is at-least-once with the smallest window: claim (a commit),
    send, mark (a commit). The lease is how long the send may take, measured
    in real time (``wall_now``), never the command's clock: under a fixed
    ``--today`` that clock stands still and a claim would never expire. When
    this process dies mid-send the claim expires, the event is retried, and
    the retry says it may be a repeat.
    """
    wall = wall_now or now
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT claimed_until FROM alert_events WHERE key = ? AND status = 'pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (claimed_until IS NULL OR claimed_until <= ?)",
            (key, iso(now), iso(wall)),
        ).fetchone()
        if row is None:
            return Claim(False, False)
        conn.execute("UPDATE alert_events SET claimed_until = ?, claims = claims + 1 WHERE key = ?", (iso(wall + lease), key))
    return Claim(True, row[0] is not None)


def pending_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM alert_events WHERE status = 'pending'").fetchone()[0]


def mark_sent(store: Store, event: AlertEvent, delivered: frozenset[str], now: datetime) -> None:
    with store.transaction() as conn:
        conn.execute(
            "UPDATE alert_events SET status = 'sent', sent_at = ?, attempts = attempts + 1, next_attempt_at = NULL, "
            "claimed_until = NULL, last_error = NULL, payload = ? WHERE key = ? AND status = 'pending'",
            (iso(now), _payload(event, delivered), event.key),
        )


def mark_failed(store: Store, event: AlertEvent, delivered: frozenset[str], error: str, now: datetime,
                max_backoff_minutes: float) -> datetime:
    """Keep the event pending, count the attempt, and set when to try again; returns that moment."""
    from finops_tui.outside_text import redact

    error = redact(error)  # never a webhook URL in the cache
    with store.transaction() as conn:
        row = conn.execute("SELECT attempts FROM alert_events WHERE key = ?", (event.key,)).fetchone()
        attempts = (row[0] if row else 0) + 1
        next_at = now + timedelta(minutes=backoff_minutes(attempts, max_backoff_minutes))
        conn.execute(
            "UPDATE alert_events SET attempts = ?, next_attempt_at = ?, claimed_until = NULL, last_error = ?, payload = ? "
            "WHERE key = ? AND status = 'pending'",
            (attempts, iso(next_at), error, _payload(event, delivered), event.key),
        )
    return next_at


def mark_snoozed(store: Store, key: str) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE alert_events SET status = 'snoozed', next_attempt_at = NULL WHERE key = ? AND status = 'pending'", (key,))


# -- snoozes ---------------------------------------------------------------

def normalize_scope(text: str, aliases: dict[str, list[str]] | None = None) -> str:
    """A scope as events name it: ``all``, ``total``, an environment (or alias), or ``category:NAME``; else ``InputError``."""
    cleaned = text.strip()
    lowered = cleaned.lower()
    if lowered in (ALL_SCOPES, "total", *ENVIRONMENTS):
        return lowered
    for environment, names in (aliases or {}).items():
        if lowered in (name.lower() for name in names):
            return environment
    if lowered.startswith("category:"):
        wanted = lowered.removeprefix("category:")
        for category in CATEGORIES:
            if category.lower() == wanted:
                return f"category:{category}"
    known = ", ".join([ALL_SCOPES, "total", *ENVIRONMENTS, *(f"category:{c}" for c in CATEGORIES)])
    raise InputError(f"unknown alert scope {cleaned!r}; expected one of {known}")


def active_snoozes(conn: sqlite3.Connection, now: datetime) -> dict[str, str]:
    """scope -> until (ISO-8601 UTC) for snoozes still in force."""
    return dict(conn.execute("SELECT scope, until FROM alert_snoozes WHERE until > ? ORDER BY scope", (iso(now),)).fetchall())


def is_snoozed(scope: str, snoozes: dict[str, str]) -> bool:
    return scope in snoozes or ALL_SCOPES in snoozes


def snooze(store: Store, scope: str, until: datetime) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO alert_snoozes (scope, until) VALUES (?, ?) ON CONFLICT(scope) DO UPDATE SET until = excluded.until",
            (scope, iso(until)),
        )


def unsnooze(store: Store, scope: str) -> bool:
    with store.transaction() as conn:
        return conn.execute("DELETE FROM alert_snoozes WHERE scope = ?", (scope,)).rowcount == 1


def recent_events(conn: sqlite3.Connection, limit: int = 50) -> list[tuple]:
    """(key, status, attempts, created_at, sent_at, next_attempt_at, last_error), newest first."""
    return conn.execute(
        "SELECT key, status, attempts, created_at, sent_at, next_attempt_at, last_error FROM alert_events "
        "ORDER BY created_at DESC, key LIMIT ?",
        (limit,),
    ).fetchall()
