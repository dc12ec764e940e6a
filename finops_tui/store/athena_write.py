"""Writing an Athena run: each (billing account, billing period) it fetched replaces that slice, inside the run's transaction.

A slice is the sources' unit of replacement (``source_slices``: provider x billing
account x billing period, the accounts it covers, the last day it reached).
Whoever loaded the same slice before, an imported FOCUS export or an earlier
Athena run, its rows go and these come in; a billing account the period's
answer no longer has loses this source's slice of that period. Rows keep the
raw dimensions, as every source's do: category and environment are derived
from the config when figures are read, so a changed rule needs no re-sync. The
Athena source is one row of ``sources`` (kind ``athena``), its billing periods
its slices; precedence treats it as any billing export.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from finops_tui import calendar as cal
from finops_tui.store.db import CostRow, Store, utc_now_iso

if TYPE_CHECKING:
    from finops_tui.sources.athena import AthenaFact

PROVIDER = "AWS"  # what an AWS Data Export's ProviderName says: the slices of a FOCUS file of the same export


@dataclass
class PeriodsWritten:
    rows: int = 0
    slices: list[str] = field(default_factory=list)  # "AWS 111111111111 2026-10" for each slice written
    replaced: list[str] = field(default_factory=list)  # the slices another source had, "... (was <label>)"


def period_days(period: str) -> tuple[str, str]:
    """(first day, first day of the next period) of billing period ``YYYY-MM``."""
    start = date.fromisoformat(f"{period}-01")
    return start.isoformat(), cal.add_months(start, 1).isoformat()


def slice_label(billing_account: str, period_start: str) -> str:
    return f"{PROVIDER} {billing_account or '(no billing account)'} {period_start[:7]}"


def _drop_slice(store: Store, conn: sqlite3.Connection, slice_id: int, period_start: str, last_day: str | None) -> None:
    store.delete_costs(conn, "slice_id = ?", (slice_id,))
    store.mark_dirty(period_start, last_day or period_start)  # Cost Explorer rows these days were set aside for
    conn.execute("DELETE FROM source_slices WHERE slice_id = ?", (slice_id,))


def _rows(facts: Iterable[AthenaFact], source: str, slice_id: int) -> Iterable[CostRow]:
    for f in facts:
        yield CostRow(f.day, f.account, f.service, f.usage_type, "", f.env_tag, f.resource_id, f.amortized, f.billed,
                      f.charge_type, False, source, service_category=f.service_category, instance_type=f.instance_type,
                      region=f.region, resource_name=f.resource_name, tags=f.tags, pricing_category=f.pricing_category,
                      usage_quantity=f.usage_quantity, usage_unit=f.usage_unit, slice_id=slice_id)


def record_source(conn: sqlite3.Connection, source: str, label: str, now: datetime) -> None:
    """The source's row in ``sources`` (kind ``athena``), stamped with this run; its load order stays its first."""
    conn.execute(
        "INSERT INTO sources (id, kind, label, loaded_at, loaded_seq) VALUES (?, 'athena', ?, ?, "
        "(SELECT COALESCE(MAX(loaded_seq), 0) + 1 FROM sources)) "
        "ON CONFLICT(id) DO UPDATE SET kind = 'athena', label = excluded.label, loaded_at = excluded.loaded_at",
        (source, label, utc_now_iso(now)),
    )


def replace_periods(store: Store, conn: sqlite3.Connection, source: str, label: str,
                    fetched: dict[str, list[AthenaFact]], now: datetime) -> PeriodsWritten:
    """Replace every (billing account, billing period) slice of ``fetched`` (inside the caller's transaction)."""
    record_source(conn, source, label, now)
    done = PeriodsWritten()
    for period, facts in sorted(fetched.items()):
        start, end = period_days(period)
        by_account: dict[str, list[AthenaFact]] = defaultdict(list)
        for fact in facts:
            by_account[fact.billing_account].append(fact)
        for slice_id, billing_account, last_day in conn.execute(
            "SELECT slice_id, billing_account, last_day FROM source_slices WHERE source = ? AND period_start = ?",
            (source, start),
        ).fetchall():
            if billing_account not in by_account:  # the period's answer no longer has this billing account
                _drop_slice(store, conn, slice_id, start, last_day)
        # Rows an earlier version wrote by day range, without a slice: the period's answer replaces them too.
        store.delete_costs(conn, "source = ? AND slice_id IS NULL AND day >= ? AND day < ?", (source, start, end))
        for billing_account, rows in sorted(by_account.items()):
            name = slice_label(billing_account, start)
            loaded = conn.execute(
                "SELECT s.slice_id, s.source, s.last_day, src.label FROM source_slices s JOIN sources src ON src.id = s.source "
                "WHERE s.provider = ? AND s.billing_account = ? AND s.period_start = ?",
                (PROVIDER, billing_account, start),
            ).fetchone()
            if loaded is not None:
                old_id, old_source, old_last, old_label = loaded
                _drop_slice(store, conn, old_id, start, old_last)
                if old_source != source:
                    done.replaced.append(f"{name} (was {old_label or old_source})")
            days = [fact.day for fact in rows]
            slice_id = int(conn.execute(
                "INSERT INTO source_slices (source, provider, billing_account, period_start, period_end, first_day, "
                "last_day, data_through) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (source, PROVIDER, billing_account, start, end, min(days), max(days),
                 max((fact.data_through for fact in rows), default="")),
            ).lastrowid)
            conn.executemany("INSERT INTO slice_accounts (slice_id, account) VALUES (?, ?)",
                             [(slice_id, account) for account in sorted({fact.account for fact in rows})])
            store.mark_dirty(start, max(days))  # the Cost Explorer days it now covers
            done.rows += store.insert_costs(conn, _rows(rows, source, slice_id))
            done.slices.append(name)
    return done
