"""Writing an Athena run: each billing period it fetched replaces that period of the source, inside the run's transaction."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import TYPE_CHECKING

from finops_tui.store.db import CostRow, Store

if TYPE_CHECKING:
    from finops_tui.config import Settings
    from finops_tui.sources.athena import AthenaFact


def period_days(period: str) -> tuple[str, str]:
    """(first day, first day of the next period) of billing period ``YYYY-MM``."""
    start = date.fromisoformat(f"{period}-01")
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start.isoformat(), end.isoformat()


def replace_periods(store: Store, conn: sqlite3.Connection, settings: Settings, source: str,
                    fetched: dict[str, list[AthenaFact]]) -> int:
    import json

    from finops_tui.analytics.categories import CategoryRules
    from finops_tui.analytics.environments import EnvironmentMapper

    rules = CategoryRules(settings.categories.rules)
    environments = EnvironmentMapper(settings.environments)
    written = 0
    for period, facts in fetched.items():
        first, end = period_days(period)
        store.delete_costs(conn, "source = ? AND day >= ? AND day < ?", (source, first, end))
        rows = []
        for fact in facts:
            tags = json.loads(fact.tags) if fact.tags else {}
            if fact.resource_name and not any(k.lower() == "name" for k in tags):
                tags = {**tags, "Name": fact.resource_name}
            category = rules.category_of(service=fact.service, usage_type=fact.usage_type,
                                         instance_type=fact.instance_type, resource=fact.resource_id,
                                         service_category=fact.service_category, tags=tags)
            environment = environments.from_tags({settings.environments.tag_key: fact.env_tag} if fact.env_tag else {},
                                                 fact.account)
            rows.append(CostRow(fact.day, fact.account, fact.service, fact.usage_type, category, environment,
                                fact.resource_id, fact.amortized, fact.billed, fact.charge_type, False, source))
        written += store.insert_costs(conn, rows)
    return written
