"""Approval tiers at the framework's boundaries, who may decide what, and item scopes."""

from __future__ import annotations

import pytest

from finops_tui.approvals.scope import parse_scope, scope_label, scope_text
from finops_tui.approvals.tiers import may_decide, tier_of, who_may
from finops_tui.config import Approvers, Settings
from finops_tui.errors import InputError


@pytest.mark.parametrize(("amount", "tier"), [
    (0.01, "team_lead"), (499.99, "team_lead"), (500.0, "vp_engineering"), (4_999.99, "vp_engineering"),
    (5_000.0, "vp_engineering"), (5_000.01, "cto_cfo"), (1_000_000.0, "cto_cfo"),
])
def test_tiers_follow_the_framework_at_its_boundaries(amount: float, tier: str) -> None:
    assert tier_of(amount, Settings()) == tier


APPROVERS = Approvers(team_lead=["Tina"], vp_engineering=["victor"], cto_cfo=["carla", "Frank CFO"])


@pytest.mark.parametrize(("name", "tier", "allowed"), [
    ("tina", "team_lead", True), ("Tina", "vp_engineering", False), ("victor", "team_lead", True),
    ("victor", "vp_engineering", True), ("victor", "cto_cfo", False), ("carla", "team_lead", True),
    ("frank cfo", "cto_cfo", True), ("mallory", "team_lead", False), ("", "team_lead", False),
])
def test_a_higher_tier_may_decide_a_lower_one_never_the_reverse(name: str, tier: str, allowed: bool) -> None:
    assert may_decide(name, tier, APPROVERS) is allowed


def test_who_may_names_the_tier_and_everyone_above() -> None:
    assert who_may("vp_engineering", APPROVERS) == "victor (VP Engineering) or carla, Frank CFO (CTO/CFO)"
    assert who_may("team_lead", Approvers()) == ""


def test_scopes_read_in_any_order_with_aliases_and_are_stored_canonically() -> None:
    aliases = Settings().environments.aliases
    scope = parse_scope("category:compute, env:prod", aliases)
    assert scope_text(scope) == "environment:production,category:Compute"
    assert scope_text(parse_scope("service:Amazon EC2,resource:i-0abc", aliases)) == "service:Amazon EC2,resource:i-0abc"
    assert scope_text(parse_scope("staging", aliases)) == "environment:staging"
    assert scope_text(parse_scope("", aliases)) == ""
    assert scope_label("environment:production,category:Compute") == "production / Compute"
    assert scope_label("") == "whole bill"


@pytest.mark.parametrize(("text", "says"), [
    ("team:payments", "unknown scope field 'team'"), ("category:Spaceships", "unknown category 'Spaceships'"),
    ("environment:moon", "unknown environment 'moon'"), ("category:Compute,category:Storage", "given twice"),
    ("nonsense", "is not understood"), ("service:", "needs a printable value"),
])
def test_a_bad_scope_is_one_sentence(text: str, says: str) -> None:
    with pytest.raises(InputError, match=says):
        parse_scope(text, Settings().environments.aliases)
