"""Athena rows as a billing export: raw dimensions allocated when read, one slice per billing account and period,
and precedence against Cost Explorer as for an imported FOCUS file.

The export is ``tests.athena_exports.cur_export``; every figure below is worked out by hand from its lines:

2026-10 (amortized): i-0aaa usage 5.00; the m5.large reservation's fee 30.00 billed, 1.00 + 2.00 unused amortized;
the usage it covers (i-0bbb) 1.25. All EC2: 9.25.
2026-11 (amortized): i-0aaa (222222222222, Environment=prod) 3.00 on the 2nd; i-0ccc g5.xlarge (333333333333,
Environment=stg) 2.50 and its negation 0.00 on the 2nd; the Savings Plan fee (payer 111111111111, its own service)
2.50 on the 1st; EC2 tax 0.80 on the 1st and credit -1.50 on the 3rd (222222222222, untagged); S3 0.25 on the 3rd
(222222222222, untagged). Total 7.55.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.athena_exports import cur_export
from tests.athena_support import (
    AthenaMoto,
    athena_moto,  # noqa: F401 - fixture
    athena_server,  # noqa: F401 - fixture
)
from tests.integration.conftest import MotoServer, ce_day, ce_group, ce_result, ce_usage_group
from tests.integration.test_athena_sync import CONFIG, TODAY, make_table, queue_duckdb, run_cli  # noqa: F401 - fixture

PAYER, PROD, STAGE, OUTSIDE = "111111111111", "222222222222", "333333333333", "999999999999"
SOURCE = "athena:billing.cur"

RULES = """
[[categories.rules]]
category = "AI/ML"
instance_types = ["g*"]
[[categories.rules]]
category = "Storage"
services = ["*Simple Storage Service*"]
[[categories.rules]]
category = "Compute"
services = ["*Elastic Compute Cloud*"]
"""
NEW_RULE = """
[[categories.rules]]
category = "Database"
resources = ["i-0aaa"]
"""


def write_config(path: Path, extra: str = "", rules: str = RULES) -> Path:
    path.write_text(CONFIG.format(cap=25.0) + extra + rules)
    return path


def figures(run_cli, cache: Path, config: Path) -> dict:
    done = run_cli("status", "--json", "--cache", str(cache), "--config", str(config), "--today", TODAY)
    assert done.returncode == 3, done.stderr  # STALE: the export has reached the 3rd, today is the 20th
    return json.loads(done.stdout)


def by_name(items: list[dict], field: str = "mtd") -> dict[str, float]:
    return {item["name"]: item[field] for item in items if item[field]}


def sources_json(run_cli, cache: Path, config: Path) -> list[dict]:
    done = run_cli("sources", "--json", "--cache", str(cache), "--config", str(config), "--today", TODAY)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["sources"]


def sync_athena(run_cli, cache: Path, config: Path) -> None:
    done = run_cli("sync", "--source", "athena", "--cache", str(cache), "--config", str(config), "--today", TODAY)
    assert done.returncode == 0, done.stderr


def test_a_changed_rule_moves_athena_figures_without_a_resync(athena_moto: AthenaMoto, tmp_path: Path, run_cli) -> None:
    make_table(["2026-10", "2026-11"])
    queue_duckdb(athena_moto, cur_export(tmp_path / "v1"), "2026-10", "2026-11")
    cache = tmp_path / "finops.db"
    before_config = write_config(tmp_path / "before.toml")
    sync_athena(run_cli, cache, before_config)

    before = figures(run_cli, cache, before_config)
    assert before["total"]["mtd"] == 7.55
    # Compute: 3.00 + 0.80 - 1.50; AI/ML: the g5 usage 2.50; the Savings Plan's fee matches no rule
    assert by_name(before["categories"]) == {"Compute": 2.30, "AI/ML": 2.50, "Storage": 0.25, "Other": 2.50}
    assert by_name(before["categories"], "previous_month") == {"Compute": 9.25}
    assert by_name(before["environments"]) == {"production": 3.00, "staging": 2.50}
    assert before["unallocated"]["mtd"] == 2.05  # 2.50 + 0.80 - 1.50 + 0.25

    # A new first rule (i-0aaa is a database host) and an account map: no query, no re-sync.
    after_config = write_config(tmp_path / "after.toml", f'[environments]\naccounts = {{ "{PROD}" = "production" }}\n',
                                NEW_RULE + RULES)
    after = figures(run_cli, cache, after_config)
    assert len(athena_moto.fake.queries) == 2  # the two of the first sync
    assert after["total"]["mtd"] == 7.55
    # November: i-0aaa's 3.00 leaves Compute (0.80 - 1.50 = -0.70 stays); October: its 5.00 (4.25 stays)
    assert by_name(after["categories"]) == {"Database": 3.00, "Compute": -0.70, "AI/ML": 2.50, "Storage": 0.25,
                                            "Other": 2.50}
    assert by_name(after["categories"], "previous_month") == {"Database": 5.00, "Compute": 4.25}
    # 222222222222 is production whatever its tag: 3.00 + 0.80 - 1.50 + 0.25; only the payer's fee stays unallocated
    assert by_name(after["environments"]) == {"production": 2.55, "staging": 2.50}
    assert after["unallocated"]["mtd"] == 2.50

    # The report of the closed month follows the same config; the old config still reads the old figures.
    report = run_cli("report", "--month", "2026-10", "--format", "json", "--cache", str(cache), "--config",
                     str(after_config), "--today", TODAY)
    assert report.returncode == 0, report.stderr
    categories = {c["name"]: c["amount"] for c in json.loads(report.stdout)["categories"] if c["amount"]}
    assert categories == {"Database": 5.00, "Compute": 4.25}
    assert by_name(figures(run_cli, cache, before_config)["categories"]) == by_name(before["categories"])


def test_each_billing_period_is_a_slice_and_a_restated_one_replaces_exactly_its_own(
        athena_moto: AthenaMoto, tmp_path: Path, run_cli) -> None:
    make_table(["2026-10", "2026-11"])
    queue_duckdb(athena_moto, cur_export(tmp_path / "v1"), "2026-10", "2026-11")
    cache = tmp_path / "finops.db"
    config = write_config(tmp_path / "finops.toml")
    sync_athena(run_cli, cache, config)

    [source] = sources_json(run_cli, cache, config)
    assert source["id"] == SOURCE and source["kind"] == "athena"
    assert source["label"] == "billing.cur (CUR 2.0 via Athena)"
    assert source["billing_periods"] == ["2026-10", "2026-11"]
    assert source["accounts"] == [PAYER, PROD, STAGE]
    assert (source["first_day"], source["last_day"]) == ("2026-10-01", "2026-11-03")
    assert source["rows"] == 10  # 3 daily rows in October, 7 in November (the two i-0aaa hours are one row)
    assert (source["amortized"], source["billed"]) == (16.80, 47.55)  # 9.25 + 7.55; 35.00 + 12.55
    assert source["set_aside"] == {"rows": 0, "amortized": 0.0, "billed": 0.0}

    # AWS restated November's S3 line (0.25 -> 0.40). With one period re-queried, November's slice is replaced and
    # October's, not fetched, is left exactly as it was.
    restated = write_config(tmp_path / "restated.toml", "restated_periods = 1\n")  # inside [athena]
    athena_moto.fake.queries.clear()
    queue_duckdb(athena_moto, cur_export(tmp_path / "v2", s3_usage=0.40), "2026-11")
    sync_athena(run_cli, cache, restated)
    assert len(athena_moto.fake.queries) == 1 and "billing_period = '2026-11'" in athena_moto.fake.queries[0]

    [source] = sources_json(run_cli, cache, restated)
    assert source["billing_periods"] == ["2026-10", "2026-11"]
    assert source["rows"] == 10  # replaced, not added: 3 + 7
    assert (source["amortized"], source["billed"]) == (16.95, 47.70)  # 9.25 + 7.70; 35.00 + 12.70
    picture = figures(run_cli, cache, restated)
    assert picture["total"]["mtd"] == 7.70
    assert by_name(picture["categories"], "previous_month") == {"Compute": 9.25}

    # Removing the source removes its slices and rows, and the next sync backfills again.
    removed = run_cli("--cache", str(cache), "--config", str(config), "--today", TODAY, "sources", "remove", SOURCE)
    assert removed.returncode == 0, removed.stderr
    assert sources_json(run_cli, cache, config) == []
    dry = run_cli("sync", "--source", "athena", "--dry-run", "--cache", str(cache), "--config", str(config),
                  "--today", TODAY)
    assert "billing periods 2026-10 to 2026-11 (first run: backfill)" in dry.stdout


@pytest.fixture
def both_servers(moto: MotoServer, athena_moto: AthenaMoto) -> tuple[MotoServer, AthenaMoto]:
    """The Cost Explorer server (it answers every day of a window) and the Athena one; moto's state is shared."""
    return moto, athena_moto


def test_an_account_in_both_cost_explorer_and_athena_counts_once(both_servers: tuple[MotoServer, AthenaMoto],
                                                                 tmp_path: Path, run_cli,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    moto, athena = both_servers
    cache = tmp_path / "finops.db"
    config = write_config(tmp_path / "finops.toml")
    ec2 = "Amazon Elastic Compute Cloud"
    # Cost Explorer: $500 on the 2nd for 222222222222 (a day Athena's slice covers), $70 that day for an account
    # the export does not have, and $40 on the 10th for 222222222222 (after the 3rd, the last day Athena reached).
    moto.queue_ce(
        ce_result(ce_day("2026-11-02", [ce_group("Environment$prod", ec2, 570.0)]),
                  ce_day("2026-11-10", [ce_group("Environment$prod", ec2, 40.0)])),
        ce_result(ce_day("2026-11-02", [ce_usage_group(ec2, "BoxUsage:m5.large", 570.0, quantity=5700.0)]),
                  ce_day("2026-11-10", [ce_usage_group(ec2, "BoxUsage:m5.large", 40.0, quantity=400.0)])),
        ce_result(ce_day("2026-11-02", [ce_group(PROD, "Environment$prod", 500.0), ce_group(OUTSIDE, "Environment$prod", 70.0)]),
                  ce_day("2026-11-10", [ce_group(PROD, "Environment$prod", 40.0)])),
        ce_result(),  # record types: all usage
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.url)
    synced = run_cli("sync", "--cache", str(cache), "--config", str(config), "--today", TODAY)
    assert synced.returncode == 0, synced.stderr
    assert figures(run_cli, cache, config)["total"]["mtd"] == 610.0

    monkeypatch.setenv("AWS_ENDPOINT_URL", athena.url)
    make_table(["2026-10", "2026-11"])
    queue_duckdb(athena, cur_export(tmp_path / "v1"), "2026-10", "2026-11")
    sync_athena(run_cli, cache, config)

    # The export is authoritative for its accounts through the last day it reached: Cost Explorer's $500 for
    # 222222222222 on the 2nd is set aside; its $70 (an account Athena lacks) and $40 (the 10th) still count.
    picture = figures(run_cli, cache, config)
    assert picture["total"]["mtd"] == 117.55  # 7.55 + 70 + 40, not 617.55
    assert by_name(picture["environments"]) == {"production": 113.00, "staging": 2.50}  # 3.00 + 70 + 40
    kinds = {s["kind"]: s for s in picture["sources"]}
    assert kinds["ce"]["set_aside"] == {"rows": 1, "amortized": 500.0, "billed": 500.0}
    assert kinds["athena"]["set_aside"]["rows"] == 0 and kinds["athena"]["billing_periods"] == ["2026-10", "2026-11"]
    overlap = [reason for reason in picture["status"]["reasons"] if reason.startswith("overlap")]
    assert overlap and "$500.00 set aside" in overlap[0]

    # Reversed precedence: Cost Explorer wins where it has the (account, day); Athena's 3.00 for 222222222222 on
    # the 2nd is set aside, its other lines still count. No query, no sync.
    reverse = write_config(tmp_path / "ce-first.toml", '[sources]\nprecedence = "ce"\n')
    athena.fake.queries.clear()
    reversed_picture = figures(run_cli, cache, reverse)
    assert reversed_picture["total"]["mtd"] == 614.55  # 610 + 7.55 - 3.00
    assert {s["kind"]: s["set_aside"]["amortized"] for s in reversed_picture["sources"]} == {"ce": 0.0, "athena": 3.0}
    assert athena.fake.queries == []


def test_athena_and_an_imported_focus_export_of_one_slice_replace_each_other(athena_moto: AthenaMoto, tmp_path: Path,
                                                                            run_cli) -> None:
    """The same (AWS, billing account, billing period) slice, loaded from Athena or from a FOCUS file of the
    export, is one slice: whichever is loaded last replaces the other, and never both count."""
    from tests.athena_exports import focus
    from tests.athena_support import FOCUS_TYPES, write_export

    make_table(["2026-10", "2026-11"])
    queue_duckdb(athena_moto, cur_export(tmp_path / "v1"), "2026-10", "2026-11")
    cache = tmp_path / "finops.db"
    config = write_config(tmp_path / "finops.toml")
    sync_athena(run_cli, cache, config)

    # November of the same payer as a FOCUS 1.2 file: effective 2.00 + 3.00 on the 2nd, 1.20 tax on the 1st,
    # -0.50 credit on the 3rd (its latest charge period starts 2026-11-03 00:00, as the Athena slice's does).
    types = {**FOCUS_TYPES, "ProviderName": "string"}
    rows = [dict(row, ProviderName="AWS") for row in (
        focus("2026-11-02", "Usage", "Usage-Based", 2.00, 2.00, hour=10, tags={"Environment": "prod"}),
        focus("2026-11-02", "Usage", "Usage-Based", 3.00, 3.00, hour=14, tags={"Environment": "prod"}),
        focus("2026-11-01", "Tax", "One-Time", 1.20, 1.20, usage_type=""),
        focus("2026-11-03", "Credit", "One-Time", -0.50, -0.50, usage_type=""),
    )]
    export = write_export(tmp_path / "focus", types, {"2026-11": rows}) / "data" / "BILLING_PERIOD=2026-11"
    imported = run_cli("--cache", str(cache), "--config", str(config), "--today", TODAY, "import-focus",
                       str(export / "part-00001.snappy.parquet"))
    assert imported.returncode == 0, imported.stderr
    assert "replaced AWS 111111111111 2026-11 (was billing.cur (CUR 2.0 via Athena))" in imported.stdout
    assert figures(run_cli, cache, config)["total"]["mtd"] == 5.70  # 2 + 3 + 1.20 - 0.50, not 5.70 + 7.55
    periods = {s["kind"]: s["billing_periods"] for s in sources_json(run_cli, cache, config)}
    assert periods == {"athena": ["2026-10"], "focus": ["2026-11"]}

    # The next Athena run re-queries November and takes the slice back; the file, now empty, is no longer a source.
    queue_duckdb(athena_moto, cur_export(tmp_path / "v1"), "2026-10", "2026-11")
    again = run_cli("sync", "--source", "athena", "--cache", str(cache), "--config", str(config), "--today", TODAY)
    assert again.returncode == 0, again.stderr
    assert "  replaced AWS 111111111111 2026-11 (was part-00001.snappy.parquet)" in again.stdout
    assert figures(run_cli, cache, config)["total"]["mtd"] == 7.55
    assert [(s["kind"], s["billing_periods"]) for s in sources_json(run_cli, cache, config)] == [
        ("athena", ["2026-10", "2026-11"])]
