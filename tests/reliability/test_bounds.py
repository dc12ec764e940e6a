"""Bounds on every input: money within +-1e12 per row and per day, days 2000..2100, finite config numbers.

Hostile FOCUS files and configs come from Hypothesis. The property: a file is
refused with one line and the cache stays byte-for-byte the same (by content
hash), or it is accepted and the cache holds exactly the figures computed here.
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.reliability.support import cli, fingerprint, focus_row, one_line_refusal, write_focus

pytestmark = pytest.mark.reliability

LIMIT = 1e12
TODAY = "2026-11-26"
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


@pytest.fixture
def base_cache(tmp_path: Path) -> Path:
    """A cache with one imported day (2026-11-01: $100) that every refusal must leave alone."""
    cache = tmp_path / "c.db"
    outcome = cli("--cache", str(cache), "--today", TODAY, "import-focus", "--no-alerts",
                  str(write_focus(tmp_path / "base.csv", [focus_row("2026-11-01", "100")])))
    assert outcome.code == 0, outcome
    return cache


def _totals(cache: Path, first: str, last: str) -> tuple[float, float, int]:
    conn = sqlite3.connect(cache)
    try:
        billed, amortized, rows = conn.execute(
            "SELECT COALESCE(SUM(billed), 0), COALESCE(SUM(amortized), 0), COUNT(*) FROM cost_daily WHERE day BETWEEN ? AND ?",
            (first, last)).fetchone()
    finally:
        conn.close()
    return billed, amortized, rows


def test_three_huge_rows_whose_sum_overflows_are_refused_and_status_still_works(tmp_path: Path, base_cache: Path) -> None:
    before = fingerprint(base_cache)
    poison = write_focus(tmp_path / "poison.csv", [focus_row("2026-11-02", "1e308", ResourceId=f"i-{n}") for n in range(3)])
    line = one_line_refusal(cli("--cache", str(base_cache), "--today", TODAY, "import-focus", "--no-alerts", str(poison)))
    assert "BilledCost" in line and "poison.csv:2" in line  # the first row already breaks +-1e12
    assert fingerprint(base_cache) == before

    # Each row within the bound, the day's sum not: refused naming the day.
    big = write_focus(tmp_path / "big.csv", [focus_row("2026-11-02", "6e11", ResourceId=f"i-{n}") for n in range(2)])
    line = one_line_refusal(cli("--cache", str(base_cache), "--today", TODAY, "import-focus", "--no-alerts", str(big)))
    assert "2026-11-02" in line and "add up to 1.2e+12" in line
    assert fingerprint(base_cache) == before

    status = cli("--cache", str(base_cache), "--today", TODAY, "status", "--json")
    assert json.loads(status.out)["total"]["mtd"] == 100.0


@pytest.mark.parametrize("day, why", [("0001-01-01", "outside the supported years"), ("2101-01-01", "outside the supported years")])
def test_days_outside_2000_to_2100_are_refused(tmp_path: Path, base_cache: Path, day: str, why: str) -> None:
    before = fingerprint(base_cache)
    path = write_focus(tmp_path / "old.csv", [focus_row(day, "1")])
    line = one_line_refusal(cli("--cache", str(base_cache), "--today", TODAY, "import-focus", "--no-alerts", str(path)))
    assert why in line and "old.csv:2" in line
    assert fingerprint(base_cache) == before
    line = one_line_refusal(cli("--cache", str(base_cache), "--today", day, "status"))
    assert line == f"finops-tui: --today {day} is outside the supported years 2000 to 2100"


def test_a_cache_that_holds_an_infinite_amount_is_unknown_not_a_crash(base_cache: Path) -> None:
    conn = sqlite3.connect(base_cache)  # as an older version or another tool might have left it
    conn.execute("UPDATE cost_rollup SET amortized = 9e999, billed = 9e999")
    conn.commit()
    conn.close()
    for args in (("status",), ("status", "--json")):
        outcome = cli("--cache", str(base_cache), "--today", TODAY, *args)
        assert outcome.code == 3
        text = json.loads(outcome.out)["status"]["reasons"][0] if "--json" in args else outcome.out
        assert "out-of-range figures: the amounts on 2026-11-01 add up to inf" in text


def test_a_header_only_file_is_not_a_sync(tmp_path: Path, base_cache: Path) -> None:
    before = fingerprint(base_cache)
    outcome = cli("--cache", str(base_cache), "--today", TODAY, "import-focus", "--no-alerts",
                  str(write_focus(tmp_path / "empty.csv", [])))
    assert outcome.code == 0
    assert "no cost rows, nothing imported" in outcome.out
    assert fingerprint(base_cache) == before  # no run recorded: freshness is not renewed


AMOUNT_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-2e12, max_value=2e12).map(repr),
    st.sampled_from(["1e308", "-1e308", "inf", "-inf", "nan", "1e12", "-1e12", "1000000000000.01", "0", "", "abc", "1,5"]),
)
DAY_TEXT = st.one_of(st.sampled_from(["2026-10-01", "2026-10-02", "2026-10-03"]),
                     st.sampled_from(["0001-01-01", "1999-12-31", "2101-01-01", "2026-13-01", "yesterday", ""]))
OUTSIDE_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
ROW = st.fixed_dictionaries({"day": DAY_TEXT, "billed": AMOUNT_TEXT, "effective": AMOUNT_TEXT,
                             "category": st.sampled_from(["Usage", "Usage", "Credit", "Tax", "Bogus"]),
                             "tag": OUTSIDE_TEXT})


def _amount(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= LIMIT else None


def _expected(rows: list[dict[str, str]]) -> dict[str, float] | None:
    """What the cache must gain for these rows (per metric), or None when the file must be refused."""
    per_day: dict[str, list[float]] = {}
    for row in rows:
        billed, effective = _amount(row["billed"]), _amount(row["effective"])
        if billed is None or effective is None or row["category"] == "Bogus" or not row["day"].startswith("2026-10-0"):
            return None
        sums = per_day.setdefault(row["day"], [0.0, 0.0])
        sums[0] += abs(billed)
        sums[1] += abs(effective)
    if any(not (total <= LIMIT) for sums in per_day.values() for total in sums):
        return None
    return {"billed": math.fsum(float(r["billed"]) for r in rows), "amortized": math.fsum(float(r["effective"]) for r in rows)}


@FAST
@given(rows=st.lists(ROW, max_size=4))
def test_hostile_focus_files_are_refused_whole_or_accepted_exactly(tmp_path: Path, base_cache: Path, rows: list[dict]) -> None:
    path = write_focus(tmp_path / "hostile.csv", [
        {"ChargePeriodStart": f"{row['day']}T00:00:00Z" if row["day"] else "", "BilledCost": row["billed"],
         "EffectiveCost": row["effective"], "ChargeCategory": row["category"], "ResourceId": f"r-{n}",
         "Tags": json.dumps({"Environment": row["tag"]})}
        for n, row in enumerate(rows)])
    before = fingerprint(base_cache)
    before_totals = _totals(base_cache, "2026-10-01", "2026-10-03")
    outcome = cli("--cache", str(base_cache), "--today", TODAY, "import-focus", "--no-alerts", str(path))
    expected = _expected(rows)
    if expected is None:
        line = one_line_refusal(outcome)
        assert "hostile.csv" in line
        assert fingerprint(base_cache) == before
        return
    assert outcome.code == 0, outcome
    billed, amortized, _ = _totals(base_cache, "2026-10-01", "2026-10-03")
    if before_totals[2] and rows:  # the same file content imported earlier in this run of examples is skipped
        pass
    gained_billed, gained_amortized = billed - before_totals[0], amortized - before_totals[1]
    if "already imported" in outcome.out:
        assert (gained_billed, gained_amortized) == (0, 0)
    else:
        assert gained_billed == pytest.approx(expected["billed"], rel=1e-9, abs=1e-3)
        assert gained_amortized == pytest.approx(expected["amortized"], rel=1e-9, abs=1e-3)


CONFIG_FIELDS = {  # section, key -> (lowest, highest) allowed, as documented in the README
    ("budget", "monthly_total"): (0, 1e12),
    ("refresh", "interval_seconds"): (1, 86_400),
    ("sync", "interval_minutes"): (1, 43_200),
    ("alerts", "timeout_seconds"): (0.1, 300),
    ("alerts", "max_backoff_minutes"): (math.nextafter(0.0, 1.0), 10_080),  # above zero
    ("spikes", "min_delta"): (0, 1e12),
    ("cache", "lock_wait_seconds"): (0, 3_600),
}
CONFIG_VALUE = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e-9, 0.001, 1e308, -1.0, 0.0, 1.0, 1e12]))


def _toml_float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


@FAST
@given(field=st.sampled_from(sorted(CONFIG_FIELDS)), value=CONFIG_VALUE)
def test_hostile_config_numbers_are_refused_with_the_field_named(tmp_path: Path, field: tuple[str, str], value: float) -> None:
    section, key = field
    config = tmp_path / "hostile.toml"
    config.write_text(f"[{section}]\n{key} = {_toml_float(value)}\n")
    low, high = CONFIG_FIELDS[field]
    outcome = cli("--config", str(config), "config")
    if math.isfinite(value) and low <= value <= high:
        assert outcome.code == 0, outcome
        assert f"{key} = {value!r}" in outcome.out or f"{key} = {value:g}" in outcome.out or f"{key} = {int(value)}" in outcome.out
    else:
        line = one_line_refusal(outcome)
        assert outcome.code == 2
        assert f"{section}.{key}" in line and str(config) in line


@pytest.mark.parametrize("args, expected", [
    (("leads", "set", "2026-11-01", "99999999999999999999999"),
     "finops-tui: COUNT: leads '99999999999999999999999' is more than 1,000,000,000,000 a day (nothing was written)"),
    (("alerts", "snooze", "total", "--for", "99999999d"),
     "finops-tui: --for '99999999d' is longer than a year; snooze at most 366 days (or 52w)"),
    (("alerts", "snooze", "total", "--until", "9999-12-31"), "finops-tui: --until 9999-12-31 is outside the supported years 2000 to 2100"),
    (("leads", "set", "1999-12-31", "5"), "finops-tui: DATE: 1999-12-31 is outside the supported years 2000 to 2100 (nothing was written)"),
])
def test_arguments_past_the_bounds_are_refused_in_one_line(base_cache: Path, args: tuple[str, ...], expected: str) -> None:
    before = fingerprint(base_cache)
    assert one_line_refusal(cli("--cache", str(base_cache), "--today", TODAY, *args)) == expected
    assert fingerprint(base_cache) == before
