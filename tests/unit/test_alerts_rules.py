"""Alerts' small rules: escaping, backoff, scopes, redaction, the event round trip, the ledger's lease."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from finops_tui.alerts import AlertEvent, Driver, state
from finops_tui.alerts.delivery import redact
from finops_tui.alerts.messages import headline, money, mrkdwn_escape, slack_message, text_message
from finops_tui.errors import InputError
from finops_tui.store.db import open_store
from tests.helpers import REPO

NOON = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)


def event(**changes: object) -> AlertEvent:
    base = dict(
        key="budget:rnd:critical:2026-11", kind="budget", scope="rnd", month="2026-11", level="critical",
        as_of="2026-11-11", data_through="2026-11-10", amount=2600.0, reference=2500.0, pct=104.0,
        threshold_pct=100.0, approval_amount=2600.0, approval="vp_engineering", metric="amortized",
        drivers=(Driver("Amazon SageMaker <gpu>", 100.0, 350.5),),
    )
    base.update(changes)
    return AlertEvent(**base)


def test_mrkdwn_escapes_the_three_control_characters() -> None:
    assert mrkdwn_escape("<@U123> & <!channel> <https://x|y>") == "&lt;@U123&gt; &amp; &lt;!channel&gt; &lt;https://x|y&gt;"


def test_money_is_dollars_with_cents_and_a_sign() -> None:
    assert (money(1234.5), money(-5), money(0)) == ("$1,234.50", "-$5.00", "$0.00")


def test_backoff_doubles_from_five_minutes_and_is_capped() -> None:
    assert [state.backoff_minutes(n, 360) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 320, 360]
    assert state.backoff_minutes(50, 30) == 30


@pytest.mark.parametrize(("text", "scope"), [
    ("Total", "total"), ("production", "production"), ("PRD", "production"), ("qa", "staging"),
    ("category:ai/ml", "category:AI/ML"), ("CATEGORY:compute", "category:Compute"), ("all", "all"),
])
def test_scopes_are_normalized(text: str, scope: str) -> None:
    from finops_tui.config import Settings

    assert state.normalize_scope(text, Settings().environments.aliases) == scope


@pytest.mark.parametrize("text", ["prodution", "category:GPU", "unallocated", ""])
def test_unknown_scopes_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="unknown alert scope"):
        state.normalize_scope(text)


def test_redact_removes_the_url_and_its_path() -> None:
    url = "https://hooks.slack.com/services/T1/B2/secret"
    assert redact(f"failed {url} and /services/T1/B2/secret", [url]) == "failed <redacted> and <redacted>"
    token_url = "https://hooks.slack.com/services/T0FINOPS/B0ALERTS/xoxSECRETtoken4242"
    assert redact("invalid_token: xoxSECRETtoken4242", [token_url]) == "invalid_token: <redacted>"


def test_an_event_survives_its_json_round_trip() -> None:
    original = event()
    assert AlertEvent.from_json(json.loads(json.dumps(original.to_json()))) == original


def test_hard_limit_says_manual_intervention_and_forecast_is_marked() -> None:
    actual = text_message(event(level="hard_limit", key="budget:rnd:hard_limit:2026-11", pct=130.0, threshold_pct=120.0))
    forecast = headline(event(kind="forecast", key="forecast:rnd:critical:2026-11"))
    assert "Hard limit reached: manual intervention required." in actual
    assert forecast == "Critical (forecast): rnd (environment) forecast to reach 104.0 % of its monthly budget"


def test_slack_message_escapes_outside_text_and_keeps_the_header_short() -> None:
    message = slack_message(event(scope="category:<Other>", demo=True))
    header = message["blocks"][0]["text"]
    assert header["type"] == "plain_text" and len(header["text"]) <= 150
    assert header["text"].startswith("[demo data] Critical: <Other> (category)")
    body = json.dumps(message["blocks"][1:])
    assert "&lt;Other&gt;" in body and "Amazon SageMaker &lt;gpu&gt;: +$250.50" in body
    assert "<Other>" not in body and "<gpu>" not in body
    assert message["text"] == "[demo data] Critical: &lt;Other&gt; (category) at 104.0 % of its monthly budget"


def test_only_one_run_claims_a_due_event(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.db")
    with store.transaction() as conn:
        state.record(conn, event(), "pending", NOON)
    lease = timedelta(minutes=1)
    assert state.claim(store, event().key, NOON, lease, NOON) == state.Claim(True, False)
    assert state.claim(store, event().key, NOON, lease, NOON).taken is False  # a concurrent run skips it
    # A dead run's lease ends by real elapsed time (the command's clock may stand still), and the retry may be a repeat.
    assert state.claim(store, event().key, NOON, lease, NOON + timedelta(minutes=2)) == state.Claim(True, True)


def test_the_alerts_package_never_imports_textual_or_rich() -> None:
    code = "import sys, finops_tui.alerts, finops_tui.commands.alerts_cmd; print(sorted(m for m in ('textual', 'rich') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
