"""The cache: creation, migration, refusal of foreign and newer files, atomic runs."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from finops_tui.errors import CacheError
from finops_tui.store import open_store
from finops_tui.store.db import CostRow
from finops_tui.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.helpers import run_cli


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_cache_has_schema_wal_and_tables(tmp_path: Path) -> None:
    store = open_store(tmp_path / "sub" / "finops.db")
    assert store.schema_version == SCHEMA_VERSION
    assert store.get_meta("application") == "finops-tui"
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = set(store.db.table_names())
    assert {"cost_daily", "leads", "waste_items", "sync_runs", "alert_events", "meta"} <= tables
    indexes = {row[1] for row in store.conn.execute("PRAGMA index_list(cost_daily)")}
    assert {"cost_daily_day", "cost_daily_service", "cost_daily_dim"} <= indexes


def test_older_schema_is_migrated_forward_keeping_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("INSERT INTO meta VALUES ('application', 'finops-tui'), ('schema_version', '1')")
    conn.execute(
        "INSERT INTO cost_daily (day, category, environment, amortized, billed, source) VALUES ('2026-01-02', 'Compute', 'production', 12.5, 13, 'ce')"
    )
    conn.commit()
    conn.close()
    store = open_store(path)
    assert store.schema_version == SCHEMA_VERSION
    assert "waste_items" in store.db.table_names()
    assert store.conn.execute("SELECT SUM(amortized) FROM cost_daily").fetchone()[0] == 12.5


def test_foreign_sqlite_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(CacheError, match="not a finops-tui cache"):
        open_store(path)
    assert _digest(path) == before
    assert not path.with_name("other.db-wal").exists()


def test_non_sqlite_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n")
    before = _digest(path)
    result = run_cli("--cache", str(path), "demo")
    assert result.returncode != 0
    assert "not a finops-tui cache" in result.stderr
    assert "Traceback" not in result.stderr
    assert _digest(path) == before


def test_newer_schema_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    store = open_store(path)
    store.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    before = _digest(path)
    with pytest.raises(CacheError, match="newer finops-tui"):
        open_store(path)
    assert _digest(path) == before


def test_failed_transaction_leaves_previous_snapshot(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.db")
    row = CostRow("2026-11-01", "1", "EC2", "", "Compute", "production", "", 10.0, 10.0, source="ce")
    with store.transaction() as conn:
        store.insert_costs(conn, [row])
    with pytest.raises(RuntimeError):
        with store.transaction() as conn:
            store.insert_costs(conn, [row, row])
            raise RuntimeError("crash mid-run")
    assert store.conn.execute("SELECT COUNT(*), SUM(amortized) FROM cost_daily").fetchone() == (1, 10.0)


def test_missing_cache_without_create_says_how_to_fill_it(tmp_path: Path) -> None:
    with pytest.raises(CacheError, match="no cache at"):
        open_store(tmp_path / "none.db", create=False)


def _rollup_matches_facts(store) -> bool:
    facts = store.conn.execute(
        "SELECT day, category, environment, service, charge_type, ROUND(SUM(amortized), 6), ROUND(SUM(billed), 6) FROM cost_daily JOIN dim_allocation USING (dim_id) "
        "GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
    ).fetchall()
    rollup = store.conn.execute(
        "SELECT day, category, environment, service, charge_type, ROUND(amortized, 6), ROUND(billed, 6) FROM cost_rollup ORDER BY 1, 2, 3, 4, 5"
    ).fetchall()
    return facts == rollup


def test_rollup_follows_inserts_and_deletes(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.db")
    rows = [
        CostRow("2026-11-01", "1", "EC2", "", "Compute", "production", "", 10.0, 11.0, source="ce"),
        CostRow("2026-11-01", "1", "EC2", "", "Compute", "production", "i-1", 5.0, 5.0, source="ce"),
        CostRow("2026-11-02", "1", "S3", "", "Storage", "staging", "", 2.5, 2.5, source="focus:x"),
    ]
    with store.transaction() as conn:
        store.insert_costs(conn, rows)
    assert _rollup_matches_facts(store)
    assert store.conn.execute("SELECT amortized FROM cost_rollup WHERE day = '2026-11-01'").fetchone()[0] == 15.0
    with store.transaction() as conn:
        store.delete_costs(conn, "source = ? AND day >= ?", ("ce", "2026-11-01"))
        store.insert_costs(conn, [CostRow("2026-11-03", "1", "EC2", "", "Compute", "production", "", 7.0, 7.0, source="ce")])
    assert _rollup_matches_facts(store)
    assert store.conn.execute("SELECT COUNT(*) FROM cost_rollup WHERE day = '2026-11-01'").fetchone()[0] == 0


def test_demo_rollup_matches_facts(demo_cache: Path) -> None:
    assert _rollup_matches_facts(open_store(demo_cache))
