"""The framework's approval tiers and who may decide an item of a tier. Pure functions."""

from __future__ import annotations

from finops_tui.analytics.rules import APPROVER_NAMES, approval_tier
from finops_tui.config import APPROVAL_TIERS, Approvers, Settings

TIER_RANK = {tier: rank for rank, tier in enumerate(APPROVAL_TIERS)}


def tier_of(monthly_amount: float, settings: Settings) -> str:
    """< $500 team_lead; $500 to $5,000 inclusive vp_engineering; > $5,000 cto_cfo (on the amount's size)."""
    return approval_tier(abs(monthly_amount), settings.approval)


def tier_name(tier: str) -> str:
    return APPROVER_NAMES.get(tier, tier)


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def decider_tier(name: str, approvers: Approvers) -> str | None:
    """The highest tier that names ``name`` (case-insensitive), or None."""
    found = None
    for tier in APPROVAL_TIERS:
        if any(_same(name, listed) for listed in getattr(approvers, tier)):
            found = tier
    return found


def may_decide(name: str, tier: str, approvers: Approvers) -> bool:
    """Named for ``tier`` or a higher one: a higher tier may approve a lower one, never the reverse."""
    held = decider_tier(name, approvers)
    return held is not None and TIER_RANK[held] >= TIER_RANK[tier]


def who_may(tier: str, approvers: Approvers) -> str:
    """People allowed to decide ``tier``, for the refusal line: "carol, dave (VP Engineering); erin (CTO/CFO)"."""
    parts = []
    for candidate in APPROVAL_TIERS[TIER_RANK[tier]:]:
        names = getattr(approvers, candidate)
        if names:
            parts.append(f"{', '.join(names)} ({tier_name(candidate)})")
    return " or ".join(parts)
