"""A busy, read-only, full, broken or vanished cache explains itself in one line and is never damaged."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from finops_tui.errors import CacheError
from finops_tui.store.db import open_store
from tests.helpers import REPO, read_only_bind_mount
from tests.reliability.support import cli, fingerprint, focus_row, one_line_refusal, write_focus

pytestmark = pytest.mark.reliability

TODAY = "2026-11-26"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    outcome = cli("--cache", str(path), "--today", TODAY, "import-focus", "--no-alerts",
                  str(write_focus(tmp_path / "base.csv", [focus_row("2026-11-01", "100")])))
    assert outcome.code == 0, outcome
    return path


def _fast_wait(tmp_path: Path) -> Path:
    config = tmp_path / "wait.toml"
    config.write_text("[cache]\nlock_wait_seconds = 0.5\n")
    return config


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def test_a_new_cache_is_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "new" / "deeper" / "c.db"
        assert cli("--cache", str(path), "--today", TODAY, "import-focus", "--no-alerts",
                   str(write_focus(tmp_path / "f.csv", [focus_row("2026-11-01", "1")]))).code == 0
        store = open_store(path)  # a reader keeps the -wal and -shm in place to look at
        store.conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()}
        store.close()
    finally:
        os.umask(old_umask)
    assert modes == {"c.db": 0o600, "c.db-wal": 0o600, "c.db-shm": 0o600, "c.db.lock": 0o600}
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def _broken(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("state, damage, reason", [
    ("missing", lambda p: p.unlink(), "no cache at"),
    ("empty", lambda p: p.write_bytes(b""), "is an empty file (0 bytes)"),
    ("not sqlite", lambda p: p.write_text("hello"), "is not a finops-tui cache"),
    ("broken", _broken, "not a readable finops-tui cache"),
    ("foreign", _foreign, "not a finops-tui cache"),
    ("newer", _newer, "written by a newer finops-tui (schema 999"),
])
def test_status_is_unknown_for_a_cache_it_cannot_read(cache: Path, state: str, damage, reason: str) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(cache) + suffix).unlink(missing_ok=True)
    if state in ("broken", "not sqlite", "empty", "missing", "foreign"):
        cache.unlink()
        if state != "missing":
            damage(cache)
    else:
        damage(cache)
    before = cache.read_bytes() if cache.exists() else None
    text = cli("--cache", str(cache), "--today", TODAY, "status")
    assert text.code == 3 and text.err == ""
    assert text.out.startswith("UNKNOWN: ") and reason in text.out and len(text.out.splitlines()) == 1
    as_json = cli("--cache", str(cache), "--today", TODAY, "status", "--json")
    data = json.loads(as_json.out)
    assert as_json.code == 3 and data["status"]["state"] == "UNKNOWN" and reason in data["status"]["reasons"][0]
    assert (cache.read_bytes() if cache.exists() else None) == before  # looked at, never changed or created


def _hold_writer_lock(cache: Path) -> subprocess.Popen[str]:
    """Another finops-tui process in the middle of a long write (it holds the lock until its stdin closes)."""
    code = ("import sys; from pathlib import Path; from finops_tui.store.lock import writer_lock; "
            "sys.argv = ['finops-tui', 'import-focus', 'huge.csv']; "
            f"cm = writer_lock(Path({str(cache)!r}), 0); cm.__enter__(); print('held', flush=True); sys.stdin.read()")
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_second_writer_names_the_process_holding_the_cache(tmp_path: Path, cache: Path) -> None:
    before = fingerprint(cache)
    holder = _hold_writer_lock(cache)
    try:
        line = one_line_refusal(cli("--cache", str(cache), "--config", str(_fast_wait(tmp_path)), "--today", TODAY,
                                    "leads", "set", "2026-11-01", "5"))
        assert line == (f"finops-tui: the cache {cache} is busy: process {holder.pid} (finops-tui import-focus huge.csv) "
                        "has been writing to it for over 0.5 s (try again when it has finished, or raise cache.lock_wait_seconds)")
        reader = cli("--cache", str(cache), "--config", str(_fast_wait(tmp_path)), "--today", TODAY, "status", "--json")
        assert json.loads(reader.out)["total"]["mtd"] == 100.0  # readers are never blocked by a writer
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert fingerprint(cache) == before
    assert cli("--cache", str(cache), "--today", TODAY, "leads", "set", "2026-11-01", "5").code == 0  # free again


def test_a_foreign_program_holding_the_write_lock_is_named_as_such(tmp_path: Path, cache: Path) -> None:
    other = sqlite3.connect(cache, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        line = one_line_refusal(cli("--cache", str(cache), "--config", str(_fast_wait(tmp_path)), "--today", TODAY,
                                    "leads", "set", "2026-11-01", "5"))
        assert line == f"finops-tui: the cache {cache} is locked by another program (try again when it has finished)"
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_status_is_unknown_when_another_program_locks_even_readers_out(tmp_path: Path, cache: Path) -> None:
    other = sqlite3.connect(cache, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
    try:
        outcome = cli("--cache", str(cache), "--config", str(_fast_wait(tmp_path)), "--today", TODAY, "status")
        assert outcome.code == 3
        assert outcome.out.startswith(f"UNKNOWN: the cache {cache} is locked by another program")
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def read_only_copy(tmp_path: Path, cache: Path) -> Iterator[Path]:
    """The cache on a read-only bind mount (skipped where this process cannot mount)."""
    open_store(cache).close()  # checkpointed: the copy is one file, as `finops-tui snapshot` makes
    with read_only_bind_mount(cache, tmp_path) as copy:
        yield copy


def test_read_commands_work_on_a_read_only_mount(read_only_copy: Path, cache: Path) -> None:
    for args in (("status", "--json"), ("report", "--format", "json"), ("waste", "--format", "json")):
        here = cli("--cache", str(read_only_copy), "--today", TODAY, *args)
        there = cli("--cache", str(cache), "--today", TODAY, *args)
        assert (here.code, here.out, here.err) == (there.code, there.out, there.err)
    assert sorted(p.name for p in read_only_copy.parent.iterdir()) == ["c.db"]
    line = one_line_refusal(cli("--cache", str(read_only_copy), "--today", TODAY, "leads", "set", "2026-11-01", "5"))
    assert line.startswith(f"finops-tui: the cache {read_only_copy} is read-only: cannot write to it")


def test_a_full_disk_is_named_and_the_cache_survives(tmp_path: Path, cache: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small)):
        pytest.skip("cannot mount a small tmpfs here (needs root and mount privileges)")
    try:
        open_store(cache).close()
        shutil.copy(cache, small / "c.db")
        before = fingerprint(small / "c.db")
        rows = [focus_row("2026-11-02", "1.5", ResourceId=f"arn:aws:ec2:us-east-1:1:instance/i-{n:012d}") for n in range(20_000)]
        big = write_focus(tmp_path / "big.csv", rows)
        line = one_line_refusal(cli("--cache", str(small / "c.db"), "--today", TODAY, "import-focus", "--no-alerts", str(big)))
        assert "the disk holding the cache is full" in line
        assert fingerprint(small / "c.db") == before
        assert json.loads(cli("--cache", str(small / "c.db"), "--today", TODAY, "status", "--json").out)["total"]["mtd"] == 100.0
    finally:
        subprocess.run(["umount", str(small)], check=False)


def test_a_cache_deleted_under_a_running_reader_is_not_recreated(cache: Path) -> None:
    store = open_store(cache)
    store.conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()
    for suffix in ("", "-wal", "-shm"):
        Path(str(cache) + suffix).unlink(missing_ok=True)
    errors: list[BaseException] = []

    def worker() -> None:  # a console worker thread opens its own connection
        try:
            store.conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    store.close()
    assert len(errors) == 1 and isinstance(errors[0], CacheError)
    assert "moved, deleted" in str(errors[0])
    assert not cache.exists()
