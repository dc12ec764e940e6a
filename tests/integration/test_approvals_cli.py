"""`finops-tui approvals` end to end: tiers at the boundaries, approvers, decisions appended, one-line refusals."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from tests.alerts_support import build_cache, flat_month
from tests.helpers import run_cli, run_main

CONFIG = """
[approvals.approvers]
team_lead = ["tina"]
vp_engineering = ["victor"]
cto_cfo = ["carla"]
"""


@pytest.fixture
def cli(tmp_path: Path):
    cache = tmp_path / "cache.db"
    build_cache(cache, flat_month(date(2026, 11, 1), 20, 100.0)).close()
    config = tmp_path / "finops.toml"
    config.write_text(CONFIG)

    def call(*args: str, today: str = "2026-11-20", subprocess: bool = False):
        return (run_cli if subprocess else run_main)("--cache", str(cache), "--config", str(config), "--today", today, *args)

    call.cache = cache  # type: ignore[attr-defined]
    return call


def items(cli) -> dict[int, dict]:
    listed = cli("approvals", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return {item["id"]: item for item in json.loads(listed.stdout)["items"]}


def test_tiers_at_the_framework_boundaries(cli) -> None:
    for amount in ("499.99", "500", "5000", "5000.01"):
        opened = cli("approvals", "propose", "--title", f"Change of {amount}", "--amount", amount)
        assert opened.returncode == 0, opened.stderr
    found = items(cli)
    assert {item["title"]: item["tier"] for item in found.values()} == {
        "Change of 499.99": "team_lead", "Change of 500": "vp_engineering",
        "Change of 5000": "vp_engineering", "Change of 5000.01": "cto_cfo"}
    assert all(item["state"] == "pending" for item in found.values())
    # Pending items list highest tier first.
    text = cli("approvals", "list").stdout.splitlines()
    assert [line.split()[0] for line in text[1:]] == ["#4", "#2", "#3", "#1"]
    assert "CTO/CFO" in text[1] and "+$5,000.01" in text[1]


def test_an_approver_below_the_tier_is_refused_with_who_may(cli) -> None:
    cli("approvals", "propose", "--title", "Bigger RDS", "--amount", "900", "--scope", "env:prod,category:database")
    refused = cli("approvals", "approve", "1", "--by", "tina", subprocess=True)  # as a user runs it
    assert refused.returncode == 1
    assert refused.stderr.strip() == ("finops-tui: tina may not approve #1 (VP Engineering, $900.00/month): "
                                      "only victor (VP Engineering) or carla (CTO/CFO) may")
    assert "Traceback" not in refused.stderr
    assert items(cli)[1]["state"] == "pending"
    stranger = cli("approvals", "reject", "1", "--by", "mallory", "--note", "no")
    assert stranger.returncode == 1 and "mallory may not reject #1" in stranger.stderr


def test_a_higher_tier_approves_a_lower_one_and_every_decision_is_appended(cli) -> None:
    cli("approvals", "propose", "--title", "Spot for batch", "--amount", "120", "--saving", "--by", "sam", "--note", "cheap")
    approved = cli("approvals", "approve", "#1", "--by", "Carla", "--note", "go", today="2026-11-21")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.strip() == "#1 approved by Carla: Spot for batch"
    assert cli("approvals", "done", "1", today="2026-11-23").returncode == 0
    item = items(cli)[1]
    assert item["state"] == "done"
    assert [(h["action"], h["state"], h["by"], h["note"], h["on"]) for h in item["history"]] == [
        ("opened", "pending", "sam", "cheap", "2026-11-20"),
        ("approved", "approved", "Carla", "go", "2026-11-21"),
        ("done", "done", None, None, "2026-11-23"),
    ]
    shown = cli("approvals", "show", "1", today="2026-11-24").stdout
    assert "Amount:  $120.00/month expected saving" in shown and "Tier:    Team Lead" in shown
    assert "approved by Carla: go" in shown
    assert "ready on 2026-12-08" in shown  # 14 complete days after the 23rd: the 24th..7th


def test_transitions_follow_the_states_and_refusals_change_nothing(cli) -> None:
    cli("approvals", "propose", "--title", "NAT gateway", "--amount", "40")
    not_yet = cli("approvals", "done", "1")
    assert not_yet.returncode == 1 and not_yet.stderr.strip() == \
        "finops-tui: #1 is pending: only an approved item can be marked done"
    no_note = cli("approvals", "reject", "1", "--by", "tina")
    assert no_note.returncode == 2 and "--note" in no_note.stderr
    assert cli("approvals", "reject", "1", "--by", "tina", "--note", "use a VPC endpoint").returncode == 0
    again = cli("approvals", "approve", "1", "--by", "carla")
    assert again.returncode == 1 and "#1 is rejected" in again.stderr
    assert cli("approvals", "withdraw", "1", "--by", "sam").returncode == 0
    assert [h["action"] for h in items(cli)[1]["history"]] == ["opened", "rejected", "withdrawn"]
    missing = cli("approvals", "show", "7")
    assert missing.returncode == 1 and missing.stderr.startswith("finops-tui: no approval item #7")


@pytest.mark.parametrize(("args", "says"), [
    (("--title", "x", "--amount", "0"), "positive number"),
    (("--title", "x", "--amount", "nan"), "positive number"),
    (("--title", "", "--amount", "5"), "the title must not be empty"),
    (("--title", "x\x1b[31m", "--amount", "5"), "printable"),
    (("--title", "x", "--amount", "5", "--scope", "team:a"), "unknown scope field"),
    (("--amount", "5",), "propose needs --title"),
])
def test_bad_input_is_one_line_and_opens_nothing(cli, args: tuple[str, ...], says: str) -> None:
    result = cli("approvals", "propose", *args)
    assert result.returncode != 0
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert items(cli) == {}


def test_history_is_append_only_in_the_cache(cli) -> None:
    cli("approvals", "propose", "--title", "x", "--amount", "5")
    conn = sqlite3.connect(cli.cache)
    try:
        for statement in ("UPDATE approval_history SET actor = 'someone'", "DELETE FROM approval_history",
                          "UPDATE approval_items SET monthly_amount = 1", "DELETE FROM approval_items"):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(statement)
    finally:
        conn.close()
