"""`finops-tui report --month` (md, csv, json) and `finops-tui waste`, on a hand-computed cache."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from finops_tui.analytics.snapshot import build_snapshot
from finops_tui.reports import MONTHLY_CSV_COLUMNS, WASTE_CSV_COLUMNS, render_monthly_report
from tests.analytics_cache import Cache, cost, small_settings
from tests.helpers import run_cli

TODAY = "2026-11-11"


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    """October: production Compute 100 a day (3,100), rnd SageMaker 450 on the 20th (a spike); September for comparison."""
    (tmp_path / "finops.toml").write_text("[budget]\nmonthly_total = 10000\n")
    built = Cache(tmp_path / "c.db", synced_on=date(2026, 11, 11))
    built.add(*[cost(date(2026, 10, d), 100.0) for d in range(1, 32)])
    built.add(cost("2026-10-20", 450.0, environment="rnd", category="AI/ML", service="Amazon SageMaker"))
    built.add(cost("2026-10-05", 0.0, service="Acme | Vector"))
    built.add(*[cost(date(2026, 9, d), 50.0) for d in range(1, 30)], cost("2026-09-30", 100.0))  # Oct 1 is flat
    built.add(cost("2026-09-10", 200.0, category="Storage", service="Amazon Simple Storage Service"))
    built.add(*[cost(date(2026, 11, d), 20.0) for d in range(1, 12)])
    built.leads(*[(date(2026, 10, d).isoformat(), 2000) for d in range(1, 32)])
    built.waste("vol-1", "ebs_unattached", 12.5, "development", name="old | data")
    built.waste("eipalloc-1", "eip_unassociated", 3.6, "staging")
    built.store.close()
    return built


def cli(cache: Cache, *args: str):
    return run_cli("--cache", str(cache.path), "--config", str(cache.path.parent / "finops.toml"), "--today", TODAY, *args)


def test_past_month_json_is_the_whole_month(cache: Cache) -> None:
    result = cli(cache, "report", "--month", "2026-10", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["month"], data["first_day"], data["last_day"], data["is_current"]) == ("2026-10", "2026-10-01", "2026-10-31", False)
    assert (data["total"]["mtd"], data["total"]["budget"], data["total"]["pct"], data["total"]["level"]) == (3550.0, 10000.0, 35.5, "ok")
    envs = {e["name"]: e for e in data["environments"]}
    assert (envs["production"]["mtd"], envs["production"]["pct"]) == (3100.0, 44.3)
    assert (envs["rnd"]["mtd"], envs["rnd"]["pct"], envs["rnd"]["level"]) == (450.0, 90.0, "warning")
    assert (envs["rnd"]["forecast_eom"], envs["rnd"]["forecast_level"]) == (None, None)  # a closed month has no forecast
    cats = {c["name"]: c for c in data["categories"]}
    assert (cats["Compute"]["amount"], cats["Compute"]["previous"], cats["Compute"]["change"], cats["Compute"]["change_pct"]) == (
        3100.0, 1550.0, 1550.0, 100.0)
    assert (cats["AI/ML"]["amount"], cats["AI/ML"]["previous"], cats["AI/ML"]["change_pct"]) == (450.0, 0.0, None)
    assert (cats["Storage"]["amount"], cats["Storage"]["change"], cats["Storage"]["change_pct"]) == (0.0, -200.0, -100.0)
    assert [(s["service"], s["amount"]) for s in data["top_services"][:2]] == [
        ("Amazon Elastic Compute Cloud - Compute", 3100.0), ("Amazon SageMaker", 450.0)]
    assert [(s["date"], s["scope"], s["change_pct"], s["monthly_increase"], s["approval"]) for s in data["spikes"]] == [
        ("2026-10-20", "total", 450.0, 13950.0, "cto_cfo")]
    assert data["cost_per_lead"] == {"target": 0.05, "cost": 3550.0, "leads": 62000, "value": 0.0573, "on_target": False,
                                     "days_with_leads": 31, "complete_days": 31}
    assert data["waste_total"] == 16.1
    assert [(h["month"], h["total"], h["cost_per_lead"]) for h in data["history"][-2:]] == [
        ("2026-09", 1750.0, None), ("2026-10", 3550.0, 0.0573)]


def test_markdown_reads_as_tables(cache: Cache) -> None:
    result = cli(cache, "report", "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("# Monthly finance report: 2026-10\n")
    assert "| rnd | $450.00 | $500.00 | -$50.00 | 90.0 % | Warning | - | - |" in text
    assert "| Compute | $3,100.00 | 87.3 % | $1,550.00 | +$1,550.00 | +100.0 % |" in text
    assert "| 2026-10-20 | total | $100.00 | $550.00 | +450.0 % | $13,950.00 | CTO/CFO |" in text
    assert "Acme \\| Vector" in text and "old \\| data" in text  # a pipe in a name cannot break a table
    assert ("$0.0573 per lead ($3,550.00 / 62,000 leads over the same days; 31 of 31 complete days have leads), "
            "target $0.0500: off target.") in text
    assert "| 2026-10 | $3,550.00 | $3,100.00 | $0.00 | $450.00 | $0.00 | $0.00 | $0.00 | 62,000 | $0.0573 |" in text
    for line in text.splitlines():
        if line.startswith("|"):
            assert line.endswith("|")


def test_csv_has_the_documented_columns(cache: Cache, tmp_path: Path) -> None:
    out = tmp_path / "oct.csv"
    result = cli(cache, "report", "--month", "2026-10", "--format", "csv", "-o", str(out))
    assert result.returncode == 0 and result.stdout.strip() == f"Wrote {out}."
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert tuple(rows[0]) == MONTHLY_CSV_COLUMNS
    by = {(r["section"], r["name"]): r for r in rows}
    assert by[("total", "total")]["amount"] == "3550.0" and by[("total", "total")]["level"] == "ok"
    assert by[("environment", "rnd")]["pct"] == "90.0" and by[("environment", "rnd")]["level"] == "warning"
    assert by[("category", "Compute")]["previous"] == "1550.0" and by[("category", "Compute")]["change_pct"] == "100.0"
    assert by[("spike", "total")]["level"] == "cto_cfo"
    assert by[("cost_per_lead", "cost_per_lead")]["amount"] == "0.0573"
    assert sum(1 for r in rows if r["section"] == "service") == 3
    assert [r["name"] for r in rows if r["section"] == "history"] == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]


def test_current_month_report_matches_the_snapshot(cache: Cache) -> None:
    reopened = Cache(cache.path, synced=False)
    settings = small_settings()
    today = date.fromisoformat(TODAY)
    data = json.loads(render_monthly_report(reopened.store, settings, "2026-11", "json", today))
    snap = build_snapshot(reopened.store, settings, today, now=datetime.combine(today, time(12), tzinfo=UTC))
    assert data["is_current"] is True and data["last_day"] == TODAY
    assert (data["total"]["mtd"], data["total"]["forecast_eom"]) == (snap.total.mtd, snap.total.forecast_eom) == (220.0, 600.0)
    assert [e["forecast_level"] for e in data["environments"]] == [e.forecast_level for e in snap.environments]
    cats = {c["name"]: c for c in data["categories"]}
    # Like for like: November's complete days 1-10 (10 x 20 = 200) against October 1-10 (10 x 100 = 1,000).
    assert (cats["Compute"]["previous"], cats["Compute"]["change"], cats["Compute"]["change_pct"]) == (1000.0, -800.0, -80.0)


@pytest.mark.parametrize(("month", "message"), [("2026-13", "month '2026-13' is not in the form YYYY-MM"),
                                                ("Oct", "not in the form YYYY-MM"),
                                                ("2026-12", "month 2026-12 is in the future")])
def test_bad_month(cache: Cache, month: str, message: str) -> None:
    result = cli(cache, "report", "--month", month)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_waste_report_by_dollars_with_total(cache: Cache) -> None:
    md = cli(cache, "waste")
    assert md.returncode == 0, md.stderr
    assert "**$16.10 a month** across 2 items" in md.stdout
    assert md.stdout.index("vol-1") < md.stdout.index("eipalloc-1")
    data = json.loads(cli(cache, "waste", "--format", "json").stdout)
    assert (data["monthly_total"], data["count"]) == (16.1, 2)
    assert [i["resource_id"] for i in data["items"]] == ["vol-1", "eipalloc-1"]
    rows = list(csv.DictReader(io.StringIO(cli(cache, "waste", "--format", "csv").stdout)))
    assert tuple(rows[0]) == WASTE_CSV_COLUMNS
    assert [(r["rank"], r["resource_id"], r["monthly_cost"]) for r in rows] == [("1", "vol-1", "12.5"), ("2", "eipalloc-1", "3.6")]


def test_waste_includes_untagged_spend(tmp_path: Path) -> None:
    built = Cache(tmp_path / "c.db", synced_on=date(2026, 11, 11))
    built.add(cost("2026-11-05", 42.0, environment="unallocated", resource_id="i-untagged"))
    built.store.close()
    data = json.loads(run_cli("--cache", str(built.path), "--today", TODAY, "waste", "--format", "json").stdout)
    assert [(i["resource_id"], i["kind"], i["monthly_cost"]) for i in data["items"]] == [("i-untagged", "untagged_spend", 42.0)]


def test_reports_need_a_cache_and_the_hint_names_it(tmp_path: Path) -> None:
    cache = tmp_path / "none.db"
    result = run_cli("--cache", str(cache), "waste")
    assert result.returncode == 1
    assert result.stderr == (f"finops-tui: no cache at {cache} (run `finops-tui --cache {cache} sync`, "
                             f"`finops-tui --cache {cache} import-focus FILE` or `finops-tui --cache {cache} demo` first)\n")
    assert not cache.exists()


@pytest.mark.parametrize("made", [False, True], ids=["missing", "empty"])
def test_report_without_cost_data_is_unknown_not_zero(tmp_path: Path, made: bool) -> None:
    cache = tmp_path / "c.db"
    if made:
        Cache(cache, synced_on=date(2026, 11, 11)).store.close()
    output = tmp_path / "report.md"
    result = run_cli("--cache", str(cache), "--today", TODAY, "report", "--month", "2026-10", "-o", str(output))
    assert result.returncode == 3
    where = "no cost data in" if made else "no cache at"
    assert result.stdout == (f"UNKNOWN: {where} {cache}, so no report for 2026-10 (run `finops-tui --cache {cache} sync`, "
                             f"`finops-tui --cache {cache} import-focus FILE` or `finops-tui --cache {cache} demo` first)\n")
    assert "$0.00" not in result.stdout and not output.exists()


def test_every_report_names_the_cache_currency(cache: Cache) -> None:
    """The cache has one currency (config ``currency``): each report and status say which one."""
    config = cache.path.parent / "finops.toml"
    assert "Currency: USD" in cli(cache, "report", "--month", "2026-10").stdout.splitlines()[4]
    config.write_text('currency = "EUR"\nmetric = "billed"\n[budget]\nmonthly_total = 10000\n')
    md = cli(cache, "report", "--month", "2026-10").stdout.splitlines()
    assert md[3:5] == ["- Metric: billed cost", "- Currency: EUR"]
    data = json.loads(cli(cache, "report", "--month", "2026-10", "--format", "json").stdout)
    assert (data["metric"], data["currency"], data["total"]["mtd"]) == ("billed", "EUR", 3550.0)
    rows = list(csv.DictReader(io.StringIO(cli(cache, "report", "--month", "2026-10", "--format", "csv").stdout)))
    assert [(r["section"], r["name"], r["detail"]) for r in rows[:2]] == [("report", "currency", "EUR"), ("report", "metric", "billed")]
    assert json.loads(cli(cache, "waste", "--format", "json").stdout)["currency"] == "EUR"
    status_text = cli(cache, "status").stdout.splitlines()
    assert "Currency: EUR" in status_text[:3]
    assert json.loads(cli(cache, "status", "--json").stdout)["currency"] == "EUR"
