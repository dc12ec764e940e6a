"""Athena over boto3: discover the table, run a query, poll with backoff, page the results, price the scan.

Athena bills $5 per TB scanned, each query rounded up to the next MB with a
10 MB minimum; failed queries are not billed, cancelled ones are billed for
what they scanned. ``GetQueryResults`` gives at most 1,000 rows a page and
the first page starts with the header row; every value is a string and a
NULL is an empty cell.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from finops_tui.allocation.categories import instance_type_from_usage
from finops_tui.config import Athena as AthenaSettings
from finops_tui.errors import SyncError
from finops_tui.money import ATHENA_TB as TB  # binary TB and MB, as Athena bills
from finops_tui.money import ATHENA_USD_PER_TB as USD_PER_TB
from finops_tui.sources.athena_sql import OUTPUT_COLUMNS, ExportLayout, layout_from_glue

MB = 1024 ** 2
MIN_BILLED_BYTES = 10 * MB
PAGE_SIZE = 1000  # GetQueryResults' largest MaxResults
FIRST_POLL_SECONDS = 0.5
MAX_POLL_SECONDS = 8.0
DONE_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")
# Athena's reasons are outside text: control characters are shown as visible escapes, never sent to the terminal.
_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))}


def literal(text: str) -> str:
    return " ".join(str(text).translate(_CONTROL).split())[:500]


def billed_bytes(scanned: int) -> int:
    """Bytes Athena bills for one query that scanned ``scanned`` bytes: up to the next MB, at least 10 MB."""
    return max(MIN_BILLED_BYTES, math.ceil(max(0, scanned) / MB) * MB)


def query_cost_usd(scanned: int) -> float:
    return billed_bytes(scanned) / TB * USD_PER_TB


def human_bytes(count: float) -> str:
    for unit, size in (("TB", TB), ("GB", 1024 ** 3), ("MB", MB), ("KB", 1024)):
        if count >= size:
            return f"{count / size:,.2f} {unit}"
    return f"{int(count)} B"


@dataclass(frozen=True)
class QueryOutcome:
    execution_id: str
    rows: list[dict[str, str]]  # column name -> value ('' for NULL)
    bytes_scanned: int
    pages: int

    @property
    def cost_usd(self) -> float:
        return query_cost_usd(self.bytes_scanned)


class QueryFailed(SyncError):
    """A query ended FAILED or CANCELLED (after the scan it was billed for, if any)."""

    def __init__(self, message: str, hint: str | None, bytes_scanned: int, billable: bool) -> None:
        super().__init__(message, hint)
        self.bytes_scanned = bytes_scanned
        self.billable = billable


def discover_layout(glue: Any, settings: AthenaSettings) -> ExportLayout:
    """Glue ``GetTable`` for the export's table; a missing table or column is one line."""
    if not settings.database or not settings.table:
        raise SyncError("athena.database and athena.table are not set", "name the Glue database and table of the export in [athena]")
    try:
        answer = glue.get_table(DatabaseName=settings.database, Name=settings.table)
    except Exception as error:  # noqa: BLE001 - translated by the caller unless it is "no such table"
        code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
        if code == "EntityNotFoundException":
            raise SyncError(f"Glue has no table {settings.database}.{settings.table}",
                            "check athena.database and athena.table (the export's Glue table)") from None
        raise
    table = answer["Table"]
    table.setdefault("DatabaseName", settings.database)
    return layout_from_glue(table, settings.export_format)


def billing_periods(glue: Any, layout: ExportLayout) -> list[str] | None:
    """The ``billing_period`` partitions Glue knows (sorted), or None when the table is not partitioned by it."""
    if not layout.partitioned_by_period:
        return None
    index = layout.partition_keys.index("billing_period")
    periods: set[str] = set()
    for page in glue.get_paginator("get_partitions").paginate(DatabaseName=layout.database, TableName=layout.table):
        for partition in page.get("Partitions", []):
            values = partition.get("Values", [])
            if len(values) > index:
                periods.add(str(values[index]))
    return sorted(periods)


class AthenaRunner:
    """Runs one query at a time: start, poll with backoff to a timeout, page on NextToken."""

    def __init__(self, client: Any, settings: AthenaSettings, *, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.settings = settings
        self.sleep = sleep
        self.monotonic = monotonic

    def start(self, sql: str) -> str:
        request: dict[str, Any] = {
            "QueryString": sql,
            "QueryExecutionContext": {"Database": self.settings.database, "Catalog": self.settings.catalog},
            "WorkGroup": self.settings.workgroup,
        }
        if self.settings.output_location:
            request["ResultConfiguration"] = {"OutputLocation": self.settings.output_location}
        return str(self.client.start_query_execution(**request)["QueryExecutionId"])

    def wait(self, execution_id: str) -> dict[str, Any]:
        """Poll ``GetQueryExecution`` (0.5 s, doubling to 8 s) until done; stop the query at the timeout."""
        deadline = self.monotonic() + self.settings.poll_timeout_seconds
        delay = FIRST_POLL_SECONDS
        while True:
            execution = self.client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
            state = execution.get("Status", {}).get("State", "")
            if state in DONE_STATES:
                return execution
            remaining = deadline - self.monotonic()
            if remaining <= 0:
                self.client.stop_query_execution(QueryExecutionId=execution_id)
                raise SyncError(
                    f"Athena query {execution_id} was still {state or 'running'} after "
                    f"{self.settings.poll_timeout_seconds:g} s; it was stopped",
                    "raise athena.poll_timeout_seconds or look at the query in the Athena console; the cache was not changed",
                )
            self.sleep(min(delay, remaining))
            delay = min(delay * 2, MAX_POLL_SECONDS)

    def pages(self, execution_id: str) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            request: dict[str, Any] = {"QueryExecutionId": execution_id, "MaxResults": PAGE_SIZE}
            if token:
                request["NextToken"] = token
            page = self.client.get_query_results(**request)
            yield page
            token = page.get("NextToken")
            if not token:
                return

    def run(self, sql: str) -> QueryOutcome:
        execution_id = self.start(sql)
        execution = self.wait(execution_id)
        status = execution.get("Status", {})
        scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes") or 0)
        if status.get("State") != "SUCCEEDED":
            reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage") or "no reason given"
            raise QueryFailed(f"Athena query {execution_id} {status.get('State', '').lower()}: {literal(reason)}",
                              "the cache was not changed", scanned, billable=status.get("State") == "CANCELLED")
        rows: list[dict[str, str]] = []
        names: list[str] | None = None
        pages = 0
        for page in self.pages(execution_id):
            pages += 1
            result = page.get("ResultSet", {})
            if names is None:
                names = [str(c.get("Name", "")).lower() for c in result.get("ResultSetMetadata", {}).get("ColumnInfo", [])]
            data = result.get("Rows", [])
            if pages == 1 and data and [cell.get("VarCharValue", "") for cell in data[0].get("Data", [])] == names:
                data = data[1:]  # the header row
            for row in data:
                cells = [cell.get("VarCharValue", "") for cell in row.get("Data", [])]
                rows.append(dict(zip(names, cells)))
        if names is not None and rows and tuple(names) != OUTPUT_COLUMNS:
            raise SyncError(f"Athena answered columns {', '.join(names)}; expected {', '.join(OUTPUT_COLUMNS)}")
        return QueryOutcome(execution_id, rows, scanned, pages)


# -- rows as the cache keeps them ------------------------------------------------------------------

CUR_CHARGE_TYPES = {
    "usage": "usage", "discountedusage": "usage", "savingsplancoveredusage": "usage", "savingsplannegation": "usage",
    "rifee": "recurring", "savingsplanrecurringfee": "recurring",
    "savingsplanupfrontfee": "purchase", "fee": "fee", "tax": "tax", "refund": "refund",
    "credit": "credit", "edpdiscount": "credit", "bundleddiscount": "credit", "privateratediscount": "credit",
    "distributordiscount": "credit", "sppdiscount": "credit",
}


def charge_type(export_format: str, category: str, frequency: str, billed: float) -> str:
    """The cache's charge type (see ``store/schema.py``) of a CUR line item type or a FOCUS charge."""
    key = category.strip().lower()
    if export_format == "cur2":
        return CUR_CHARGE_TYPES.get(key, "fee")
    frequency = frequency.strip().lower()
    if key == "usage":
        return "fee" if frequency == "one-time" else "recurring" if frequency == "recurring" else "usage"
    if key == "purchase":
        return "recurring" if frequency == "recurring" else "purchase"
    if key == "adjustment":
        return "refund" if billed < 0 else "adjustment"
    return {"tax": "tax", "credit": "credit"}.get(key, "adjustment")


def normalised_tags(text: str) -> dict[str, str]:
    """Tags JSON as a plain object; CUR 2.0's ``user_`` prefix of user-defined tags is dropped."""
    if not text:
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        return {}
    if not isinstance(raw, dict):
        return {}
    tags: dict[str, str] = {}
    for key, value in raw.items():
        if value is None:
            continue
        name = str(key)
        if name.startswith("user_"):
            name = name[len("user_"):]
        tags[name] = str(value)
    return tags


def environment_tag(tags: dict[str, str], tag_key: str) -> str:
    """The raw value of the environment tag (key matched case-insensitively), '' when untagged."""
    wanted = tag_key.lower()
    for key, value in tags.items():
        if key.lower() == wanted:
            return value.strip()
    return ""


def utc_moment(text: str) -> str:
    """A timestamp as Athena or DuckDB print it ("2026-11-03 01:00:00.000") as UTC ISO text; '' when unreadable."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _number(text: str, column: str, period: str) -> float:
    try:
        value = float(text) if text else 0.0
    except ValueError:
        raise SyncError(f"Athena answered {column} = {text!r} for billing period {period}, not a number") from None
    if not math.isfinite(value) or abs(value) > 1e12:
        raise SyncError(f"Athena answered {column} = {text!r} for billing period {period}, outside +-1e12")
    return value


@dataclass(frozen=True)
class AthenaFact:
    """One daily row of the aggregate, raw dimensions as the cache keeps them (allocation is done at read time)."""

    day: str
    billing_account: str
    account: str
    service: str
    usage_type: str
    service_category: str
    instance_type: str
    region: str
    resource_id: str
    resource_name: str
    tags: str  # JSON object, keys sorted; '' when untagged
    env_tag: str  # the environment tag's raw value
    charge_type: str
    pricing_category: str
    usage_unit: str
    usage_quantity: float
    amortized: float
    billed: float
    data_through: str


def facts_from_rows(rows: list[dict[str, str]], export_format: str, tag_key: str, period: str) -> list[AthenaFact]:
    """Athena's answer rows -> facts; a day outside the billing period or a bad number stops the run."""
    facts: list[AthenaFact] = []
    for row in rows:
        day = row.get("usage_day", "")
        if day[:7] != period:
            raise SyncError(f"Athena answered day {day!r} for billing period {period}")
        tags = normalised_tags(row.get("tags", ""))
        billed = _number(row.get("billed", ""), "billed", period)
        billing_account, usage_type = row.get("billing_account", ""), row.get("usage_type", "")
        facts.append(AthenaFact(
            # as an imported FOCUS file's: a line without a sub account is the billing account's, and the
            # instance type a usage type names ("HeavyUsage:g5.xlarge") stands in where the export has none
            day=day[:10], billing_account=billing_account, account=row.get("account", "") or billing_account,
            service=row.get("service", ""), usage_type=usage_type,
            service_category=row.get("service_category", ""),
            instance_type=row.get("instance_type", "").lower() or instance_type_from_usage(usage_type),
            region=row.get("region", ""), resource_id=row.get("resource_id", ""),
            resource_name=row.get("resource_name", ""),
            tags=json.dumps(tags, sort_keys=True, separators=(",", ":")) if tags else "",
            env_tag=environment_tag(tags, tag_key),
            charge_type=charge_type(export_format, row.get("charge_category", ""), row.get("charge_frequency", ""), billed),
            pricing_category=row.get("pricing_category", ""), usage_unit=row.get("usage_unit", ""),
            usage_quantity=_number(row.get("usage_quantity", ""), "usage_quantity", period),
            amortized=_number(row.get("amortized", ""), "amortized", period), billed=billed,
            data_through=utc_moment(row.get("data_through", "")),
        ))
    return facts
