"""Optional Cost Explorer sources degrade gracefully; a named AWS Cost Category is used."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.helpers import run_cli
from tests.integration.conftest import MotoServer, ce_day, ce_group, ce_result

TODAY = "2026-11-26"


def statuses(cache: Path) -> dict[str, str]:
    with sqlite3.connect(cache) as conn:
        return dict(conn.execute("SELECT name, status FROM source_status").fetchall())


def test_denied_and_missing_sources_are_recorded_and_shown(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    moto.fail("GetAnomalies", code="AccessDeniedException")
    # moto lacks these operations today; inject AWS's own answer so a newer moto cannot change the test.
    for operation in ("GetCostForecast", "GetSavingsPlansCoverage", "GetReservationCoverage"):
        moto.fail(operation, code="DataUnavailableException")

    done = run_cli("sync", "--cache", str(cache), "--today", TODAY)

    assert done.returncode == 0, done.stderr
    assert statuses(cache) == {"forecast": "not_available", "anomalies": "access_denied",
                               "savings_plans_coverage": "not_available", "reservation_coverage": "not_available",
                               "savings_plans_utilization": "not_available", "reservation_utilization": "not_available",
                               "purchase_types": "ok",
                               "cost_optimization_hub": "not_available", "compute_optimizer": "not_available",
                               "cpu_utilization": "ok", "waste_scan:us-east-1": "ok", "leads": "ok"}
    assert "  anomalies: access denied (AccessDeniedException: injected AccessDeniedException)" in done.stdout
    assert "  forecast: not available (DataUnavailableException: injected DataUnavailableException)" in done.stdout


def test_aws_cost_category_gives_the_category(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    config = tmp_path / "finops.toml"
    config.write_text('[categories]\naws_cost_category = "Component"\n')
    moto.queue_ce(
        ce_result(ce_day("2026-11-25", [ce_group("Component$AI/ML", "Environment$prod", 70.0),
                                        ce_group("Component$Networking", "Environment$", 30.0)])),
        ce_result(ce_day("2026-11-25", [ce_group("Component$AI/ML", "Amazon SageMaker", 50.0),
                                        ce_group("Component$AI/ML", "Amazon Elastic Compute Cloud - Compute", 20.0),
                                        ce_group("Component$Networking", "AWS Data Transfer", 30.0)])),
        ce_result(ce_day("2026-11-25", [ce_group("111111111111", "Environment$prod", 70.0),
                                        ce_group("111111111111", "Environment$", 30.0)])),
    )

    done = run_cli("sync", "--cache", str(cache), "--config", str(config), "--today", TODAY)

    assert done.returncode == 0, done.stderr
    with sqlite3.connect(cache) as conn:
        rows = conn.execute("SELECT category, environment, service, ROUND(SUM(amortized), 2) FROM cost_daily JOIN dim_allocation USING (dim_id) "
                            "GROUP BY 1, 2, 3 ORDER BY 1, 3").fetchall()
    assert rows == [
        ("AI/ML", "production", "Amazon Elastic Compute Cloud - Compute", 20.0),
        ("AI/ML", "production", "Amazon SageMaker", 50.0),
        ("Networking", "unallocated", "AWS Data Transfer", 30.0),
    ]
    assert "cost_categories" in statuses(cache)


def test_a_denied_waste_scan_is_recorded_and_the_sync_carries_on(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    moto.fail("DescribeVolumes", code="UnauthorizedOperation")

    done = run_cli("sync", "--cache", str(cache), "--today", TODAY)

    assert done.returncode == 0, done.stderr
    assert statuses(cache)["waste_scan:us-east-1"] == "access_denied"
    assert "  waste_scan:us-east-1: access denied (ec2/elasticloadbalancing Describe*)" in done.stdout
