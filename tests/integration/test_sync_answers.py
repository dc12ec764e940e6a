"""A sync never loses spend: a malformed or short Cost Explorer answer fails the run and keeps the cache.

Answers are served by moto (queued results) through the fault middleware; every figure is read the way a
user reads it, from `status --json`, before and after.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli
from tests.integration.conftest import MotoServer, ce_day, ce_group, ce_usage_group, ce_result

TODAY = "2026-11-26"
EC2 = "Amazon Elastic Compute Cloud - Compute"
ACCOUNT = "111111111111"


def good_answers(amount: float) -> tuple[dict[str, Any], ...]:
    """facts, detail, accounts: ``amount`` of EC2 for production on the 24th and on the 25th."""
    days = ("2026-11-24", "2026-11-25")
    return (
        ce_result(*(ce_day(d, [ce_group("Environment$prod", EC2, amount)]) for d in days)),
        ce_result(*(ce_day(d, [ce_usage_group(EC2, "BoxUsage:m5.large", amount)]) for d in days)),
        ce_result(*(ce_day(d, [ce_group(ACCOUNT, "Environment$prod", amount)]) for d in days)),
    )


def status(cache: Path) -> dict[str, Any]:
    done = run_cli("--cache", str(cache), "--today", TODAY, "status", "--json")
    return json.loads(done.stdout)


def synced_cache(moto: MotoServer, tmp_path: Path) -> Path:
    cache = tmp_path / "finops.db"
    moto.queue_ce(*good_answers(1000.0))
    first = run_cli("--cache", str(cache), "--today", TODAY, "sync")
    assert first.returncode == 0, first.stderr
    assert status(cache)["total"]["mtd"] == 2000.0
    return cache


def facts_with(group: dict[str, Any]) -> dict[str, Any]:
    return ce_result(ce_day("2026-11-24", [group]), ce_day("2026-11-25", [ce_group("Environment$prod", EC2, 700.0)]))


BROKEN = {
    "no Metrics": (facts_with({"Keys": ["Environment$prod", EC2]}), "has no Metrics"),
    "an empty Amount": (facts_with({"Keys": ["Environment$prod", EC2], "Metrics": {
        "AmortizedCost": {"Amount": "", "Unit": "USD"}, "UnblendedCost": {"Amount": "1", "Unit": "USD"}}}),
        "has AmortizedCost '', not a number"),
    "one key instead of two": (facts_with({"Keys": [EC2], "Metrics": ce_group("a", "b", 5.0)["Metrics"]}),
                               "has 1 keys instead of 2"),
    "no ResultsByTime": ({"DimensionValueAttributes": []}, "no ResultsByTime"),
    "another currency": (facts_with({"Keys": ["Environment$prod", EC2], "Metrics": {
        "AmortizedCost": {"Amount": "5", "Unit": "EUR"}, "UnblendedCost": {"Amount": "5", "Unit": "EUR"}}}),
        "is in EUR, but this cache holds USD"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_malformed_answer_fails_the_run_and_keeps_the_spend(moto: MotoServer, tmp_path: Path, case: str) -> None:
    cache = synced_cache(moto, tmp_path)
    facts, message = BROKEN[case]
    _, detail, accounts = good_answers(700.0)
    moto.queue_ce(facts, detail, accounts)

    done = run_cli("--cache", str(cache), "--today", TODAY, "sync")

    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "Cost Explorer answered a malformed page (facts query, page 1)" in done.stderr and message in done.stderr
    after = status(cache)
    assert after["total"]["mtd"] == 2000.0  # nothing deleted, nothing half-written
    assert after["stale"] is True
    with sqlite3.connect(cache) as conn:
        last = conn.execute("SELECT status, error FROM sync_runs ORDER BY id DESC LIMIT 1").fetchone()
    assert last[0] == "failed" and message in last[1]


def test_a_window_answered_with_fewer_days_fails_the_run(moto: MotoServer, tmp_path: Path) -> None:
    cache = synced_cache(moto, tmp_path)
    moto.injector.fill_ce_days = False  # Cost Explorer answers only the two days queued, not the whole window
    moto.queue_ce(*good_answers(700.0))

    done = run_cli("--cache", str(cache), "--today", TODAY, "sync")

    assert done.returncode != 0 and done.stderr.count("\n") == 1
    # The open window is 2026-11-23 .. 2026-11-26: four days asked, two answered.
    assert "Cost Explorer answered 2 of the 4 days asked (facts query; missing 2026-11-23 to 2026-11-26)" in done.stderr
    assert status(cache)["total"]["mtd"] == 2000.0


def test_a_repeating_page_token_stops_the_run(moto: MotoServer, tmp_path: Path) -> None:
    cache = synced_cache(moto, tmp_path)
    page = ce_result(ce_day("2026-11-24", [ce_group("Environment$prod", EC2, 700.0)]), next_page="same-token")
    moto.queue_ce(page, page, page, page)  # page 1, then the "next" page hands back the same token
    moto.injector.operations.clear()

    done = run_cli("--cache", str(cache), "--today", TODAY, "sync")

    assert done.returncode != 0 and done.stderr.count("\n") == 1
    assert "Cost Explorer repeated a NextPageToken (facts query, page 2)" in done.stderr
    assert moto.injector.operations.count("GetCostAndUsage") == 2  # stopped at once, not at the daily cap
    assert status(cache)["total"]["mtd"] == 2000.0
