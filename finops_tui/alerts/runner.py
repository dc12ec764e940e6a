"""One alerts run: evaluate new events, record them, deliver what is due.

Called by ``finops-tui alerts run`` and after every sync or import. Delivery
happens outside any write transaction (a slow webhook never holds the cache
locked); each event's outcome is then written in its own small transaction.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, TextIO

from finops_tui.alerts import state
from finops_tui.alerts.delivery import Channel, DeliveryError, configured_channels, redact, secrets_of
from finops_tui.alerts.events import AlertEvent, evaluate
from finops_tui.alerts.messages import headline, text_message
from finops_tui.analytics.snapshot import build_snapshot
from finops_tui.config import Settings
from finops_tui.store.db import Store


class ClockLike(Protocol):
    """What a run needs of a clock (``finops_tui.clock.Clock`` fits)."""

    @property
    def today(self) -> date: ...

    def now(self) -> datetime: ...

    def wall_now(self) -> datetime: ...


@dataclass
class AlertRunResult:
    """What a run did. ``errors`` are safe to show (they never contain a webhook URL)."""

    new: int = 0  # events found and recorded this run (in a dry run: that would be recorded)
    sent: int = 0  # events fully delivered this run (in a dry run: that would be sent)
    failed: int = 0  # events whose delivery failed this run; they stay pending
    suppressed: int = 0  # events not sent because their scope is snoozed
    pending: int = 0  # events still waiting after this run (failed, or not yet due)
    dry_run: bool = False
    errors: list[str] = field(default_factory=list)
    next_attempt_at: str | None = None  # earliest retry of a failed event
    approvals_opened: int = 0  # approval items opened for this run's new events (finops_tui.approvals)
    approval_posts: int = 0  # approval items and decisions posted this run
    approval_failed: int = 0  # approval posts whose delivery failed this run; retried by the next run

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.approval_failed == 0


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def run_alerts(store: Store, settings: Settings, clock: ClockLike, *, dry_run: bool = False,
               out: TextIO | None = sys.stdout) -> AlertRunResult:
    """Evaluate new events, record them, deliver pending ones that are due, and return the counts.

    ``out`` is the stdout channel (and where a dry run prints). Pass ``None``
    from the console: no stdout channel, so with no webhook configured the
    events are recorded and stay pending for the next ``alerts run``.

    Never raises for a delivery failure: the event stays pending with its
    attempt counted and a later ``next_attempt_at`` (exponential backoff).
    ``dry_run`` prints what would be sent and writes nothing.

    Figures, snoozes and stamps follow the clock's ``now()``; retry backoff and
    delivery claims follow ``wall_now()``, the real time every other process
    compares them with, even when the day is fixed.
    """
    now = _utc(clock.now())
    wall = _utc(clock.wall_now())
    with store.read():
        snapshot = build_snapshot(store, settings, clock.today, now=now)
        conn = store.conn
        new_events = evaluate(snapshot, settings, conn)
        from finops_tui.alerts.review_event import review_events  # the first-Monday review message

        new_events += review_events(store, settings, clock.today, conn, demo=snapshot.is_demo)
    snoozes = state.active_snoozes(conn, now)
    result = AlertRunResult(dry_run=dry_run)
    channels = configured_channels(settings, out)
    if dry_run:
        return _dry_run(new_events, state.due(conn, wall), snoozes, channels, result, out or sys.stdout)

    with store.transaction() as write:
        for event in new_events:
            snoozed = state.is_snoozed(event.scope, snoozes)
            if state.record(write, event, "snoozed" if snoozed else "pending", now):
                result.new += 1
                result.suppressed += int(snoozed)

    if not channels:
        result.pending = state.pending_count(conn)
        return _approvals(store, settings, clock, new_events, now, out, result)
    secrets = secrets_of(settings)
    # A send takes at most connect + read, each bounded by the timeout; then a margin.
    lease = timedelta(seconds=len(channels) * 2 * settings.alerts.timeout_seconds + 5)
    broken: dict[str, str] = {}  # channel -> its error in this run
    for pending in state.due(conn, wall):
        event = pending.event
        if state.is_snoozed(event.scope, snoozes):
            state.mark_snoozed(store, event.key)
            result.suppressed += 1
            continue
        claimed = state.claim(store, event.key, wall, lease, wall)
        if not claimed.taken:
            continue  # another run is delivering it
        delivered = set(pending.delivered)
        failures: list[str] = []
        for channel in channels:
            if channel.name in delivered:
                continue
            if channel.name in broken:  # it failed for an earlier event of this run: don't wait on it again
                failures.append(broken[channel.name])
                continue
            try:
                channel.send(event, possible_repeat=claimed.possible_repeat)
            except DeliveryError as error:
                broken[channel.name] = redact(str(error), secrets)
                failures.append(broken[channel.name])
            else:
                delivered.add(channel.name)
        if failures:
            message = "; ".join(failures)
            next_at = state.mark_failed(store, event, frozenset(delivered), message, wall, settings.alerts.max_backoff_minutes)
            result.failed += 1
            result.errors.append(f"{event.key}: {message}")
            next_iso = state.iso(next_at)
            result.next_attempt_at = min(filter(None, (result.next_attempt_at, next_iso)))
        else:
            state.mark_sent(store, event, frozenset(delivered), now)
            result.sent += 1
    result.pending = state.pending_count(conn)
    return _approvals(store, settings, clock, new_events, now, out, result)


def _approvals(store: Store, settings: Settings, clock: ClockLike, new_events: list[AlertEvent], now: datetime,
               out: TextIO | None, result: AlertRunResult) -> AlertRunResult:
    """Approval items for the new events, and their posts (finops_tui.approvals): after the alerts themselves."""
    from finops_tui.approvals.after_alerts import approvals_after_alerts

    result.approvals_opened, delivery = approvals_after_alerts(store, settings, new_events, now=now, today=clock.today, out=out,
                                                                wall_now=_utc(clock.wall_now()))
    result.approval_posts = delivery.sent
    result.approval_failed = delivery.failed
    result.errors += delivery.errors
    return result


def _dry_run(new_events: list[AlertEvent], due: list[state.PendingEvent], snoozes: dict[str, str],
             channels: list[Channel], result: AlertRunResult, out: TextIO) -> AlertRunResult:
    """Print what a real run would send, and to where; record nothing."""
    would_send: list[tuple[AlertEvent, list[str], str]] = []
    for event in new_events:
        result.new += 1
        if state.is_snoozed(event.scope, snoozes):
            result.suppressed += 1
            print(f"Would record, but not send (scope {event.scope} is snoozed): {headline(event)}", file=out)
            continue
        would_send.append((event, [c.label for c in channels], "new"))
    for pending in due:
        if state.is_snoozed(pending.event.scope, snoozes):
            result.suppressed += 1
            print(f"Would mark snoozed, not send (scope {pending.event.scope} is snoozed): {headline(pending.event)}", file=out)
            continue
        labels = [c.label for c in channels if c.name not in pending.delivered]
        would_send.append((pending.event, labels, f"retry after {pending.attempts} failed attempt(s)"))
    result.sent = len(would_send)
    if not would_send:
        print("Dry run: no alert would be sent.", file=out)
    for event, labels, why in would_send:
        print(f"Dry run: would send to {', '.join(labels)} ({why}):", file=out)
        print(text_message(event), file=out)
        print(file=out)
    return result
