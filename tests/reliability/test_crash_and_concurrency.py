"""SIGKILL at random moments never corrupts the cache or leaves a mix; concurrent writers and readers never see "locked"."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.reliability.support import cli, focus_row, write_focus

pytestmark = pytest.mark.reliability

TODAY = "2026-11-26"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _state(cache: Path) -> tuple[str, float, int]:
    conn = sqlite3.connect(cache)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        total = conn.execute("SELECT COALESCE(SUM(billed), 0) FROM cost_daily").fetchone()[0]
        rollup = conn.execute("SELECT COALESCE(SUM(billed), 0) FROM cost_rollup").fetchone()[0]
        rows = conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()[0]
    finally:
        conn.close()
    assert total == pytest.approx(rollup)  # facts and rollup never disagree
    return integrity, round(total, 2), rows


def test_import_killed_at_random_moments_leaves_old_or_new(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    assert cli("--cache", str(cache), "--today", TODAY, "import-focus", "--no-alerts",
               str(write_focus(tmp_path / "base.csv", [focus_row("2026-11-01", "100")]))).code == 0
    rows = [focus_row(f"2026-11-{2 + n % 20:02d}", "0.25", ResourceId=f"i-{n:08d}") for n in range(30_000)]
    big = write_focus(tmp_path / "big.csv", rows)
    old = (100.0, 1)
    new = (100.0 + 0.25 * len(rows), 1 + len(rows))
    rng = random.Random(15)  # fixed: the same moments on every run
    for _ in range(6):
        child = subprocess.Popen([sys.executable, "-m", "finops_tui", "--cache", str(cache), "--today", TODAY,
                                  "import-focus", "--no-alerts", "--quiet", str(big)], env=ENV,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.2, 3.0))  # a random moment: startup, parsing, writing or committing
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        integrity, total, count = _state(cache)
        assert integrity == "ok"
        assert (total, count) in (old, new), "a killed import left a mix"
        if (total, count) == new:
            break
    assert cli("--cache", str(cache), "--today", TODAY, "import-focus", "--no-alerts", str(big)).code == 0
    assert _state(cache) == ("ok", *new)  # idempotent: importing again after a landed import changes nothing


def test_concurrent_writers_and_readers_never_see_locked(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    assert cli("--cache", str(cache), "--today", TODAY, "import-focus", "--no-alerts",
               str(write_focus(tmp_path / "base.csv", [focus_row("2026-11-01", "100")]))).code == 0
    writer = ("import sys; from finops_tui.cli import main\n"
              "codes = [main(['--cache', sys.argv[1], '--today', '2026-11-26', 'leads', 'set', f'2026-11-{d:02d}', sys.argv[2]])"
              " for d in range(1, 21)]\nsys.exit(max(codes))")
    reader = ("import sys, io, contextlib, json; from finops_tui.cli import main\n"
              "for _ in range(20):\n"
              "    out = io.StringIO()\n"
              "    with contextlib.redirect_stdout(out): main(['--cache', sys.argv[1], '--today', '2026-11-26', 'status', '--json'])\n"
              "    assert json.loads(out.getvalue())['total']['mtd'] == 100.0\n")
    children = [subprocess.Popen([sys.executable, "-c", writer, str(cache), str(n)], env=ENV, stderr=subprocess.PIPE, text=True)
                for n in (1, 2, 3)]
    children += [subprocess.Popen([sys.executable, "-c", reader, str(cache)], env=ENV, stderr=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, text=True) for _ in range(2)]
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    conn = sqlite3.connect(cache)
    try:
        leads = conn.execute("SELECT COUNT(*), MIN(leads), MAX(leads) FROM leads").fetchone()
    finally:
        conn.close()
    assert leads[0] == 20 and 1 <= leads[1] <= leads[2] <= 3
