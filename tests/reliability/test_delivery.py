"""Delivery is at-least-once, and says so: a run killed after Slack took a message re-sends it, marked.

A local HTTP server stands in for Slack; it records the message and then
holds the answer, so the test can SIGKILL `alerts run` in the smallest window
there is: after delivery, before the cache marks it sent.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.alerts_support import build_cache, spike_rows
from tests.helpers import REPO
from tests.reliability.support import cli

pytestmark = pytest.mark.reliability

TODAY = "2026-11-11"  # the spike of spike_rows is on the 10th, the last complete day
TOKEN = "xoxSECRETtoken4242"
PATH = f"/services/T0FINOPS/B0ALERTS/{TOKEN}"


class HoldingSlack:
    """Records each POST; ``hold`` keeps the answer back until released; ``echo`` answers 404 quoting the URL."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.mode = "ok"
        self.received = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.posts.append(json.loads(body))
                outer.received.set()
                if outer.mode == "hold":
                    outer.release.wait(30)
                status, text = (200, b"ok")
                if outer.mode == "echo":
                    status, text = 404, f"no_service: {outer.url} ({self.path})".encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)
                except OSError:
                    pass  # the client was killed

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{PATH}"


@pytest.fixture
def slack() -> Iterator[HoldingSlack]:
    server = HoldingSlack()
    server.thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    build_cache(path, spike_rows()).close()
    (tmp_path / "finops.toml").write_text("[budget]\nmonthly_total = 1000000\n[alerts]\ntimeout_seconds = 0.5\n")
    return path


def _args(cache: Path) -> list[str]:
    return ["--cache", str(cache), "--config", str(cache.parent / "finops.toml"), "--today", TODAY]


def test_a_run_killed_after_delivery_resends_once_marked_as_a_possible_repeat(cache: Path, slack: HoldingSlack,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINOPS_TUI_SLACK_WEBHOOK", slack.url)
    slack.mode = "hold"
    child = subprocess.Popen([sys.executable, "-m", "finops_tui", *_args(cache), "alerts", "run"],
                             env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert slack.received.wait(60)
    child.send_signal(signal.SIGKILL)  # Slack has the message; the cache was never told
    assert child.wait(timeout=30) == -signal.SIGKILL
    slack.mode = "ok"
    slack.release.set()
    assert len(slack.posts) == 1
    first = slack.posts[0]
    assert "possible repeat" not in first["text"]

    again = cli(*_args(cache), "alerts", "run")  # at once: the claim still holds, nothing is sent twice at the same time
    assert again.code == 0 and len(slack.posts) == 1

    deadline = time.monotonic() + 60  # the claim expires by real elapsed time (the --today clock stands still)
    while len(slack.posts) == 1 and time.monotonic() < deadline:
        time.sleep(0.5)
        assert cli(*_args(cache), "alerts", "run").code == 0
    assert len(slack.posts) == 2, "the interrupted delivery was never retried"
    repeat = slack.posts[1]
    assert repeat["text"] == f"(possible repeat) {first['text']}"
    assert "may have arrived" in json.dumps(repeat["blocks"][0])

    assert cli(*_args(cache), "alerts", "run").code == 0
    assert len(slack.posts) == 2  # marked sent: never again
    conn = sqlite3.connect(cache)
    try:
        assert conn.execute("SELECT status FROM alert_events WHERE key LIKE 'spike:%'").fetchall() == [("sent",)] * len(
            conn.execute("SELECT 1 FROM alert_events WHERE key LIKE 'spike:%'").fetchall())
    finally:
        conn.close()


def test_a_webhook_error_that_echoes_the_url_never_shows_or_stores_the_secret(cache: Path, slack: HoldingSlack,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINOPS_TUI_SLACK_WEBHOOK", slack.url)
    slack.mode = "echo"
    run = cli(*_args(cache), "alerts", "run")
    assert run.code == 1 and "Slack webhook returned HTTP 404" in run.err
    listing = cli(*_args(cache), "alerts", "list")
    dump = "\n".join(sqlite3.connect(cache).iterdump())
    for text in (run.out, run.err, listing.out, listing.err, dump):
        assert TOKEN not in text and "B0ALERTS" not in text and slack.url not in text
    assert "<redacted" in run.err


def test_alerts_killed_at_random_moments_never_lose_an_event_or_repeat_one_unmarked(
        cache: Path, slack: HoldingSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    monkeypatch.setenv("FINOPS_TUI_SLACK_WEBHOOK", slack.url)
    rng = random.Random(15)  # fixed moments, the same on every run
    for _ in range(5):
        child = subprocess.Popen([sys.executable, "-m", "finops_tui", *_args(cache), "alerts", "run"],
                                 env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 3.0))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        conn = sqlite3.connect(cache)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    deadline = time.monotonic() + 60  # claims of killed runs expire by real elapsed time
    while time.monotonic() < deadline:
        assert cli(*_args(cache), "alerts", "run").code == 0
        conn = sqlite3.connect(cache)
        try:
            statuses = [row[0] for row in conn.execute("SELECT status FROM alert_events")]
        finally:
            conn.close()
        if statuses and all(status == "sent" for status in statuses):
            break
        time.sleep(0.5)
    assert statuses and all(status == "sent" for status in statuses), statuses
    headlines = [post["text"] for post in slack.posts]
    unmarked = [text for text in headlines if not text.startswith("(possible repeat) ")]
    assert len(unmarked) == len(set(unmarked))  # a message sent twice says so the second time
    assert len({text.removeprefix("(possible repeat) ") for text in headlines}) == len(statuses)  # every event arrived
