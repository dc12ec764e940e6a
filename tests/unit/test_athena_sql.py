"""The exact Athena query text, run by DuckDB over Parquet laid out like real CUR 2.0 and FOCUS 1.2 exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_tui.errors import SyncError
from finops_tui.sources.athena import facts_from_rows
from finops_tui.sources.athena_sql import build_query, layout_from_glue
from tests.athena_exports import PAYER, PROD, STAGE, cur_export, focus_export
from tests.athena_support import CUR_TYPES, FOCUS_TYPES, duckdb_over, glue_table_input, run_duckdb


def layout(types: dict[str, str], export_format: str, name: str = "export"):
    table = glue_table_input(name, types, "s3://exports/data/")
    table["DatabaseName"] = "billing"
    return layout_from_glue(table, export_format)


def answer(root: Path, export_format: str, period: str) -> list[dict[str, str]]:
    types = CUR_TYPES if export_format == "cur2" else FOCUS_TYPES
    sql = build_query(layout(types, export_format), period)
    columns, rows = run_duckdb(duckdb_over(root, "billing", "export"), sql)
    return [dict(zip(columns, ("" if v is None else str(v) for v in row))) for row in rows]


def test_cur2_daily_aggregate_amortizes_like_aws(tmp_path: Path) -> None:
    rows = answer(cur_export(tmp_path), "cur2", "2026-11")
    facts = facts_from_rows(rows, "cur2", "Environment", "2026-11")
    assert len(facts) == 7  # 8 line items, the two hours of i-0aaa on 2026-11-02 are one row
    assert round(sum(f.billed for f in facts), 2) == 12.55
    assert round(sum(f.amortized for f in facts), 2) == 7.55
    instance = next(f for f in facts if f.resource_id == "i-0aaa")
    assert (instance.day, instance.account, instance.service, instance.usage_type, instance.instance_type) == (
        "2026-11-02", PROD, "Amazon Elastic Compute Cloud", "BoxUsage:m5.large", "m5.large")
    assert (instance.billed, instance.amortized, instance.usage_quantity) == (3.0, 3.0, 30.0)
    # the latest charge period start, as an imported FOCUS file's slice records it: the later hour starts at 05:00 UTC
    assert instance.data_through == "2026-11-02T05:00:00+00:00"
    assert (instance.env_tag, instance.tags, instance.charge_type, instance.billing_account) == (
        "prod", '{"Environment":"prod"}', "usage", PAYER)
    covered = next(f for f in facts if f.resource_id == "i-0ccc" and f.billed > 0)
    assert (covered.account, covered.env_tag, covered.billed, covered.amortized) == (STAGE, "stg", 4.0, 2.5)
    fee = next(f for f in facts if f.resource_id == "arn:aws:savingsplans::sp-1")
    assert (fee.charge_type, fee.billed, fee.amortized, fee.day) == ("recurring", 10.0, 2.5, "2026-11-01")
    by_kind = {f.charge_type: (f.billed, f.amortized) for f in facts if f.charge_type in ("tax", "credit")}
    assert by_kind == {"tax": (0.8, 0.8), "credit": (-1.5, -1.5)}
    storage = next(f for f in facts if f.service == "Amazon Simple Storage Service")
    assert (storage.usage_type, storage.env_tag, storage.tags) == ("TimedStorage-ByteHrs", "", "")


def test_cur2_query_reads_only_its_billing_period(tmp_path: Path) -> None:
    rows = answer(cur_export(tmp_path), "cur2", "2026-10")
    facts = facts_from_rows(rows, "cur2", "Environment", "2026-10")
    assert {f.day[:7] for f in facts} == {"2026-10"}
    assert round(sum(f.billed for f in facts), 2) == 35.00  # 5.00 usage + 30.00 reservation fee + 0.00 covered
    assert round(sum(f.amortized for f in facts), 2) == 9.25  # 5.00 + the fee's unused 3.00 + covered 1.25
    ri_fee = next(f for f in facts if f.usage_type == "HeavyUsage:m5.large")
    assert (ri_fee.charge_type, ri_fee.amortized) == ("recurring", 3.0)


def test_focus_daily_aggregate(tmp_path: Path) -> None:
    rows = answer(focus_export(tmp_path), "focus", "2026-11")
    facts = facts_from_rows(rows, "focus", "Environment", "2026-11")
    assert len(facts) == 6
    assert round(sum(f.billed for f in facts), 2) == 113.70
    assert round(sum(f.amortized for f in facts), 2) == 13.70
    usage = next(f for f in facts if f.charge_type == "usage")
    assert (usage.day, usage.billed, usage.usage_quantity, usage.instance_type, usage.env_tag, usage.service_category) == (
        "2026-11-02", 5.0, 2.5, "g5.xlarge", "prod", "Compute")
    assert usage.tags == '{"Environment":"prod","team":"ml"}'
    kinds = sorted((f.charge_type, f.billed) for f in facts if f.charge_type != "usage")
    assert kinds == [("credit", -0.5), ("purchase", 100.0), ("recurring", 10.0), ("refund", -2.0), ("tax", 1.2)]


def test_query_text_filters_on_the_partition_and_names_the_table() -> None:
    sql = build_query(layout(FOCUS_TYPES, "focus"), "2026-11")
    assert 'FROM "billing"."export"' in sql
    assert "WHERE billing_period = '2026-11'" in sql


def test_unpartitioned_table_filters_on_the_billing_period_column(tmp_path: Path) -> None:
    table = glue_table_input("export", CUR_TYPES, "s3://exports/data/")
    table["PartitionKeys"] = []
    table["DatabaseName"] = "billing"
    sql = build_query(layout_from_glue(table, "cur2"), "2026-12")
    assert ("WHERE bill_billing_period_start_date >= TIMESTAMP '2026-12-01 00:00:00' "
            "AND bill_billing_period_start_date < TIMESTAMP '2027-01-01 00:00:00'") in sql
    root = cur_export(tmp_path)
    conn = duckdb_over(root, "billing", "export")
    sql_oct = build_query(layout_from_glue(table, "cur2"), "2026-10")
    _, rows = run_duckdb(conn, sql_oct)
    assert len(rows) == 3


def test_a_missing_column_is_named_in_one_line() -> None:
    types = {k: v for k, v in CUR_TYPES.items() if k != "line_item_usage_type"}
    with pytest.raises(SyncError) as caught:
        layout(types, "cur2")
    message = str(caught.value)
    assert "\n" not in message
    assert "Athena table billing.export has no column line_item_usage_type, which a CUR 2.0 export has" in message


def test_a_focus_table_read_as_cur_names_what_is_missing() -> None:
    with pytest.raises(SyncError, match=r"has no column line_item_usage_start_date \(and \d+ more"):
        layout(FOCUS_TYPES, "cur2")
