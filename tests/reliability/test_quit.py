"""`q` quits the console at once while a sync worker is stuck waiting on AWS (a real terminal, tmux)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.integration.conftest import Fault, MotoServer
from tests.reliability.support import cli, focus_row, write_focus

pytestmark = [pytest.mark.reliability, pytest.mark.tmux,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

SOCKET = f"finops-quit-{uuid.uuid4().hex[:8]}"


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null", *args], check=True, capture_output=True, text=True).stdout


def _screen_until(session: str, text: str, timeout: float) -> str | None:
    """Poll the pane (a terminal has no event to wait on); the screen once ``text`` shows, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    return None


def test_q_quits_while_a_sync_waits_on_aws(tmp_path: Path, moto: MotoServer) -> None:
    cache = tmp_path / "c.db"
    assert cli("--cache", str(cache), "--today", "2026-11-26", "import-focus", "--no-alerts",
               str(write_focus(tmp_path / "f.csv", [focus_row("2026-11-20", "10")]))).code == 0
    stuck = Fault("GetCostAndUsage", hold=threading.Event())  # every Cost Explorer answer is held back
    moto.injector.faults.append(stuck)
    session = f"finops-{uuid.uuid4().hex[:8]}"
    env = {"PYTHONPATH": str(REPO), "AWS_ENDPOINT_URL": moto.url, "TERM": "xterm-256color",
           **{k: v for k, v in os.environ.items() if k.startswith(("AWS_", "FINOPS_TUI_"))}}
    exports = " ".join(f"{key}={value}" for key, value in env.items())
    command = (f"cd {tmp_path} && env -u COLUMNS -u LINES {exports} {sys.executable} -m finops_tui --cache {cache} "
               "--today 2026-11-26; echo console-exited-$?; sleep 60")
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    try:
        assert _screen_until(session, "1 Category spend", 60), "the console never showed its dashboard"
        if not stuck.reached.wait(5):  # the automatic first sync may not be due: ask for one
            _tmux("send-keys", "-t", session, "s")
        assert stuck.reached.wait(60), "the sync never reached Cost Explorer"
        _tmux("send-keys", "-t", session, "q")
        # The held request would keep the worker busy for 60 s: the console must be gone well before.
        screen = _screen_until(session, "console-exited-", 15)
        assert screen is not None, "q did not quit while the sync worker was busy"
        assert "console-exited-0" in screen and "Traceback" not in screen
        assert not stuck.hold.is_set()  # still stuck when the console had already gone
    finally:
        stuck.hold.set()
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    conn = sqlite3.connect(cache)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT SUM(billed) FROM cost_daily").fetchone()[0] == 10.0  # the abandoned sync changed nothing
        assert conn.execute("SELECT COUNT(*) FROM aws_requests WHERE operation = 'ce.GetCostAndUsage'").fetchone()[0] == 1
    finally:
        conn.close()
