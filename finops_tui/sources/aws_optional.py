"""Optional Cost Explorer sources: forecast, anomalies, commitment coverage and utilization, cost categories.

Each is asked at most once per UTC day (they cost $0.01 like any Cost Explorer
request and change slowly). When AWS, or the endpoint, answers "not available"
or "access denied", the answer is recorded in ``source_status`` and the sync
carries on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from finops_tui.config import Settings


def _month_end(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _forecast(ce: Any, settings: Settings, today: date) -> dict[str, Any]:
    metric = "AMORTIZED_COST" if settings.metric == "amortized" else "UNBLENDED_COST"
    answer = ce.get_cost_forecast(
        TimePeriod={"Start": today.isoformat(), "End": _month_end(today).isoformat()}, Metric=metric, Granularity="MONTHLY",
    )
    total = answer.get("Total", {})
    return {"metric": metric, "rest_of_month": float(total.get("Amount", 0) or 0), "unit": total.get("Unit", "USD"),
            "start": today.isoformat(), "end": _month_end(today).isoformat()}


def _anomalies(ce: Any, settings: Settings, today: date) -> list[dict[str, Any]]:
    answer = ce.get_anomalies(
        DateInterval={"StartDate": (today - timedelta(days=30)).isoformat(), "EndDate": today.isoformat()}, MaxResults=50,
    )
    found = []
    for anomaly in answer.get("Anomalies", []):
        impact = anomaly.get("Impact", {})
        found.append({"id": anomaly.get("AnomalyId", ""), "start": anomaly.get("AnomalyStartDate", ""),
                      "end": anomaly.get("AnomalyEndDate", ""), "impact": float(impact.get("TotalImpact", 0) or 0),
                      "service": (anomaly.get("RootCauses") or [{}])[0].get("Service", "")})
    return found


def _coverage_period(today: date) -> dict[str, str]:
    """The previous month and this one up to today (End is exclusive), MONTHLY: what the review of each needs."""
    start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return {"Start": start.isoformat(), "End": max(today, start + timedelta(days=1)).isoformat()}


def _by_month(rows: list[dict[str, Any]], percentage: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """{"months": {"YYYY-MM": percentage}, "coverage_pct"/"utilization_pct" of the latest}; Cost Explorer amounts are strings."""
    months: dict[str, float | None] = {}
    for row in rows:
        value = percentage(row)
        months[str(row.get("TimePeriod", {}).get("Start", ""))[:7]] = float(value) if value not in (None, "") else None
    return {"months": months}


def _savings_plans(ce: Any, settings: Settings, today: date) -> dict[str, Any]:
    answer = ce.get_savings_plans_coverage(TimePeriod=_coverage_period(today), Granularity="MONTHLY")
    found = _by_month(answer.get("SavingsPlansCoverages", []), lambda row: row.get("Coverage", {}).get("CoveragePercentage"))
    found["coverage_pct"] = next(reversed(found["months"].values()), None)
    return found


def _reservations(ce: Any, settings: Settings, today: date) -> dict[str, Any]:
    answer = ce.get_reservation_coverage(TimePeriod=_coverage_period(today), Granularity="MONTHLY")
    found = _by_month(answer.get("CoveragesByTime", []),
                      lambda row: row.get("Total", {}).get("CoverageHours", {}).get("CoverageHoursPercentage"))
    found["coverage_pct"] = next(reversed(found["months"].values()), None)
    return found


def _savings_plans_utilization(ce: Any, settings: Settings, today: date) -> dict[str, Any]:
    answer = ce.get_savings_plans_utilization(TimePeriod=_coverage_period(today), Granularity="MONTHLY")
    found = _by_month(answer.get("SavingsPlansUtilizationsByTime", []),
                      lambda row: row.get("Utilization", {}).get("UtilizationPercentage"))
    found["utilization_pct"] = next(reversed(found["months"].values()), None)
    return found


def _reservation_utilization(ce: Any, settings: Settings, today: date) -> dict[str, Any]:
    answer = ce.get_reservation_utilization(TimePeriod=_coverage_period(today), Granularity="MONTHLY")
    found = _by_month(answer.get("UtilizationsByTime", []), lambda row: row.get("Total", {}).get("UtilizationPercentage"))
    found["utilization_pct"] = next(reversed(found["months"].values()), None)
    return found


def _purchase_types(ce: Any, settings: Settings, today: date) -> dict[str, Any]:
    """Spend and usage quantity per month x purchase type x usage type, for the review's coverage from the cache.

    One MONTHLY GetCostAndUsage over the previous and the current month (every page).
    """
    from finops_tui.sources.aws import get_cost_and_usage_pages

    request = {"TimePeriod": _coverage_period(today), "Granularity": "MONTHLY",
               "Metrics": ["AmortizedCost", "UnblendedCost", "UsageQuantity"],
               "GroupBy": [{"Type": "DIMENSION", "Key": "PURCHASE_TYPE"}, {"Type": "DIMENSION", "Key": "USAGE_TYPE"}]}
    months: dict[str, list[list[Any]]] = {}
    for page in get_cost_and_usage_pages(ce, request):
        for period in page.get("ResultsByTime", []):
            month = period["TimePeriod"]["Start"][:7]
            for group in period.get("Groups", []):
                keys = group.get("Keys", [])
                metrics = group.get("Metrics", {})
                if len(keys) != 2:
                    continue
                amounts = [float(metrics.get(name, {}).get("Amount", 0) or 0)
                           for name in ("AmortizedCost", "UnblendedCost", "UsageQuantity")]
                months.setdefault(month, []).append([keys[0], keys[1], *amounts])
    return {"months": months}


def _cost_categories(ce: Any, settings: Settings, today: date) -> list[str]:
    answer = ce.list_cost_category_definitions()
    return [item.get("Name", "") for item in answer.get("CostCategoryReferences", [])]


FETCHERS: dict[str, Callable[[Any, Settings, date], Any]] = {
    "forecast": _forecast,
    "anomalies": _anomalies,
    "savings_plans_coverage": _savings_plans,
    "reservation_coverage": _reservations,
    "savings_plans_utilization": _savings_plans_utilization,
    "reservation_utilization": _reservation_utilization,
    "purchase_types": _purchase_types,
    "cost_categories": _cost_categories,
}

PERMISSIONS = {
    "forecast": "ce:GetCostForecast",
    "anomalies": "ce:GetAnomalies",
    "savings_plans_coverage": "ce:GetSavingsPlansCoverage",
    "reservation_coverage": "ce:GetReservationCoverage",
    "savings_plans_utilization": "ce:GetSavingsPlansUtilization",
    "reservation_utilization": "ce:GetReservationUtilization",
    "purchase_types": "ce:GetCostAndUsage",
    "cost_categories": "ce:ListCostCategoryDefinitions",
}


def fetch_optional(ce: Any, settings: Settings, today: date, names: list[str],
                   optional_call: Callable[[Callable[[], Any]], tuple[str, str, Any]]) -> dict[str, tuple[str, str, Any]]:
    """{name: (status, message, value)} for each due source; never raises for an AWS "no"."""
    answers = {}
    for name in names:
        fetcher = FETCHERS[name]
        answers[name] = optional_call(lambda fetcher=fetcher: fetcher(ce, settings, today))
    return answers
