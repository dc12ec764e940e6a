"""The approvals section of the monthly report and the review: opened, decided, pending by tier, realised savings.

Pending is as of the month's last day for a closed month (replaying each
item's history), as of today for the current one; ages count to that day.
Realised savings are the done items whose verification could be measured by
then (see ``verify``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from finops_tui import calendar as cal
from finops_tui.analytics.rules import cents
from finops_tui.approvals.ledger import load_items
from finops_tui.approvals.model import ApprovalItem
from finops_tui.approvals.tiers import tier_name
from finops_tui.approvals.verify import verify
from finops_tui.config import APPROVAL_TIERS, Settings
from finops_tui.money import usd
from finops_tui.store.db import Store


@dataclass(frozen=True)
class TierPending:
    tier: str
    count: int
    monthly_amount: float
    oldest_days: int | None
    ages: tuple[int, ...]  # every pending item's age in days, oldest first


@dataclass(frozen=True)
class VerifiedSaving:
    id: int
    title: str
    direction: str
    expected_monthly: float
    realised_monthly: float
    verdict: str


@dataclass(frozen=True)
class ApprovalsSummary:
    month: str
    as_of: str
    opened: int
    approved: int
    rejected: int
    done: int
    withdrawn: int
    pending: tuple[TierPending, ...]
    verified: tuple[VerifiedSaving, ...]

    @property
    def realised_savings(self) -> float:
        return cents(sum(v.realised_monthly for v in self.verified if v.direction == "saving"))

    @property
    def expected_savings(self) -> float:
        return cents(sum(v.expected_monthly for v in self.verified if v.direction == "saving"))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["realised_savings"] = self.realised_savings
        data["expected_savings"] = self.expected_savings
        return data


def _state_on(item: ApprovalItem, day: str) -> str | None:
    state = None
    for entry in item.history:
        if entry.on_day <= day:
            state = entry.state
    return state


def approvals_summary(store: Store, settings: Settings, month: str, today: date) -> ApprovalsSummary:
    year, number = int(month[:4]), int(month[5:7])
    first = date(year, number, 1)
    last = cal.month_end(first)
    as_of = min(today, last)
    items = load_items(store.conn)
    counts = dict.fromkeys(("opened", "approved", "rejected", "done", "withdrawn"), 0)
    for item in items:
        for entry in item.history:
            if first.isoformat() <= entry.on_day <= last.isoformat() and entry.action in counts:
                counts[entry.action] += 1
    pending = []
    for tier in APPROVAL_TIERS:
        waiting = [item for item in items if item.tier == tier and _state_on(item, as_of.isoformat()) == "pending"]
        ages = tuple(sorted((item.age_days(as_of) for item in waiting), reverse=True))
        pending.append(TierPending(tier, len(waiting), cents(sum(item.monthly_amount for item in waiting)),
                                   ages[0] if ages else None, ages))
    seen_from = today if today <= last else last + timedelta(days=1)  # a closed month: its last day is complete
    verified = []
    for item in items:
        if _state_on(item, as_of.isoformat()) != "done":
            continue
        check = verify(store, settings, item, seen_from)
        if check is not None and check.status == "measured" and check.realised_monthly is not None:
            verified.append(VerifiedSaving(item.id, item.title, item.direction, check.expected_monthly or 0.0,
                                           check.realised_monthly, check.verdict or ""))
    return ApprovalsSummary(month, as_of.isoformat(), pending=tuple(pending), verified=tuple(verified), **counts)


def markdown_lines(summary: ApprovalsSummary) -> list[str]:
    """The section as Markdown (a heading, counts, a pending table, realised savings)."""
    out = ["## Approvals", "",
           f"In {summary.month}: {summary.opened} opened, {summary.approved} approved, {summary.rejected} rejected, "
           f"{summary.done} done, {summary.withdrawn} withdrawn.", ""]
    out += [f"Pending as of {summary.as_of}:", "",
            "| Tier | Pending | $/month | Oldest | Ages (days) |", "|:--|--:|--:|--:|:--|"]
    for line in summary.pending:
        oldest = "-" if line.oldest_days is None else f"{line.oldest_days} d"
        ages = ", ".join(str(age) for age in line.ages) or "-"
        out.append(f"| {tier_name(line.tier)} | {line.count} | {usd(line.monthly_amount)} | {oldest} | {ages} |")
    out += ["", "Realised savings (done items measured over `approvals.verify_days` days after the change):", ""]
    if not summary.verified:
        out.append("No done item could be measured yet.")
        return out
    out += ["| # | Item | Expected | Realised | Verdict |", "|--:|:--|--:|--:|:--|"]
    for v in summary.verified:
        kind = "" if v.direction == "saving" else " (increase)"
        title = v.title.replace("|", "\\|")
        out.append(f"| {v.id} | {title}{kind} | {usd(v.expected_monthly)} | {usd(v.realised_monthly)} | {v.verdict} |")
    out += ["", f"Savings realised: {usd(summary.realised_savings)} a month of {usd(summary.expected_savings)} expected."]
    return out


def csv_rows(summary: ApprovalsSummary) -> list[dict[str, Any]]:
    """Rows for the report's CSV: section ``approvals`` (counts, pending per tier) and ``approval_saving``."""
    rows: list[dict[str, Any]] = [
        {"section": "approvals", "name": name, "amount": getattr(summary, name)}
        for name in ("opened", "approved", "rejected", "done", "withdrawn")
    ]
    rows += [{"section": "approvals_pending", "name": line.tier, "amount": line.monthly_amount,
              "detail": f"{line.count} pending; ages {' '.join(str(a) for a in line.ages)}".rstrip()}
             for line in summary.pending]
    rows += [{"section": "approval_saving", "name": f"#{v.id}", "amount": v.realised_monthly, "budget": v.expected_monthly,
              "level": v.verdict, "detail": v.title} for v in summary.verified]
    return rows
