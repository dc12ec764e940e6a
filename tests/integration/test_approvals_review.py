"""The review's approvals section (md, json, csv): opened, decided, pending with age per tier, realised savings.

The same ledger as the monthly report's test (tests/integration/test_approvals_report.py): November 2026 has
four items opened, #1 approved and done on the 15th, #2 rejected, #3 ($900, the 20th) and #4 ($450, the 25th)
pending; a fifth opens on December 1.
"""

from __future__ import annotations

import csv
import io
import json

from tests.integration.test_approvals_report import cli  # noqa: F401 - the fixture: the ledger above


def test_the_review_document_has_the_approvals_section(cli) -> None:  # noqa: F811
    text = cli("review", "--month", "2026-11", today="2026-12-01").stdout
    assert text.startswith("# FinOps review: November 2026")
    assert text.index("## 4. Data transfer") < text.index("## Approvals")  # after the review's own sections
    section = text[text.index("## Approvals"):]
    assert "In 2026-11: 4 opened, 1 approved, 1 rejected, 1 done, 0 withdrawn." in section
    assert "Pending as of 2026-11-30:" in section  # a closed month: as of its last day; December's item not yet
    assert "| Team Lead | 1 | $450.00 | 5 d | 5 |" in section  # opened the 25th: 5 days to the 30th
    assert "| VP Engineering | 1 | $900.00 | 10 d | 10 |" in section  # opened the 20th
    assert "| CTO/CFO | 0 | $0.00 | - | - |" in section
    # i-0big: $100 a day on Nov 1-14, $60 on Nov 16-29 (done on the 15th): $40 x 30 days = $1,200 of $1,500 (80 %).
    assert "| 1 | Right-size i-0big | $1,500.00 | $1,200.00 | landed |" in section
    assert "Savings realised: $1,200.00 a month of $1,500.00 expected." in section
    assert "Bigger cache" not in section  # pending items are counted per tier, not listed by title


def test_review_json_and_csv_carry_the_same_figures(cli) -> None:  # noqa: F811
    data = json.loads(cli("review", "--month", "2026-11", "--format", "json", today="2026-12-01").stdout)
    approvals = data["approvals"]
    assert (approvals["month"], approvals["as_of"]) == ("2026-11", "2026-11-30")
    assert (approvals["opened"], approvals["approved"], approvals["rejected"], approvals["done"],
            approvals["withdrawn"]) == (4, 1, 1, 1, 0)
    assert [(p["tier"], p["count"], p["monthly_amount"], p["oldest_days"], p["ages"]) for p in approvals["pending"]] == [
        ("team_lead", 1, 450.0, 5, [5]), ("vp_engineering", 1, 900.0, 10, [10]), ("cto_cfo", 0, 0.0, None, [])]
    assert [(v["id"], v["expected_monthly"], v["realised_monthly"], v["verdict"]) for v in approvals["verified"]] == [
        (1, 1500.0, 1200.0, "landed")]
    assert (approvals["realised_savings"], approvals["expected_savings"]) == (1200.0, 1500.0)

    rows = list(csv.DictReader(io.StringIO(cli("review", "--month", "2026-11", "--format", "csv",
                                               today="2026-12-01").stdout)))
    counts = {row["name"]: row["amount"] for row in rows if row["section"] == "approvals"}
    assert counts == {"opened": "4", "approved": "1", "rejected": "1", "done": "1", "withdrawn": "0"}
    pending = {row["id"]: (row["amount"], row["detail"]) for row in rows if row["section"] == "approvals_pending"}
    assert pending == {"approvals_pending:team_lead": ("450.0", "1 pending as of 2026-11-30; ages 5"),
                       "approvals_pending:vp_engineering": ("900.0", "1 pending as of 2026-11-30; ages 10"),
                       "approvals_pending:cto_cfo": ("0.0", "0 pending as of 2026-11-30; ages -")}
    saving = [row for row in rows if row["section"] == "approval_saving"]
    assert [(r["id"], r["name"], r["amount"], r["saving_low"], r["pct"], r["detail"]) for r in saving] == [
        ("approval:1", "Right-size i-0big", "1500.0", "1200.0", "80.0", "landed")]


def test_the_review_of_the_current_month_counts_pending_to_today(cli) -> None:  # noqa: F811
    data = json.loads(cli("review", "--month", "2026-12", "--format", "json", today="2026-12-01").stdout)["approvals"]
    assert data["opened"] == 1 and data["as_of"] == "2026-12-01"
    # Team Lead: "Bigger cache" (Nov 25, 6 days) and "December thing" (today); VP Engineering: "More GPUs" (Nov 20).
    assert [(p["tier"], p["ages"]) for p in data["pending"]] == [("team_lead", [6, 0]), ("vp_engineering", [11]),
                                                                 ("cto_cfo", [])]
