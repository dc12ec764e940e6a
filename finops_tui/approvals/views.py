"""Plain-text views of the ledger for the CLI (and the order every front end lists items in)."""

from __future__ import annotations

from datetime import date

from finops_tui.approvals.messages import amount_text
from finops_tui.approvals.model import ApprovalItem
from finops_tui.approvals.scope import scope_label
from finops_tui.approvals.tiers import TIER_RANK, tier_name
from finops_tui.approvals.verify import Verification
from finops_tui.money import usd

STATE_ORDER = {"pending": 0, "approved": 1, "done": 2, "rejected": 3, "withdrawn": 4}


def ordered(items: list[ApprovalItem], today: date) -> list[ApprovalItem]:
    """Pending first, highest tier first, oldest first; then approved, done, rejected, withdrawn, newest first."""
    def key(item: ApprovalItem) -> tuple:
        if item.state == "pending":
            return (0, -TIER_RANK[item.tier], -item.age_days(today), item.id)
        return (STATE_ORDER[item.state], 0, 0, -item.id)
    return sorted(items, key=key)


def age_text(days: int) -> str:
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"


def list_lines(items: list[ApprovalItem], today: date) -> list[str]:
    lines = [f"{'id':>5}  {'state':<9} {'tier':<15} {'$/month':>12}  {'age':>8}  title"]
    for item in items:
        amount = ("-" if item.direction == "saving" else "+") + usd(item.monthly_amount)
        lines.append(f"{item.label:>5}  {item.state:<9} {tier_name(item.tier):<15} {amount:>12}  "
                     f"{age_text(item.age_days(today)):>8}  {item.title}")
    return lines


def verification_lines(check: Verification | None) -> list[str]:
    if check is None:
        return []
    window = f"{check.after[0]}..{check.after[1]} vs {check.before[0]}..{check.before[1]}"
    if check.status == "waiting":
        return [f"Verification: waiting for {check.days} complete days after the change ({window}); ready on {check.ready_on}."]
    if check.status == "no_data":
        shown = ", ".join(check.missing_days[:5]) + (" ..." if len(check.missing_days) > 5 else "")
        return [f"Verification: no cost data for {len(check.missing_days)} day(s) of {window}: {shown}."]
    return [
        f"Verification ({window}): {usd(check.before_daily)}/day before, {usd(check.after_daily)}/day after.",
        f"Realised: {usd(check.realised_monthly)}/month of {usd(check.expected_monthly)} expected "
        f"({check.realised_pct:.1f} %): {check.verdict}.",
    ]


def show_lines(item: ApprovalItem, check: Verification | None, today: date) -> list[str]:
    lines = [
        f"{item.label} {item.title}",
        f"  State:   {item.state} (since {item.state_at})",
        f"  Amount:  {amount_text(item)}",
        f"  Tier:    {tier_name(item.tier)}",
        f"  Scope:   {scope_label(item.scope)}",
        f"  Origin:  {item.origin}" + (f" ({item.origin_key})" if item.origin_key else ""),
        f"  Opened:  {item.created_on} ({age_text(item.age_days(today))} ago)" if item.age_days(today) else f"  Opened:  {item.created_on} (today)",
        "",
        "History:",
    ]
    for entry in item.history:
        who = f" by {entry.actor}" if entry.actor else ""
        note = f": {entry.note}" if entry.note else ""
        lines.append(f"  {entry.at}  {entry.action}{who}{note}")
    extra = verification_lines(check)
    if extra:
        lines += ["", *extra]
    return lines
