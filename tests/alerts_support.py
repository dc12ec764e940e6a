"""Small fixture caches for the alerts tests, built from ``CostRow`` rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from finops_tui.config import Settings
from finops_tui.store.db import CostRow, Store, open_store

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
    settings = Settings()
    for name, value in alerts.items():
        setattr(settings.alerts, name, value)
    return settings
