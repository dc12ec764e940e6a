"""`finops-tui status`: the JSON contract (validated by a schema), readable text, and the exit codes."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest

from tests.analytics_cache import Cache, cost
from tests.helpers import run_cli

TODAY = "2026-11-11"
MONEY = {"type": "number"}
MONEY_OR_NULL = {"type": ["number", "null"]}
PCT_OR_NULL = {"type": ["number", "null"]}
LEVEL = {"enum": ["ok", "warning", "critical", "hard_limit"]}
LEVEL_OR_NULL = {"enum": ["ok", "warning", "critical", "hard_limit", None]}
BUDGET = {"mtd": MONEY, "budget": MONEY, "pct": PCT_OR_NULL, "level": LEVEL, "forecast_eom": MONEY_OR_NULL,
          "forecast_level": LEVEL_OR_NULL}
DAY = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def obj(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


STATUS_SCHEMA = obj({
    "as_of": DAY,
    "month": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
    "metric": {"enum": ["amortized", "billed"]},
    "last_sync": {"type": ["string", "null"]},
    "stale": {"type": "boolean"},
    "total": obj(BUDGET),
    "environments": {"type": "array", "items": obj({"name": {"type": "string"}, **BUDGET})},
    "unallocated": obj({"mtd": MONEY}),
    "categories": {"type": "array", "items": obj({"name": {"enum": ["Compute", "Database", "AI/ML", "Storage", "Networking", "Other"]},
                                                  "mtd": MONEY, "share_pct": PCT_OR_NULL})},
    "spikes": {"type": "array", "items": obj({
        "date": DAY, "scope": {"type": "string", "pattern": r"^(total|category:.+)$"}, "previous": MONEY, "amount": MONEY,
        "change_pct": {"type": "number"}, "monthly_increase": MONEY,
        "approval": {"enum": ["team_lead", "vp_engineering", "cto_cfo"]}})},
    "waste": obj({"monthly_total": MONEY, "items": {"type": "array", "items": obj({
        "resource_id": {"type": "string"}, "kind": {"type": "string"}, "monthly_cost": MONEY, "environment": {"type": "string"}})}}),
    "cost_per_lead": obj({"target": MONEY, "month_to_date": MONEY_OR_NULL, "on_target": {"type": ["boolean", "null"]},
                          "trend": {"type": "array", "items": obj({"date": DAY, "cost": MONEY, "leads": {"type": ["integer", "null"]},
                                                                    "value": MONEY_OR_NULL})}}),
})


def status(cache: Path, *args: str, today: str = TODAY):
    return run_cli("--cache", str(cache), "--today", today, "status", *args)


def small(tmp_path: Path) -> Cache:
    config = tmp_path / "finops.toml"
    config.write_text("[budget]\nmonthly_total = 10000\n")
    return Cache(tmp_path / "c.db", synced_on=date.fromisoformat(TODAY))


def run_small(cache: Cache, *args: str, today: str = TODAY):
    cache.store.close()
    return run_cli("--cache", str(cache.path), "--config", str(cache.path.parent / "finops.toml"), "--today", today, "status", *args)


def steady(cache: Cache, per_day: float = 10.0, environment: str = "production") -> Cache:
    return cache.add(*[cost(date(2026, 11, d), per_day, environment=environment) for d in range(1, 11)])


def test_json_matches_the_schema_on_the_demo(demo_cache: Path) -> None:
    result = status(demo_cache, "--json", today="2026-11-26")
    data = json.loads(result.stdout)
    jsonschema.validate(data, STATUS_SCHEMA)
    assert [env["name"] for env in data["environments"]] == ["production", "staging", "development", "rnd"]
    mtds = [c["mtd"] for c in data["categories"]]
    assert mtds == sorted(mtds, reverse=True)
    assert data["status"]["code"] == result.returncode


def test_the_schema_can_fail() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"as_of": "2026-11-11"}, STATUS_SCHEMA)


def test_ok_is_exit_0_with_readable_text(tmp_path: Path) -> None:
    result = run_small(steady(small(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "OK: 2026-11 month to date as of 2026-11-11 (amortized cost)"
    assert any(line.startswith("production") and "$100.00 of" in line and "$7,000.00" in line and "OK" in line for line in lines)
    assert "Cost per lead: no leads recorded for the complete days (0 of 10 days have leads; target $0.0500)" in result.stdout
    assert "Spikes (last complete days, newest first):\n  none" in result.stdout


def test_budget_warning_is_exit_1(tmp_path: Path) -> None:
    cache = steady(small(tmp_path)).add(cost("2026-11-02", 400.0, environment="rnd"))  # rnd: exactly 80 % of 500
    result = run_small(cache, "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["status"]["reasons"] == ["rnd at 80.0 % of budget (warning)"]


def test_forecast_warning_is_exit_1(tmp_path: Path) -> None:
    result = run_small(steady(small(tmp_path), per_day=14.0, environment="rnd"))  # 140 now, forecast 420 = 84 %
    assert result.returncode == 1
    assert "rnd forecast 420.0 (warning)" in result.stdout


@pytest.mark.parametrize("amount", [500.0, 600.0])
def test_critical_and_hard_limit_are_exit_2(tmp_path: Path, amount: float) -> None:
    result = run_small(steady(small(tmp_path)).add(cost("2026-11-02", amount, environment="rnd")))
    assert result.returncode == 2


def test_spike_on_the_last_complete_day_is_exit_2(tmp_path: Path) -> None:
    cache = steady(small(tmp_path)).add(cost("2026-11-10", 5.0))  # the 10th: 15 against 10, +50 %
    result = run_small(cache)
    assert result.returncode == 2
    assert "spike on 2026-11-10: total +50.0 %" in result.stdout


def test_older_spike_alone_is_not_critical(tmp_path: Path) -> None:
    cache = steady(small(tmp_path)).add(cost("2026-11-09", 5.0))
    assert run_small(cache).returncode == 0


def test_no_data_is_exit_3(tmp_path: Path) -> None:
    result = run_small(small(tmp_path))
    assert result.returncode == 3 and result.stdout.startswith("UNKNOWN")
    assert "no cost data" in result.stdout


def test_missing_cache_is_exit_3(tmp_path: Path) -> None:
    result = status(tmp_path / "none.db", "--json")
    assert result.returncode == 3
    assert json.loads(result.stdout)["status"]["state"] == "UNKNOWN"
    assert not (tmp_path / "none.db").exists()


def test_stale_cache_is_exit_3(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.db", synced=False)
    cache.add_sync_run(datetime(2026, 11, 9, 0, 0, tzinfo=UTC))  # 60 hours before noon on the 11th
    steady(cache)
    cache.store.close()
    result = status(cache.path, "--json")
    assert result.returncode == 3
    data = json.loads(result.stdout)
    assert data["stale"] is True and data["last_sync"] == "2026-11-09T00:00:00+00:00"


def test_failed_last_run_is_stale(tmp_path: Path) -> None:
    cache = steady(small(tmp_path))
    cache.add_sync_run(datetime(2026, 11, 11, 7, tzinfo=UTC), status="failed", error="AccessDenied")
    result = run_small(cache)
    assert result.returncode == 3 and "last run failed: AccessDenied" in result.stdout


def test_demo_is_never_stale(demo_cache: Path) -> None:
    result = status(demo_cache, today="2026-11-26")
    assert result.returncode in (0, 1, 2)
    assert "(STALE)" not in result.stdout


def test_environment_filter(tmp_path: Path) -> None:
    cache = steady(small(tmp_path)).add(cost("2026-11-02", 400.0, environment="rnd"))
    result = run_small(cache, "--environment", "production", "--json")
    data = json.loads(result.stdout)
    assert result.returncode == 0
    assert [e["name"] for e in data["environments"]] == ["production"] and data["total"]["mtd"] == 100.0


def test_unallocated_filter_has_no_budget_and_is_ok(tmp_path: Path) -> None:
    cache = steady(small(tmp_path)).add(cost("2026-11-02", 25.0, environment="unallocated"))
    result = run_small(cache, "--environment", "unallocated")
    assert result.returncode == 0, result.stdout
    assert re.search(r"^unallocated +\$25\.00  \(no budget\)$", result.stdout, re.MULTILINE)
    assert "total" not in result.stdout.split("Categories")[0]
