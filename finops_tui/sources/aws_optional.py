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

from finops_tui import calendar as cal
from finops_tui.config import Settings


def _forecast(ce: Any, settings: Settings, today: date) -> dict[str, Any]:
    metric = "AMORTIZED_COST" if settings.metric == "amortized" else "UNBLENDED_COST"
    end = cal.add_months(today, 1)  # Cost Explorer's End is exclusive: the 1st of next month
    answer = ce.get_cost_forecast(
        TimePeriod={"Start": today.isoformat(), "End": end.isoformat()}, Metric=metric, Granularity="MONTHLY",
    )
    total = answer.get("Total", {})
    return {"metric": metric, "rest_of_month": float(total.get("Amount", 0) or 0), "unit": total.get("Unit", "USD"),
            "start": today.isoformat(), "end": end.isoformat()}


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
    start = cal.previous_month_start(today)
    return {"Start": start.isoformat(), "End": max(today, start + timedelta(days=1)).isoformat()}


def _commitment(method: str, rows_key: str, path: tuple[str, ...], latest_key: str) -> Callable[[Any, Settings, date], Any]:
    """A fetcher of one MONTHLY coverage or utilization call.

    Its answer becomes {"months": {"YYYY-MM": percent or None}, latest_key: the latest month's}, read from each
    row's ``path`` (Cost Explorer amounts are strings).
    """

    def fetch(ce: Any, settings: Settings, today: date) -> dict[str, Any]:
        answer = getattr(ce, method)(TimePeriod=_coverage_period(today), Granularity="MONTHLY")
        months: dict[str, float | None] = {}
        for row in answer.get(rows_key, []):
            value: Any = row
            for key in path:
                value = value.get(key, {}) if isinstance(value, dict) else None
            month = str(row.get("TimePeriod", {}).get("Start", ""))[:7]
            months[month] = float(value) if value not in (None, "", {}) else None
        return {"months": months, latest_key: next(reversed(months.values()), None)}

    return fetch


_savings_plans = _commitment("get_savings_plans_coverage", "SavingsPlansCoverages",
                             ("Coverage", "CoveragePercentage"), "coverage_pct")
_reservations = _commitment("get_reservation_coverage", "CoveragesByTime",
                            ("Total", "CoverageHours", "CoverageHoursPercentage"), "coverage_pct")
_savings_plans_utilization = _commitment("get_savings_plans_utilization", "SavingsPlansUtilizationsByTime",
                                         ("Utilization", "UtilizationPercentage"), "utilization_pct")
_reservation_utilization = _commitment("get_reservation_utilization", "UtilizationsByTime",
                                       ("Total", "UtilizationPercentage"), "utilization_pct")


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
