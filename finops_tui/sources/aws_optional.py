"""Optional Cost Explorer sources: forecast, anomalies, coverage, cost categories.

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
    return {"Start": (today - timedelta(days=30)).isoformat(), "End": today.isoformat()}


def _savings_plans(ce: Any, settings: Settings, today: date) -> dict[str, Any]:
    answer = ce.get_savings_plans_coverage(TimePeriod=_coverage_period(today), Granularity="MONTHLY")
    rows = answer.get("SavingsPlansCoverages", [])
    pct = rows[-1].get("Coverage", {}).get("CoveragePercentage") if rows else None
    return {"coverage_pct": float(pct) if pct not in (None, "") else None}


def _reservations(ce: Any, settings: Settings, today: date) -> dict[str, Any]:
    answer = ce.get_reservation_coverage(TimePeriod=_coverage_period(today), Granularity="MONTHLY")
    total = answer.get("Total", {}).get("CoverageHours", {})
    pct = total.get("CoverageHoursPercentage")
    return {"coverage_pct": float(pct) if pct not in (None, "") else None}


def _cost_categories(ce: Any, settings: Settings, today: date) -> list[str]:
    answer = ce.list_cost_category_definitions()
    return [item.get("Name", "") for item in answer.get("CostCategoryReferences", [])]


FETCHERS: dict[str, Callable[[Any, Settings, date], Any]] = {
    "forecast": _forecast,
    "anomalies": _anomalies,
    "savings_plans_coverage": _savings_plans,
    "reservation_coverage": _reservations,
    "cost_categories": _cost_categories,
}

PERMISSIONS = {
    "forecast": "ce:GetCostForecast",
    "anomalies": "ce:GetAnomalies",
    "savings_plans_coverage": "ce:GetSavingsPlansCoverage",
    "reservation_coverage": "ce:GetReservationCoverage",
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
