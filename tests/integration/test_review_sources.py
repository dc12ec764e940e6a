"""The review's AWS sources: coverage and utilization, Cost Optimization Hub, Compute Optimizer, CloudWatch CPU.

Cost Explorer's coverage and utilization calls, Cost Optimization Hub and Compute
Optimizer are not in moto: the test middleware serves their real response shapes
(Cost Explorer amounts are strings). CloudWatch CPUUtilization goes into moto.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3

from tests.analytics_cache import Cache
from tests.helpers import run_cli
from tests.integration.conftest import MotoServer
from tests.review_cache import review_row

TODAY = "2026-11-02"  # the first Monday of November 2026: October is reviewed
OCT = {"Start": "2026-10-01", "End": "2026-11-01"}
NOV = {"Start": "2026-11-01", "End": "2026-11-02"}


def serve_commitments(moto: MotoServer) -> None:
    moto.answer("GetSavingsPlansCoverage", {"SavingsPlansCoverages": [
        {"Attributes": {}, "TimePeriod": OCT, "Coverage": {"SpendCoveredBySavingsPlans": "699.8765", "OnDemandCost": "300.1235",
                                                          "TotalCost": "1000.0", "CoveragePercentage": "69.98765"}},
        {"Attributes": {}, "TimePeriod": NOV, "Coverage": {"SpendCoveredBySavingsPlans": "10", "OnDemandCost": "90",
                                                          "TotalCost": "100", "CoveragePercentage": "10"}}]})
    moto.answer("GetSavingsPlansUtilization", {"SavingsPlansUtilizationsByTime": [
        {"TimePeriod": OCT, "Utilization": {"TotalCommitment": "1000", "UsedCommitment": "925.4",
                                            "UnusedCommitment": "74.6", "UtilizationPercentage": "92.54"}}],
        "Total": {"Utilization": {"UtilizationPercentage": "92.54"}}})
    moto.answer("GetReservationCoverage", {"CoveragesByTime": [
        {"TimePeriod": OCT, "Groups": [], "Total": {"CoverageHours": {
            "OnDemandHours": "600", "ReservedHours": "400", "TotalRunningHours": "1000", "CoverageHoursPercentage": "40"}}}],
        "Total": {"CoverageHours": {"CoverageHoursPercentage": "40"}}})
    moto.answer("GetReservationUtilization", {"UtilizationsByTime": [
        {"TimePeriod": OCT, "Groups": [], "Total": {"UtilizationPercentage": "88.84", "PurchasedHours": "450",
                                                    "TotalActualHours": "399.78"}}],
        "Total": {"UtilizationPercentage": "88.84"}})


def hub_item(resource_id: str, current: str, suggested: str, saving: float) -> dict:
    return {"recommendationId": f"rec-{resource_id}", "accountId": "111111111111", "region": "us-east-1",
            "resourceId": resource_id, "resourceArn": f"arn:aws:ec2:us-east-1:111111111111:instance/{resource_id}",
            "currentResourceType": "Ec2Instance", "recommendedResourceType": "Ec2Instance",
            "estimatedMonthlySavings": saving, "estimatedSavingsPercentage": 50.0, "estimatedMonthlyCost": saving * 2,
            "currencyCode": "USD", "implementationEffort": "Medium", "restartNeeded": True, "actionType": "Rightsize",
            "rollbackPossible": True, "currentResourceSummary": current, "recommendedResourceSummary": suggested,
            "lastRefreshTimestamp": "2026-11-01T00:00:00Z", "recommendationLookbackPeriodInDays": 14,
            "source": "ComputeOptimizer", "tags": []}


def review(cache: Path) -> dict:
    done = run_cli("review", "--format", "json", "--cache", str(cache), "--today", TODAY)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def statuses(cache: Path) -> dict[str, str]:
    with sqlite3.connect(cache) as conn:
        return dict(conn.execute("SELECT name, status FROM source_status").fetchall())


def test_coverage_and_hub_recommendations_from_aws(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    serve_commitments(moto)
    pages = iter([{"items": [hub_item("i-0aaa", "m5.2xlarge", "m5.xlarge", 612.5)], "nextToken": "page2"},
                  {"items": [hub_item("i-0bbb", "r5.large", "r6g.large", 40.0)]}])
    moto.answer("ListRecommendations", lambda body: next(pages))

    done = run_cli("sync", "--cache", str(cache), "--today", TODAY)

    assert done.returncode == 0, done.stderr
    data = review(cache)
    assert data["coverage"]["source"] == "cost_explorer"
    assert data["coverage"]["savings_plans"] == {"coverage_pct": 70.0, "utilization_pct": 92.5}  # October's, not November's
    assert data["coverage"]["reservations"] == {"coverage_pct": 40.0, "utilization_pct": 88.8}
    assert data["rightsizing"] == {"source": "cost_optimization_hub", "items": [
        {"resource_id": "i-0aaa", "current": "m5.2xlarge", "suggested": "m5.xlarge", "monthly_saving": 612.5,
         "approval": "vp_engineering"},
        {"resource_id": "i-0bbb", "current": "r5.large", "suggested": "r6g.large", "monthly_saving": 40.0,
         "approval": "team_lead"}]}
    assert statuses(cache)["cost_optimization_hub"] == "ok" and "compute_optimizer" not in statuses(cache)


def test_recommendations_and_coverage_are_asked_once_a_day(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    serve_commitments(moto)
    moto.answer("ListRecommendations", {"items": []})
    asked = ("GetSavingsPlansCoverage", "GetSavingsPlansUtilization", "GetReservationCoverage",
             "GetReservationUtilization", "ListRecommendations")

    first = run_cli("sync", "--cache", str(cache), "--today", TODAY)
    counts_first = {op: moto.injector.operations.count(op) for op in asked}
    second = run_cli("sync", "--cache", str(cache), "--today", TODAY)
    counts_second = {op: moto.injector.operations.count(op) for op in asked}
    next_day = run_cli("sync", "--cache", str(cache), "--today", "2026-11-03")

    assert first.returncode == second.returncode == next_day.returncode == 0, second.stderr + next_day.stderr
    assert counts_first == dict.fromkeys(asked, 1)
    assert counts_second == counts_first
    assert {op: moto.injector.operations.count(op) for op in asked} == dict.fromkeys(asked, 2)


def test_compute_optimizer_when_the_hub_is_not_enrolled(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    moto.fail("ListRecommendations", code="AccessDeniedException")
    moto.answer("GetEC2InstanceRecommendations", {"instanceRecommendations": [
        {"instanceArn": "arn:aws:ec2:us-east-1:111111111111:instance/i-0ccc", "accountId": "111111111111",
         "instanceName": "batch-1", "currentInstanceType": "c5.4xlarge", "finding": "Overprovisioned",
         "recommendationOptions": [
             {"instanceType": "c5.xlarge", "rank": 2, "savingsOpportunity": {
                 "savingsOpportunityPercentage": 75.0, "estimatedMonthlySavings": {"currency": "USD", "value": 370.0}}},
             {"instanceType": "c5.2xlarge", "rank": 1, "savingsOpportunity": {
                 "savingsOpportunityPercentage": 50.0, "estimatedMonthlySavings": {"currency": "USD", "value": 248.2}}}]},
        {"instanceArn": "arn:aws:ec2:us-east-1:111111111111:instance/i-0ddd", "currentInstanceType": "m5.large",
         "finding": "Optimized", "recommendationOptions": []}], "errors": []})

    done = run_cli("sync", "--cache", str(cache), "--today", TODAY)

    assert done.returncode == 0, done.stderr
    assert "cost_optimization_hub: access denied" in done.stdout
    data = review(cache)
    assert data["rightsizing"] == {"source": "compute_optimizer", "items": [
        {"resource_id": "i-0ccc", "current": "c5.4xlarge", "suggested": "c5.2xlarge", "monthly_saving": 248.2,
         "approval": "team_lead"}]}
    assert data["coverage"]["source"] == "none"  # nothing served: not available is recorded, the review says none
    shown = run_cli("review", "--cache", str(cache), "--today", TODAY)
    assert "cost_optimization_hub: access denied" in shown.stdout


def test_cloudwatch_cpu_p95_when_nothing_is_enrolled(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    moto.fail("GetEC2InstanceRecommendations", code="OptInRequiredException")
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=moto.url)
    idle = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="m5.xlarge")["Instances"][0]
    busy = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="c5.large")["Instances"][0]
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto.url)
    # One reading a day over the 14 days before today. p95 by hand (linear, numpy's default):
    # idle: 13 x 10 and one 95 -> rank 0.95 x 13 = 12.35 -> 10 + 0.35 x 85 = 39.75 % (< 40: one size down)
    # busy: 12 x 30, 90, 95    -> 90 + 0.35 x 5 = 91.75 %
    readings = {idle["InstanceId"]: [10.0] * 13 + [95.0], busy["InstanceId"]: [30.0] * 12 + [90.0, 95.0]}
    start = datetime(2026, 10, 19, 6, tzinfo=UTC)
    for instance_id, values in readings.items():
        cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=[
            {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": instance_id}],
             "Timestamp": start + timedelta(days=index), "Value": value, "Unit": "Percent"}
            for index, value in enumerate(values)])

    done = run_cli("sync", "--cache", str(cache), "--today", TODAY)
    assert done.returncode == 0, done.stderr
    # The idle instance's own October spend: 5 a day -> 155; one size down saves about half.
    Cache(cache).add(*[review_row(datetime(2026, 10, day).date(), "USE1-BoxUsage:m5.xlarge", 5.0,
                                  resource_id=idle["InstanceId"]) for day in range(1, 32)])

    data = review(cache)
    assert data["rightsizing"] == {"source": "cloudwatch", "items": [
        {"resource_id": idle["InstanceId"], "current": "m5.xlarge", "suggested": "m5.large", "monthly_saving": 77.5,
         "approval": "team_lead"}]}
    assert statuses(cache)["cost_optimization_hub"] == "not_available"
    assert statuses(cache)["compute_optimizer"] == "not_available"
    text = run_cli("review", "--cache", str(cache), "--today", TODAY).stdout
    assert "CPU p95 39.75 % < 40 %" in text


def test_the_policy_names_what_the_review_asks(tmp_path: Path) -> None:
    done = run_cli("doctor", "--policy-only", "--cache", str(tmp_path / "finops.db"))

    actions = json.loads(done.stdout[done.stdout.index("{"):])["Statement"][0]["Action"]
    for action in ("ce:GetSavingsPlansUtilization", "ce:GetReservationUtilization", "cost-optimization-hub:ListRecommendations",
                   "compute-optimizer:GetEC2InstanceRecommendations", "cloudwatch:GetMetricData", "ec2:DescribeInstances"):
        assert action in actions


def purchase_group(purchase: str, usage_type: str, amount: float, quantity: float) -> dict:
    return {"Keys": [purchase, usage_type], "Metrics": {
        "AmortizedCost": {"Amount": str(amount), "Unit": "USD"}, "UnblendedCost": {"Amount": str(amount), "Unit": "USD"},
        "UsageQuantity": {"Amount": str(quantity), "Unit": "N/A"}}}


def test_coverage_from_purchase_types_kept_once_a_day(moto: MotoServer, tmp_path: Path) -> None:
    from tests.integration.conftest import ce_result

    cache = tmp_path / "finops.db"
    october = {"TimePeriod": OCT, "Total": {}, "Estimated": False, "Groups": [
        purchase_group("On Demand Instances", "USE1-BoxUsage:m5.xlarge", 300.0, 1488.0),
        purchase_group("Savings Plans", "USE1-BoxUsage:m5.xlarge", 500.0, 2480.0),
        purchase_group("Standard Reserved Instances", "USE1-InstanceUsage:db.r5.large", 200.0, 744.0),
        purchase_group("Spot Instances", "USE1-SpotUsage:m5.large", 100.0, 1000.0),  # not commitment-eligible
        purchase_group("On Demand Instances", "USE1-TimedStorage-ByteHrs", 50.0, 2000.0)]}  # nor is storage
    moto.queue_ce(ce_result(), ce_result(), ce_result(), ce_result(), {"ResultsByTime": [october], "DimensionValueAttributes": []})

    done = run_cli("sync", "--cache", str(cache), "--today", TODAY)

    assert done.returncode == 0, done.stderr
    assert moto.injector.operations.count("GetCostAndUsage") == 5  # 4 daily queries + the purchase types
    # Eligible spend 300 + 500 + 200 = 1,000: Savings Plans 500 (50 %), reservations 200 (20 %)
    coverage = review(cache)["coverage"]
    assert (coverage["source"], coverage["savings_plans"], coverage["reservations"]) == (
        "cache", {"coverage_pct": 50.0, "utilization_pct": None}, {"coverage_pct": 20.0, "utilization_pct": None})
    again = run_cli("sync", "--cache", str(cache), "--today", TODAY)
    assert again.returncode == 0 and moto.injector.operations.count("GetCostAndUsage") == 9  # 4 more, no purchase types
