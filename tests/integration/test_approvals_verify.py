"""Verified savings on a FOCUS fixture whose production Compute spend drops by $40 a day after the change.

tests/data/focus/approvals-rightsizing.csv (see its README): production EC2
i-0big $100 a day on Nov 1-14, $80 on the 15th, $60 from the 16th; staging
EC2 $50 and production S3 $30 every day; a one-time $500 purchase on the 20th.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import REPO, cli_on

FIXTURE = REPO / "tests" / "data" / "focus" / "approvals-rightsizing.csv"
CONFIG = '[approvals.approvers]\nvp_engineering = ["victor"]\n'


@pytest.fixture
def cli(tmp_path: Path):
    call = cli_on(tmp_path, CONFIG)
    call("import-focus", str(FIXTURE), today="2026-12-01")
    return call


def done_on_the_15th(cli, title: str, amount: str, scope: str) -> int:
    opened = cli("approvals", "propose", "--title", title, "--amount", amount, "--saving", "--scope", scope, today="2026-11-10")
    item_id = opened.stdout.split()[1].rstrip(":").lstrip("#")
    cli("approvals", "approve", item_id, "--by", "victor", today="2026-11-12")
    cli("approvals", "done", item_id, today="2026-11-15")
    return int(item_id)


def verification(cli, item_id: int, today: str) -> dict:
    return json.loads(cli("approvals", "show", str(item_id), "--json", today=today).stdout)["verification"]


def test_the_saving_is_measured_after_verify_days_and_lands(cli) -> None:
    item_id = done_on_the_15th(cli, "Right-size i-0big", "1500", "environment:production,category:Compute")

    waiting = verification(cli, item_id, "2026-11-29")  # the 29th, the 14th day after, is not complete yet
    assert (waiting["status"], waiting["verdict"], waiting["ready_on"]) == ("waiting", None, "2026-11-30")

    measured = verification(cli, item_id, "2026-11-30")
    # Before: Nov 1-14 at $100 a day. After: Nov 16-29 at $60 a day (the $500 purchase on the 20th is not usage).
    # $40 a day x 30 days of November = $1,200 a month realised of $1,500 expected: 80 %, the landed threshold.
    assert measured["before"] == {"first": "2026-11-01", "last": "2026-11-14", "daily": 100.0}
    assert measured["after"] == {"first": "2026-11-16", "last": "2026-11-29", "daily": 60.0}
    assert (measured["realised_monthly"], measured["expected_monthly"], measured["realised_pct"], measured["verdict"]) == (
        1200.0, 1500.0, 80.0, "landed")
    shown = cli("approvals", "show", str(item_id), today="2026-11-30").stdout
    assert "Realised: $1,200.00/month of $1,500.00 expected (80.0 %): landed." in shown


@pytest.mark.parametrize(("amount", "scope", "realised", "verdict"), [
    ("2000", "resource:i-0big", 1200.0, "partial"),  # 60 % of $2,000
    ("1200.01", "service:Amazon Elastic Compute Cloud", 1200.0, "landed"),  # staging EC2 is flat: the same $40 a day
    ("300", "environment:staging", 0.0, "not seen"),  # staging did not move
    ("1200", "", 1200.0, "landed"),  # the whole bill: only i-0big moved
])
def test_verdicts_by_scope(cli, amount: str, scope: str, realised: float, verdict: str) -> None:
    item_id = done_on_the_15th(cli, "A change", amount, scope)
    measured = verification(cli, item_id, "2026-12-01")
    assert (measured["realised_monthly"], measured["verdict"]) == (realised, verdict)


def test_days_without_data_are_named_not_guessed(cli) -> None:
    opened = cli("approvals", "propose", "--title", "Late", "--amount", "100", "--saving", today="2026-11-20")
    cli("approvals", "approve", "1", "--by", "victor", today="2026-11-20")
    cli("approvals", "done", "1", today="2026-11-20")
    assert opened.stdout.startswith("Opened #1")
    check = verification(cli, 1, "2026-12-06")  # after = Nov 21 - Dec 4: the cache ends on Nov 30
    assert check["status"] == "no_data" and check["missing_days"] == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
