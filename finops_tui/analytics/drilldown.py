"""Drill-down figures for the console: a category's services, a service's usage types and daily trend.

Plain data (no UI types), read with the same ``CostFilter`` as the snapshot so the numbers agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from finops_tui.analytics.rules import cents, percent
from finops_tui.config import Settings
from finops_tui.store import queries
from finops_tui.store.db import Store
from finops_tui.store.queries import CostFilter

DAILY_TREND_DAYS = 30


@dataclass(frozen=True)
class SpendLine:
    """One row of a drill-down table: a service or a usage type, month to date."""

    name: str
    mtd: float
    share_pct: float | None


@dataclass(frozen=True)
class ServiceDetail:
    category: str
    service: str
    usage_types: tuple[SpendLine, ...]
    daily: tuple[tuple[str, float], ...]  # (day, spend) over the last complete days, oldest first, gaps filled with 0
    today_so_far: float = 0.0  # today's spend so far: a partial day, shown apart from the complete ones


def _lines(rows: list[tuple[str, float]]) -> tuple[SpendLine, ...]:
    total = sum(spend for _, spend in rows)
    return tuple(SpendLine(name or "(none)", cents(spend), _one_decimal(percent(spend, total))) for name, spend in rows)


def _one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1) + 0.0


def services_of_category(store: Store, settings: Settings, category: str, today: date,
                         environment: str | None = None) -> tuple[SpendLine, ...]:
    """Services of ``category`` by month-to-date spend (the month of ``today``), largest first."""
    flt = CostFilter(settings.metric, settings.exclude_credits, environment)
    rows = queries.services_in_category(store.conn, flt, category, today.replace(day=1), today)
    return _lines(rows)


def service_detail(store: Store, settings: Settings, category: str, service: str, today: date,
                   environment: str | None = None) -> ServiceDetail:
    """Usage types of one service month to date, and its daily spend over the last 30 complete days."""
    flt = CostFilter(settings.metric, settings.exclude_credits, environment)
    conn = store.conn
    usage = _lines(queries.usage_types_of_service(conn, flt, category, service, today.replace(day=1), today))
    last = today - timedelta(days=1)
    first = last - timedelta(days=DAILY_TREND_DAYS - 1)
    by_day = dict(queries.daily_of_service(conn, flt, category, service, first, last))
    daily = tuple(
        ((first + timedelta(days=offset)).isoformat(), cents(by_day.get((first + timedelta(days=offset)).isoformat(), 0.0)))
        for offset in range(DAILY_TREND_DAYS)
    )
    today_rows = queries.daily_of_service(conn, flt, category, service, today, today)
    return ServiceDetail(category, service, usage, daily, cents(sum(spend for _, spend in today_rows)))
