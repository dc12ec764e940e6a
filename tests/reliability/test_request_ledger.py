"""Every AWS request is counted, also those of a sync killed mid-run: the cap and the month's cost include them."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.integration.conftest import Fault, MotoServer
from tests.reliability.support import cli

pytestmark = pytest.mark.reliability

TODAY = "2026-11-26"


def _sync_process(cache: Path, config: Path, moto: MotoServer) -> subprocess.Popen[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": moto.url, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "finops_tui", "--cache", str(cache), "--config", str(config),
                             "--today", TODAY, "sync", "--no-alerts"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _server_ce_requests(moto: MotoServer) -> int:
    """Cost Explorer requests as the server saw them (independent of the cache)."""
    return sum(1 for name in moto.injector.operations if name in ("GetCostAndUsage", "GetCostForecast", "GetAnomalies"))


def test_requests_of_killed_syncs_count_against_the_cap(tmp_path: Path, moto: MotoServer) -> None:
    cache, config = tmp_path / "c.db", tmp_path / "finops.toml"
    config.write_text("[leads.cloudwatch]\nenabled = false\n")
    for kill_at in (1, 2, 3):  # hold the n-th Cost Explorer cost request, then SIGKILL the sync while it waits
        fault = Fault("GetCostAndUsage", hold=threading.Event(), after=kill_at - 1)
        moto.injector.faults.append(fault)
        child = _sync_process(cache, config, moto)
        try:
            assert fault.reached.wait(60), child.communicate(timeout=5)
            child.send_signal(signal.SIGKILL)
            assert child.wait(timeout=30) == -signal.SIGKILL
        finally:
            fault.hold.set()
            moto.injector.faults.remove(fault)
    made = _server_ce_requests(moto)
    assert made == 1 + 2 + 3

    conn = sqlite3.connect(cache)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()[0] == 0  # killed runs wrote no costs
    finally:
        conn.close()

    # The cap sees the six requests: a sync needing at least 3 more is refused at a cap of 8.
    config.write_text("[leads.cloudwatch]\nenabled = false\n[sync]\ndaily_request_cap = 8\n")
    refused = subprocess.run([sys.executable, "-m", "finops_tui", "--cache", str(cache), "--config", str(config),
                              "--today", TODAY, "sync", "--no-alerts"], env={**os.environ, "AWS_ENDPOINT_URL": moto.url,
                                                                            "PYTHONPATH": str(REPO)},
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert f"{made} of today's cap of 8 are used" in refused.stderr
    assert _server_ce_requests(moto) == made  # refused before calling


def test_the_ledger_is_committed_before_each_request_is_sent(tmp_path: Path, moto: MotoServer) -> None:
    cache, config = tmp_path / "c.db", tmp_path / "finops.toml"
    config.write_text("[leads.cloudwatch]\nenabled = false\n")
    fault = Fault("GetCostAndUsage", hold=threading.Event(), after=1)
    moto.injector.faults.append(fault)
    child = _sync_process(cache, config, moto)
    try:
        assert fault.reached.wait(60), child.communicate(timeout=5)
        conn = sqlite3.connect(cache)  # while the second request is still in flight
        try:
            recorded = [row[0] for row in conn.execute("SELECT operation FROM aws_requests ORDER BY id")]
        finally:
            conn.close()
        assert recorded == ["ce.GetCostAndUsage", "ce.GetCostAndUsage"]
    finally:
        fault.hold.set()
        child.wait(timeout=120)
    assert child.returncode == 0, child.stderr.read()

