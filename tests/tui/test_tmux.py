"""One end-to-end run in a real terminal: tmux starts the console, we read the screen, drill down, quit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


SOCKET = ""  # this test's private tmux server: never the user's sessions, never another test's


@pytest.fixture(autouse=True)
def private_tmux_server() -> Iterator[None]:
    """A tmux server of its own for each test (a server being killed by the previous test cannot take the
    next one's session with it), killed afterwards."""
    global SOCKET
    SOCKET = f"finops-test-{uuid.uuid4().hex[:8]}"
    yield
    subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null", *args], check=True, capture_output=True,
                          text=True).stdout


def _wait_for(session: str, found: Callable[[str], bool], what: str, timeout: float = 60) -> str:
    """Poll the pane (a real terminal has no event to wait on) until ``found`` holds."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if found(screen):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")


def _until_it_answers_keys(session: str, timeout: float = 60) -> None:
    """Keys typed in the first moments after the first frame can be swallowed while the terminal answers the
    console's start-up queries: press `?` until the help opens, then close it (proof that keys now arrive)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _tmux("send-keys", "-t", session, "?")
        try:
            _wait_for(session, lambda s: "Keys (from the live bindings)" in s, "the help", timeout=3)
        except AssertionError:
            continue
        _tmux("send-keys", "-t", session, "Escape")
        _wait_for(session, lambda s: "1 Category spend" in s, "the dashboard after the help")
        return
    raise AssertionError("the console never answered a key")


def test_console_in_a_real_terminal(tmp_path: Path):
    session = f"finops-{uuid.uuid4().hex[:8]}"
    cache = tmp_path / "cache.db"
    env = {
        "PYTHONPATH": str(REPO),
        "FINOPS_TUI_CONFIG": os.environ["FINOPS_TUI_CONFIG"],
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{key}={value}" for key, value in env.items())
    command = f"cd {tmp_path} && env -u COLUMNS -u LINES {exports} {sys.executable} -m finops_tui --cache {cache} --demo --today 2026-11-26; echo console-exited-$?; sleep 60"
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    try:
        # At 120x40 all five panes show, the waste list with its resource names taken literally.
        screen = _wait_for(session, lambda s: "1 Category spend" in s and "gpu-notebook-[alice]" in s, "the dashboard")
        assert "DEMO" in screen and "as of 2026-11-26" in screen and "5 Cost per lead" in screen
        _until_it_answers_keys(session)

        _tmux("send-keys", "-t", session, "1")
        time.sleep(0.5)  # typed like a person: a key burst in one write can arrive before focus has moved
        _tmux("send-keys", "-t", session, "Enter")
        # The border title is drawn on mount, the rows when the worker's read arrives: Enter selects a row,
        # so it waits for them.
        screen = _wait_for(session, lambda s: "Services in" in s and "Amazon Elastic Compute Cloud" in s,
                           "the services screen with its rows")
        assert "Category spend › Compute" in screen

        _tmux("send-keys", "-t", session, "Enter")
        screen = _wait_for(session, lambda s: "Daily spend, last 30 complete days" in s, "the usage-types screen")
        assert "Category spend › Compute › " in screen and "BoxUsage" in screen

        _tmux("send-keys", "-t", session, "Escape")
        _wait_for(session, lambda s: "Services in" in s and "Daily spend" not in s, "the services screen again")
        _tmux("send-keys", "-t", session, "Escape")
        _wait_for(session, lambda s: "1 Category spend" in s, "the dashboard again")

        _tmux("send-keys", "-t", session, "q")
        screen = _wait_for(session, lambda s: "console-exited-" in s, "the console to quit")
        assert "console-exited-0" in screen and "Traceback" not in screen
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)


def test_snapshot_then_the_copy_opens_offline_in_a_real_terminal(tmp_path: Path):
    """`finops-tui snapshot` while a console has the cache open, then the copy opened read-only elsewhere."""
    session = f"finops-{uuid.uuid4().hex[:8]}"
    cache = tmp_path / "cache.db"
    copy = tmp_path / "elsewhere" / "review.db"
    copy.parent.mkdir()
    env = {"PYTHONPATH": str(REPO), "FINOPS_TUI_CONFIG": os.environ["FINOPS_TUI_CONFIG"], "TERM": "xterm-256color"}
    exports = " ".join(f"{key}={value}" for key, value in env.items())
    run = f"env -u COLUMNS -u LINES {exports} {sys.executable} -m finops_tui --today 2026-11-26"
    console = f"cd {tmp_path} && {run} --cache {cache} --demo; echo console-exited-$?; sleep 60"
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", console)
    try:
        source = _wait_for(session, lambda s: "1 Category spend" in s and "gpu-notebook-[alice]" in s, "the dashboard")
        # The console is open on the cache: snapshot it from a second window.
        _tmux("new-window", "-t", session, "-n", "shell",
              f"cd {tmp_path} && {run} --cache {cache} snapshot {copy}; echo snapshot-exited-$?; sleep 60")
        shell = _wait_for(f"{session}:shell", lambda s: "snapshot-exited-" in s, "the snapshot command")
        assert "snapshot-exited-0" in shell and f"Wrote a snapshot of {cache} to {copy}" in shell.replace("\n", "")
        _tmux("kill-window", "-t", f"{session}:shell")
        _tmux("send-keys", "-t", session, "q")
        _wait_for(session, lambda s: "console-exited-0" in s, "the first console to quit")

        # Elsewhere: only the copy, read-only. The same figures, READ-ONLY in the header (`a` refused: Pilot tests).
        _tmux("new-window", "-t", session, "-n", "review",
              f"cd {copy.parent} && {run} --cache {copy} --offline; echo offline-exited-$?; sleep 60")
        _wait_for(f"{session}:review", lambda s: "1 Category spend" in s and "READ-ONLY" in s, "the copy")
        _until_it_answers_keys(f"{session}:review")

        def category_rows(text: str) -> list[list[str]]:  # name, MTD, share, change of each category row
            return [line.split("│")[1].split()[:4] for line in text.splitlines()
                    if line.startswith("│ ") and line.split("│")[1].split()[:1] in (["Compute"], ["Database"],
                                                                                  ["Networking"], ["Storage"],
                                                                                  ["AI/ML"], ["Other"])]

        assert len(category_rows(source)) == 6
        # Exactly what the source showed (polled: a real terminal repaints in pieces).
        _wait_for(f"{session}:review", lambda s: category_rows(s) == category_rows(source), "the source's figures")
        _tmux("send-keys", "-t", f"{session}:review", "q")
        screen = _wait_for(f"{session}:review", lambda s: "offline-exited-" in s, "the offline console to quit")
        assert "offline-exited-0" in screen and "Traceback" not in screen
        assert sorted(p.name for p in copy.parent.iterdir()) == ["review.db"]  # nothing written beside the copy
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
