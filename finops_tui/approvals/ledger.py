"""The approval ledger: open items, decide them, read them back. Every decision is appended, never rewritten.

Writes go through ``Store.transaction`` (one small transaction each); the
current state is read inside the same transaction, so two people deciding at
once cannot both move the same item.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

from finops_tui.approvals.model import DIRECTIONS, TRANSITIONS, ApprovalItem, HistoryEntry
from finops_tui.approvals.scope import from_alert_scope, parse_scope, scope_text
from finops_tui.approvals.tiers import may_decide, tier_name, tier_of, who_may
from finops_tui.config import Settings
from finops_tui.errors import CacheError, InputError
from finops_tui.money import usd
from finops_tui.store import approvals as sql
from finops_tui.store.db import Store

TITLE_LIMIT = 200
NOTE_LIMIT = 1000
AMOUNT_LIMIT = 1e12
PAST_TENSE = {"approve": "approved", "reject": "rejected", "done": "marked done", "withdraw": "withdrawn"}


class ApprovalRefused(InputError):
    """A decision the ledger does not allow (wrong approver, wrong state); one line saying why."""


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _item(row: tuple, history: Iterable[tuple] = ()) -> ApprovalItem:
    entries = tuple(HistoryEntry(*entry) for entry in history)
    return ApprovalItem(*row, history=entries)


def load_items(conn: sqlite3.Connection, state: str | None = None) -> list[ApprovalItem]:
    """Every item (optionally in one state), oldest first, each with its history."""
    history: dict[int, list[tuple]] = {}
    for item_id, *entry in sql.all_history_rows(conn):
        history.setdefault(item_id, []).append(tuple(entry))
    return [_item(row, history.get(row[0], ())) for row in sql.item_rows(conn, state)]


def load_item(conn: sqlite3.Connection, item_id: int) -> ApprovalItem:
    row = sql.item_row(conn, item_id)
    if row is None:
        raise InputError(f"no approval item #{item_id}", "`finops-tui approvals list` shows them")
    return _item(row, sql.history_rows(conn, item_id))


@contextmanager
def _writing(store: Store) -> Iterator[sqlite3.Connection]:
    """A write transaction whose SQLite failures read as one sentence (nothing is written when it fails)."""
    try:
        with store.transaction() as conn:
            yield conn
    except sqlite3.OperationalError as error:
        text = str(error).lower()
        if "readonly" in text or "read-only" in text or "query_only" in text:
            raise CacheError(f"{store.path} is read-only: nothing was recorded") from None
        if "locked" in text or "busy" in text:
            raise CacheError(f"{store.path} is locked by another process: nothing was recorded", "try again in a moment") from None
        raise


def parse_item_id(text: str) -> int:
    cleaned = text.strip().removeprefix("#")
    if not cleaned.isdigit() or int(cleaned) < 1:
        raise InputError(f"{text!r} is not an approval item id (a number such as 12 or #12)")
    return int(cleaned)


def printable(text: str) -> str:
    """Outside text as one printable line: control characters become spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _text(value: str, what: str, limit: int, *, required: bool) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise InputError(f"{what} must not be empty")
    if not cleaned.isprintable():
        raise InputError(f"{what} must be one line of printable text")
    if len(cleaned) > limit:
        raise InputError(f"{what} is longer than {limit} characters")
    return cleaned


def check_amount(amount: float) -> float:
    if not math.isfinite(amount) or amount <= 0 or amount > AMOUNT_LIMIT:
        raise InputError(f"the monthly amount must be a positive number of dollars up to {AMOUNT_LIMIT:g}, not {amount:g}")
    return float(amount)


def propose(store: Store, settings: Settings, *, title: str, amount: float, direction: str, scope: str,
            now: datetime, today: date, origin: str = "manual", origin_key: str | None = None,
            actor: str = "", note: str = "", posted_by: str | None = None) -> ApprovalItem | None:
    """Open a pending item; ``None`` when ``origin_key`` already has one (one item per key, ever).

    ``posted_by``: the message that already announces the new item (see ``open_from_events``).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}")
    title = _text(title, "the title", TITLE_LIMIT, required=True)
    note = _text(note, "the note", NOTE_LIMIT, required=False)
    actor = _text(actor, "the name", TITLE_LIMIT, required=False)
    amount = check_amount(amount)
    canonical = scope_text(parse_scope(scope, settings.environments.aliases))
    with _writing(store) as conn:
        item_id = sql.insert_item(conn, origin=origin, origin_key=origin_key, title=title, scope=canonical,
                                  direction=direction, monthly_amount=amount, tier=tier_of(amount, settings),
                                  created_at=iso(now), created_on=today.isoformat())
        if item_id is None:
            return None
        sql.append_history(conn, item_id, action="opened", state="pending", actor=actor, note=note, at=iso(now),
                           on_day=today.isoformat(), posted_by=posted_by)
    return load_item(store.conn, item_id)


def decide(store: Store, settings: Settings, item_id: int, action: str, *, by: str = "", note: str = "",
           now: datetime, today: date) -> ApprovalItem:
    """Append ``action`` (approve | reject | done | withdraw) to the item's history, or refuse in one line."""
    target, allowed_from = TRANSITIONS[action]
    by = _text(by, "the name (--by)", TITLE_LIMIT, required=action in ("approve", "reject"))
    note = _text(note, "the note (--note)", NOTE_LIMIT, required=action == "reject")
    with _writing(store) as conn:
        row = sql.item_row(conn, item_id)
        if row is None:
            raise InputError(f"no approval item #{item_id}", "`finops-tui approvals list` shows them")
        item = _item(row)
        if item.state not in allowed_from:
            starts = " or ".join(allowed_from)
            article = "an" if starts[0] in "aeiou" else "a"
            raise ApprovalRefused(f"#{item_id} is {item.state}: only {article} {starts} item can be {PAST_TENSE[action]}")
        if action in ("approve", "reject") and not may_decide(by, item.tier, settings.approvals.approvers):
            allowed = who_may(item.tier, settings.approvals.approvers)
            what = f"#{item_id} ({tier_name(item.tier)}, {usd(item.monthly_amount)}/month)"
            if not allowed:
                raise ApprovalRefused(f"{by} may not {action} {what}: nobody is named for {tier_name(item.tier)} or above "
                                      f"in [approvals.approvers] of the config")
            raise ApprovalRefused(f"{by} may not {action} {what}: only {allowed} may")
        sql.append_history(conn, item_id, action=target if action != "done" else "done", state=target, actor=by,
                           note=note, at=iso(now), on_day=today.isoformat())
    return load_item(store.conn, item_id)


APPROVABLE_KINDS = ("spike", "one_time", "budget", "forecast")


def has_own_channel(settings: Settings, tier: str) -> bool:
    channel = getattr(settings.approvals.channels, tier)
    return channel is not None and bool(channel.get_secret_value())


def open_from_events(store: Store, settings: Settings, events: Iterable[object], now: datetime,
                     today: date) -> list[ApprovalItem]:
    """One pending item per alert event that carries an amount to approve, keyed by the event's key.

    Events are ``AlertEvent`` (spike: the monthly increase; one-time charge:
    its amount; budget and forecast: the projected overrun). An event without
    a positive amount opens nothing; a key that already has an item opens
    nothing again, however often alerts run.

    Announcing it: a tier with its own channel (``[approvals.channels]``) gets
    an "approval needed" post. A tier that falls back to the alert channels
    does not get a second message there: the alert itself names the approver,
    the monthly amount and the key, so it is the item's announcement (sent,
    retried or snoozed with the alert). Decisions are always posted.
    """
    from finops_tui.alerts.messages import headline

    opened = []
    for event in events:
        amount = getattr(event, "approval_amount", None)
        if getattr(event, "kind", None) not in APPROVABLE_KINDS or amount is None or not amount > 0:
            continue
        scope = from_alert_scope(event.scope, getattr(event, "service", None) if event.kind == "one_time" else None)
        title = printable(f"{headline(event)} ({usd(amount)}/month)")[:TITLE_LIMIT]
        item = propose(store, settings, title=title, amount=min(amount, AMOUNT_LIMIT), direction="increase",
                       scope=scope_text(scope), now=now, today=today, origin="alert", origin_key=event.key,
                       posted_by=None if has_own_channel(settings, tier_of(amount, settings)) else f"alert {event.key}")
        if item is not None:
            opened.append(item)
    return opened
