"""`sync --source athena` against moto (Glue, Athena, S3) with DuckDB's answers to the exact query text queued in."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import boto3
import pytest

from finops_tui.clock import Clock
from finops_tui.config import parse_settings
from finops_tui.errors import SyncError
from finops_tui.store.db import open_store
from finops_tui.sync_athena import run_athena_sync
from tests.athena_exports import cur_export
from tests.athena_support import (
    CUR_TYPES,
    AthenaMoto,
    QueryPlan,
    athena_moto,  # noqa: F401 - fixture
    athena_result,
    athena_server,  # noqa: F401 - fixture
    duckdb_over,
    glue_table_input,
    run_duckdb,
)


class Ran:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """The real entry point, in this process (boto3 still reaches moto over HTTP): what a user sees, and faster."""
    from finops_tui.cli import main

    def run(*args: str) -> Ran:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run

TODAY = "2026-11-20"
CONFIG = """
[sync]
backfill_months = 2
[athena]
database = "billing"
table = "cur"
workgroup = "primary"
output_location = "s3://athena-results/finops/"
export_format = "cur2"
monthly_cost_cap_usd = {cap}
poll_timeout_seconds = 30
"""
MB = 1024 ** 2


def settings_of(cap: float = 25.0):
    import tomllib

    return parse_settings(tomllib.loads(CONFIG.format(cap=cap)))


def make_table(periods: list[str], types: dict[str, str] = CUR_TYPES) -> None:
    glue = boto3.client("glue", region_name="us-east-1")
    glue.create_database(DatabaseInput={"Name": "billing"})
    glue.create_table(DatabaseName="billing", TableInput=glue_table_input("cur", types, "s3://exports/cur/data/"))
    for period in periods:
        glue.create_partition(DatabaseName="billing", TableName="cur", PartitionInput={
            "Values": [period], "StorageDescriptor": {"Location": f"s3://exports/cur/data/BILLING_PERIOD={period}/"}})
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="athena-results")


def queue_duckdb(moto: AthenaMoto, root: Path, *periods: str) -> None:
    """Run the query the sync will send, per period, with DuckDB over the export, and queue the rows in moto."""
    from finops_tui.sources.athena_sql import build_query, layout_from_glue

    table = glue_table_input("cur", CUR_TYPES, "s3://exports/cur/data/")
    table["DatabaseName"] = "billing"
    layout = layout_from_glue(table, "cur2")
    conn = duckdb_over(root, "billing", "cur")
    moto.queue(*(athena_result(*run_duckdb(conn, build_query(layout, period))) for period in periods))


def month_sums(cache: Path) -> dict[str, tuple[float, float]]:
    conn = sqlite3.connect(cache)
    try:
        rows = conn.execute("SELECT substr(day, 1, 7), ROUND(SUM(billed), 2), ROUND(SUM(amortized), 2) FROM cost_rollup "
                            "GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        conn.close()
    return {month: (billed, amortized) for month, billed, amortized in rows}


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "finops.toml"
    path.write_text(CONFIG.format(cap=25.0))
    return path


def test_backfill_pages_and_replaces_a_restated_period(athena_moto: AthenaMoto, tmp_path: Path, config_file: Path, run_cli) -> None:
    make_table(["2026-10", "2026-11"])
    athena_moto.fake.page_rows = 3  # Athena may answer fewer rows than MaxResults: the client must follow NextToken
    athena_moto.fake.plans[:] = [QueryPlan(bytes_scanned=123_456_789), QueryPlan(bytes_scanned=1_000)]
    queue_duckdb(athena_moto, cur_export(tmp_path / "v1"), "2026-10", "2026-11")
    cache = tmp_path / "finops.db"
    first = run_cli("sync", "--source", "athena", "--cache", str(cache), "--config", str(config_file), "--today", TODAY)
    assert first.returncode == 0, first.stderr
    # 2026-10: 3 rows + header = 4 rows in pages of 3 -> 2 pages; 2026-11: 7 + 1 = 8 rows -> 3 pages
    assert [bool(call.get("NextToken")) for call in athena_moto.fake.result_calls] == [False, True, False, True, True]
    assert month_sums(cache) == {"2026-10": (35.0, 9.25), "2026-11": (12.55, 7.55)}
    # 123,456,789 bytes bill as 118 MB; 1,000 bytes as the 10 MB minimum: (118 + 10) MB at $5 per TB
    assert "billing periods 2026-10 to 2026-11, 10 daily rows" in first.stdout
    assert "This run scanned 117.74 MB ($0.0006)" in first.stdout
    assert "Athena this month (2026-11): 2 queries, $0.0006 of the $25.00 cap." in first.stdout
    assert round(128 * MB / 1024 ** 4 * 5, 4) == 0.0006

    # Two weeks on, AWS restated October: its usage line went from 5.00 to 6.00. The later run re-queries the
    # current and previous periods only, and October is replaced, not added to.
    athena_moto.fake.result_calls.clear()
    queue_duckdb(athena_moto, cur_export(tmp_path / "v2", october_usage=6.00), "2026-10", "2026-11")
    again = run_cli("sync", "--source", "athena", "--cache", str(cache), "--config", str(config_file), "--today", TODAY)
    assert again.returncode == 0, again.stderr
    assert month_sums(cache) == {"2026-10": (36.0, 10.25), "2026-11": (12.55, 7.55)}
    assert len(athena_moto.fake.queries) == 4


def test_dry_run_prints_each_query_exactly_as_sent(athena_moto: AthenaMoto, tmp_path: Path, config_file: Path, run_cli) -> None:
    make_table(["2026-10", "2026-11"])
    cache = tmp_path / "finops.db"
    dry = run_cli("sync", "--source", "athena", "--dry-run", "--cache", str(cache), "--config", str(config_file),
                  "--today", TODAY)
    assert dry.returncode == 0, dry.stderr
    assert athena_moto.fake.queries == []  # nothing was queried
    assert "a sync would run 2 Athena queries, billing periods 2026-10 to 2026-11 (first run: backfill)" in dry.stdout
    assert dry.stdout.count("bytes unknown until it first runs") == 2
    athena_moto.fake.plans[:] = [QueryPlan(bytes_scanned=50 * MB), QueryPlan(bytes_scanned=20 * MB)]
    queue_duckdb(athena_moto, cur_export(tmp_path / "v1"), "2026-10", "2026-11")
    real = run_cli("sync", "--source", "athena", "--cache", str(cache), "--config", str(config_file), "--today", TODAY)
    assert real.returncode == 0, real.stderr
    for sent in athena_moto.fake.queries:
        assert sent + ";" in dry.stdout
    again = run_cli("sync", "--source", "athena", "--dry-run", "--cache", str(cache), "--config", str(config_file),
                    "--today", TODAY)
    # 50 MB at $5 per TB = $0.000238...; 20 MB = $0.0000953...
    assert "-- billing period 2026-10: scanned 50.00 MB last time, about $0.0002" in again.stdout
    assert "-- billing period 2026-11: scanned 20.00 MB last time, about $0.0001" in again.stdout


def test_polls_with_backoff_until_done(athena_moto: AthenaMoto, tmp_path: Path) -> None:
    make_table(["2026-11"])
    athena_moto.polls_before_each_state(2)  # QUEUED for 2 polls, RUNNING for 2, then SUCCEEDED
    queue_duckdb(athena_moto, cur_export(tmp_path / "v1"), "2026-11")
    slept: list[float] = []
    store = open_store(tmp_path / "finops.db")
    settings = settings_of()
    settings.sync.backfill_months = 1
    result = run_athena_sync(store, settings, Clock(date(2026, 11, 20), True), sleep=slept.append, monotonic=lambda: 0.0)
    assert slept == [0.5, 1.0, 2.0]
    assert result.rows_written == 7


def test_a_query_still_running_at_the_timeout_is_stopped(athena_moto: AthenaMoto, tmp_path: Path) -> None:
    make_table(["2026-11"])
    athena_moto.polls_before_each_state(10_000)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    store = open_store(tmp_path / "finops.db")
    settings = settings_of()
    settings.sync.backfill_months = 1
    with pytest.raises(SyncError, match=r"was still QUEUED after 30 s; it was stopped"):
        run_athena_sync(store, settings, Clock(date(2026, 11, 20), True), sleep=sleep, monotonic=lambda: now[0])
    assert now[0] == 30.0  # 0.5 + 1 + 2 + 4 + 8 + 8 + 6.5: the last wait is cut at the deadline
    execution = boto3.client("athena", region_name="us-east-1").list_query_executions()["QueryExecutionIds"][0]
    state = boto3.client("athena", region_name="us-east-1").get_query_execution(QueryExecutionId=execution)
    assert state["QueryExecution"]["Status"]["State"] == "CANCELLED"
    assert not store.has_costs()


def test_a_failed_query_fails_the_run_and_keeps_the_cache(athena_moto: AthenaMoto, tmp_path: Path,
                                                          config_file: Path, run_cli) -> None:
    make_table(["2026-10", "2026-11"])
    queue_duckdb(athena_moto, cur_export(tmp_path / "v1"), "2026-10", "2026-11")
    cache = tmp_path / "finops.db"
    assert run_cli("sync", "--source", "athena", "--cache", str(cache), "--config", str(config_file),
                   "--today", TODAY).returncode == 0
    before = month_sums(cache)
    reason = "HIVE_BAD_DATA: Error reading column line_item_unblended_cost \x1b[31m[red]"
    athena_moto.fake.plans[:] = [QueryPlan(), QueryPlan(bytes_scanned=5 * MB, fail_reason=reason)]
    queue_duckdb(athena_moto, cur_export(tmp_path / "v2", october_usage=9.0), "2026-10", "2026-11")
    failed = run_cli("sync", "--source", "athena", "--cache", str(cache), "--config", str(config_file), "--today", TODAY)
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in failed.stderr
    assert "failed: HIVE_BAD_DATA: Error reading column line_item_unblended_cost" in lines[0]
    assert "\x1b" not in failed.stderr
    assert month_sums(cache) == before  # October's restated 9.00 was fetched, but nothing was written


def test_the_monthly_cap_refuses_before_querying(athena_moto: AthenaMoto, tmp_path: Path, run_cli) -> None:
    make_table(["2026-10", "2026-11"])
    cache = tmp_path / "finops.db"
    config = tmp_path / "cap.toml"
    # 10 MB at $5 per TB is $0.0000477: a cap of $0.00005 allows one minimum query, not two
    config.write_text(CONFIG.format(cap=0.00005))
    queue_duckdb(athena_moto, cur_export(tmp_path / "v1"), "2026-10", "2026-11")
    result = run_cli("sync", "--source", "athena", "--cache", str(cache), "--config", str(config), "--today", TODAY)
    assert result.returncode == 1
    assert "refused before the query for billing period 2026-11" in result.stderr
    assert "over athena.monthly_cost_cap_usd = $0.00" in result.stderr
    assert len(athena_moto.fake.queries) == 1
    assert month_sums(cache) == {}


def test_a_table_without_a_needed_column_is_named(athena_moto: AthenaMoto, tmp_path: Path, config_file: Path, run_cli) -> None:
    make_table(["2026-11"], {k: v for k, v in CUR_TYPES.items() if k != "line_item_line_item_type"})
    result = run_cli("sync", "--source", "athena", "--cache", str(tmp_path / "finops.db"), "--config", str(config_file),
                     "--today", TODAY)
    assert result.returncode == 1
    assert result.stderr.startswith("finops-tui: Athena table billing.cur has no column line_item_line_item_type, "
                                    "which a CUR 2.0 export has")
    assert athena_moto.fake.queries == []


def test_status_and_the_console_header_show_the_athena_meter(athena_moto: AthenaMoto, tmp_path: Path, config_file: Path,
                                                             run_cli) -> None:
    import json

    make_table(["2026-10", "2026-11"])
    athena_moto.fake.plans[:] = [QueryPlan(bytes_scanned=300 * MB), QueryPlan(bytes_scanned=100 * MB)]
    queue_duckdb(athena_moto, cur_export(tmp_path / "v1"), "2026-10", "2026-11")
    cache = tmp_path / "finops.db"
    assert run_cli("sync", "--source", "athena", "--cache", str(cache), "--config", str(config_file),
                   "--today", TODAY).returncode == 0
    status = run_cli("status", "--json", "--cache", str(cache), "--config", str(config_file), "--today", TODAY)
    meter = json.loads(status.stdout)["athena"]
    # 400 MB at $5 per TB: 400 / 1,048,576 x 5 = $0.0019
    assert meter == {"queries_this_month": 2, "billed_bytes_this_month": 400 * MB, "cost_this_month": 0.0019}

    from finops_tui.analytics.snapshot import build_snapshot
    from finops_tui.tui.widgets.status_header import HeaderState, header_content

    store = open_store(cache)
    snapshot = build_snapshot(store, settings_of(), date(2026, 11, 20))
    text = header_content(snapshot, HeaderState(False, False, False, False, None, True)).plain
    assert text.endswith(" · Athena 2 q $0.0019")
