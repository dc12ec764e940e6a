"""Small hand-built caches for analytics tests: insert exactly the rows a test reasons about."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from finops_tui.config import Settings, parse_settings
from finops_tui.store import open_store
from finops_tui.store.db import CostRow, Store

# A good sync after every day the tests use as --today: fresh by sync age whatever the day (never the real date).
LATEST_SYNC = datetime(2030, 1, 1, 6, tzinfo=UTC)

# Budget 10,000 a month: production 7,000, staging 1,500, development 1,000, rnd 500.
SMALL_BUDGET = 10_000.0


def small_settings(**sections: object) -> Settings:
    data: dict[str, object] = {"budget": {"monthly_total": SMALL_BUDGET}}
    data.update(sections)
    return parse_settings(data)


def cost(day: str | date, amount: float, *, category: str = "Compute", environment: str = "production",
         billed: float | None = None, charge_type: str = "usage", service: str = "Amazon Elastic Compute Cloud - Compute",
         resource_id: str = "", account: str = "111111111111", usage_type: str = "") -> CostRow:
    return CostRow(str(day), account, service, usage_type, category, environment, resource_id, amount,
                   amount if billed is None else billed, charge_type, False, "test")


class Cache:
    """A temp cache with a fresh sync run (so it is not stale) and helpers to add rows."""

    def __init__(self, path: Path, *, synced: bool = True, synced_on: date | None = None) -> None:
        """``synced_on``: a good sync at 06:00 UTC that day (fresh for a fixed ``--today`` of that day)."""
        self.path = path
        self.store: Store = open_store(path)
        if synced:
            when = datetime(synced_on.year, synced_on.month, synced_on.day, 6, tzinfo=UTC) if synced_on else LATEST_SYNC
            self.add_sync_run(when)

    def add(self, *rows: CostRow) -> Cache:
        with self.store.transaction() as conn:
            self.store.insert_costs(conn, rows)
        return self

    def leads(self, *days: tuple[str, int]) -> Cache:
        with self.store.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO leads (day, leads) VALUES (?, ?)", days)
        return self

    def waste(self, resource_id: str, kind: str, monthly_cost: float, environment: str = "unallocated", name: str = "") -> Cache:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO waste_items (resource_id, kind, environment, monthly_cost, name, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                (resource_id, kind, environment, monthly_cost, name, "2026-01-01T00:00:00+00:00"),
            )
        return self

    def add_sync_run(self, finished: datetime, status: str = "ok", error: str | None = None) -> None:
        stamp = finished.replace(microsecond=0).isoformat()
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO sync_runs (kind, started_at, finished_at, status, error) VALUES ('sync', ?, ?, ?, ?)",
                         (stamp, stamp, status, error))
