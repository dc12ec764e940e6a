"""The Athena query: one daily aggregate per billing period over a Data Export's Glue table.

The export (CUR 2.0 or FOCUS 1.2, Parquet, partitioned by ``billing_period``
``YYYY-MM``) is read where it lies; Athena sums it per day x account x service
x usage type x the raw dimensions allocation needs (service category, instance
type, region, resource id and name, tags) x charge category, with both metrics
and the usage quantity. Category and environment are NOT decided here: the
cache derives them from the config when figures are read.

The text is written in the SQL that both Athena (Trino) and DuckDB accept, so a
test runs the exact query over Parquet fixtures with DuckDB. The only Trino
functions DuckDB lacks, ``json_format`` and ``json_extract_scalar``, are given
to DuckDB as two one-line macros in the tests (``DUCKDB_SHIM``); nothing in the
text is rewritten. Glue column names are lower case (Athena lower-cases them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from finops_tui.errors import SyncError

# Result columns, in order: the client maps them by name.
OUTPUT_COLUMNS = (
    "usage_day", "billing_account", "account", "service", "usage_type", "service_category", "instance_type", "region",
    "resource_id", "resource_name", "tags", "charge_category", "charge_frequency", "pricing_category", "usage_unit",
    "usage_quantity", "amortized", "billed", "data_through",
)
GROUPED = 15  # the first 15 output columns are the grouping key

# DuckDB stand-ins for the two Trino functions the query uses (tests only; see the module docstring).
DUCKDB_SHIM = (
    "CREATE OR REPLACE MACRO json_format(j) AS CAST(j AS VARCHAR)",
    "CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)",
)

PARTITION_KEY = "billing_period"

REQUIRED = {
    "focus": ("chargeperiodstart", "chargeperiodend", "billedcost", "effectivecost", "chargecategory", "servicename",
              "subaccountid", "billingaccountid"),
    "cur2": ("line_item_usage_start_date", "line_item_usage_end_date", "bill_payer_account_id",
             "line_item_usage_account_id", "line_item_product_code", "line_item_usage_type", "line_item_line_item_type",
             "line_item_unblended_cost", "line_item_usage_amount", "line_item_resource_id",
             "savings_plan_savings_plan_effective_cost", "savings_plan_total_commitment_to_date",
             "savings_plan_used_commitment", "reservation_effective_cost",
             "reservation_unused_amortized_upfront_fee_for_billing_period", "reservation_unused_recurring_fee",
             "reservation_reservation_a_r_n"),
}
BILLING_PERIOD_COLUMN = {"focus": "billingperiodstart", "cur2": "bill_billing_period_start_date"}
FORMAT_NAMES = {"focus": "FOCUS 1.2", "cur2": "CUR 2.0"}


@dataclass(frozen=True)
class ExportLayout:
    """What Glue ``GetTable`` says about the export's table."""

    database: str
    table: str
    export_format: str  # cur2 | focus
    columns: dict[str, str]  # lower-case name -> Glue type ("string", "map<string,string>", ...)
    partition_keys: tuple[str, ...]

    @property
    def qualified(self) -> str:
        return f'"{self.database}"."{self.table}"'

    def has(self, column: str) -> bool:
        return column in self.columns

    @property
    def partitioned_by_period(self) -> bool:
        return PARTITION_KEY in self.partition_keys


def layout_from_glue(table: dict, export_format: str) -> ExportLayout:
    """An :class:`ExportLayout` from a Glue ``GetTable`` answer's ``Table``; a missing column is named in one line."""
    storage = table.get("StorageDescriptor") or {}
    columns = {str(c["Name"]).lower(): str(c.get("Type", "")).lower() for c in storage.get("Columns", [])}
    partitions = tuple(str(c["Name"]).lower() for c in table.get("PartitionKeys", []))
    for column in table.get("PartitionKeys", []):
        columns.setdefault(str(column["Name"]).lower(), str(column.get("Type", "")).lower())
    layout = ExportLayout(str(table.get("DatabaseName", "")), str(table["Name"]), export_format, columns, partitions)
    missing = [name for name in REQUIRED[export_format] if name not in columns]
    if not layout.partitioned_by_period and BILLING_PERIOD_COLUMN[export_format] not in columns:
        missing.append(f"{PARTITION_KEY} (partition) or {BILLING_PERIOD_COLUMN[export_format]}")
    if missing:
        more = f" (and {len(missing) - 1} more: {', '.join(missing[1:])})" if len(missing) > 1 else ""
        raise SyncError(
            f"Athena table {layout.database}.{layout.table} has no column {missing[0]}{more}, which a "
            f"{FORMAT_NAMES[export_format]} export has",
            f"check athena.table and athena.export_format = \"{export_format}\"",
        )
    return layout


def _text(layout: ExportLayout, column: str, fallback: str = "''") -> str:
    return f"COALESCE({column}, {fallback})" if layout.has(column) else fallback


def _number(layout: ExportLayout, column: str) -> str:
    return f"COALESCE({column}, 0)" if layout.has(column) else "0"


def _json_of(layout: ExportLayout, column: str) -> str:
    """A map column as JSON text, a string column as it is."""
    if not layout.has(column):
        return "''"
    if layout.columns[column].startswith("map"):
        return f"COALESCE(json_format(CAST({column} AS JSON)), '')"
    return f"COALESCE({column}, '')"


def _json_field(layout: ExportLayout, column: str, key: str) -> str:
    if not layout.has(column):
        return "''"
    source = f"CAST({column} AS JSON)" if layout.columns[column].startswith("map") else column
    return f"COALESCE(json_extract_scalar({source}, '$.{key}'), '')"


def period_filter(layout: ExportLayout, period: str) -> str:
    """The WHERE clause that makes Athena read only this billing period's partition."""
    if layout.partitioned_by_period:
        return f"{PARTITION_KEY} = '{period}'"
    start = date.fromisoformat(f"{period}-01")
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    column = BILLING_PERIOD_COLUMN[layout.export_format]
    return f"{column} >= TIMESTAMP '{start.isoformat()} 00:00:00' AND {column} < TIMESTAMP '{end.isoformat()} 00:00:00'"


def _focus_select(layout: ExportLayout) -> list[str]:
    usage_type = (f"COALESCE(NULLIF(x_usagetype, ''), {_text(layout, 'skumeter')})" if layout.has("x_usagetype")
                  else _text(layout, "skumeter"))
    return [
        "CAST(CAST(chargeperiodstart AS DATE) AS VARCHAR) AS usage_day",
        "COALESCE(billingaccountid, '') AS billing_account",
        "COALESCE(subaccountid, '') AS account",
        "COALESCE(servicename, '') AS service",
        f"{usage_type} AS usage_type",
        f"{_text(layout, 'servicecategory')} AS service_category",
        f"{_json_field(layout, 'skupricedetails', 'InstanceType')} AS instance_type",
        f"{_text(layout, 'regionid')} AS region",
        f"{_text(layout, 'resourceid')} AS resource_id",
        f"{_text(layout, 'resourcename')} AS resource_name",
        f"{_json_of(layout, 'tags')} AS tags",
        "COALESCE(chargecategory, '') AS charge_category",
        f"{_text(layout, 'chargefrequency')} AS charge_frequency",
        f"{_text(layout, 'pricingcategory')} AS pricing_category",
        f"{_text(layout, 'consumedunit')} AS usage_unit",
        f"SUM({_number(layout, 'consumedquantity')}) AS usage_quantity",
        "SUM(COALESCE(effectivecost, 0)) AS amortized",
        "SUM(COALESCE(billedcost, 0)) AS billed",
        "CAST(MAX(chargeperiodstart) AS VARCHAR) AS data_through",
    ]


# Amortized cost of a CUR line, as AWS's own CUR query library computes it: Savings Plans and
# reservations spread their fees over the usage they cover; the upfront and negation lines are 0.
CUR_AMORTIZED = """CASE line_item_line_item_type
      WHEN 'SavingsPlanCoveredUsage' THEN COALESCE(savings_plan_savings_plan_effective_cost, 0)
      WHEN 'SavingsPlanRecurringFee' THEN COALESCE(savings_plan_total_commitment_to_date, 0) - COALESCE(savings_plan_used_commitment, 0)
      WHEN 'SavingsPlanNegation' THEN 0
      WHEN 'SavingsPlanUpfrontFee' THEN 0
      WHEN 'DiscountedUsage' THEN COALESCE(reservation_effective_cost, 0)
      WHEN 'RIFee' THEN COALESCE(reservation_unused_amortized_upfront_fee_for_billing_period, 0) + COALESCE(reservation_unused_recurring_fee, 0)
      ELSE CASE WHEN line_item_line_item_type = 'Fee' AND COALESCE(reservation_reservation_a_r_n, '') <> '' THEN 0
                ELSE COALESCE(line_item_unblended_cost, 0) END
    END"""


def _cur_select(layout: ExportLayout) -> list[str]:
    if layout.has("product_product_name"):
        service = "COALESCE(NULLIF(product_product_name, ''), line_item_product_code, '')"
    elif layout.has("product") and layout.columns["product"].startswith("map"):
        service = ("COALESCE(NULLIF(json_extract_scalar(CAST(product AS JSON), '$.product_name'), ''), "
                   "line_item_product_code, '')")
    else:
        service = "COALESCE(line_item_product_code, '')"
    return [
        "CAST(CAST(line_item_usage_start_date AS DATE) AS VARCHAR) AS usage_day",
        "COALESCE(bill_payer_account_id, '') AS billing_account",
        "COALESCE(line_item_usage_account_id, '') AS account",
        f"{service} AS service",
        "COALESCE(line_item_usage_type, '') AS usage_type",
        "'' AS service_category",
        f"{_text(layout, 'product_instance_type')} AS instance_type",
        f"{_text(layout, 'product_region_code')} AS region",
        "COALESCE(line_item_resource_id, '') AS resource_id",
        "'' AS resource_name",
        f"{_json_of(layout, 'resource_tags')} AS tags",
        "COALESCE(line_item_line_item_type, '') AS charge_category",
        "'' AS charge_frequency",
        f"{_text(layout, 'pricing_term')} AS pricing_category",
        f"{_text(layout, 'pricing_unit')} AS usage_unit",
        "SUM(COALESCE(line_item_usage_amount, 0)) AS usage_quantity",
        f"SUM({CUR_AMORTIZED}) AS amortized",
        "SUM(COALESCE(line_item_unblended_cost, 0)) AS billed",
        "CAST(MAX(line_item_usage_start_date) AS VARCHAR) AS data_through",
    ]


def build_query(layout: ExportLayout, period: str) -> str:
    """The exact text sent to Athena for billing period ``period`` (``YYYY-MM``)."""
    if len(period) != 7 or not period[:4].isdigit() or period[4] != "-" or not period[5:].isdigit():
        raise ValueError(f"billing period {period!r} is not YYYY-MM")
    select = _focus_select(layout) if layout.export_format == "focus" else _cur_select(layout)
    assert len(select) == len(OUTPUT_COLUMNS)
    keys = ", ".join(str(n) for n in range(1, GROUPED + 1))
    return (
        f"-- finops-tui daily aggregate, billing period {period}\n"
        "SELECT\n  " + ",\n  ".join(select) + "\n"
        f"FROM {layout.qualified}\n"
        f"WHERE {period_filter(layout, period)}\n"
        f"GROUP BY {keys}"
    )
