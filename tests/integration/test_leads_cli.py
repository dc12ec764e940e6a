"""`finops-tui leads import FILE` and `finops-tui leads set DATE COUNT`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import run_cli


def leads_in(cache: Path) -> list[tuple]:
    conn = sqlite3.connect(cache)
    try:
        return conn.execute("SELECT day, leads, label, source FROM leads ORDER BY day").fetchall()
    finally:
        conn.close()


def test_import_with_header_and_labels(tmp_path: Path) -> None:
    cache, path = tmp_path / "c.db", tmp_path / "leads.csv"
    path.write_text("date,leads,label\n2026-11-01,1200,launch\n2026-11-02, 980 \n\n2026-11-03,0,outage\n")
    result = run_cli("--cache", str(cache), "leads", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Imported leads for 3 days (2026-11-01 to 2026-11-03), 2,180 leads."
    assert leads_in(cache) == [("2026-11-01", 1200, "launch", "csv"), ("2026-11-02", 980, "", "csv"),
                               ("2026-11-03", 0, "outage", "csv")]


def test_import_without_header_replaces_known_days(tmp_path: Path) -> None:
    cache, path = tmp_path / "c.db", tmp_path / "leads.csv"
    assert run_cli("--cache", str(cache), "leads", "set", "2026-11-01", "5").returncode == 0
    path.write_text("2026-11-01,1500\n")
    assert run_cli("--cache", str(cache), "leads", "import", str(path)).returncode == 0
    assert leads_in(cache) == [("2026-11-01", 1500, "", "csv")]


@pytest.mark.parametrize(("content", "message"), [
    ("date,leads\n2026-11-01,10\n2026-13-01,5\n", ":3: '2026-13-01' is not a date in the form YYYY-MM-DD"),
    ("2026-11-01,10\n2026-11-02,-4\n", ":2: leads '-4' is not a whole number of zero or more"),
    ("2026-11-01,10\n2026-11-02,4.5\n", ":2: leads '4.5' is not a whole number"),
    ("2026-11-01,10,a,b\n", ":1: expected date,leads[,label], found 4 fields"),
    ("date,leads\n", "no leads rows found"),
])
def test_bad_row_writes_nothing(tmp_path: Path, content: str, message: str) -> None:
    cache, path = tmp_path / "c.db", tmp_path / "leads.csv"
    run_cli("--cache", str(cache), "leads", "set", "2026-10-01", "7")
    path.write_text(content)
    result = run_cli("--cache", str(cache), "leads", "import", str(path))
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert leads_in(cache) == [("2026-10-01", 7, "", "manual")]


def test_set_one_day(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    result = run_cli("--cache", str(cache), "leads", "set", "2026-11-05", "1234", "--label", "manual count")
    assert result.returncode == 0 and result.stdout.strip() == "Leads for 2026-11-05: 1,234."
    assert leads_in(cache) == [("2026-11-05", 1234, "manual count", "manual")]


@pytest.mark.parametrize(("args", "message"), [
    (("2026-02-30", "5"), "DATE: '2026-02-30' is not a date"),
    (("2026-11-05", "many"), "COUNT: leads 'many' is not a whole number"),
])
def test_set_rejects_bad_values(tmp_path: Path, args: tuple[str, str], message: str) -> None:
    result = run_cli("--cache", str(tmp_path / "c.db"), "leads", "set", *args)
    assert result.returncode == 1 and message in result.stderr


def test_leads_feed_cost_per_lead(tmp_path: Path) -> None:
    from tests.analytics_cache import Cache, cost

    cache = Cache(tmp_path / "c.db")
    cache.add(cost("2026-11-02", 100.0))
    cache.store.close()
    assert run_cli("--cache", str(cache.path), "leads", "set", "2026-11-02", "2000").returncode == 0
    status = run_cli("--cache", str(cache.path), "--today", "2026-11-03", "status")
    # Nov 2 has 2,000 leads and $100; Nov 1 has neither cost nor a count and is left out: 1 of 2 complete days.
    assert "Cost per lead: $0.0500 month to date (1 of 2 days have leads), target $0.0500 (on target)" in status.stdout
