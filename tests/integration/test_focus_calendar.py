"""Late data, gaps and one-time charges from FOCUS files, as `import-focus` and `status --json` show them.

Each FOCUS fixture is written here, row by row, and every expected figure is
worked out by hand in the comments (default budget 50,000: production 35,000).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

from tests.helpers import run_cli

HEADER = ["ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "EffectiveCost", "ChargeCategory", "ServiceName",
          "ServiceCategory", "SubAccountId", "ResourceId", "Tags"]
TODAY = "2026-11-11"  # ten complete days in November


def focus_row(day: date, amount: float, *, category: str = "Usage", service: str = "Amazon Elastic Compute Cloud") -> list[str]:
    return [f"{day.isoformat()}T00:00:00Z", f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z", str(amount), str(amount),
            category, service, "Compute", "111111111111", "i-1", json.dumps({"Environment": "prod"})]


def write_focus(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def days(first: date, last: date, amount: float) -> list[list[str]]:
    return [focus_row(first + timedelta(days=n), amount) for n in range((last - first).days + 1)]


def cli(cache: Path, *args: str):
    return run_cli("--cache", str(cache), "--today", TODAY, *args)


def status(cache: Path) -> tuple[int, dict]:
    result = cli(cache, "status", "--json")
    return result.returncode, json.loads(result.stdout)


def test_a_spike_in_late_data_is_found_under_its_own_day(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    # November 1-10 at 100 a day, except the 7th, whose rows arrive late.
    first = write_focus(tmp_path / "early.csv", days(date(2026, 11, 1), date(2026, 11, 6), 100.0)
                        + days(date(2026, 11, 8), date(2026, 11, 10), 100.0))
    assert cli(cache, "import-focus", str(first)).returncode == 0
    code, data = status(cache)
    assert data["data_gaps"] == ["2026-11-07"] and code == 3  # a gap until the 7th lands: UNKNOWN

    late = write_focus(tmp_path / "late.csv", [focus_row(date(2026, 11, 7), 160.0)])
    landed = cli(cache, "import-focus", str(late))  # alerts run after new data (stdout: no webhook configured)
    assert landed.returncode == 0, landed.stderr
    code, data = status(cache)
    # The 7th: 160 against 100 (+60 %), +60 x 30 days = 1,800 a month -> VP Engineering. The 8th falls back
    # (100 against 160): no spike. Evaluated although the 7th is not the latest complete day (the 10th).
    total = [s for s in data["spikes"] if s["scope"] == "total"]
    assert [(s["date"], s["previous"], s["amount"], s["change_pct"], s["monthly_increase"], s["approval"]) for s in total] == [
        ("2026-11-07", 100.0, 160.0, 60.0, 1800.0, "vp_engineering")]
    assert data["data_gaps"] == []

    # Sent when the late data landed, under its own date, and never again.
    assert "Spike: Total spend up 60.0 % on 2026-11-07" in landed.stdout
    assert "Spike: Total spend" not in cli(cache, "alerts", "run").stdout


def test_a_gap_in_a_focus_file_is_listed_and_shown(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    path = write_focus(tmp_path / "gap.csv", days(date(2026, 11, 1), date(2026, 11, 3), 50.0)
                       + days(date(2026, 11, 6), date(2026, 11, 10), 50.0))
    assert cli(cache, "import-focus", str(path)).returncode == 0
    code, data = status(cache)
    assert (code, data["data_gaps"], data["data_through"]) == (3, ["2026-11-04", "2026-11-05"], "2026-11-10")
    assert data["total"]["mtd"] == 400.0  # 8 days x 50
    text = cli(cache, "status").stdout
    assert text.startswith("UNKNOWN: 2026-11 month to date as of 2026-11-11")
    assert "data gap: no cost rows for 2 days, 2026-11-04 to 2026-11-05" in text
    assert "GAP: no cost rows for 2026-11-04, 2026-11-05" in text


def test_a_focus_file_that_ends_days_ago_is_stale_not_ok(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    path = write_focus(tmp_path / "old.csv", days(date(2026, 11, 1), date(2026, 11, 7), 10.0))
    assert cli(cache, "import-focus", str(path)).returncode == 0  # imported just now: the sync age is fine
    code, data = status(cache)
    assert (code, data["stale"], data["data_through"]) == (3, True, "2026-11-07")
    assert data["stale_reasons"] == [
        "the newest cost day 2026-11-07 is 4 days before today (more than freshness.max_lag_days = 2)"]


def test_one_time_charges_in_focus_are_counted_once_and_never_spike(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    rows = days(date(2026, 11, 1), date(2026, 11, 10), 100.0)
    rows.append(focus_row(date(2026, 11, 1), 6000.0, category="Purchase", service="Savings Plans for AWS Compute usage"))
    rows.append(focus_row(date(2026, 11, 9), 250.0, category="Tax", service="Tax"))
    path = write_focus(tmp_path / "purchase.csv", rows)
    sent = cli(cache, "import-focus", str(path))  # alerts run after new data (stdout: no webhook configured)
    assert sent.returncode == 0, sent.stderr
    code, data = status(cache)
    # Month to date: 1,000 usage + 6,000 + 250 = 7,250. Forecast: 7,250 through the 10th + usage run-rate
    # (Nov 4..10: 100 a day) x 20 remaining = 9,250 (not 7,250 / 10 x 30 = 21,750).
    assert (data["total"]["mtd"], data["total"]["forecast_eom"]) == (7250.0, 9250.0)
    assert data["spikes"] == []  # neither the purchase nor the tax is a spike
    assert [(c["date"], c["charge_type"], c["amount"], c["approval"], c["alert"]) for c in data["one_time_charges"]] == [
        ("2026-11-01", "purchase", 6000.0, "cto_cfo", True), ("2026-11-09", "tax", 250.0, "team_lead", False)]
    assert "One-time charge: Savings Plans for AWS Compute usage $6,000.00 on 2026-11-01" in sent.stdout
    assert "Approval: CTO/CFO ($6,000.00 one-time)" in sent.stdout
    assert "Tax" not in sent.stdout  # 250 is under alerts.one_time_min (500)
