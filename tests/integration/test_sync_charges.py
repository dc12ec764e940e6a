"""Cost Explorer charge kinds and usage quantities, against the moto server with queued answers.

The ``records`` query ([USAGE_TYPE, RECORD_TYPE]) says which part of a usage type's day is usage and which is
an upfront fee, a tax or a credit; the forecast and the spike log use usage only. The usage-type query carries
``UsageQuantity``, from which the review computes GB and the account's own Spot discount. Every figure is read
as a user reads it (``status --json``, ``review --format json``) and computed by hand in the comments.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli
from tests.integration.conftest import MotoServer, ce_day, ce_group, ce_record_group, ce_result, ce_usage_group

EC2 = "Amazon Elastic Compute Cloud - Compute"
EC2_OTHER = "EC2 - Other"
S3 = "Amazon Simple Storage Service"
SAVINGS_PLANS = "Savings Plans for AWS Compute usage"
ACCOUNT = "111111111111"
WEEK = [f"2026-11-{day}" for day in range(19, 26)]  # the seven complete days before 2026-11-26


def queue_a_week_with_charges(moto: MotoServer) -> None:
    """Production EC2 usage $100 a day for a week; untagged: a $3,000 Savings Plan bought upfront on the 20th
    (billed; amortized 0), a $20 credit on the 24th and $50 tax on the 25th, both on the m5.large usage type."""
    facts, detail, accounts, records = [], [], [], []
    for day in WEEK:
        day_facts = [ce_group("Environment$prod", EC2, 100.0)]
        day_detail = [ce_usage_group(EC2, "BoxUsage:m5.large", 100.0, quantity=1041.67)]
        day_accounts = [ce_group(ACCOUNT, "Environment$prod", 100.0)]
        day_records = [ce_record_group("BoxUsage:m5.large", "Usage", 100.0)]
        if day == "2026-11-20":
            day_facts.append(ce_group("Environment$", SAVINGS_PLANS, 0.0, 3000.0))
            day_detail.append(ce_usage_group(SAVINGS_PLANS, "ComputeSP:1yrAllUpfront", 0.0, 3000.0, quantity=1.0,
                                             unit="Count"))
            day_accounts.append(ce_group(ACCOUNT, "Environment$", 0.0, 3000.0))
            day_records.append(ce_record_group("ComputeSP:1yrAllUpfront", "SavingsPlanUpfrontFee", 0.0, 3000.0))
        if day == "2026-11-24":
            day_facts.append(ce_group("Environment$", EC2, -20.0))
            day_detail[0] = ce_usage_group(EC2, "BoxUsage:m5.large", 80.0, quantity=1041.67)
            day_accounts.append(ce_group(ACCOUNT, "Environment$", -20.0))
            day_records.append(ce_record_group("BoxUsage:m5.large", "Credit", -20.0))
        if day == "2026-11-25":
            day_facts.append(ce_group("Environment$", EC2, 50.0))
            day_detail[0] = ce_usage_group(EC2, "BoxUsage:m5.large", 150.0, quantity=1041.67)
            day_accounts.append(ce_group(ACCOUNT, "Environment$", 50.0))
            day_records.append(ce_record_group("BoxUsage:m5.large", "Tax", 50.0))
        facts.append(ce_day(day, day_facts))
        detail.append(ce_day(day, day_detail))
        accounts.append(ce_day(day, day_accounts))
        records.append(ce_day(day, day_records))
    moto.queue_ce(ce_result(*facts), ce_result(*detail), ce_result(*accounts), ce_result(*records))


def run(cache: Path, config: Path, today: str, *args: str):
    return run_cli("--cache", str(cache), "--config", str(config), "--today", today, *args)


def test_one_time_charges_stay_out_of_the_forecast_and_the_spike_log(moto: MotoServer, tmp_path: Path) -> None:
    cache, config = tmp_path / "finops.db", tmp_path / "finops.toml"
    config.write_text('metric = "billed"\n')  # the upfront fee is billed on its day (amortized, it is 0)
    queue_a_week_with_charges(moto)

    done = run(cache, config, "2026-11-26", "sync")
    assert done.returncode == 0, done.stderr

    status = json.loads(run(cache, config, "2026-11-26", "status", "--json").stdout)
    # Month to date: 7 x 100 + 3,000 - 20 + 50 = 3,730. Usage rate: 700 / 7 = 100 a day, for the 5 days left
    # (the 26th to the 30th): forecast 3,730 + 500 = 4,230. Counted as usage, the fee would make it 5,894.29.
    assert (status["total"]["mtd"], status["total"]["forecast_eom"]) == (3730.0, 4230.0)
    envs = {env["name"]: env for env in status["environments"]}
    assert (envs["production"]["mtd"], envs["production"]["forecast_eom"]) == (700.0, 1200.0)
    assert status["unallocated"]["mtd"] == 3030.0  # the untagged charges: 3,000 - 20 + 50
    assert status["spikes"] == []  # usage is flat at 100; the fee's day is not a 3,000 % spike
    assert [(c["date"], c["service"], c["charge_type"], c["amount"], c["approval"]) for c in status["one_time_charges"]] == [
        ("2026-11-20", SAVINGS_PLANS, "purchase", 3000.0, "vp_engineering"),
        ("2026-11-24", EC2, "credit", -20.0, None),
        ("2026-11-25", EC2, "tax", 50.0, "team_lead"),
    ]
    config.write_text('metric = "billed"\nexclude_credits = true\n')
    assert json.loads(run(cache, config, "2026-11-26", "status", "--json").stdout)["total"]["mtd"] == 3750.0


def test_a_usage_type_the_records_answer_leaves_out_keeps_the_sign_rule(moto: MotoServer, tmp_path: Path) -> None:
    """No records for a usage type (an older answer, an empty page): negative is a credit, the rest usage."""
    cache, config = tmp_path / "finops.db", tmp_path / "finops.toml"
    config.write_text("")
    moto.queue_ce(
        ce_result(ce_day("2026-11-25", [ce_group("Environment$prod", EC2, 100.0), ce_group("Environment$", S3, -10.0)])),
        ce_result(ce_day("2026-11-25", [ce_usage_group(EC2, "BoxUsage:m5.large", 100.0, quantity=1000.0),
                                        ce_usage_group(S3, "Credit", -10.0, quantity=0.0, unit="N/A")])),
        ce_result(ce_day("2026-11-25", [ce_group(ACCOUNT, "Environment$prod", 100.0), ce_group(ACCOUNT, "Environment$", -10.0)])),
        ce_result(),
    )
    assert run(cache, config, "2026-11-26", "sync").returncode == 0
    status = json.loads(run(cache, config, "2026-11-26", "status", "--json").stdout)
    assert status["total"]["mtd"] == 90.0
    assert [(c["service"], c["charge_type"], c["amount"]) for c in status["one_time_charges"]] == [(S3, "credit", -10.0)]


def queue_a_month_for_the_review(moto: MotoServer) -> None:
    """November 10th, one account. Development EC2: m5.large on demand $192 for 2,000 h ($0.096 an hour) and as
    Spot $28.80 for 1,000 h ($0.0288: 70 % off). Production: cross-AZ transfer $10 for 1,000 GB, internet out
    $45 for 500 GB, S3 Standard $23 for 1,000 GB-Mo."""
    day = "2026-11-10"
    moto.queue_ce(
        ce_result(ce_day(day, [ce_group("Environment$dev", EC2, 220.8), ce_group("Environment$prod", EC2_OTHER, 55.0),
                               ce_group("Environment$prod", S3, 23.0)])),
        ce_result(ce_day(day, [
            ce_usage_group(EC2, "USE1-BoxUsage:m5.large", 192.0, quantity=2000.0),
            ce_usage_group(EC2, "USE1-SpotUsage:m5.large", 28.8, quantity=1000.0),
            ce_usage_group(EC2_OTHER, "USE1-DataTransfer-Regional-Bytes", 10.0, quantity=1000.0, unit="GB"),
            ce_usage_group(EC2_OTHER, "USE1-DataTransfer-Out-Bytes", 45.0, quantity=500.0, unit="GB"),
            ce_usage_group(S3, "USE1-TimedStorage-ByteHrs", 23.0, quantity=1000.0, unit="GB-Mo"),
        ])),
        ce_result(ce_day(day, [ce_group(ACCOUNT, "Environment$dev", 220.8), ce_group(ACCOUNT, "Environment$prod", 78.0)])),
        ce_result(ce_day(day, [ce_record_group(usage_type, "Usage", amount) for usage_type, amount in (
            ("USE1-BoxUsage:m5.large", 192.0), ("USE1-SpotUsage:m5.large", 28.8),
            ("USE1-DataTransfer-Regional-Bytes", 10.0), ("USE1-DataTransfer-Out-Bytes", 45.0),
            ("USE1-TimedStorage-ByteHrs", 23.0))])),
    )


def test_usage_quantity_gives_the_review_gb_and_the_accounts_own_spot_discount(moto: MotoServer, tmp_path: Path) -> None:
    cache, config = tmp_path / "finops.db", tmp_path / "finops.toml"
    config.write_text("")
    queue_a_month_for_the_review(moto)
    assert run(cache, config, "2026-12-02", "sync").returncode == 0

    review = json.loads(run(cache, config, "2026-12-02", "review", "--month", "2026-11", "--format", "json").stdout)

    transfer = {t["class"]: (t["cost"], t["gb"], t["cost_per_gb"]) for t in review["data_transfer"]}
    assert transfer["cross_az"] == (10.0, 1000.0, 0.01)
    assert transfer["internet_out"] == (45.0, 500.0, 0.09)
    # Spot on the same family: 1 - 28.80 / (1,000 h x $0.096) = 70 %, not the default 60 %; 192 x 70 % = 134.40.
    assert (review["spot"]["eligible"], review["spot"]["discount_pct"], review["spot"]["saving"]) == (192.0, 70.0, 134.4)
    s3 = next(lever for lever in review["levers"] if lever["id"] == "s3_lifecycle")
    assert s3["base"] == 23.0 and "1,000 GB-Mo" in s3["base_how"]
    with sqlite3.connect(cache) as conn:
        units = dict(conn.execute("SELECT usage_type, usage_unit FROM cost_daily WHERE usage_quantity != 0"))
    assert units["USE1-DataTransfer-Out-Bytes"] == "GB" and units["USE1-BoxUsage:m5.large"] == "Hrs"


def good_week() -> list[dict[str, Any]]:
    return [ce_result(ce_day("2026-11-25", [ce_group("Environment$prod", EC2, 100.0)])),
            ce_result(ce_day("2026-11-25", [ce_usage_group(EC2, "BoxUsage:m5.large", 100.0, quantity=1000.0)])),
            ce_result(ce_day("2026-11-25", [ce_group(ACCOUNT, "Environment$prod", 100.0)])),
            ce_result(ce_day("2026-11-25", [ce_record_group("BoxUsage:m5.large", "Usage", 100.0)]))]


def _no_quantity() -> dict[str, Any]:
    group = ce_usage_group(EC2, "BoxUsage:m5.large", 70.0)
    del group["Metrics"]["UsageQuantity"]
    return group


def _odd_quantity() -> dict[str, Any]:
    group = ce_usage_group(EC2, "BoxUsage:m5.large", 70.0)
    group["Metrics"]["UsageQuantity"]["Amount"] = "many"
    return group


BROKEN_NEW_FIELDS = {
    "no UsageQuantity": (1, _no_quantity, "detail query, page 1", "has no UsageQuantity"),
    "a UsageQuantity that is not a number": (1, _odd_quantity, "detail query, page 1", "has UsageQuantity 'many', not a number"),
    "a record group with one key": (3, lambda: {"Keys": ["BoxUsage:m5.large"], "Metrics": ce_group("a", "b", 70.0)["Metrics"]},
                                    "records query, page 1", "has 1 keys instead of 2"),
    "a record in another currency": (3, lambda: {"Keys": ["BoxUsage:m5.large", "Usage"], "Metrics": {
        "AmortizedCost": {"Amount": "70", "Unit": "EUR"}, "UnblendedCost": {"Amount": "70", "Unit": "EUR"}}},
        "records query, page 1", "is in EUR, but this cache holds USD"),
}


@pytest.mark.parametrize("case", list(BROKEN_NEW_FIELDS))
def test_a_malformed_quantity_or_record_fails_the_run_and_keeps_the_spend(moto: MotoServer, tmp_path: Path,
                                                                          case: str) -> None:
    cache, config = tmp_path / "finops.db", tmp_path / "finops.toml"
    config.write_text("")
    moto.queue_ce(*good_week())
    assert run(cache, config, "2026-11-26", "sync").returncode == 0
    index, group, where, message = BROKEN_NEW_FIELDS[case]
    answers = good_week()
    answers[index] = ce_result(ce_day("2026-11-25", [group()]))
    answers[0] = ce_result(ce_day("2026-11-25", [ce_group("Environment$prod", EC2, 70.0)]))
    moto.queue_ce(*answers)

    done = run(cache, config, "2026-11-26", "sync")

    assert done.returncode != 0 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"Cost Explorer answered a malformed page ({where})" in done.stderr and message in done.stderr
    after = json.loads(run(cache, config, "2026-11-26", "status", "--json").stdout)
    assert after["total"]["mtd"] == 100.0 and after["stale"] is True
