"""`finops-tui doctor` against moto: credentials, permissions, cache health, the IAM policy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.integration.conftest import MotoServer


def policy_from(stdout: str) -> dict:
    """The first JSON document in the output: the sync's policy (the S3 snapshot policies follow it)."""
    return json.JSONDecoder().raw_decode(stdout[stdout.index("{"):])[0]


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


def _documents(stdout: str) -> list[dict]:
    decoder, found, at = json.JSONDecoder(), [], 0
    while (start := stdout.find("{", at)) != -1:
        document, end = decoder.raw_decode(stdout[start:])
        found.append(document)
        at = start + end
    return found


def test_doctor_prints_the_athena_and_snapshot_policies(moto: MotoServer, tmp_path: Path) -> None:
    config = tmp_path / "finops.toml"
    config.write_text('[athena]\ndatabase = "billing"\ntable = "cur"\noutput_location = "s3://athena-results/finops/"\n')
    done = run_cli("doctor", "--cache", str(tmp_path / "finops.db"), "--config", str(config),
                   "--s3", "s3://finops-share/prod")
    sync, athena, publisher, reader = _documents(done.stdout)
    assert "IAM policy of every reader (`finops-tui --cache s3://finops-share/prod`; nothing else is needed):" in done.stdout
    assert reader["Statement"] == [
        {"Sid": "FinopsTuiReadSnapshots", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": "arn:aws:s3:::finops-share/prod/*"},
        {"Sid": "FinopsTuiListSnapshots", "Effect": "Allow", "Action": ["s3:ListBucket"],
         "Resource": "arn:aws:s3:::finops-share", "Condition": {"StringLike": {"s3:prefix": ["prod/*"]}}},
    ]
    assert publisher["Statement"][0]["Action"] == ["s3:GetObject", "s3:PutObject"]
    assert publisher["Statement"][1] == reader["Statement"][1]
    actions = {action for statement in athena["Statement"] for action in statement["Action"]}
    assert {"athena:StartQueryExecution", "athena:GetQueryResults", "glue:GetTable", "glue:GetPartitions"} <= actions
    assert "arn:aws:glue:us-east-1:*:table/billing/cur" in athena["Statement"][1]["Resource"]
    assert athena["Statement"][3]["Resource"] == ["arn:aws:s3:::athena-results", "arn:aws:s3:::athena-results/finops/*"]
    assert "ce:GetCostAndUsage" in sync["Statement"][0]["Action"]
