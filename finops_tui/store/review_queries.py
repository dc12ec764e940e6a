"""The SQL the FinOps review asks: usage-based spend of one month by usage type, per day.

The review needs raw dimensions (usage type, instance type, purchase type, usage
quantity, resource) of usage-based spend only, restricted to the usage types
its levers and sections look at, so every query here filters on those patterns
in SQL and aggregates by day: a month is a few thousand rows whatever the size
of the cache.

Facts are read from ``counted_costs`` (the facts with their derived category
and environment, without rows source precedence sets aside) when the store
provides it, else from ``cost_daily``; columns an older cache lacks read as
their defaults ('' or 0), so the review degrades instead of failing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from finops_tui.store.queries import CostFilter

# Usage-type patterns (SQL LIKE, case-insensitive for ASCII) of every row the review reads.
REVIEW_USAGE_PATTERNS: tuple[str, ...] = (
    "%TimedStorage-ByteHrs%",  # S3 Standard storage
    "%BoxUsage%",  # EC2 on-demand (and reserved/SP-covered) instance hours
    "%SpotUsage%",  # EC2 Spot instance hours
    "%InstanceUsage%",  # RDS instance hours
    "%Multi-AZUsage%",  # RDS Multi-AZ instance hours
    "%NodeUsage%",  # ElastiCache node hours
    "%Fargate-vCPU-Hours%",
    "%Fargate-GB-Hours%",
    "%Lambda-GB-Second%",
    "%DataTransfer-Regional-Bytes%",  # cross-AZ
    "%-AWS-Out-Bytes%",  # inter-region
    "%-AWS-In-Bytes%",
    "%DataTransfer-Out-Bytes%",  # internet out
    "%NatGateway-Bytes%",
)
TRANSFER_PATTERNS: tuple[str, ...] = (
    "%DataTransfer-Regional-Bytes%", "%-AWS-Out-Bytes%", "%-AWS-In-Bytes%", "%DataTransfer-Out-Bytes%", "%NatGateway-Bytes%",
)
INSTANCE_PATTERNS: tuple[str, ...] = (
    "%BoxUsage%", "%InstanceUsage%", "%Multi-AZUsage%", "%NodeUsage%", "%Fargate-vCPU-Hours%", "%Fargate-GB-Hours%",
)

_OPTIONAL_COLUMNS = {"instance_type": "''", "pricing_category": "''", "usage_quantity": "0", "region": "''"}


@dataclass(frozen=True)
class UsageLine:
    """Usage-based spend of one day x service x usage type x purchase type x environment x account."""

    day: str
    service: str
    usage_type: str
    instance_type: str
    pricing: str  # FOCUS PricingCategory / Cost Explorer purchase type as stored; '' when unknown
    environment: str
    account: str
    spend: float
    quantity: float  # usage quantity in the usage type's unit (hours, GB); 0 when not stored


def _relation(conn: sqlite3.Connection) -> tuple[str, dict[str, str]]:
    """(facts relation, SQL expression per optional column) for this cache."""
    temp = conn.execute("SELECT 1 FROM sqlite_temp_master WHERE name = 'counted_costs'").fetchone()
    relation = "counted_costs" if temp else "cost_daily"
    present = {row[1] for row in conn.execute("PRAGMA table_info(cost_daily)")}
    columns = {name: (name if name in present else default) for name, default in _OPTIONAL_COLUMNS.items()}
    return relation, columns


def _pattern_sql(patterns: tuple[str, ...]) -> str:
    return "(" + " OR ".join("usage_type LIKE ?" for _ in patterns) + ")"


def usage_lines(conn: sqlite3.Connection, flt: CostFilter, first: date, last: date,
                patterns: tuple[str, ...] = REVIEW_USAGE_PATTERNS) -> list[UsageLine]:
    """Usage-based spend per day from ``first`` to ``last`` inclusive whose usage type matches ``patterns``."""
    relation, columns = _relation(conn)
    sql = (
        f"SELECT day, service, usage_type, {columns['instance_type']} AS itype, {columns['pricing_category']} AS pricing, "
        f"environment, account, SUM({flt.column}), SUM({columns['usage_quantity']}) FROM {relation} "
        f"WHERE day >= ? AND day <= ? AND charge_type = 'usage' AND {_pattern_sql(patterns)} "
        "GROUP BY day, service, usage_type, itype, pricing, environment, account ORDER BY day"
    )
    rows = conn.execute(sql, [first.isoformat(), last.isoformat(), *patterns])
    return [UsageLine(*row) for row in rows]


def usage_days(conn: sqlite3.Connection, first: date, last: date) -> list[str]:
    """Days from ``first`` to ``last`` that have any usage-based spend in the cache."""
    sql = "SELECT DISTINCT day FROM cost_rollup WHERE day >= ? AND day <= ? AND charge_type = 'usage' ORDER BY day"
    return [row[0] for row in conn.execute(sql, [first.isoformat(), last.isoformat()])]


def instance_resources(conn: sqlite3.Connection, flt: CostFilter, first: date, last: date,
                       environments: tuple[str, ...] | None = None) -> list[tuple[str, str, str, str, int, float]]:
    """(resource id, usage type, environment, account, days with spend, spend) of instance usage with a resource id.

    ``environments`` limits the rows to those environments (e.g. the non-production ones).
    """
    relation, _columns = _relation(conn)
    params: list[object] = [first.isoformat(), last.isoformat(), *INSTANCE_PATTERNS]
    where_env = ""
    if environments:
        where_env = f" AND environment IN ({', '.join('?' * len(environments))})"
        params += list(environments)
    sql = (
        f"SELECT resource_id, MAX(usage_type), MAX(environment), MAX(account), COUNT(DISTINCT day), SUM({flt.column}) "
        f"FROM {relation} WHERE day >= ? AND day <= ? AND charge_type = 'usage' AND resource_id != '' "
        f"AND {_pattern_sql(INSTANCE_PATTERNS)} AND NOT usage_type LIKE '%SpotUsage%'{where_env} "
        "GROUP BY resource_id ORDER BY SUM(" + flt.column + ") DESC"
    )
    return conn.execute(sql, params).fetchall()


def resource_spend(conn: sqlite3.Connection, flt: CostFilter, first: date, last: date,
                   resource_ids: list[str]) -> dict[str, float]:
    """Usage-based spend of each of ``resource_ids`` from ``first`` to ``last``."""
    if not resource_ids:
        return {}
    relation, _columns = _relation(conn)
    found: dict[str, float] = {}
    for start in range(0, len(resource_ids), 500):
        chunk = resource_ids[start:start + 500]
        sql = (
            f"SELECT resource_id, SUM({flt.column}) FROM {relation} WHERE day >= ? AND day <= ? AND charge_type = 'usage' "
            f"AND resource_id IN ({', '.join('?' * len(chunk))}) GROUP BY resource_id"
        )
        found.update(conn.execute(sql, [first.isoformat(), last.isoformat(), *chunk]).fetchall())
    return found


def source_statuses(conn: sqlite3.Connection, names: tuple[str, ...]) -> dict[str, tuple[str, str, str]]:
    """{name: (status, message, checked_at)} of the optional sources ``names`` that were ever asked."""
    sql = f"SELECT name, status, message, checked_at FROM source_status WHERE name IN ({', '.join('?' * len(names))})"
    return {row[0]: (row[1], row[2], row[3]) for row in conn.execute(sql, list(names))}


def tagged_ec2_lines(conn: sqlite3.Connection, flt: CostFilter, first: date, last: date, tag_key: str,
                     value_globs: tuple[str, ...]) -> list[UsageLine]:
    """On-demand-or-not EC2 instance usage (``BoxUsage``) of resources whose tag ``tag_key`` matches a glob.

    Needs the resource tags the billing exports carry (``dims.tags``, a JSON
    object); a cache without them has no tagged lines. Globs are matched
    case-insensitively.
    """
    has_tags = "tags" in {row[1] for row in conn.execute("PRAGMA table_info(dims)")} if conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dims'").fetchone() else False
    if not has_tags or not value_globs:
        return []
    relation, columns = _relation(conn)
    globs = " OR ".join("lower(json_extract(d.tags, ?)) GLOB lower(?)" for _ in value_globs)
    path = '$."' + tag_key.replace('"', '') + '"'
    sql = (
        f"SELECT f.day, f.service, f.usage_type, {columns['instance_type'].replace('instance_type', 'f.instance_type')}, "
        f"{columns['pricing_category'].replace('pricing_category', 'f.pricing_category')}, f.environment, f.account, "
        f"SUM(f.{flt.column}), SUM({columns['usage_quantity'].replace('usage_quantity', 'f.usage_quantity')}) "
        f"FROM {relation} f JOIN dims d ON d.dim_id = f.dim_id "
        f"WHERE f.day >= ? AND f.day <= ? AND f.charge_type = 'usage' AND f.usage_type LIKE '%BoxUsage%' "
        f"AND json_valid(d.tags) AND ({globs}) "
        "GROUP BY f.day, f.service, f.usage_type, 4, 5, f.environment, f.account ORDER BY f.day"
    )
    params: list[object] = [first.isoformat(), last.isoformat()]
    for glob in value_globs:
        params += [path, glob]
    return [UsageLine(*row) for row in conn.execute(sql, params)]
