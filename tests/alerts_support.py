"""Small fixture caches for the alerts tests, built from ``CostRow`` rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from finops_tui.config import Settings, parse_settings
from finops_tui.store.db import CostRow, Store, open_store

SPIKE_KEY = "spike:category:Compute:2026-11-10"
ODD_SERVICE = "AWS Lambda <fn>&co"
SERVICE_OF = {"Compute": "Amazon Elastic Compute Cloud - Compute", "Storage": "Amazon Simple Storage Service",
              "Database": "Amazon Relational Database Service"}


@dataclass(frozen=True)
class At:
    """A clock pinned to one moment (UTC): ``today`` is its date."""

    moment: datetime

    @property
    def today(self) -> date:
        return self.moment.date()

    def now(self) -> datetime:
        return self.moment

    def wall_now(self) -> datetime:
        return self.moment  # this test clock stands in for the wall clock too

    def later(self, **delta: float) -> At:
        return At(self.moment + timedelta(**delta))


def noon(day: date) -> At:
    return At(datetime.combine(day, time(12, 0), tzinfo=UTC))


def row(day: date, amount: float, *, environment: str = "production", category: str = "Compute",
        service: str | None = None) -> CostRow:
    return CostRow(day.isoformat(), "111111111111", service or SERVICE_OF.get(category, category), "usage",
                   category, environment, "", amount, amount, source="test")


def build_cache(path: Path, rows: list[CostRow]) -> Store:
    store = open_store(path)
    with store.transaction() as conn:
        store.insert_costs(conn, rows)
    return store


def add_rows(store: Store, rows: list[CostRow]) -> None:
    with store.transaction() as conn:
        store.insert_costs(conn, rows)


def flat_month(first: date, days: int, amount: float, **kwargs: object) -> list[CostRow]:
    """``amount`` a day on ``days`` consecutive days from ``first``."""
    return [row(first + timedelta(days=offset), amount, **kwargs) for offset in range(days)]


def quiet_settings(**alerts: object) -> Settings:
    """Defaults with a big budget (no budget events) unless a test sets one; alerts options as given."""
    return parse_settings({"alerts": alerts}) if alerts else Settings()  # validated: a URL becomes a Secret


def spike_rows(compute_on_10th: float = 130.0) -> list:
    """Compute 100 and Storage 100 a day; on the 10th Compute rises (EC2 +25, a Lambda +5 for 130), Storage flat."""
    rows = []
    for offset in range(9):
        day = date(2026, 11, 1) + timedelta(days=offset)
        rows += [row(day, 60.0, service="Amazon EC2"), row(day, 40.0, service=ODD_SERVICE), row(day, 100.0, category="Storage")]
    tenth = date(2026, 11, 10)
    lambda_part = round(compute_on_10th - 85.0, 2)
    rows += [row(tenth, 85.0, service="Amazon EC2"), row(tenth, lambda_part, service=ODD_SERVICE), row(tenth, 100.0, category="Storage")]
    return rows
