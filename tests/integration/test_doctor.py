"""`finops-tui doctor` against moto: credentials, permissions, cache health, the IAM policy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.integration.conftest import MotoServer


def policy_from(stdout: str) -> dict:
    return json.loads(stdout[stdout.index("{"):])


def test_doctor_checks_every_permission_and_prints_the_policy(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"

    done = run_cli("doctor", "--cache", str(cache))

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "ok    credentials: the default credential chain (no profile) is account 123456789012" in "\n".join(lines)
    for permission in ("ce:GetCostAndUsage", "ec2:DescribeVolumes (us-east-1)", "elasticloadbalancing:DescribeLoadBalancers (us-east-1)",
                       "cloudwatch:GetMetricData"):
        assert f"ok    {permission}" in lines
    assert any(line.startswith("ok    cache: ") and "integrity ok" in line for line in lines)
    actions = policy_from(done.stdout)["Statement"][0]["Action"]
    assert "ce:GetCostAndUsage" in actions and "ec2:DescribeVolumes" in actions
    assert all(action.split(":")[1].startswith(("Get", "Describe", "List")) for action in actions)
    assert "doctor made" in done.stdout and "1 to Cost Explorer ($0.01, counted against today's cap)" in done.stdout
    assert moto.injector.operations.count("GetCostAndUsage") == 1


def test_doctor_names_a_denied_permission(moto: MotoServer, tmp_path: Path) -> None:
    moto.fail("DescribeSnapshots", code="UnauthorizedOperation")

    done = run_cli("doctor", "--cache", str(tmp_path / "finops.db"))

    assert done.returncode == 1
    assert "FAIL  ec2:DescribeSnapshots (us-east-1): access denied: injected" in done.stdout
    assert "ok    ec2:DescribeVolumes (us-east-1)" in done.stdout


def test_doctor_without_credentials_still_prints_the_policy(moto: MotoServer, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    done = run_cli("doctor", "--cache", str(tmp_path / "finops.db"))

    assert done.returncode == 1
    assert "FAIL  credentials: AWS credentials for the default credential chain (no profile) are missing or expired" in done.stdout
    assert policy_from(done.stdout)["Version"] == "2012-10-17"
    assert moto.injector.operations == []


def test_policy_only_makes_no_request(moto: MotoServer, tmp_path: Path) -> None:
    done = run_cli("doctor", "--policy-only", "--cache", str(tmp_path / "finops.db"))

    assert done.returncode == 0
    assert "cloudwatch:GetMetricData" in policy_from(done.stdout)["Statement"][0]["Action"]
    assert moto.injector.operations == []


def test_aws_configured_follows_the_credential_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    from finops_tui.config import Settings
    from finops_tui.sync import aws_configured

    assert aws_configured(Settings()) is True
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert aws_configured(Settings()) is False
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text("[billing]\naws_access_key_id = a\naws_secret_access_key = b\n")
    assert aws_configured(Settings(), profile="billing") is True
    assert aws_configured(Settings(), profile="nobody") is False
