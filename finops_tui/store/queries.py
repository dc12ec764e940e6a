"""The SQL aggregates the analytics need. Parameterised; never the whole table.

Pane queries read ``cost_rollup`` (one row per day x category x environment x
service x charge type of the rows that count, allocated under the current
config, kept in step by ``Store.transaction``); the usage-type drill-down reads
``cost_rollup_usage`` (the same, by usage type too) and untagged resources
``cost_rollup_untagged`` (``finops_tui.store.untagged``). No screen reads the facts.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

METRIC_COLUMNS = {"amortized": "amortized", "billed": "billed"}


@dataclass(frozen=True)
class CostFilter:
    """Which cost rows count: metric column, credits, and an optional environment."""

    metric: str = "amortized"
    exclude_credits: bool = False
    environment: str | None = None

    @property
    def column(self) -> str:
        return METRIC_COLUMNS[self.metric]  # whitelisted: safe to put in SQL text

    def where(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if self.exclude_credits:
            clauses.append("charge_type NOT IN ('credit', 'refund')")
        if self.environment:
            clauses.append("environment = ?")
            params.append(self.environment)
        return "".join(f" AND {c}" for c in clauses), params


def month_by_category_environment(
    conn: sqlite3.Connection, flt: CostFilter, start: date, today: date
) -> list[tuple[str, str, float, float]]:
    """(category, environment, spend through today, spend on complete days) from ``start``."""
    extra, params = flt.where()
    sql = (
        f"SELECT category, environment, SUM({flt.column}), "
        f"SUM(CASE WHEN day < ? THEN {flt.column} ELSE 0 END) "
        f"FROM cost_rollup WHERE day >= ? AND day <= ?{extra} GROUP BY category, environment"
    )
    return conn.execute(sql, [today.isoformat(), start.isoformat(), today.isoformat(), *params]).fetchall()


def daily_by_category(conn: sqlite3.Connection, flt: CostFilter, first: date, last: date) -> list[tuple[str, str, float]]:
    """(day, category, spend) for every day from ``first`` to ``last`` inclusive that has rows."""
    extra, params = flt.where()
    sql = (
        f"SELECT day, category, SUM({flt.column}) FROM cost_rollup "
        f"WHERE day >= ? AND day <= ?{extra} GROUP BY day, category ORDER BY day"
    )
    return conn.execute(sql, [first.isoformat(), last.isoformat(), *params]).fetchall()


def category_totals(conn: sqlite3.Connection, flt: CostFilter, first: date, last: date) -> dict[str, float]:
    extra, params = flt.where()
    sql = f"SELECT category, SUM({flt.column}) FROM cost_rollup WHERE day >= ? AND day <= ?{extra} GROUP BY category"
    return dict(conn.execute(sql, [first.isoformat(), last.isoformat(), *params]).fetchall())


def monthly_by_category(conn: sqlite3.Connection, flt: CostFilter, first: date, last: date) -> list[tuple[str, str, float]]:
    """(YYYY-MM, category, spend) per month; for reports and history, not the first paint."""
    extra, params = flt.where()
    sql = (
        f"SELECT substr(day, 1, 7) AS month, category, SUM({flt.column}) FROM cost_rollup "
        f"WHERE day >= ? AND day <= ?{extra} GROUP BY month, category ORDER BY month"
    )
    return conn.execute(sql, [first.isoformat(), last.isoformat(), *params]).fetchall()


def services_in_category(
    conn: sqlite3.Connection, flt: CostFilter, category: str, first: date, last: date, limit: int = 50
) -> list[tuple[str, float]]:
    extra, params = flt.where()
    sql = (
        f"SELECT service, SUM({flt.column}) AS spend FROM cost_rollup WHERE category = ? AND day >= ? AND day <= ?{extra} "
        "GROUP BY service ORDER BY spend DESC LIMIT ?"
    )
    return conn.execute(sql, [category, first.isoformat(), last.isoformat(), *params, limit]).fetchall()


def usage_types_of_service(
    conn: sqlite3.Connection, flt: CostFilter, category: str, service: str, first: date, last: date, limit: int = 50
) -> list[tuple[str, float]]:
    extra, params = flt.where()
    sql = (
        f"SELECT usage_type, SUM({flt.column}) AS spend FROM cost_rollup_usage WHERE category = ? AND service = ? "
        f"AND day >= ? AND day <= ?{extra} GROUP BY usage_type ORDER BY spend DESC LIMIT ?"
    )
    return conn.execute(sql, [category, service, first.isoformat(), last.isoformat(), *params, limit]).fetchall()


def daily_of_service(
    conn: sqlite3.Connection, flt: CostFilter, category: str, service: str, first: date, last: date
) -> list[tuple[str, float]]:
    extra, params = flt.where()
    sql = (
        f"SELECT day, SUM({flt.column}) FROM cost_rollup WHERE category = ? AND service = ? "
        f"AND day >= ? AND day <= ?{extra} GROUP BY day ORDER BY day"
    )
    return conn.execute(sql, [category, service, first.isoformat(), last.isoformat(), *params]).fetchall()


def top_services(conn: sqlite3.Connection, flt: CostFilter, first: date, last: date, limit: int = 10) -> list[tuple[str, str, float]]:
    extra, params = flt.where()
    sql = (
        f"SELECT service, category, SUM({flt.column}) AS spend FROM cost_rollup WHERE day >= ? AND day <= ?{extra} "
        "GROUP BY service, category ORDER BY spend DESC LIMIT ?"
    )
    return conn.execute(sql, [first.isoformat(), last.isoformat(), *params, limit]).fetchall()


def service_change(
    conn: sqlite3.Connection, flt: CostFilter, day: date, previous: date, category: str | None = None, limit: int = 5
) -> list[tuple[str, float, float]]:
    """(service, spend on ``previous``, spend on ``day``) ordered by the largest increase: a spike's drivers."""
    extra, params = flt.where()
    if category:
        extra += " AND category = ?"
        params.append(category)
    sql = (
        f"SELECT service, SUM(CASE WHEN day = ? THEN {flt.column} ELSE 0 END) AS before, "
        f"SUM(CASE WHEN day = ? THEN {flt.column} ELSE 0 END) AS after FROM cost_rollup "
        f"WHERE day IN (?, ?){extra} GROUP BY service ORDER BY after - before DESC LIMIT ?"
    )
    p, d = previous.isoformat(), day.isoformat()
    return conn.execute(sql, [p, d, p, d, *params, limit]).fetchall()


def untagged_spend(conn: sqlite3.Connection, flt: CostFilter, first: date, last: date, limit: int = 50) -> list[tuple[str, str, float]]:
    """(resource or service, service, spend) of spend with no environment, largest first (whatever ``flt.environment``)."""
    from finops_tui.store.untagged import spend_by_what

    return spend_by_what(conn, flt.column, flt.exclude_credits, first, last, limit)


def leads_between(conn: sqlite3.Connection, first: date, last: date) -> dict[str, int]:
    sql = "SELECT day, leads FROM leads WHERE day >= ? AND day <= ?"
    return dict(conn.execute(sql, [first.isoformat(), last.isoformat()]).fetchall())


def waste_items(conn: sqlite3.Connection, environment: str | None = None) -> list[sqlite3.Row]:
    sql = "SELECT resource_id, kind, name, region, account, environment, monthly_cost, detail FROM waste_items"
    params: list[object] = []
    if environment:
        sql += " WHERE environment = ?"
        params.append(environment)
    return conn.execute(sql + " ORDER BY monthly_cost DESC", params).fetchall()


def estimated_days(conn: sqlite3.Connection, first: date, last: date) -> list[str]:
    sql = "SELECT DISTINCT day FROM cost_rollup WHERE estimated = 1 AND day >= ? AND day <= ? ORDER BY day"
    return [row[0] for row in conn.execute(sql, [first.isoformat(), last.isoformat()])]


def last_runs(conn: sqlite3.Connection) -> tuple[tuple | None, tuple | None]:
    """(latest successful run, latest run of any status) as (kind, finished_at, status, error)."""
    good = conn.execute(
        "SELECT kind, finished_at, status, error FROM sync_runs WHERE status = 'ok' ORDER BY finished_at DESC, id DESC LIMIT 1"
    ).fetchone()
    latest = conn.execute(
        "SELECT kind, COALESCE(finished_at, started_at), status, error FROM sync_runs WHERE status != 'running' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return good, latest


def ce_requests_in_month(conn: sqlite3.Connection, month: str) -> int:
    """Cost Explorer requests in the month, from the request ledger (killed and failed runs included)."""
    from finops_tui.store.ledger import ce_requests_in_month as from_ledger

    return from_ledger(conn, month)


ATHENA_BYTES_KEY = "athena.billed_bytes.{month}"  # written by sync_athena as each query ends
ATHENA_QUERIES_KEY = "athena.queries.{month}"
ATHENA_FETCHED_KEY = "athena.fetched.{source}"  # billing periods an Athena source has fetched (JSON list); none: backfill


def athena_meter(conn: sqlite3.Connection, month: str) -> tuple[int, int]:
    """(queries, bytes Athena billed for them) in ``month`` (YYYY-MM)."""
    values = dict(conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?)",
                               [ATHENA_QUERIES_KEY.format(month=month), ATHENA_BYTES_KEY.format(month=month)]).fetchall())
    return (int(values.get(ATHENA_QUERIES_KEY.format(month=month), 0) or 0),
            int(values.get(ATHENA_BYTES_KEY.format(month=month), 0) or 0))


def service_period_change(
    conn: sqlite3.Connection, flt: CostFilter, first: date, last: date, previous_first: date, previous_last: date,
    limit: int = 5,
) -> list[tuple[str, float, float]]:
    """(service, spend in the previous period, spend in ``first``..``last``) by the largest increase: a budget's drivers."""
    extra, params = flt.where()
    sql = (
        f"SELECT service, SUM(CASE WHEN day <= ? THEN {flt.column} ELSE 0 END) AS before, "
        f"SUM(CASE WHEN day >= ? THEN {flt.column} ELSE 0 END) AS after FROM cost_rollup "
        f"WHERE ((day >= ? AND day <= ?) OR (day >= ? AND day <= ?)){extra} "
        "GROUP BY service ORDER BY after - before DESC LIMIT ?"
    )
    pf, pl, f, l_ = previous_first.isoformat(), previous_last.isoformat(), first.isoformat(), last.isoformat()
    return conn.execute(sql, [pl, f, pf, pl, f, l_, *params, limit]).fetchall()


def leads_by_month(conn: sqlite3.Connection, first: date, last: date) -> dict[str, int]:
    """YYYY-MM -> leads distributed on the days ``first``..``last`` of that month."""
    sql = "SELECT substr(day, 1, 7) AS month, SUM(leads) FROM leads WHERE day >= ? AND day <= ? GROUP BY month"
    return {month: int(total) for month, total in conn.execute(sql, [first.isoformat(), last.isoformat()])}


# Charge kinds: usage-based spend is what run-rates and spikes measure; every
# other charge type (purchase, fee, tax, credit, refund, recurring, ...) is
# counted once, as booked.
USAGE_CHARGE = "usage"


def daily_by_category_environment_kind(
    conn: sqlite3.Connection, flt: CostFilter, first: date, last: date
) -> list[tuple[str, str, str, int, float]]:
    """(day, category, environment, 1 for usage-based spend else 0, spend) for ``first``..``last``: one read for a view."""
    extra, params = flt.where()
    sql = (
        f"SELECT day, category, environment, charge_type = ? AS usage, SUM({flt.column}) FROM cost_rollup "
        f"WHERE day >= ? AND day <= ?{extra} GROUP BY day, category, environment, usage ORDER BY day"
    )
    return conn.execute(sql, [USAGE_CHARGE, first.isoformat(), last.isoformat(), *params]).fetchall()


def charges_other_than_usage(
    conn: sqlite3.Connection, flt: CostFilter, first: date, last: date
) -> list[tuple[str, str, str, float]]:
    """(day, service, charge type, spend) of every charge that is not usage-based, by day and service."""
    extra, params = flt.where()
    sql = (
        f"SELECT day, service, charge_type, SUM({flt.column}) FROM cost_rollup "
        f"WHERE day >= ? AND day <= ? AND charge_type != ?{extra} GROUP BY day, service, charge_type ORDER BY day, service"
    )
    return conn.execute(sql, [first.isoformat(), last.isoformat(), USAGE_CHARGE, *params]).fetchall()


def days_with_costs(conn: sqlite3.Connection, first: date, last: date) -> list[str]:
    """Every day from ``first`` to ``last`` that has any cost row (whatever the filter): gaps are days missing here."""
    sql = "SELECT DISTINCT day FROM cost_rollup WHERE day >= ? AND day <= ? ORDER BY day"
    return [row[0] for row in conn.execute(sql, [first.isoformat(), last.isoformat()])]


def newest_cost_day(conn: sqlite3.Connection, last: date) -> str | None:
    """The newest day up to ``last`` that has cost rows."""
    return conn.execute("SELECT MAX(day) FROM cost_rollup WHERE day <= ?", [last.isoformat()]).fetchone()[0]
