"""Right-sizing inputs for the FinOps review: Cost Optimization Hub, else Compute Optimizer, else CloudWatch CPU.

Asked at most once per UTC day by the sync (recommendations change daily at
most). The first source that answers wins; "not enrolled" or "access denied"
is recorded in ``source_status`` (``cost_optimization_hub``,
``compute_optimizer``, ``cpu_utilization``) and the next one is tried. Only
List, Get and Describe calls are made.

What is kept (meta, JSON):
- ``aws.rightsizing_recommendations``: ``{"source", "fetched", "items": [{"resource_id",
  "current", "suggested", "monthly_saving", "detail"}]}``;
- ``aws.cpu_utilization``: ``{"end", "period_seconds", "instances": {id: {"type",
  "region", "values": [hourly average CPU %]}}}``; the review takes the p95 (pandas).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from finops_tui.config import Settings

SOURCES = ("cost_optimization_hub", "compute_optimizer", "cpu_utilization")
PERMISSIONS = {
    "cost_optimization_hub": "cost-optimization-hub:ListRecommendations",
    "compute_optimizer": "compute-optimizer:GetEC2InstanceRecommendations",
    "cpu_utilization": "cloudwatch:GetMetricData",
}
HUB_REGION = "us-east-1"  # Cost Optimization Hub has one endpoint
MAX_PAGES = 20
_QUERIES_PER_CALL = 500  # GetMetricData's limit of metric queries per request


def _hub(aws: Any, settings: Settings, today: date) -> dict[str, Any]:
    client = aws.client("cost-optimization-hub", HUB_REGION, attempts=1)
    items: list[dict[str, Any]] = []
    token = None
    for _page in range(MAX_PAGES):
        kwargs: dict[str, Any] = {"filter": {"actionTypes": ["Rightsize"]}, "maxResults": 100}
        if token:
            kwargs["nextToken"] = token
        answer = client.list_recommendations(**kwargs)
        for item in answer.get("items", []):
            items.append({"resource_id": item.get("resourceId", ""), "current": item.get("currentResourceSummary", ""),
                          "suggested": item.get("recommendedResourceSummary", ""),
                          "monthly_saving": float(item.get("estimatedMonthlySavings") or 0.0),
                          "detail": f"{item.get('currentResourceType', '')} in {item.get('region', '')}, "
                                    f"account {item.get('accountId', '')}"})
        token = answer.get("nextToken")
        if not token:
            break
    return {"source": "cost_optimization_hub", "fetched": today.isoformat(), "items": items}


def _optimizer(aws: Any, settings: Settings, today: date) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for region in settings.sync.regions:
        client = aws.client("compute-optimizer", region, attempts=1)
        token = None
        for _page in range(MAX_PAGES):
            kwargs: dict[str, Any] = {"maxResults": 100}
            if token:
                kwargs["nextToken"] = token
            answer = client.get_ec2_instance_recommendations(**kwargs)
            for rec in answer.get("instanceRecommendations", []):
                if rec.get("finding", "").lower() != "overprovisioned":
                    continue
                options = sorted(rec.get("recommendationOptions", []), key=lambda option: option.get("rank", 99))
                if not options:
                    continue
                best = options[0]
                saving = best.get("savingsOpportunity", {}).get("estimatedMonthlySavings", {}).get("value") or 0.0
                arn = rec.get("instanceArn", "")
                items.append({"resource_id": arn.rsplit("/", 1)[-1], "current": rec.get("currentInstanceType", ""),
                              "suggested": best.get("instanceType", ""), "monthly_saving": float(saving),
                              "detail": f"{rec.get('instanceName', '')} in {region}, account {rec.get('accountId', '')}"})
            token = answer.get("nextToken")
            if not token:
                break
    return {"source": "compute_optimizer", "fetched": today.isoformat(), "items": items}


def _cpu(aws: Any, settings: Settings, today: date) -> dict[str, Any]:
    end = datetime.combine(today, time(0), tzinfo=UTC)
    start = end - timedelta(days=settings.review.cpu_lookback_days)
    instances: dict[str, dict[str, Any]] = {}
    for region in settings.sync.regions:
        ec2 = aws.client("ec2", region)
        running: list[tuple[str, str]] = []
        for page in ec2.get_paginator("describe_instances").paginate(
                Filters=[{"Name": "instance-state-name", "Values": ["running"]}]):
            for reservation in page.get("Reservations", []):
                running += [(i["InstanceId"], i.get("InstanceType", "")) for i in reservation.get("Instances", [])]
        cloudwatch = aws.client("cloudwatch", region)
        for offset in range(0, len(running), _QUERIES_PER_CALL):
            chunk = running[offset:offset + _QUERIES_PER_CALL]
            queries = [{"Id": f"cpu{index}", "ReturnData": True, "MetricStat": {
                "Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                           "Dimensions": [{"Name": "InstanceId", "Value": instance_id}]},
                "Period": 3600, "Stat": "Average"}} for index, (instance_id, _type) in enumerate(chunk)]
            values: dict[str, list[float]] = {}
            token = None
            for _page in range(MAX_PAGES):
                kwargs: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end}
                if token:
                    kwargs["NextToken"] = token
                answer = cloudwatch.get_metric_data(**kwargs)
                for result in answer.get("MetricDataResults", []):
                    values.setdefault(result["Id"], []).extend(float(v) for v in result.get("Values", []))
                token = answer.get("NextToken")
                if not token:
                    break
            for index, (instance_id, instance_type) in enumerate(chunk):
                instances[instance_id] = {"type": instance_type, "region": region, "values": values.get(f"cpu{index}", [])}
    return {"end": today.isoformat(), "period_seconds": 3600, "instances": instances}


FETCHERS: dict[str, Callable[[Any, Settings, date], dict[str, Any]]] = {
    "cost_optimization_hub": _hub,
    "compute_optimizer": _optimizer,
    "cpu_utilization": _cpu,
}


def fetch_rightsizing(aws: Any, settings: Settings, today: date,
                      optional_call: Callable[[Callable[[], Any]], tuple[str, str, Any]]
                      ) -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    """(statuses, meta values) of the first right-sizing source that answers; a None value clears a stale key."""
    statuses: list[tuple[str, str, str]] = []
    for name in SOURCES:
        status, message, value = optional_call(lambda name=name: FETCHERS[name](aws, settings, today))
        statuses.append((name, status, message if status == "ok" else f"{PERMISSIONS[name]}: {message}"[:300]))
        if status != "ok":
            continue
        if name == "cpu_utilization":
            return statuses, {"rightsizing_recommendations": None, "cpu_utilization": value}
        return statuses, {"rightsizing_recommendations": value, "cpu_utilization": None}
    return statuses, {}
