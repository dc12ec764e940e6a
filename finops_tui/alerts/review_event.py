"""The first-Monday message: on the first Monday of a month, once, the FinOps review of the month before.

``alerts run`` (and every run after a sync or import) asks :func:`review_events`;
on the first Monday (UTC, the command's clock) it builds the review of the last
complete month and returns one event keyed ``review:<YYYY-MM>`` (the reviewed
month), so it is recorded and delivered once to every alert channel however
often alerts run that day. Other days cost nothing: the review (and pandas) is
only computed on that Monday, and only until its event is recorded.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from finops_tui.alerts.events import AlertEvent
from finops_tui.analytics.rules import APPROVER_NAMES, approval_tier
from finops_tui.config import Settings
from finops_tui.money import usd
from finops_tui.store.db import Store

TOP_LEVERS = 3


def is_first_monday(day: date) -> bool:
    return day.weekday() == 0 and day.day <= 7


def review_key(month: str) -> str:
    return f"review:{month}"


def review_events(store: Store, settings: Settings, today: date, conn: sqlite3.Connection, *,
                  demo: bool = False) -> list[AlertEvent]:
    """[the review event] on the first Monday of a month when it is not recorded yet, else []."""
    from finops_tui.analytics.review import last_complete_month

    if not is_first_monday(today):
        return []
    month = last_complete_month(today)
    if conn.execute("SELECT 1 FROM alert_events WHERE key = ?", (review_key(month),)).fetchone():
        return []
    from finops_tui.analytics.review_build import compute_review

    review = compute_review(store, settings, today, month)
    return [review_event(review, settings, demo=demo)]


def review_event(review, settings: Settings, *, demo: bool = False) -> AlertEvent:  # noqa: ANN001 - a Review
    """The review as an alert event: its top levers and totals as ready-made lines."""
    from finops_tui.review_document import month_title

    levers = sorted(review.levers, key=lambda lever: (-lever.saving_low, lever.id))[:TOP_LEVERS]
    lines = [f"The FinOps review of {month_title(review.month)} is today (first Monday of the month): "
             f"{usd(review.saving_low)} - {usd(review.saving_high)} a month in potential savings from "
             f"{usd(review.usage_total)} of usage-based spend."]
    for lever in levers:
        high = "+" if lever.saving_high is None else f" - {usd(lever.saving_high)}"
        lines.append(f"{lever.name}: {usd(lever.saving_low)}{high} a month on a base of {usd(lever.base)} "
                     f"({APPROVER_NAMES[lever.approval]})")
    rs, cov, spot = review.rightsizing, review.coverage, review.spot
    lines.append(f"Right-sizing: {len(rs.items)} recommendation(s), {usd(rs.monthly_saving)} a month ({rs.source}).")
    coverage = "no commitment data" if cov.source == "none" else (
        f"Savings Plans {_pct(cov.savings_plans.coverage_pct)}, RIs {_pct(cov.reservations.coverage_pct)} ({cov.source})")
    lines.append(f"Coverage: {coverage}; {usd(cov.on_demand_eligible)} of eligible spend still on demand.")
    lines.append(f"Spot: {usd(spot.saving)} a month on {usd(spot.eligible)} of non-production on-demand EC2.")
    transfer = sum(t.cost for t in review.data_transfer)
    lines.append(f"Data transfer: {usd(transfer)} (" + ", ".join(f"{t.title} {usd(t.cost)}" for t in review.data_transfer) + ").")
    lines.append(f"The meeting document: finops-tui review --month {review.month}")
    return AlertEvent(
        key=review_key(review.month), kind="review", scope="review", month=review.month, level="review",
        as_of=review.as_of, data_through=review.last_day, amount=review.saving_low, reference=review.saving_high,
        pct=None, threshold_pct=0.0, approval_amount=review.saving_low,
        approval=approval_tier(review.saving_low, settings.approval), metric=review.metric, demo=demo,
        lines=tuple(lines),
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} %"


def review_headline(event: AlertEvent) -> str:
    from finops_tui.review_document import month_title

    return (f"FinOps review: {month_title(event.month)}: {usd(event.amount)} - {usd(event.reference)} a month in levers")
