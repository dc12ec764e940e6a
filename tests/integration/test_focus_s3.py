"""`import-focus s3://bucket/prefix/`: a Data Export read from moto's S3, newest delivery of each billing period."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
from pathlib import Path

import boto3
import pytest

from tests.athena_support import AthenaMoto, athena_moto, athena_server  # noqa: F401 - fixtures

HEADER = "BillingAccountId,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeFrequency," \
         "BilledCost,EffectiveCost,ServiceName,ServiceCategory,SubAccountId,ResourceId,Tags\n"


def line(day: str, billed: float, tags: str = '{"Environment":"prod"}') -> str:
    tags = tags.replace('"', '""')
    return (f"111111111111,{day[:7]}-01T00:00:00Z,{day}T00:00:00Z,{day}T01:00:00Z,Usage,Usage-Based,"
            f"{billed},{billed},Amazon Elastic Compute Cloud,Compute,222222222222,i-0aaa,\"{tags}\"\n")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    from finops_tui.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def put(s3, key: str, body: bytes) -> None:
    s3.put_object(Bucket="exports", Key=key, Body=body)


def billed_by_month(cache: Path) -> dict[str, float]:
    conn = sqlite3.connect(cache)
    try:
        rows = conn.execute("SELECT substr(day, 1, 7), ROUND(SUM(billed), 2) FROM cost_rollup GROUP BY 1").fetchall()
    finally:
        conn.close()
    return dict(rows)


def test_newest_delivery_of_each_period_by_manifest(athena_moto: AthenaMoto, tmp_path: Path, run_cli) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="exports")
    base = "focus/org-focus"
    # 2026-10: overwritten in place, no manifest: the one file in the period folder; 1.25 + 2.75 = 4.00
    put(s3, f"{base}/data/BILLING_PERIOD=2026-10/org-focus-00001.csv.gz",
        gzip.compress((HEADER + line("2026-10-05", 1.25) + line("2026-10-06", 2.75)).encode()))
    # 2026-11: two executions ("create new export version"); the first manifest is older than the second
    put(s3, f"{base}/data/BILLING_PERIOD=2026-11/exec-1/org-focus-00001.csv", (HEADER + line("2026-11-02", 10.0)).encode())
    put(s3, f"{base}/metadata/BILLING_PERIOD=2026-11/exec-1/org-focus-Manifest.json", json.dumps(
        {"executionId": "exec-1", "dataFiles": [f"s3://exports/{base}/data/BILLING_PERIOD=2026-11/exec-1/org-focus-00001.csv"]}).encode())
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    restated = pacsv.read_csv(io.BytesIO((HEADER + line("2026-11-02", 11.5) + line("2026-11-03", 0.5)).encode()))
    buffer = io.BytesIO()
    pq.write_table(restated.cast(pa.schema([(f.name, pa.string() if f.name not in ("BilledCost", "EffectiveCost")
                                              else pa.float64()) for f in restated.schema])), buffer)
    put(s3, f"{base}/data/BILLING_PERIOD=2026-11/exec-2/org-focus-00001.snappy.parquet", buffer.getvalue())
    put(s3, f"{base}/metadata/BILLING_PERIOD=2026-11/exec-2/org-focus-Manifest.json", json.dumps(
        {"executionId": "exec-2",
         "dataFiles": [f"s3://exports/{base}/data/BILLING_PERIOD=2026-11/exec-2/org-focus-00001.snappy.parquet"]}).encode())

    cache = tmp_path / "finops.db"
    code, out, err = run_cli("import-focus", "s3://exports/focus/", "--cache", str(cache), "--today", "2026-11-20",
                             "--no-alerts")
    assert code == 0, err
    assert f"s3://exports/{base}/data/BILLING_PERIOD=2026-10/org-focus-00001.csv.gz: 2 rows" in out
    assert f"s3://exports/{base}/data/BILLING_PERIOD=2026-11/exec-2/org-focus-00001.snappy.parquet: 2 rows" in out
    assert "exec-1" not in out  # the older delivery of 2026-11 is not read
    assert billed_by_month(cache) == {"2026-10": 4.0, "2026-11": 12.0}

    again = run_cli("import-focus", "s3://exports/focus/", "--cache", str(cache), "--today", "2026-11-20", "--no-alerts")
    assert again[0] == 0
    assert billed_by_month(cache) == {"2026-10": 4.0, "2026-11": 12.0}


def test_nothing_there_is_one_line(athena_moto: AthenaMoto, tmp_path: Path, run_cli) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="exports")
    code, out, err = run_cli("import-focus", "s3://exports/none/", "--cache", str(tmp_path / "f.db"), "--no-alerts")
    assert code == 1
    assert err == "finops-tui: s3://exports/none/: no FOCUS export files (.csv, .csv.gz, .parquet) found under it\n"
    assert not (tmp_path / "f.db").exists()
    code, out, err = run_cli("import-focus", "s3://missing-bucket/x/", "--cache", str(tmp_path / "f.db"), "--no-alerts")
    assert (code, err) == (1, "finops-tui: s3://missing-bucket/x/: the bucket missing-bucket does not exist\n")
