"""Faults: throttling retried, 5xx, unreachable endpoint, missing credentials, a sync killed mid-run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, run_cli
from tests.integration.conftest import MotoServer, ce_day, ce_group, ce_usage_group, ce_result

TODAY = "2026-11-26"
EC2 = "Amazon Elastic Compute Cloud - Compute"


def queue_one_day(moto: MotoServer, amount: float) -> None:
    moto.queue_ce(
        ce_result(ce_day("2026-11-25", [ce_group("Environment$prod", EC2, amount)])),
        ce_result(ce_day("2026-11-25", [ce_usage_group(EC2, "BoxUsage:m5.large", amount)])),
        ce_result(ce_day("2026-11-25", [ce_group("111111111111", "Environment$prod", amount)])),
    )


def snapshot_of(cache: Path) -> tuple[list[tuple], list[tuple]]:
    with sqlite3.connect(cache) as conn:
        costs = conn.execute("SELECT day, category, environment, amortized, source FROM cost_daily JOIN dim_allocation USING (dim_id) ORDER BY 1, 2, 3").fetchall()
        meta = conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
    return costs, meta


def runs(cache: Path) -> list[tuple]:
    with sqlite3.connect(cache) as conn:
        return conn.execute("SELECT status, error, request_count, ce_request_count FROM sync_runs ORDER BY id").fetchall()


@pytest.fixture
def synced_cache(moto: MotoServer, tmp_path: Path) -> Path:
    """A cache after one good sync: production 100 on the 25th."""
    cache = tmp_path / "finops.db"
    queue_one_day(moto, 100.0)
    done = run_cli("sync", "--cache", str(cache), "--today", TODAY)
    assert done.returncode == 0, done.stderr
    moto.injector.operations.clear()
    return cache


def test_throttling_is_retried_and_every_attempt_counted(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    queue_one_day(moto, 100.0)
    moto.fail("GetCostAndUsage", code="ThrottlingException", times=2)

    done = run_cli("sync", "--cache", str(cache), "--today", TODAY)

    assert done.returncode == 0, done.stderr
    status, error, requests, ce_requests = runs(cache)[-1]
    assert status == "ok" and error is None
    assert moto.injector.operations.count("GetCostAndUsage") == 7  # 4 queries + 2 throttled attempts + purchase types
    assert ce_requests == 6 + 7  # with the optional sources
    assert requests == len(moto.injector.operations)


def test_limit_exceeded_that_persists_fails_in_one_line(synced_cache: Path, moto: MotoServer) -> None:
    before = snapshot_of(synced_cache)
    moto.fail("GetCostAndUsage", code="LimitExceededException")

    done = run_cli("sync", "--cache", str(synced_cache), "--today", TODAY)

    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "AWS kept throttling (ce:GetCostAndUsage) after retries" in done.stderr
    assert snapshot_of(synced_cache) == before
    status, error, _requests, ce_requests = runs(synced_cache)[-1]
    assert status == "failed" and "throttling" in error and ce_requests == 4  # four attempts, then give up


def test_server_errors_leave_the_cache_unchanged(synced_cache: Path, moto: MotoServer) -> None:
    before = snapshot_of(synced_cache)
    queue_one_day(moto, 999.0)
    moto.fail("DescribeVolumes", status=503, code="ServiceUnavailable")

    done = run_cli("sync", "--cache", str(synced_cache), "--since", "2026-11-20", "--today", TODAY)

    assert done.returncode == 1
    assert done.stderr.startswith("finops-tui: AWS request failed") and "ServiceUnavailable" in done.stderr
    assert snapshot_of(synced_cache) == before
    assert [status for status, *_ in runs(synced_cache)] == ["ok", "failed"]


def test_unreachable_endpoint_is_one_line(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"

    done = run_cli("sync", "--cache", str(cache), "--today", TODAY, env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})

    assert done.returncode == 1
    assert done.stderr.strip() == (
        "finops-tui: cannot reach the AWS endpoint http://127.0.0.1:9 (ce:GetCostAndUsage): EndpointConnectionError "
        "(check the network, proxy or AWS_ENDPOINT_URL)"
    )
    assert runs(cache)[-1][0] == "failed"


def test_missing_credentials_name_the_profile(moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "finops.db"
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    Path(os.environ["AWS_CONFIG_FILE"]).write_text("[profile billing]\nregion = us-east-1\n")

    done = run_cli("sync", "--profile", "billing", "--cache", str(cache), "--today", TODAY)
    unknown = run_cli("sync", "--profile", "nobody", "--cache", str(cache), "--today", TODAY)

    assert done.returncode == 1
    assert done.stderr.startswith("finops-tui: AWS credentials for profile 'billing' are missing or expired")
    assert unknown.stderr.strip() == "finops-tui: AWS profile 'nobody' is not configured (check ~/.aws/config or pass another --profile)"
    assert moto.injector.operations == []
    assert "testing" not in cache.read_bytes().decode("latin-1")


def test_sigkill_mid_sync_keeps_the_previous_snapshot(synced_cache: Path, moto: MotoServer) -> None:
    before = snapshot_of(synced_cache)
    queue_one_day(moto, 555.0)
    held = moto.hold("GetMetricData")  # after Cost Explorer answered, before anything is written
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen(
        [sys.executable, "-m", "finops_tui", "sync", "--cache", str(synced_cache), "--since", "2026-11-20", "--today", TODAY],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert held.reached.wait(60), "the sync never reached CloudWatch"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        held.hold.set()
        if process.poll() is None:
            process.kill()
            process.wait(30)

    assert process.returncode == -signal.SIGKILL
    assert moto.injector.operations.count("GetCostAndUsage") == 4
    assert snapshot_of(synced_cache) == before
    with sqlite3.connect(synced_cache) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [row[0] for row in conn.execute("SELECT status FROM sync_runs ORDER BY id")] == ["ok", "running"]
    again = run_cli("sync", "--cache", str(synced_cache), "--since", "2026-11-20", "--today", TODAY)
    assert again.returncode == 0, again.stderr
    assert [row[3] for row in snapshot_of(synced_cache)[0]] == [555.0]


def test_expired_credentials_are_one_line_and_recorded(synced_cache: Path, moto: MotoServer) -> None:
    before = snapshot_of(synced_cache)
    moto.fail("GetCostAndUsage", code="ExpiredTokenException")

    done = run_cli("sync", "--cache", str(synced_cache), "--profile", "", "--today", TODAY)

    assert done.returncode == 1
    assert done.stderr.strip() == (
        "finops-tui: AWS credentials for the default credential chain (no profile) are missing or expired "
        "(ce:GetCostAndUsage) (run `aws sso login` or `aws configure`, or pass --profile)"
    )
    assert snapshot_of(synced_cache) == before
    status, error, _requests, ce_requests = runs(synced_cache)[-1]
    assert status == "failed" and "expired" in error and ce_requests == 1  # not retried
