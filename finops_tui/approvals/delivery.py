"""Posting approval items and decisions to the tier's channels, once each.

Every history entry (a new item, each decision) is queued in
``approval_outbox`` in the same transaction that appends it, and posted by
:func:`deliver_due` with the alert ledger's guarantees: a post is claimed
before sending (a concurrent run skips it), a channel that took it is never
sent it again, a failure keeps it pending with backoff, and errors never
contain a webhook URL.

Channels per tier: ``[approvals.channels] <tier>`` (a Slack incoming webhook)
when set, else the alert channels (Slack, JSON webhook, and stdout when asked
for or when nothing else is configured and a terminal is given).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TextIO

from finops_tui.alerts.delivery import Channel, DeliveryError, post_json, redact, secrets_of, with_repeat_note
from finops_tui.alerts.state import backoff_minutes
from finops_tui.approvals import messages
from finops_tui.approvals.ledger import iso, load_item
from finops_tui.approvals.model import ApprovalItem, HistoryEntry
from finops_tui.config import APPROVAL_TIERS, Settings
from finops_tui.store import approvals as sql
from finops_tui.store.db import Store

Post = tuple[ApprovalItem, HistoryEntry]


@dataclass
class ApprovalDeliveryResult:
    sent: int = 0  # posts fully delivered this run
    failed: int = 0  # posts whose delivery failed this run; they stay pending
    pending: int = 0  # posts still waiting after this run
    errors: list[str] = field(default_factory=list)  # safe to show: never a webhook URL


def tier_secrets(settings: Settings) -> list[str]:
    channels = settings.approvals.channels
    own = [getattr(channels, tier).get_secret_value() for tier in APPROVAL_TIERS if getattr(channels, tier) is not None]
    return own + secrets_of(settings)


def channels_for_tier(settings: Settings, tier: str, out: TextIO | None, *,
                      possible_repeat: bool = False) -> list[Channel]:
    """The tier's own Slack webhook, or else the alert channels; each ``send`` takes an (item, entry) pair.

    ``possible_repeat``: an earlier delivery was interrupted, so every message says it may be a repeat.
    """
    timeout = settings.alerts.timeout_seconds

    def slack(post: Post) -> dict:
        body = messages.slack_message(*post)
        return with_repeat_note(body, "slack") if possible_repeat else body

    def webhook(post: Post) -> dict:
        body = messages.webhook_message(*post)
        return with_repeat_note(body, "webhook") if possible_repeat else body

    own = getattr(settings.approvals.channels, tier)
    if own is not None and own.get_secret_value():
        url = own.get_secret_value()
        label = f"Slack webhook for {tier}"
        return [Channel(f"slack:{tier}", label, lambda post: post_json(url, slack(post), label=label,
                                                                         timeout=timeout))]
    alerts = settings.alerts
    found: list[Channel] = []
    if alerts.slack_webhook is not None and alerts.slack_webhook.get_secret_value():
        slack_url = alerts.slack_webhook.get_secret_value()
        found.append(Channel("slack", "Slack webhook", lambda post: post_json(
            slack_url, slack(post), label="Slack webhook", timeout=timeout)))
    if alerts.webhook_url is not None and alerts.webhook_url.get_secret_value():
        hook_url = alerts.webhook_url.get_secret_value()
        found.append(Channel("webhook", "JSON webhook", lambda post: post_json(
            hook_url, webhook(post), label="JSON webhook", timeout=timeout)))
    if out is not None and (alerts.stdout or not found):
        found.append(Channel("stdout", "stdout", lambda post: _print(out, post, possible_repeat)))
    return found


def _print(out: TextIO, post: Post, possible_repeat: bool = False) -> None:
    try:
        print(("(possible repeat) " if possible_repeat else "") + messages.text_message(*post), file=out, flush=True)
        print(file=out)
    except OSError as error:
        raise DeliveryError(f"stdout could not be written: {error.strerror or type(error).__name__}") from None


def deliver_due(store: Store, settings: Settings, now: datetime, out: TextIO | None) -> ApprovalDeliveryResult:
    """Post every due queued entry to its item's tier channels; never raises for a delivery failure.

    ``now`` is the real time (``Clock.wall_now``): what is due, claims and backoff compare with it.

    ``out=None`` (the console) means no stdout channel: with no webhook at all
    the posts stay queued for the next ``alerts run``.
    """
    result = ApprovalDeliveryResult()
    conn = store.conn
    secrets = tier_secrets(settings)
    broken: dict[str, str] = {}  # channel -> its error in this run
    for history_id, item_id, delivered_json, _attempts in sql.outbox_due(conn, iso(now)):
        item = load_item(conn, item_id)
        entry = next(entry for entry in item.history if entry.id == history_id)
        channels = channels_for_tier(settings, item.tier, out)
        if not channels:
            continue
        lease = timedelta(seconds=len(channels) * settings.alerts.timeout_seconds + 60)
        with store.transaction() as write:
            taken, possible_repeat = sql.claim_post(write, history_id, iso(now), iso(now + lease))
        if not taken:
            continue  # another run is posting it
        if possible_repeat:
            channels = channels_for_tier(settings, item.tier, out, possible_repeat=True)
        delivered = set(json.loads(delivered_json))
        failures: list[str] = []
        for channel in channels:
            if channel.name in delivered:
                continue
            if channel.name in broken:
                failures.append(broken[channel.name])
                continue
            try:
                channel.send((item, entry))
            except DeliveryError as error:
                broken[channel.name] = redact(str(error), secrets)
                failures.append(broken[channel.name])
            else:
                delivered.add(channel.name)
        with store.transaction() as write:
            if failures:
                attempts = sql.post_attempts(write, history_id) + 1
                next_at = now + timedelta(minutes=backoff_minutes(attempts, settings.alerts.max_backoff_minutes))
                message = "; ".join(failures)
                sql.mark_post_failed(write, history_id, json.dumps(sorted(delivered)), message, iso(next_at))
                result.failed += 1
                result.errors.append(f"approval {item.label} ({entry.action}): {message}")
            else:
                sql.mark_post_sent(write, history_id, json.dumps(sorted(delivered)), iso(now))
                result.sent += 1
    result.pending = sql.pending_posts(conn)
    return result
