"""New data triggers alerts: after `sync` and `import-focus`, a spike reaches Slack exactly once."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli
from tests.integration.conftest import MotoServer, ce_day, ce_group, ce_usage_group, ce_result
from tests.slack_server import SlackServer

TODAY = "2026-11-26"
EC2 = "Amazon Elastic Compute Cloud - Compute"
ACCOUNT = "111111111111"


def _queue_spike(moto: MotoServer) -> None:
    """Production EC2 at $100 on the 24th and $150 on the 25th (the last complete day): a 50 % spike."""
    moto.queue_ce(
        ce_result(ce_day("2026-11-24", [ce_group("Environment$prod", EC2, 100.0)]),
                  ce_day("2026-11-25", [ce_group("Environment$prod", EC2, 150.0)])),
        ce_result(ce_day("2026-11-24", [ce_usage_group(EC2, "BoxUsage:m6i.large", 100.0)]),
                  ce_day("2026-11-25", [ce_usage_group(EC2, "BoxUsage:m6i.large", 150.0)])),
        ce_result(ce_day("2026-11-24", [ce_group(ACCOUNT, "Environment$prod", 100.0)]),
                  ce_day("2026-11-25", [ce_group(ACCOUNT, "Environment$prod", 150.0)])),
    )


def test_sync_delivers_a_new_spike_once(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    _queue_spike(moto)
    with SlackServer() as slack:
        env = {"FINOPS_TUI_SLACK_WEBHOOK": slack.url}
        first = run_cli("sync", "--cache", str(cache), "--today", TODAY, env=env)
        assert first.returncode == 0, first.stderr
        texts = [json.dumps(post.json) for post in slack.delivered]
        assert len(texts) == 2  # the total and the Compute category
        total = next(text for text in texts if "Spike: Total spend up 50.0 % on 2026-11-25" in text)
        assert "Total spend on 2026-11-25 was $150.00, +$50.00 (50.0 %) over $100.00" in total
        assert "VP Engineering ($1,500.00/month)" in total
        again = run_cli("sync", "--cache", str(cache), "--today", TODAY, env=env)
        assert again.returncode == 0, again.stderr
        assert len(slack.delivered) == 2
        assert slack.url not in first.stdout + first.stderr + again.stdout + again.stderr


def test_sync_with_no_alerts_sends_nothing(moto: MotoServer, tmp_path: Path) -> None:
    _queue_spike(moto)
    with SlackServer() as slack:
        done = run_cli("sync", "--no-alerts", "--cache", str(tmp_path / "c.db"), "--today", TODAY,
                       env={"FINOPS_TUI_SLACK_WEBHOOK": slack.url})
        assert done.returncode == 0, done.stderr
        assert slack.delivered == []


def test_import_focus_delivers_new_spike(tmp_path: Path) -> None:
    header = "ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,ChargeCategory,ServiceName,ServiceCategory,SubAccountId,ResourceId,Tags\n"
    lines = [
        f"2026-11-24T00:00:00Z,2026-11-25T00:00:00Z,100,100,Usage,AmazonEC2,Compute,{ACCOUNT},i-1,\"{{\"\"Environment\"\":\"\"prod\"\"}}\"",
        f"2026-11-25T00:00:00Z,2026-11-26T00:00:00Z,130,130,Usage,AmazonEC2,Compute,{ACCOUNT},i-1,\"{{\"\"Environment\"\":\"\"prod\"\"}}\"",
    ]
    export = tmp_path / "focus.csv"
    export.write_text(header + "\n".join(lines) + "\n")
    with SlackServer() as slack:
        done = run_cli("import-focus", str(export), "--cache", str(tmp_path / "c.db"), "--today", TODAY,
                       env={"FINOPS_TUI_SLACK_WEBHOOK": slack.url})
        assert done.returncode == 0, done.stderr
        assert len(slack.delivered) == 2
        assert any("up 30.0 % on 2026-11-25" in json.dumps(post.json) for post in slack.delivered)
        skipped = run_cli("import-focus", str(export), "--cache", str(tmp_path / "c.db"), "--today", TODAY,
                          env={"FINOPS_TUI_SLACK_WEBHOOK": slack.url})
        assert "already imported" in skipped.stdout
        assert len(slack.delivered) == 2
