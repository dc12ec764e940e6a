"""`finops-tui sync` against a moto server: Cost Explorer paging, allocation, incremental window, request meter."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.helpers import run_cli
from tests.integration.conftest import MotoServer, ce_day, ce_group, ce_usage_group, ce_result

TODAY = "2026-11-26"
EC2 = "Amazon Elastic Compute Cloud - Compute"
S3 = "Amazon Simple Storage Service"
RDS = "Amazon Relational Database Service"
LAMBDA = "AWS Lambda"
PROD_ACCOUNT = "111111111111"
STAGING_ACCOUNT = "222222222222"


def queue_first_run(moto: MotoServer) -> None:
    """Backfill answers, in the order the sync asks: facts (two pages), detail, accounts."""
    moto.queue_ce(
        ce_result(
            ce_day("2026-11-10", [ce_group("Environment$dev", LAMBDA, 5.0)]),
            ce_day("2026-11-24", [ce_group("Environment$prod", EC2, 100.0, 90.0), ce_group("Environment$", S3, 10.0)]),
            next_page="page-2",
        ),
        ce_result(ce_day("2026-11-25", [ce_group("Environment$staging", EC2, 40.0), ce_group("Environment$Prod", RDS, 20.0)],
                         estimated=True)),
        ce_result(
            ce_day("2026-11-10", [ce_usage_group(LAMBDA, "Request", 5.0)]),
            ce_day("2026-11-24", [ce_usage_group(EC2, "BoxUsage:g5.xlarge", 60.0), ce_usage_group(EC2, "EBS:VolumeUsage.gp3", 40.0),
                                  ce_usage_group(S3, "TimedStorage-ByteHrs", 10.0)]),
            ce_day("2026-11-25", [ce_usage_group(EC2, "BoxUsage:m5.large", 40.0), ce_usage_group(RDS, "InstanceUsage:db.t3.medium", 20.0)],
                   estimated=True),
        ),
        ce_result(
            ce_day("2026-11-10", [ce_group(PROD_ACCOUNT, "Environment$dev", 5.0)]),
            ce_day("2026-11-24", [ce_group(PROD_ACCOUNT, "Environment$prod", 100.0), ce_group(PROD_ACCOUNT, "Environment$", 10.0)]),
            ce_day("2026-11-25", [ce_group(STAGING_ACCOUNT, "Environment$staging", 40.0), ce_group(PROD_ACCOUNT, "Environment$Prod", 20.0)],
                   estimated=True),
        ),
    )


def by_day_category_environment(cache: Path) -> dict[tuple[str, str, str], float]:
    with sqlite3.connect(cache) as conn:
        rows = conn.execute("SELECT day, category, environment, ROUND(SUM(amortized), 2) FROM cost_daily JOIN dim_allocation USING (dim_id) "
                            "WHERE source = 'ce' GROUP BY 1, 2, 3").fetchall()
    return {(day, category, environment): amount for day, category, environment, amount in rows}


def last_run(cache: Path) -> dict:
    with sqlite3.connect(cache) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM sync_runs ORDER BY id DESC LIMIT 1").fetchone())


def test_first_sync_backfills_pages_and_allocates_every_dollar(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    queue_first_run(moto)

    done = run_cli("sync", "--cache", str(cache), "--today", TODAY)

    assert done.returncode == 0, done.stderr
    assert "Synced 2025-11-01 to 2026-11-26 (first run: backfill)" in done.stdout
    assert by_day_category_environment(cache) == {
        ("2026-11-10", "Compute", "development"): 5.0,
        ("2026-11-24", "AI/ML", "production"): 60.0,  # g5 instances
        ("2026-11-24", "Storage", "production"): 40.0,  # EBS usage of EC2
        ("2026-11-24", "Storage", "unallocated"): 10.0,  # "Environment$" = no tag
        ("2026-11-25", "Compute", "staging"): 40.0,
        ("2026-11-25", "Database", "production"): 20.0,  # "Prod" is an alias, any case
    }
    with sqlite3.connect(cache) as conn:
        billed = conn.execute("SELECT ROUND(SUM(billed), 2) FROM cost_daily WHERE day = '2026-11-24'").fetchone()[0]
        estimated = conn.execute("SELECT DISTINCT day FROM cost_daily WHERE estimated = 1").fetchall()
        accounts = dict(conn.execute("SELECT environment, GROUP_CONCAT(DISTINCT account) FROM cost_daily JOIN dim_allocation USING (dim_id) GROUP BY 1").fetchall())
    assert billed == 100.0  # both metrics from one call: 90 + 10
    assert estimated == [("2026-11-25",)]
    assert accounts["staging"] == STAGING_ACCOUNT and accounts["production"] == PROD_ACCOUNT
    run = last_run(cache)
    assert run["status"] == "ok"
    # 5 GetCostAndUsage pages (facts twice, detail, accounts, records) + 7 optional sources (6 that moto does not
    # implement, asked once each, no retry, and the review's purchase types).
    assert run["ce_request_count"] == 12
    assert moto.injector.operations.count("GetCostAndUsage") == 6  # 5 pages + the purchase types
    assert run["request_count"] == len(moto.injector.operations)
    assert f"Requests: {run['request_count']} AWS requests, 12 to Cost Explorer ($0.12)" in done.stdout
    assert "forecast: not available" in done.stdout


def test_sync_only_reads(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    queue_first_run(moto)

    assert run_cli("sync", "--cache", str(cache), "--today", TODAY).returncode == 0

    operations = json.loads(last_run(cache)["detail"])["operations"]
    names = [name.split(".", 1)[1] for name in operations]
    assert "GetCostAndUsage" in names and "DescribeVolumes" in names and "GetMetricData" in names
    assert all(name.startswith(("Get", "Describe", "List")) for name in names), names
    assert sum(operations.values()) == len(moto.injector.operations)


def test_same_day_resync_fetches_only_the_open_window_once(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    queue_first_run(moto)
    assert run_cli("sync", "--cache", str(cache), "--today", TODAY).returncode == 0
    moto.injector.operations.clear()
    moto.queue_ce(  # Cost Explorer revised the 25th: staging is now 55
        ce_result(ce_day("2026-11-24", [ce_group("Environment$prod", EC2, 100.0)]),
                  ce_day("2026-11-25", [ce_group("Environment$staging", EC2, 55.0)])),
        ce_result(ce_day("2026-11-24", [ce_usage_group(EC2, "BoxUsage:g5.xlarge", 100.0)]),
                  ce_day("2026-11-25", [ce_usage_group(EC2, "BoxUsage:m5.large", 55.0)])),
        ce_result(ce_day("2026-11-24", [ce_group(PROD_ACCOUNT, "Environment$prod", 100.0)]),
                  ce_day("2026-11-25", [ce_group(STAGING_ACCOUNT, "Environment$staging", 55.0)])),
    )

    again = run_cli("sync", "--cache", str(cache), "--today", TODAY)

    assert again.returncode == 0, again.stderr
    assert "Synced 2026-11-23 to 2026-11-26:" in again.stdout
    run = last_run(cache)
    assert run["ce_request_count"] == 4  # one page per query; optional sources were answered today already
    assert json.loads(run["detail"])["window"] == ["2026-11-23", "2026-11-27"]
    assert by_day_category_environment(cache) == {
        ("2026-11-10", "Compute", "development"): 5.0,  # outside the window: kept
        ("2026-11-24", "AI/ML", "production"): 100.0,
        ("2026-11-25", "Compute", "staging"): 55.0,
    }
    assert "Today: 16 of 200 Cost Explorer requests." in again.stdout
    with sqlite3.connect(cache) as conn:  # the panes read the rollup: it must follow the replaced window
        rollup = conn.execute("SELECT day, ROUND(SUM(amortized), 2) FROM cost_rollup GROUP BY day ORDER BY day").fetchall()
    assert rollup == [("2026-11-10", 5.0), ("2026-11-24", 100.0), ("2026-11-25", 55.0)]


def test_dry_run_makes_no_request(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"

    done = run_cli("sync", "--dry-run", "--cache", str(cache), "--today", TODAY)

    assert done.returncode == 0, done.stderr
    assert "Dry run: a sync would fetch 2025-11-01 to 2026-11-26 (first run: backfill)." in done.stdout
    assert "at least 18 AWS requests, 11 of them to Cost Explorer (at least $0.11" in done.stdout
    assert moto.injector.operations == []


def test_daily_cap_refuses_before_calling(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    config = tmp_path / "finops.toml"
    config.write_text("[sync]\ndaily_request_cap = 5\n")

    done = run_cli("sync", "--cache", str(cache), "--config", str(config), "--today", TODAY)

    assert done.returncode == 1
    assert done.stderr.strip() == (
        "finops-tui: refused: this sync needs at least 11 Cost Explorer requests and 0 of today's cap of 5 are used "
        "(raise sync.daily_request_cap or sync again tomorrow)"
    )
    assert moto.injector.operations == []
    run = last_run(cache)
    assert run["status"] == "failed" and run["error"].startswith("refused:")


def test_cap_stops_a_run_whose_pages_outgrow_it(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    config = tmp_path / "finops.toml"
    config.write_text("[sync]\ndaily_request_cap = 11\n")  # 4 queries + 7 optional sources: just allowed to start
    pages = [ce_result(ce_day("2026-11-24", [ce_group("Environment$prod", EC2, 1.0)]), next_page=f"p{n + 1}") for n in range(11)]
    moto.queue_ce(*pages)

    done = run_cli("sync", "--cache", str(cache), "--config", str(config), "--today", TODAY)

    assert done.returncode == 1
    assert "stopped before Cost Explorer request 12: the daily cap of requests is reached" in done.stderr
    assert moto.injector.operations.count("GetCostAndUsage") == 11
    run = last_run(cache)
    assert run["status"] == "failed" and run["ce_request_count"] == 11
    with sqlite3.connect(cache) as conn:
        assert conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()[0] == 0


def test_request_changed_restarts_paging_without_doubling(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    queue_first_run(moto)
    moto.fail("GetCostAndUsage", code="RequestChangedException", times=1, after=1)  # the second page, once

    done = run_cli("sync", "--cache", str(cache), "--today", TODAY)

    assert done.returncode == 0, done.stderr
    # page 1, page 2 (changed), page 1, page 2, detail, accounts, records, then the review's purchase types
    assert moto.injector.operations.count("GetCostAndUsage") == 8
    assert sum(by_day_category_environment(cache).values()) == 175.0
    assert last_run(cache)["ce_request_count"] == 7 + 7
