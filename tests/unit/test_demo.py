"""The built-in demo: deterministic, and believable in the ways the issue names."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from finops_tui.analytics.snapshot import build_snapshot
from finops_tui.config import CATEGORIES, Settings
from finops_tui.sources.demo import write_demo
from finops_tui.store import open_store
from tests.conftest import DEMO_TODAY
from tests.helpers import run_cli


def _figures(path: Path) -> str:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT day, account, service, usage_type, category, environment, resource_id, amortized, billed, charge_type, estimated "
        "FROM cost_daily JOIN dim_allocation USING (dim_id) ORDER BY id"
    ).fetchall()
    leads = conn.execute("SELECT * FROM leads ORDER BY day").fetchall()
    waste = conn.execute("SELECT resource_id, kind, monthly_cost FROM waste_items ORDER BY resource_id").fetchall()
    conn.close()
    return hashlib.sha256(repr((rows, leads, waste)).encode()).hexdigest()


def test_same_seed_same_figures_other_seed_other_figures(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "c.db"
    write_demo(a, Settings(), DEMO_TODAY, seed=7)
    write_demo(b, Settings(), DEMO_TODAY, seed=7)
    write_demo(c, Settings(), DEMO_TODAY, seed=8)
    assert _figures(a) == _figures(b)
    assert _figures(a) != _figures(c)


def test_demo_is_a_believable_company(demo_cache: Path) -> None:
    store = open_store(demo_cache)
    conn = store.conn
    first, last = conn.execute("SELECT MIN(day), MAX(day) FROM cost_daily").fetchone()
    assert date.fromisoformat(first) <= DEMO_TODAY - timedelta(days=395)
    assert last == DEMO_TODAY.isoformat()
    categories = {row[0] for row in conn.execute("SELECT DISTINCT category FROM cost_daily JOIN dim_allocation USING (dim_id)")}
    assert set(CATEGORIES[:5]) <= categories
    environments = {row[0] for row in conn.execute("SELECT DISTINCT environment FROM cost_daily JOIN dim_allocation USING (dim_id)")}
    assert environments == {"production", "staging", "development", "rnd", "unallocated"}
    services = " ".join(row[0] + " " + row[1] for row in conn.execute("SELECT DISTINCT service, usage_type FROM cost_daily"))
    for needle in ("Kubernetes", "BoxUsage:g5", "Lambda", "Relational Database", "ElastiCache", "SageMaker",
                   "Simple Storage", "EBS:", "DataTransfer", "LoadBalancer"):
        assert needle in services

    snap = build_snapshot(store, Settings(), DEMO_TODAY)
    recent = (DEMO_TODAY - timedelta(days=14)).isoformat()
    assert any(s.scope == "total" and s.date >= recent and s.change_pct > 20 for s in snap.spikes)
    assert any(env.pct is not None and env.pct >= 80 for env in snap.environments)
    assert snap.unallocated_mtd > 0
    assert len([w for w in snap.waste if w.kind != "untagged_spend"]) >= 5
    values = [p.value for p in snap.cost_per_lead.trend if p.value is not None]
    assert len(values) == 30
    assert min(values) < 0.05 < max(values)
    assert 0.04 < snap.cost_per_lead.month_to_date < 0.06
    # A weekly rhythm: weekends are cheaper than weekdays.
    weekday = conn.execute("SELECT AVG(t) FROM (SELECT day, SUM(amortized) t FROM cost_daily WHERE strftime('%w', day) IN ('2','3','4') AND day < ? GROUP BY day)", [DEMO_TODAY.isoformat()]).fetchone()[0]
    weekend = conn.execute("SELECT AVG(t) FROM (SELECT day, SUM(amortized) t FROM cost_daily WHERE strftime('%w', day) IN ('0','6') AND day < ? GROUP BY day)", [DEMO_TODAY.isoformat()]).fetchone()[0]
    assert weekend < 0.92 * weekday


def test_demo_command_writes_and_refuses_to_overwrite_real_data(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    result = run_cli("--today", "2026-11-26", "demo", "--cache", str(target), "--days", "40")
    assert result.returncode == 0, result.stderr
    assert "40 days to 2026-11-26" in result.stdout
    real = tmp_path / "real.db"
    store = open_store(real)
    store.conn.execute("INSERT INTO cost_daily (day, cost_category, env_tag, amortized, billed, source) VALUES ('2026-11-01','','production',1,1,'ce')")
    store.close()
    result = run_cli("demo", "--cache", str(real))
    assert result.returncode == 1
    assert "holds real data" in result.stderr
    assert sqlite3.connect(real).execute("SELECT COUNT(*) FROM cost_daily").fetchone()[0] == 1


def test_demo_default_path_sits_beside_the_cache(tmp_path: Path) -> None:
    result = run_cli("--today", "2026-11-26", "demo", "--days", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cache" / "demo.db").exists()
    assert not (tmp_path / "cache" / "finops.db").exists()
