"""The FinOps review's figures, each computed by hand from tests/review_cache.py."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from finops_tui.analytics.review import build_review, last_complete_month, parse_review_month, review_json
from finops_tui.clock import Clock
from finops_tui.config import Settings, parse_settings
from finops_tui.errors import InputError
from tests.helpers import run_cli
from tests.review_cache import october_cache

FIRST_MONDAY = Clock(date(2026, 11, 2), fixed=True)


@pytest.fixture
def october(tmp_path: Path):
    return october_cache(tmp_path / "finops.db")


def levers_by_id(review) -> dict:
    return {lever.id: lever for lever in review.levers}


def test_default_month_is_the_last_complete_one() -> None:
    assert last_complete_month(date(2026, 11, 2)) == "2026-10"
    assert last_complete_month(date(2027, 1, 5)) == "2026-12"
    assert parse_review_month(None, date(2026, 3, 1)) == "2026-02"
    with pytest.raises(InputError, match="after today"):
        parse_review_month("2026-12", date(2026, 11, 2))
    with pytest.raises(InputError, match="YYYY-MM"):
        parse_review_month("October", date(2026, 11, 2))


def test_each_lever_base_and_range_in_dollars(october) -> None:
    review = build_review(october.store, Settings(), FIRST_MONDAY)
    levers = levers_by_id(review)

    assert list(levers) == ["s3_lifecycle", "rightsizing", "commitments", "graviton", "serverless"]
    s3 = levers["s3_lifecycle"]  # Standard storage only: 10 x 31 (the SIA rows are not Standard)
    assert (s3.base, s3.saving_low, s3.saving_high, s3.approval) == (310.0, 31.0, 93.0, "team_lead")
    # On-demand instance usage: m5.xlarge 30 x 20 + 8, m5.large 4 x 31, p3 30 x 15, db.r5 6 x 31 (Spot and credit left out)
    sized = levers["rightsizing"]
    assert (sized.base, sized.saving_low, sized.saving_high) == (608 + 124 + 450 + 186, 273.6, 547.2)
    # Lowest complete day of eligible usage: Oct 16-31 = 20 + 4 + 6 + 1 = 31 (Oct 10 is 8 + 4 + 30 + 6 + 1 = 49)
    commit = levers["commitments"]
    assert (commit.base, commit.saving_low, commit.saving_high) == (31 * 31, 288.3, 576.6)
    assert "2026-10-16" in commit.base_how and "$31.00 x 31 days" in commit.base_how
    # m5 -> m7g and db.r5 -> db.r7g; the GPU p3 has no twin
    graviton = levers["graviton"]
    assert (graviton.base, graviton.saving_low, graviton.saving_high) == (608 + 124 + 186, 183.6, 275.4)
    assert {item.name: item.amount for item in graviton.items} == {"m5 -> m7g": 732.0, "db.r5 -> db.r7g": 186.0}
    # Always on in a non-production environment: only m5.large in staging (p3 ran 15 days; Spot is not a candidate)
    serverless = levers["serverless"]
    assert (serverless.base, serverless.saving_low, serverless.saving_high) == (124.0, 62.0, None)
    assert [item.id for item in serverless.items] == ["serverless:USE1-BoxUsage:m5.large@222222222222/staging"]


def test_spot_coverage_and_transfer_by_hand(october) -> None:
    review = build_review(october.store, Settings(), FIRST_MONDAY, "2026-10")

    # On-demand EC2 in non-production: m5.large staging 124 + p3 rnd 450, at the default 60 %
    assert (review.spot.eligible, review.spot.discount_pct, review.spot.saving) == (574.0, 60.0, 344.4)
    assert review.spot.already_spot == 62.0
    cov = review.coverage
    assert cov.source == "none" and cov.savings_plans.coverage_pct is None and cov.reservations.utilization_pct is None
    assert cov.on_demand_eligible == 608 + 124 + 450 + 186 + 31
    assert cov.base_load_hourly == round(31 / 24, 2)
    transfer = {t.name: (t.cost, t.previous_cost) for t in review.data_transfer}
    assert transfer == {"cross_az": (93.0, 60.0), "inter_region": (31.0, 0.0), "internet_out": (15.5, 0.0),
                        "nat": (62.0, 0.0)}
    cross_az = review.data_transfer[0]
    assert cross_az.change_pct == 55.0
    assert [(t.by, t.name, t.cost) for t in cross_az.top] == [
        ("service", "AWS Data Transfer", 93.0), ("environment", "production", 93.0), ("account", "111111111111", 93.0)]
    assert review.rightsizing.source == "none" and review.rightsizing.items == ()


def test_levers_follow_the_config(october) -> None:
    settings = parse_settings({"review": {"levers": {"s3_lifecycle": {"low_pct": 20, "high_pct": 50},
                                                     "graviton": {"enabled": False}},
                                          "spot_discount_pct": 70, "graviton": {"m5": "m7g"}}})
    review = build_review(october.store, settings, FIRST_MONDAY)
    levers = levers_by_id(review)

    assert (levers["s3_lifecycle"].saving_low, levers["s3_lifecycle"].saving_high) == (62.0, 155.0)
    assert "graviton" not in levers
    assert review.spot.saving == round(574 * 0.70, 2)


def test_ids_are_stable_and_found(october) -> None:
    review = build_review(october.store, Settings(), FIRST_MONDAY)
    again = build_review(october.store, Settings(), FIRST_MONDAY)

    ids = [lever.id for lever in review.levers] + [review.spot.id] + [t.id for t in review.data_transfer]
    assert ids == [lever.id for lever in again.levers] + [again.spot.id] + [t.id for t in again.data_transfer]
    assert review.find("commitments").saving_low == 288.3
    assert review.find("spot").saving == 344.4
    assert review.find("transfer:nat").cost == 62.0
    assert review.find("serverless:USE1-BoxUsage:m5.large@222222222222/staging").amount == 124.0
    assert review.find("nothing") is None


def test_an_empty_month_reviews_to_zeroes(october) -> None:
    review = build_review(october.store, Settings(), Clock(date(2026, 9, 2), fixed=True), "2026-08")

    assert all(lever.base == 0 and lever.saving_low == 0 for lever in review.levers)
    assert review.spot.saving == 0 and review.coverage.source == "none"
    assert review.notes == ("the cache has no usage-based spend for 2026-08",)
    assert review_json(review)["rightsizing"] == {"source": "none", "items": []}


def test_cli_json_contract(october) -> None:
    done = run_cli("review", "--format", "json", "--cache", str(october.path), "--today", "2026-11-02")

    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data) == ["month", "as_of", "levers", "coverage", "rightsizing", "spot", "data_transfer", "approvals"]
    assert (data["month"], data["as_of"]) == ("2026-10", "2026-11-02")
    assert list(data["levers"][0]) == ["id", "name", "base", "base_how", "low_pct", "high_pct", "saving_low",
                                       "saving_high", "approval"]
    assert data["levers"][4]["high_pct"] is None and data["levers"][4]["saving_high"] is None
    assert data["coverage"] == {"source": "none", "savings_plans": {"coverage_pct": None, "utilization_pct": None},
                                "reservations": {"coverage_pct": None, "utilization_pct": None},
                                "on_demand_eligible": 1399.0, "base_load_hourly": 1.29}
    assert data["spot"] == {"eligible": 574.0, "discount_pct": 60.0, "saving": 344.4}
    assert list(data["data_transfer"][0]) == ["class", "cost", "gb", "cost_per_gb", "previous_cost", "top"]
    assert list(data["approvals"]) == ["month", "as_of", "opened", "approved", "rejected", "done", "withdrawn", "pending",
                                       "verified", "realised_savings", "expected_savings"]
    assert (data["approvals"]["as_of"], data["approvals"]["opened"]) == ("2026-10-31", 0)  # no items in this cache


def test_cli_markdown_is_the_meeting_document(october, tmp_path: Path) -> None:
    out = tmp_path / "review.md"
    done = run_cli("review", "--month", "2026-10", "-o", str(out), "--cache", str(october.path), "--today", "2026-11-02")

    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert text.startswith("# FinOps review: October 2026\n")
    assert "| Low | S3 Lifecycle Rules | $310.00 | 10-30% | $31.00 - $93.00 | Team Lead |" in text
    assert "| High | Serverless for idle tasks | $124.00 | 50%+ | $62.00+ | Team Lead |" in text
    for heading in ("## 1. Right-sizing", "## 2. RI / Savings Plans coverage", "## 3. Spot", "## 4. Data transfer"):
        assert heading in text
    assert "| Cross-AZ | $93.00 | 0.00 | - | $60.00 | +55.0 % |" in text


def test_cli_refuses_bad_input_in_one_line(october, tmp_path: Path) -> None:
    bad_month = run_cli("review", "--month", "2026-13", "--cache", str(october.path), "--today", "2026-11-02")
    missing = run_cli("review", "--cache", str(tmp_path / "none.db"), "--today", "2026-11-02")

    assert bad_month.returncode != 0 and bad_month.stderr.count("\n") == 1 and "YYYY-MM" in bad_month.stderr
    assert missing.returncode != 0 and "no cache at" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_review_modules_stay_on_the_data_side_and_load_pandas_only_when_computing() -> None:
    import subprocess
    import sys

    from tests.helpers import REPO

    code = ("import sys\nimport finops_tui.analytics.review, finops_tui.commands.review_cmd, finops_tui.review_document\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'textual', 'rich'))))\n"
            "import finops_tui.analytics.review_build, finops_tui.analytics.review_sections\n"
            "print(','.join(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('pandas', 'textual', 'rich')})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.splitlines() == ["", "pandas"]


def test_spot_counts_batch_jobs_by_tag_in_any_environment_once(tmp_path: Path) -> None:
    """review.batch_tag_key / batch_tag_values: tagged on-demand EC2 in production joins the Spot base."""
    from tests.review_cache import review_row

    cache = october_cache(tmp_path / "finops.db")
    rows = []
    for day in (date(2026, 10, 1) + timedelta(days=offset) for offset in range(31)):
        rows += [
            review_row(day, "USE1-BoxUsage:c5.xlarge", 10.0, resource_id="i-batch",
                       tags=json.dumps({"Environment": "production", "Workload": "Batch-nightly"})),  # matches "batch*", any case: 310
            review_row(day, "USE1-BoxUsage:c5.xlarge", 7.0, resource_id="i-web", tags=json.dumps({"Environment": "production", "Workload": "web"})),
            review_row(day, "USE1-BoxUsage:t3.large", 1.0, environment="staging", resource_id="i-worker",
                       tags=json.dumps({"Environment": "staging", "Workload": "worker-1"})),  # non-production already: counted once, 31
        ]
    cache.add(*rows)

    review = build_review(cache.store, Settings(), FIRST_MONDAY, "2026-10")

    # m5.large staging 124 + p3 rnd 450 + t3 staging 31 + c5 tagged batch in production 310 = 915, at 60 %
    assert (review.spot.eligible, review.spot.discount_pct, review.spot.saving) == (915.0, 60.0, 549.0)
    assert {f.family: f.eligible for f in review.spot.families} == {"p3": 450.0, "c5": 310.0, "m5": 124.0, "t3": 31.0}
    other = parse_settings({"review": {"batch_tag_values": ["nightly*"]}})
    assert build_review(cache.store, other, FIRST_MONDAY, "2026-10").spot.eligible == 605.0  # the tag no longer matches
