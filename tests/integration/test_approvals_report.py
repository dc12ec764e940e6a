"""The monthly report's approvals section: opened, decided, pending with age per tier, realised savings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.helpers import REPO, cli_on

FIXTURE = REPO / "tests" / "data" / "focus" / "approvals-rightsizing.csv"
CONFIG = '[approvals.approvers]\nteam_lead = ["tina"]\nvp_engineering = ["victor"]\n'


@pytest.fixture
def cli(tmp_path: Path):
    call = cli_on(tmp_path, CONFIG)
    call("import-focus", str(FIXTURE), today="2026-12-01")
    # November: the right-sizing ($1,500 expected, $1,200 realised), a rejected one, two left pending.
    call("approvals", "propose", "--title", "Right-size i-0big", "--amount", "1500", "--saving",
         "--scope", "resource:i-0big", today="2026-11-10")
    call("approvals", "approve", "1", "--by", "victor", today="2026-11-12")
    call("approvals", "done", "1", today="2026-11-15")
    call("approvals", "propose", "--title", "Bigger NAT", "--amount", "80", today="2026-11-18")
    call("approvals", "reject", "2", "--by", "tina", "--note", "use endpoints", today="2026-11-19")
    call("approvals", "propose", "--title", "More GPUs", "--amount", "900", today="2026-11-20")
    call("approvals", "propose", "--title", "Bigger cache | node", "--amount", "450", today="2026-11-25")
    call("approvals", "propose", "--title", "December thing", "--amount", "100", today="2026-12-01")
    return call


def test_the_monthly_report_has_the_approvals_section(cli) -> None:
    text = cli("report", "--month", "2026-11", today="2026-12-01").stdout
    section = text[text.index("## Approvals"):]
    assert "In 2026-11: 4 opened, 1 approved, 1 rejected, 1 done, 0 withdrawn." in section
    assert "Pending as of 2026-11-30:" in section  # a closed month: as of its last day; December's item not yet
    assert "| Team Lead | 1 | $450.00 | 5 d | 5 |" in section  # opened the 25th
    assert "| VP Engineering | 1 | $900.00 | 10 d | 10 |" in section
    assert "| CTO/CFO | 0 | $0.00 | - | - |" in section
    # i-0big: $100 a day on Nov 1-14, $60 on Nov 16-29: $40 x 30 days = $1,200 of $1,500 (80 %).
    assert "| 1 | Right-size i-0big | $1,500.00 | $1,200.00 | landed |" in section
    assert "Savings realised: $1,200.00 a month of $1,500.00 expected." in section


def test_json_and_csv_carry_the_same_figures(cli) -> None:
    data = json.loads(cli("report", "--month", "2026-11", "--format", "json", today="2026-12-01").stdout)["approvals"]
    assert (data["opened"], data["approved"], data["rejected"], data["done"]) == (4, 1, 1, 1)
    assert [(p["tier"], p["count"], p["ages"]) for p in data["pending"]] == [
        ("team_lead", 1, [5]), ("vp_engineering", 1, [10]), ("cto_cfo", 0, [])]
    assert data["realised_savings"] == 1200.0 and data["verified"][0]["verdict"] == "landed"
    rows = list(csv.DictReader(io.StringIO(cli("report", "--month", "2026-11", "--format", "csv", today="2026-12-01").stdout)))
    saving = [row for row in rows if row["section"] == "approval_saving"]
    assert [(r["name"], r["amount"], r["budget"], r["level"]) for r in saving] == [("#1", "1200.0", "1500.0", "landed")]
    assert {r["name"]: r["amount"] for r in rows if r["section"] == "approvals"}["opened"] == "4"


def test_the_current_month_counts_pending_to_today(cli) -> None:
    data = json.loads(cli("report", "--month", "2026-12", "--format", "json", today="2026-12-01").stdout)["approvals"]
    assert data["opened"] == 1 and data["as_of"] == "2026-12-01"
    assert [(p["tier"], p["ages"]) for p in data["pending"]] == [("team_lead", [6, 0]), ("vp_engineering", [11]), ("cto_cfo", [])]
