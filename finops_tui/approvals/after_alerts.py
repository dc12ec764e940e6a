"""The one call the alerts runner makes: open items for the run's new events, then post what is due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TextIO

from finops_tui.approvals.delivery import ApprovalDeliveryResult, deliver_due
from finops_tui.approvals.ledger import open_from_events
from finops_tui.config import Settings
from finops_tui.store.db import Store


def approvals_after_alerts(store: Store, settings: Settings, new_events: Iterable[object], *, now: datetime,
                           today: date, out: TextIO | None,
                           wall_now: datetime | None = None) -> tuple[int, ApprovalDeliveryResult]:
    """(items opened, what delivery did). Items open even for a snoozed scope: a snooze silences alerts, not approvals.

    Items are stamped with the command's ``now``; delivery (due, claim, backoff) follows the real ``wall_now``,
    as the alerts' own does, so a claim expires even under a fixed ``--today``.
    """
    opened = open_from_events(store, settings, new_events, now, today)
    return len(opened), deliver_due(store, settings, wall_now or now, out)
