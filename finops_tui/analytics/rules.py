"""The framework's decision rules: budget levels, approval tiers, spikes. Pure functions."""

from __future__ import annotations

from finops_tui.config import Approval, Spikes, Thresholds

LEVELS = ("ok", "warning", "critical", "hard_limit")
LEVEL_RANK = {name: rank for rank, name in enumerate(LEVELS)}


def cents(amount: float) -> float:
    """Money as users see it: rounded to the cent (and never -0.0)."""
    return round(amount, 2) + 0.0


def percent(part: float, whole: float) -> float | None:
    return None if whole == 0 else part / whole * 100.0


def budget_level(amount: float | None, budget: float, thresholds: Thresholds) -> str | None:
    """ok / warning / critical / hard_limit for an amount against a budget; >= each threshold.

    Compared on cents, so exactly 80 % of the budget is a warning whatever the
    float sum underneath looked like.
    """
    if amount is None:
        return None
    amount_cents = round(amount * 100)
    budget_cents = round(budget * 100)
    if budget_cents <= 0:
        return "hard_limit" if amount_cents > 0 else "ok"
    # amount/budget*100 >= threshold  <=>  amount*100 >= threshold*budget, in integers of cents.
    scaled = amount_cents * 100
    if scaled >= thresholds.hard_limit * budget_cents:
        return "hard_limit"
    if scaled >= thresholds.critical * budget_cents:
        return "critical"
    if scaled >= thresholds.warning * budget_cents:
        return "warning"
    return "ok"


def worst_level(levels: list[str | None]) -> str:
    present = [level for level in levels if level]
    return max(present, key=LEVEL_RANK.__getitem__) if present else "ok"


def approval_tier(monthly_amount: float, approval: Approval) -> str:
    """< $500 team lead; $500 to $5,000 inclusive VP Engineering; above, CTO/CFO."""
    amount = round(monthly_amount, 2)
    if amount < approval.team_lead_below:
        return "team_lead"
    if amount <= approval.cto_cfo_above:
        return "vp_engineering"
    return "cto_cfo"


LEVEL_NAMES = {"ok": "OK", "warning": "Warning", "critical": "Critical", "hard_limit": "Hard limit"}
APPROVER_NAMES = {"team_lead": "Team Lead", "vp_engineering": "VP Engineering", "cto_cfo": "CTO/CFO"}


def is_spike(previous: float, current: float, spikes: Spikes) -> bool:
    """More than ``threshold_pct`` above the day before (strictly), from any positive base, by at least ``min_delta``."""
    if previous <= 0:
        return False
    previous_cents = round(previous * 100)
    current_cents = round(current * 100)
    if previous_cents == 0:  # under half a cent the day before: any rise of a cent is more than the threshold
        return current_cents > 0 and current_cents >= round(spikes.min_delta * 100)
    increase = current_cents - previous_cents
    # increase/previous*100 > threshold, in integer cents to avoid float edges at exactly 20 %.
    return increase * 100 > spikes.threshold_pct * previous_cents and increase >= round(spikes.min_delta * 100)
