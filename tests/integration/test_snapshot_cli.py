"""`finops-tui snapshot OUT.db`: a whole copy while a writer holds data in its -wal file, opened read-only."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from finops_tui.errors import CacheError
from finops_tui.store.db import open_store
from tests.analytics_cache import Cache, cost
from tests.helpers import run_cli

TODAY = "2026-11-11"


def _live_cache(tmp_path: Path) -> Cache:
    """Ten days of $12.50 in production, committed but (the connection still open) only in the -wal file."""
    (tmp_path / "finops.toml").write_text("[budget]\nmonthly_total = 10000\n")
    cache = Cache(tmp_path / "live.db", synced_on=date(2026, 11, 11))
    cache.add(*[cost(date(2026, 11, day), 12.5) for day in range(1, 11)])
    return cache


def _status(cache: Path, tmp_path: Path) -> dict:
    result = run_cli("--cache", str(cache), "--config", str(tmp_path / "finops.toml"), "--today", TODAY, "status", "--json")
    assert result.returncode in (0, 1, 3), result.stderr
    return json.loads(result.stdout)


def test_snapshot_of_an_open_cache_is_whole_where_a_file_copy_is_not(tmp_path: Path) -> None:
    cache = _live_cache(tmp_path)
    assert Path(f"{cache.path}-wal").stat().st_size > 0  # the rows sit in the WAL while the writer is open
    plain_copy = tmp_path / "copied.db"
    shutil.copyfile(cache.path, plain_copy)

    result = run_cli("--cache", str(cache.path), "snapshot", str(tmp_path / "review.db"))

    assert result.returncode == 0, result.stderr
    out = tmp_path / "review.db"
    assert result.stdout.strip() == (f"Wrote a snapshot of {cache.path} to {out}; "
                                     f"open it with `finops-tui --cache {out} --offline`.")
    # One file: rollback journal, nothing beside it, no temporary left behind.
    conn = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert not Path(f"{out}-wal").exists() and not Path(f"{out}-shm").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".review.db")] == []
    # The copied file lost the month (its rows were in -wal); the snapshot has 10 x $12.50.
    assert _status(plain_copy, tmp_path).get("total", {}).get("mtd", 0.0) == 0.0
    assert _status(out, tmp_path)["total"]["mtd"] == 125.0
    cache.store.close()


def test_snapshot_never_replaces_a_file_silently(tmp_path: Path) -> None:
    cache = _live_cache(tmp_path)
    out = tmp_path / "review.db"
    out.write_bytes(b"precious notes")

    refused = run_cli("--cache", str(cache.path), "snapshot", str(out))

    assert refused.returncode == 1
    assert refused.stderr == f"finops-tui: {out} already exists; give a new name, or pass --force to replace it\n"
    assert out.read_bytes() == b"precious notes"

    forced = run_cli("--cache", str(cache.path), "snapshot", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _status(out, tmp_path)["total"]["mtd"] == 125.0
    cache.store.close()


def test_snapshot_refuses_its_own_cache_a_missing_one_and_a_foreign_file(tmp_path: Path) -> None:
    cache = _live_cache(tmp_path)
    before = hashlib.sha256(cache.path.read_bytes()).hexdigest()
    itself = run_cli("--cache", str(cache.path), "snapshot", str(cache.path), "--force")
    assert itself.returncode == 1 and "is the cache itself" in itself.stderr
    assert hashlib.sha256(cache.path.read_bytes()).hexdigest() == before

    missing = run_cli("--cache", str(tmp_path / "nope.db"), "snapshot", str(tmp_path / "out.db"))
    assert missing.returncode == 1
    assert missing.stderr == f"finops-tui: no cache at {tmp_path / 'nope.db'} (give the cache to copy with --cache)\n"
    assert not (tmp_path / "nope.db").exists() and not (tmp_path / "out.db").exists()

    foreign = tmp_path / "notes.txt"
    foreign.write_text("hello")
    refused = run_cli("--cache", str(foreign), "snapshot", str(tmp_path / "out.db"))
    assert refused.returncode == 1 and "not a finops-tui cache" in refused.stderr
    assert not (tmp_path / "out.db").exists()
    cache.store.close()


def test_a_snapshot_opened_read_only_refuses_writes_and_is_unchanged(tmp_path: Path) -> None:
    cache = _live_cache(tmp_path)
    out = tmp_path / "review.db"
    assert run_cli("--cache", str(cache.path), "snapshot", str(out)).returncode == 0
    before = hashlib.sha256(out.read_bytes()).hexdigest()

    store = open_store(out, read_only=True)
    assert store.read_only and store.has_costs()
    with pytest.raises(CacheError, match="opened read-only; this command cannot write to it"):
        store.acknowledge_alert("spike:total:2026-11-10", "spike", "total", "2026-11", now=datetime(2026, 11, 11, 12, tzinfo=UTC))
    store.close()

    assert hashlib.sha256(out.read_bytes()).hexdigest() == before
    assert not Path(f"{out}-wal").exists()
    with pytest.raises(CacheError, match="no cache at"):
        open_store(tmp_path / "missing.db", read_only=True)
    assert not (tmp_path / "missing.db").exists()
    cache.store.close()
