"""Verified savings: did an approved change show up in the bill?

For an item marked ``done`` on day D, with N = ``approvals.verify_days``:
before = the N days D-N .. D-1, after = the N days D+1 .. D+N (the day of the
change itself is mixed, so it counts in neither). Measurable once D+N is a
complete day (today > D+N) and the cache has rows on every day of both
windows. The scope's usage-based spend is averaged per day in each window;
the daily change times the days of D's month is the realised monthly saving
(or increase, for an item that is a spend increase), compared with the
item's expected monthly amount:

- ``landed``: at least 80 % of the expected amount was realised;
- ``partial``: at least 20 %, less than 80 %;
- ``not seen``: less than 20 % (including no change, or a move the other way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from finops_tui import calendar as cal
from finops_tui.analytics.rules import cents
from finops_tui.approvals.model import ApprovalItem
from finops_tui.approvals.scope import parse_scope
from finops_tui.config import Settings
from finops_tui.store import approvals as sql
from finops_tui.store.db import Store

LANDED_AT = 0.8
PARTIAL_AT = 0.2


@dataclass(frozen=True)
class Verification:
    item_id: int
    status: str  # waiting | no_data | measured
    done_on: str
    days: int
    before: tuple[str, str]  # first and last day
    after: tuple[str, str]
    ready_on: str  # the first day the measurement can be made
    before_daily: float | None = None
    after_daily: float | None = None
    realised_monthly: float | None = None  # positive: the change went the expected way
    expected_monthly: float | None = None
    realised_pct: float | None = None
    verdict: str | None = None  # landed | partial | not seen
    missing_days: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "done_on": self.done_on, "days": self.days,
                "before": {"first": self.before[0], "last": self.before[1], "daily": self.before_daily},
                "after": {"first": self.after[0], "last": self.after[1], "daily": self.after_daily},
                "ready_on": self.ready_on, "realised_monthly": self.realised_monthly,
                "expected_monthly": self.expected_monthly, "realised_pct": self.realised_pct, "verdict": self.verdict,
                "missing_days": list(self.missing_days)}


def verdict_of(ratio: float) -> str:
    if ratio >= LANDED_AT:
        return "landed"
    if ratio >= PARTIAL_AT:
        return "partial"
    return "not seen"


def verify(store: Store, settings: Settings, item: ApprovalItem, today: date) -> Verification | None:
    """The measurement of a done item as of ``today``; ``None`` when the item is not done."""
    done_text = item.done_on
    if done_text is None:
        return None
    done = date.fromisoformat(done_text)
    days = settings.approvals.verify_days
    before = (done - timedelta(days=days), done - timedelta(days=1))
    after = (done + timedelta(days=1), done + timedelta(days=days))
    base = dict(item_id=item.id, done_on=done_text, days=days, before=(before[0].isoformat(), before[1].isoformat()),
                after=(after[0].isoformat(), after[1].isoformat()), ready_on=(after[1] + timedelta(days=1)).isoformat())
    if today <= after[1]:
        return Verification(status="waiting", **base)
    conn = store.conn
    present = sql.days_with_costs(conn, before[0], after[1])
    wanted = [before[0] + timedelta(days=offset) for offset in range(days)]
    wanted += [after[0] + timedelta(days=offset) for offset in range(days)]
    missing = tuple(day.isoformat() for day in wanted if day.isoformat() not in present)
    if missing:
        return Verification(status="no_data", missing_days=missing, **base)
    scope = parse_scope(item.scope)
    column = "billed" if settings.metric == "billed" else "amortized"
    spend_before = sum(sql.scope_daily_spend(conn, column, scope, *before).values())
    spend_after = sum(sql.scope_daily_spend(conn, column, scope, *after).values())
    before_daily = spend_before / days
    after_daily = spend_after / days
    month_days = cal.days_in_month(done)
    change = (before_daily - after_daily) if item.direction == "saving" else (after_daily - before_daily)
    realised = change * month_days
    ratio = realised / item.monthly_amount if item.monthly_amount > 0 else 0.0
    return Verification(status="measured", before_daily=cents(before_daily), after_daily=cents(after_daily),
                        realised_monthly=cents(realised), expected_monthly=cents(item.monthly_amount),
                        realised_pct=round(ratio * 100, 1) + 0.0, verdict=verdict_of(round(ratio, 6)), **base)
