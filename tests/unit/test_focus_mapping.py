"""FOCUS rows -> daily cache rows: days in UTC, hourly sums, charge types, categories, environments."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from finops_tui.config import Settings, parse_settings
from finops_tui.errors import InputError
from finops_tui.importers import import_focus
from finops_tui.sources import focus
from finops_tui.store import open_store

HEADER = ["ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "EffectiveCost", "ChargeCategory", "ServiceName",
          "ServiceCategory", "SubAccountId", "ResourceId", "ResourceName", "Tags", "SkuPriceDetails", "x_UsageType"]


def row(start: str, billed: float | str, effective: float | str | None = None, *, category: str = "Usage",
        service: str = "AmazonEC2", service_category: str = "Compute", account: str = "111", resource: str = "i-1",
        name: str = "", tags: dict | str | None = None, sku: dict | None = None, usage_type: str = "") -> list[str]:
    tags_text = tags if isinstance(tags, str) else json.dumps(tags if tags is not None else {"Environment": "prod"})
    return [start, "", str(billed), str(billed if effective is None else effective), category, service, service_category,
            account, resource, name, tags_text, json.dumps(sku) if sku else "", usage_type]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def imported(tmp_path: Path, rows: list[list[str]], settings: Settings | None = None) -> list[tuple]:
    store = open_store(tmp_path / "c.db")
    import_focus(store, settings or Settings(), [write_csv(tmp_path / "f.csv", rows)])
    return store.conn.execute(
        "SELECT day, account, service, usage_type, category, environment, resource_id, charge_type, "
        "ROUND(amortized, 6), ROUND(billed, 6), source LIKE 'focus:%' FROM cost_daily JOIN dim_allocation USING (dim_id) ORDER BY day, charge_type, resource_id"
    ).fetchall()


def test_hourly_rows_sum_per_utc_day(tmp_path: Path) -> None:
    hours = [row(f"2026-05-01T{h:02d}:00:00Z", 0.1, 0.07) for h in range(24)]
    hours.append(row("2026-05-01T23:30:00-02:00", 1.0, 0.5))  # 01:30 UTC on May 2
    hours.append(row("2026-05-02 00:00:00", 2.0, 1.0))         # no offset: UTC
    rows = imported(tmp_path, hours)
    assert rows == [
        ("2026-05-01", "111", "AmazonEC2", "", "Compute", "production", "i-1", "usage", 1.68, 2.4, 1),
        ("2026-05-02", "111", "AmazonEC2", "", "Compute", "production", "i-1", "usage", 1.5, 3.0, 1),
    ]


def test_charge_categories(tmp_path: Path) -> None:
    rows = imported(tmp_path, [
        row("2026-05-03T00:00:00Z", 100.0, 0.0, category="Purchase", resource="r-a"),
        row("2026-05-03T00:00:00Z", 7.0, 7.0, category="Tax", resource="r-b"),
        row("2026-05-03T00:00:00Z", -5.0, -5.0, category="Credit", resource="r-c"),
        row("2026-05-03T00:00:00Z", -2.0, -2.0, category="Adjustment", resource="r-d"),
        row("2026-05-03T00:00:00Z", 3.0, 3.0, category="Adjustment", resource="r-e"),
    ])
    assert [(r[6], r[7]) for r in rows] == [("r-e", "adjustment"), ("r-c", "credit"), ("r-a", "purchase"),
                                            ("r-d", "refund"), ("r-b", "tax")]


def test_categories_from_instance_type_usage_type_name_and_service_category(tmp_path: Path) -> None:
    rows = imported(tmp_path, [
        row("2026-05-04T00:00:00Z", 1.0, resource="gpu", sku={"InstanceType": "g5.xlarge"}),
        row("2026-05-04T00:00:00Z", 1.0, resource="cpu", sku={"InstanceType": "m6i.large"}),
        row("2026-05-04T00:00:00Z", 1.0, resource="vol", usage_type="USE1-EBS:VolumeUsage.gp3"),
        row("2026-05-04T00:00:00Z", 1.0, resource="nat", usage_type="USE1-NatGateway-Hours", service="AmazonVPC",
            service_category="Networking"),
        row("2026-05-04T00:00:00Z", 1.0, resource="i-q", name="qdrant-0"),
        row("2026-05-04T00:00:00Z", 1.0, resource="i-m", tags={"Environment": "dev", "app": "minio"}),
        row("2026-05-04T00:00:00Z", 1.0, resource="db", service="Acme Vector DB", service_category="Databases"),
        row("2026-05-04T00:00:00Z", 1.0, resource="glue", service="AWSGlue", service_category="Analytics"),
    ])
    assert {r[6]: r[4] for r in rows} == {"gpu": "AI/ML", "cpu": "Compute", "vol": "Storage", "nat": "Networking",
                                           "i-q": "AI/ML", "i-m": "Storage", "db": "Database", "glue": "Other"}
    assert {r[6]: r[3] for r in rows}["vol"] == "USE1-EBS:VolumeUsage.gp3"


def test_environments_from_tags_and_account_map(tmp_path: Path) -> None:
    settings = parse_settings({"environments": {"accounts": {"999": "rnd"}}})
    rows = imported(tmp_path, [
        row("2026-05-05T00:00:00Z", 1.0, resource="a", tags={"environment": "STG"}),
        row("2026-05-05T00:00:00Z", 1.0, resource="b", tags={}),
        row("2026-05-05T00:00:00Z", 1.0, resource="c", tags=""),
        row("2026-05-05T00:00:00Z", 1.0, resource="d", tags={"Environment": "prod"}, account="999"),
        row("2026-05-05T00:00:00Z", 1.0, resource="e", tags={"Environment": "preprod"}),
        row("2026-05-05T00:00:00Z", 1.0, resource="f", tags={"user:Environment": "Research", "aws:createdBy": "x"}),
    ], settings)
    assert {r[6]: r[5] for r in rows} == {"a": "staging", "b": "unallocated", "c": "unallocated", "d": "rnd", "e": "unallocated",
                                           "f": "rnd"}


@pytest.mark.parametrize(("bad", "reason"), [
    (row("yesterday", 1.0), "ChargePeriodStart 'yesterday' is not an ISO-8601 date-time"),
    (row("2026-05-01T00:00:00Z", ""), "BilledCost is empty"),
    (row("2026-05-01T00:00:00Z", 1.0, "nan"), "EffectiveCost 'nan' is not a finite number"),
    (row("2026-05-01T00:00:00Z", 1.0, category="Refund"), "ChargeCategory 'Refund' is not one of"),
    (row("2026-05-01T00:00:00Z", 1.0, tags="{not json"), "Tags is not valid JSON"),
    (row("2026-05-01T00:00:00Z", 1.0, tags="[1, 2]"), "Tags is not a JSON object"),
    (row("2026-05-01T00:00:00Z", 1.0, service=""), "ServiceName is empty"),
    (row("2026-05-01T00:00:00Z", 1.0)[:5], "expected 13 fields, found 5"),
])
def test_bad_row_names_file_and_line_and_writes_nothing(tmp_path: Path, bad: list[str], reason: str) -> None:
    store = open_store(tmp_path / "c.db")
    path = write_csv(tmp_path / "f.csv", [row("2026-05-01T00:00:00Z", 1.0), bad])
    with pytest.raises(InputError) as caught:
        import_focus(store, Settings(), [path])
    assert f"{path}:3: {reason}" in str(caught.value)
    assert store.conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()[0] == 0
    assert store.conn.execute("SELECT COUNT(*) FROM sync_runs").fetchone()[0] == 0


def test_a_bad_second_file_keeps_the_first_out_too(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.db")
    good = write_csv(tmp_path / "good.csv", [row("2026-05-01T00:00:00Z", 1.0)])
    bad = write_csv(tmp_path / "bad.csv", [row("2026-05-01T00:00:00Z", "x")])
    with pytest.raises(InputError, match="bad.csv:2"):
        import_focus(store, Settings(), [good, bad])
    assert store.conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()[0] == 0


def test_quoted_multiline_field_reports_the_line_where_the_row_starts(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.db")
    first = row("2026-05-01T00:00:00Z", 1.0, tags='{"Environment": "prod",\n "Note": "two lines"}')
    path = write_csv(tmp_path / "f.csv", [first, row("2026-05-01T00:00:00Z", "oops")])
    with pytest.raises(InputError, match=r"f\.csv:4: BilledCost 'oops'"):
        import_focus(store, Settings(), [path])


def test_progress_is_reported_every_n_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(focus, "PROGRESS_EVERY", 10)
    store = open_store(tmp_path / "c.db")
    path = write_csv(tmp_path / "f.csv", [row(f"2026-05-01T{h:02d}:00:00Z", 1.0) for h in range(24)])
    seen: list[int] = []
    import_focus(store, Settings(), [path], progress=lambda _name, rows: seen.append(rows))
    assert seen == [10, 20]


def test_rollup_is_kept_in_step(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.db")
    import_focus(store, Settings(), [write_csv(tmp_path / "f.csv", [row("2026-05-01T00:00:00Z", 2.5)])])
    rollup = store.conn.execute("SELECT day, category, environment, amortized FROM cost_rollup").fetchall()
    assert rollup == [("2026-05-01", "Compute", "production", 2.5)]
