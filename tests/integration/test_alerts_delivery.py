"""Alerts delivered to a real local HTTP server standing in for Slack: once, retried, with the right content."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from finops_tui.alerts import run_alerts, state
from finops_tui.config import Settings
from finops_tui.store.db import Store
from tests.alerts_support import ODD_SERVICE, SPIKE_KEY, At, add_rows, build_cache, flat_month, noon, quiet_settings, row, spike_rows
from tests.slack_server import SlackServer

NOV_11 = date(2026, 11, 11)  # ten complete days in November; the latest complete day is the 10th


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


@pytest.fixture
def spike_cache(tmp_path: Path) -> Store:
    return build_cache(tmp_path / "spike.db", spike_rows())


def slack_settings(slack: SlackServer, **alerts: object) -> Settings:
    return quiet_settings(slack_webhook=slack.url, **alerts)


def statuses(store: Store) -> dict[str, tuple]:
    rows = store.conn.execute("SELECT key, status, attempts, next_attempt_at, last_error FROM alert_events")
    return {key: tuple(rest) for key, *rest in rows}


def all_text(message: dict) -> str:
    """Every text of a Block Kit message, joined."""
    texts = [message["text"]]
    for block in message["blocks"]:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [field["text"] for field in block.get("fields", [])]
        texts += [element["text"] for element in block.get("elements", [])]
    return "\n".join(texts)


def test_a_spike_is_sent_exactly_once_over_repeated_runs(spike_cache: Store, slack: SlackServer) -> None:
    settings = slack_settings(slack)
    first = run_alerts(spike_cache, settings, noon(NOV_11))
    again = [run_alerts(spike_cache, settings, noon(NOV_11).later(hours=hours)) for hours in (1, 2, 30)]

    assert (first.new, first.sent, first.failed, first.pending) == (1, 1, 0, 0)
    assert [(r.new, r.sent) for r in again] == [(0, 0), (0, 0), (0, 0)]
    assert len(slack.posts) == 1
    assert statuses(spike_cache)[SPIKE_KEY][:2] == ("sent", 1)


def test_the_slack_payload_says_what_how_much_where_who_and_as_of(spike_cache: Store, slack: SlackServer) -> None:
    run_alerts(spike_cache, slack_settings(slack), noon(NOV_11))

    message = slack.posts[0].json
    assert slack.posts[0].headers["Content-Type"].startswith("application/json")
    assert [block["type"] for block in message["blocks"]][0] == "header"
    header = message["blocks"][0]["text"]["text"]
    assert header == "Spike: Compute (category) up 30.0 % on 2026-11-10"
    text = all_text(message)
    assert "$130.00" in text and "$100.00" in text and "+$30.00" in text  # the day, the day before, the increase
    assert "*Category*\nCompute" in text
    assert "VP Engineering ($900.00/month)" in text  # +$30 a day x 30 days: $500 to $5,000 -> VP Engineering
    assert "Amazon EC2: +$25.00 ($60.00 -&gt; $85.00" in text  # the top driver first
    assert "AWS Lambda &lt;fn&gt;&amp;co: +$5.00" in text  # outside text escaped for mrkdwn, shown literally
    assert "<fn>" not in text.replace(header, "")
    assert "As of 2026-11-11 (data through 2026-11-10)" in text
    assert text.index("Amazon EC2") < text.index("AWS Lambda")


@pytest.mark.parametrize(("compute_on_10th", "spiked"), [(120.0, False), (120.01, True)])
def test_exactly_twenty_percent_is_not_a_spike(tmp_path: Path, slack: SlackServer, compute_on_10th: float, spiked: bool) -> None:
    store = build_cache(tmp_path / "edge.db", spike_rows(compute_on_10th))
    result = run_alerts(store, slack_settings(slack), noon(NOV_11))

    assert result.sent == int(spiked)
    assert [post.json["blocks"][0]["text"]["text"] for post in slack.posts] == (
        ["Spike: Compute (category) up 20.0 % on 2026-11-10"] if spiked else [])


def test_a_failed_delivery_is_kept_and_retried_with_backoff(spike_cache: Store, slack: SlackServer) -> None:
    settings = slack_settings(slack)
    start = noon(NOV_11)
    slack.answer(500, 500)

    first = run_alerts(spike_cache, settings, start)
    assert (first.new, first.sent, first.failed, first.pending) == (1, 0, 1, 1)
    assert first.errors == [f"{SPIKE_KEY}: Slack webhook returned HTTP 500: internal_error"]
    assert statuses(spike_cache)[SPIKE_KEY] == ("pending", 1, "2026-11-11T12:05:00+00:00", "Slack webhook returned HTTP 500: internal_error")

    not_due = run_alerts(spike_cache, settings, start.later(minutes=4))
    assert (not_due.sent, not_due.failed, not_due.pending) == (0, 0, 1)
    assert len(slack.posts) == 1

    second = run_alerts(spike_cache, settings, start.later(minutes=6))
    assert second.failed == 1
    assert statuses(spike_cache)[SPIKE_KEY][1:3] == (2, "2026-11-11T12:16:00+00:00")  # doubled: 10 minutes

    third = run_alerts(spike_cache, settings, start.later(minutes=17))
    assert (third.sent, third.pending) == (1, 0)
    assert statuses(spike_cache)[SPIKE_KEY][:2] == ("sent", 3)
    assert len(slack.delivered) == 1 and len(slack.posts) == 3

    run_alerts(spike_cache, settings, start.later(hours=5))
    assert len(slack.posts) == 3


def test_backoff_is_capped(spike_cache: Store, slack: SlackServer) -> None:
    settings = slack_settings(slack, max_backoff_minutes=15)
    slack.answer(*[500] * 5)
    moment = noon(NOV_11)
    for _ in range(4):
        run_alerts(spike_cache, settings, moment)
        moment = moment.later(days=1)
    _, attempts, next_at, _ = statuses(spike_cache)[SPIKE_KEY]
    assert attempts == 4
    assert next_at == "2026-11-14T12:15:00+00:00"  # 5, 10, then 15 (capped), not 40


def test_a_delivery_that_times_out_is_retried(spike_cache: Store, slack: SlackServer) -> None:
    settings = slack_settings(slack, timeout_seconds=1.0)  # the server holds the request for 5 s
    slack.answer("hang")

    first = run_alerts(spike_cache, settings, noon(NOV_11))
    assert (first.failed, first.pending) == (1, 1)
    assert first.errors == [f"{SPIKE_KEY}: Slack webhook did not answer within 1 s"]
    assert slack.delivered == []

    retry = run_alerts(spike_cache, settings, noon(NOV_11).later(minutes=5))
    assert (retry.sent, retry.pending) == (1, 0)
    assert len(slack.delivered) == 1


def test_an_acknowledged_spike_is_never_sent(spike_cache: Store, slack: SlackServer) -> None:
    spike_cache.acknowledge_alert(SPIKE_KEY, "spike", "category:Compute", "2026-11", now=noon(NOV_11).now())
    result = run_alerts(spike_cache, slack_settings(slack), noon(NOV_11))

    assert (result.new, result.sent) == (0, 0)
    assert slack.posts == []
    assert statuses(spike_cache)[SPIKE_KEY][0] == "acknowledged"


def test_acknowledging_a_pending_spike_stops_its_retries(spike_cache: Store, slack: SlackServer) -> None:
    settings = slack_settings(slack)
    slack.answer(500)
    run_alerts(spike_cache, settings, noon(NOV_11))
    spike_cache.acknowledge_alert(SPIKE_KEY, "spike", "category:Compute", "2026-11", now=noon(NOV_11).now())

    later = run_alerts(spike_cache, settings, noon(NOV_11).later(hours=1))
    assert (later.sent, later.pending) == (0, 0)
    assert len(slack.posts) == 1


def test_a_snoozed_scope_is_recorded_but_not_sent(spike_cache: Store, slack: SlackServer) -> None:
    settings = slack_settings(slack)
    start = noon(NOV_11)
    state.snooze(spike_cache, "category:Compute", start.later(days=1).moment)

    result = run_alerts(spike_cache, settings, start)
    after_snooze = run_alerts(spike_cache, settings, start.later(days=2))

    assert (result.new, result.sent, result.suppressed) == (1, 0, 1)
    assert after_snooze.sent == 0  # an event that happened while snoozed stays silent
    assert slack.posts == []
    assert statuses(spike_cache)[SPIKE_KEY][0] == "snoozed"


def test_snoozing_another_scope_does_not_silence_this_one(spike_cache: Store, slack: SlackServer) -> None:
    state.snooze(spike_cache, "production", noon(NOV_11).later(days=1).moment)
    assert run_alerts(spike_cache, slack_settings(slack), noon(NOV_11)).sent == 1


def test_snoozing_all_silences_a_pending_retry(spike_cache: Store, slack: SlackServer) -> None:
    settings = slack_settings(slack)
    slack.answer(500)
    run_alerts(spike_cache, settings, noon(NOV_11))
    state.snooze(spike_cache, "all", noon(NOV_11).later(days=1).moment)

    result = run_alerts(spike_cache, settings, noon(NOV_11).later(hours=1))
    assert (result.sent, result.suppressed, result.pending) == (0, 1, 0)
    assert len(slack.posts) == 1


def test_dry_run_sends_nothing_and_records_nothing(spike_cache: Store, slack: SlackServer) -> None:
    out = io.StringIO()
    result = run_alerts(spike_cache, slack_settings(slack), noon(NOV_11), dry_run=True, out=out)

    assert (result.new, result.sent, result.dry_run) == (1, 1, True)
    assert slack.posts == []
    assert statuses(spike_cache) == {}
    printed = out.getvalue()
    assert "Dry run: would send to Slack webhook (new):" in printed
    assert "Spike: Compute (category) up 30.0 % on 2026-11-10" in printed
    assert slack.url not in printed
    assert run_alerts(spike_cache, slack_settings(slack), noon(NOV_11)).sent == 1  # nothing was recorded


def test_dry_run_lists_a_due_retry(spike_cache: Store, slack: SlackServer) -> None:
    settings = slack_settings(slack)
    slack.answer(500)
    run_alerts(spike_cache, settings, noon(NOV_11))
    out = io.StringIO()
    run_alerts(spike_cache, settings, noon(NOV_11).later(minutes=10), dry_run=True, out=out)

    assert "(retry after 1 failed attempt(s))" in out.getvalue()
    assert statuses(spike_cache)[SPIKE_KEY][:2] == ("pending", 1)
    assert len(slack.posts) == 1


def test_stdout_is_the_channel_when_no_webhook_is_configured(spike_cache: Store) -> None:
    out = io.StringIO()
    result = run_alerts(spike_cache, Settings(), noon(NOV_11), out=out)
    again = io.StringIO()
    run_alerts(spike_cache, Settings(), noon(NOV_11), out=again)

    assert result.sent == 1
    assert "[finops-tui] Spike: Compute (category) up 30.0 % on 2026-11-10" in out.getvalue()
    assert "AWS Lambda <fn>&co: +$5.00" in out.getvalue()  # plain text: shown as typed
    assert again.getvalue() == ""


def test_the_json_webhook_gets_the_event_and_a_retry_goes_only_where_it_failed(spike_cache: Store, slack: SlackServer) -> None:
    with SlackServer() as hook:
        settings = slack_settings(slack, webhook_url=hook.url)
        slack.answer(500)
        first = run_alerts(spike_cache, settings, noon(NOV_11))
        retry = run_alerts(spike_cache, settings, noon(NOV_11).later(minutes=6))

        assert (first.failed, retry.sent) == (1, 1)
        assert len(hook.posts) == 1 and len(slack.delivered) == 1
        body = hook.posts[0].json
    assert (body["key"], body["kind"], body["scope"], body["level"]) == (SPIKE_KEY, "spike", "category:Compute", "spike")
    assert (body["amount"], body["reference"], body["pct"]) == (130.0, 100.0, 30.0)
    assert (body["approval"], body["approver"], body["as_of"]) == ("vp_engineering", "VP Engineering", "2026-11-11")
    assert body["drivers"][0] == {"service": "Amazon EC2", "before": 60.0, "after": 85.0}
    assert body["drivers"][1]["service"] == ODD_SERVICE  # JSON carries the name as it is


# -- budget levels ------------------------------------------------------------

def budget_settings(slack: SlackServer, *, on_forecast: bool = False) -> Settings:
    settings = slack_settings(slack, on_forecast=on_forecast)
    settings.budget.monthly_total = 1000.0  # production 700, staging 150, development 100, rnd 50
    return settings


@pytest.mark.parametrize(("last_day", "expected"), [(56.0, ["budget:production:warning:2026-11"]), (55.99, [])])
def test_exactly_eighty_percent_fires_a_warning(tmp_path: Path, slack: SlackServer, last_day: float, expected: list[str]) -> None:
    rows = flat_month(date(2026, 11, 1), 9, 56.0) + [row(date(2026, 11, 10), last_day)]  # 560.00 = 80 % of 700
    store = build_cache(tmp_path / "budget.db", rows)
    run_alerts(store, budget_settings(slack), noon(NOV_11))

    assert sorted(statuses(store)) == expected
    assert [post.json["blocks"][0]["text"]["text"] for post in slack.posts] == (
        ["Warning: production (environment) at 80.0 % of its monthly budget"] if expected else [])


def test_only_the_highest_newly_crossed_level_is_sent(tmp_path: Path, slack: SlackServer) -> None:
    store = build_cache(tmp_path / "budget.db", flat_month(date(2026, 11, 1), 10, 87.5))  # 875 = 125 % of 700
    settings = budget_settings(slack)
    first = run_alerts(store, settings, noon(NOV_11))
    run_alerts(store, settings, noon(NOV_11).later(hours=3))

    # production jumped straight to hard limit (one message, not three); the total (875 of 1,000) is at warning.
    assert sorted(statuses(store)) == ["budget:production:hard_limit:2026-11", "budget:total:warning:2026-11"]
    assert first.sent == 2 and len(slack.posts) == 2
    text = next(all_text(post.json) for post in slack.posts if "production" in post.json["text"])
    assert "Hard limit: production (environment) at 125.0 % of its monthly budget" in text
    assert "manual intervention required" in text
    assert "$875.00" in text and "$700.00" in text
    # Approval is on the projected overrun, not the month to date: forecast 875 + 87.50 x 20 remaining days
    # = 2,625.00, minus the 700 budget = 1,925.00 -> VP Engineering.
    assert "$875.00/month" not in text
    assert "VP Engineering (projected overrun $1,925.00)" in text


def test_a_higher_level_later_in_the_month_fires_but_a_lower_one_never_again(tmp_path: Path, slack: SlackServer) -> None:
    store = build_cache(tmp_path / "budget.db", flat_month(date(2026, 11, 1), 10, 58.0))  # 580 = 82.9 %: warning
    settings = budget_settings(slack)
    run_alerts(store, settings, noon(NOV_11))
    add_rows(store, [row(date(2026, 11, 11), 62.0), row(date(2026, 11, 12), 62.0)])  # 704 = 100.6 %: critical on the 13th
    run_alerts(store, settings, noon(date(2026, 11, 12)))
    run_alerts(store, settings, noon(date(2026, 11, 13)))
    run_alerts(store, settings, noon(date(2026, 11, 14)))

    assert sorted(statuses(store)) == ["budget:production:critical:2026-11", "budget:production:warning:2026-11"]
    assert [post.json["blocks"][0]["text"]["text"].split(":")[0] for post in slack.posts] == ["Warning", "Critical"]


def test_thresholds_re_arm_at_a_new_month(tmp_path: Path, slack: SlackServer) -> None:
    rows = flat_month(date(2026, 11, 1), 10, 56.0) + flat_month(date(2026, 12, 1), 10, 56.0)
    store = build_cache(tmp_path / "budget.db", rows)
    settings = budget_settings(slack)
    run_alerts(store, settings, noon(NOV_11))
    run_alerts(store, settings, noon(date(2026, 12, 11)))

    assert sorted(statuses(store)) == ["budget:production:warning:2026-11", "budget:production:warning:2026-12"]
    assert len(slack.posts) == 2


def test_forecast_crossings_are_sent_marked_as_forecast(tmp_path: Path, slack: SlackServer) -> None:
    store = build_cache(tmp_path / "budget.db", flat_month(date(2026, 11, 1), 10, 50.0))  # 500 mtd; forecast 1,500
    run_alerts(store, budget_settings(slack, on_forecast=True), noon(NOV_11))

    # Actual spend is below every level (71.4 % and 50 %); the forecast crosses them.
    assert sorted(statuses(store)) == ["forecast:production:hard_limit:2026-11", "forecast:total:hard_limit:2026-11"]
    headers = sorted(post.json["blocks"][0]["text"]["text"] for post in slack.posts)
    assert headers == [
        "Hard limit (forecast): Total spend forecast to reach 150.0 % of its monthly budget",
        "Hard limit (forecast): production (environment) forecast to reach 214.3 % of its monthly budget",
    ]
    production = next(all_text(p.json) for p in slack.posts if "production" in p.json["text"])
    assert "Forecast end-of-month spend for production (environment) in 2026-11 is $1,500.00" in production


def test_no_forecast_alerts_when_switched_off(tmp_path: Path, slack: SlackServer) -> None:
    store = build_cache(tmp_path / "budget.db", flat_month(date(2026, 11, 1), 10, 50.0))
    run_alerts(store, budget_settings(slack, on_forecast=False), noon(NOV_11))
    assert slack.posts == []


def test_a_budget_alert_names_the_services_that_grew(tmp_path: Path, slack: SlackServer) -> None:
    october = flat_month(date(2026, 10, 1), 10, 20.0, service="Amazon EC2") + flat_month(date(2026, 10, 1), 10, 36.0, service="Amazon EKS")
    november = flat_month(date(2026, 11, 1), 10, 40.0, service="Amazon EC2") + flat_month(date(2026, 11, 1), 10, 16.0, service="Amazon EKS")
    store = build_cache(tmp_path / "budget.db", october + november)
    run_alerts(store, budget_settings(slack), noon(NOV_11))

    text = all_text(slack.posts[0].json)
    assert "Amazon EC2: +$200.00 ($200.00 -&gt; $400.00, vs the same complete days last month)" in text
    assert "Amazon EKS" not in text  # it shrank: not a driver


def test_a_naive_clock_is_read_as_utc(spike_cache: Store, slack: SlackServer) -> None:
    """A naive clock is read as UTC, so next_attempt_at compares with stored times."""
    from datetime import datetime

    slack.answer(500)
    run_alerts(spike_cache, slack_settings(slack), At(datetime(2026, 11, 11, 9, 30)))
    assert statuses(spike_cache)[SPIKE_KEY][2] == "2026-11-11T09:35:00+00:00"


def test_without_stdout_and_webhooks_events_wait_for_a_run_that_can_deliver(spike_cache: Store) -> None:
    """The console passes out=None: it records events but cannot print them; `alerts run` delivers them later."""
    from_console = run_alerts(spike_cache, Settings(), noon(NOV_11), out=None)
    assert (from_console.new, from_console.sent, from_console.pending) == (1, 0, 1)
    assert statuses(spike_cache)[SPIKE_KEY][:2] == ("pending", 0)

    out = io.StringIO()
    from_cron = run_alerts(spike_cache, Settings(), noon(NOV_11), out=out)
    assert (from_cron.new, from_cron.sent, from_cron.pending) == (0, 1, 0)
    assert "Spike: Compute (category) up 30.0 % on 2026-11-10" in out.getvalue()


def test_a_channel_that_failed_is_not_tried_again_in_the_same_run(tmp_path: Path, slack: SlackServer) -> None:
    store = build_cache(tmp_path / "two.db", spike_rows(compute_on_10th=160.0))  # total +30 % and Compute +60 %
    settings = slack_settings(slack)
    slack.answer(500)
    first = run_alerts(store, settings, noon(NOV_11))

    assert (first.new, first.failed, first.pending) == (2, 2, 2)
    assert len(slack.posts) == 1  # one try in this run, not one per event
    assert {row[3] for row in statuses(store).values()} == {"Slack webhook returned HTTP 500: internal_error"}

    retry = run_alerts(store, settings, noon(NOV_11).later(minutes=5))
    assert (retry.sent, retry.pending) == (2, 0)
    assert sorted(post.json["text"] for post in slack.delivered) == [
        "Spike: Compute (category) up 60.0 % on 2026-11-10", "Spike: Total spend up 30.0 % on 2026-11-10"]


def test_a_forecast_alert_a_later_day_no_longer_supports_is_followed_by_one_all_clear(tmp_path: Path, slack: SlackServer) -> None:
    # production budget 700. Nov 1-3: 50 a day -> forecast 150 + 50 x 27 = 1,500 (214 %): a hard-limit forecast.
    store = build_cache(tmp_path / "budget.db", flat_month(date(2026, 11, 1), 3, 50.0))
    settings = budget_settings(slack, on_forecast=True)
    run_alerts(store, settings, noon(date(2026, 11, 4)))
    assert "forecast:production:hard_limit:2026-11" in statuses(store)

    # Nov 4-10 are quiet (1 a day): on the 11th the window Nov 4..10 runs at 1 a day:
    # 150 + 7 = 157 through the 10th, + 1 x 20 = 177 forecast (25.3 % of 700): the forecast no longer supports it.
    add_rows(store, flat_month(date(2026, 11, 4), 7, 1.0))
    posts_before = len(slack.posts)
    run_alerts(store, settings, noon(NOV_11))
    run_alerts(store, settings, noon(NOV_11).later(hours=2))  # once

    clears = [post.json for post in slack.posts[posts_before:] if post.json["text"].startswith("All clear")]
    assert sorted(message["text"] for message in clears) == [  # the total's forecast (1,500 of 1,000) cleared too
        "All clear (forecast): Total spend no longer forecast to reach hard limit",
        "All clear (forecast): production (environment) no longer forecast to reach hard limit"]
    text = next(all_text(message) for message in clears if "production" in message["text"])
    assert "is now $177.00: 25.3 % of the $700.00 monthly budget" in text
    assert "*Approval*\nnone" in text
    assert statuses(store)["forecast_clear:production:hard_limit:2026-11"][0] == "sent"


def test_a_budget_alert_without_an_overrun_names_no_approver(tmp_path: Path, slack: SlackServer) -> None:
    # production (budget 700): 546 on Nov 1, then 2 a day on Nov 2-10: 564 month to date (80.6 %, a warning).
    # Forecast: 564 + 2 a day (Nov 4..10) x 20 remaining = 604, inside the budget: nothing to approve.
    store = build_cache(tmp_path / "budget.db", [row(date(2026, 11, 1), 546.0)] + flat_month(date(2026, 11, 2), 9, 2.0))
    run_alerts(store, budget_settings(slack), noon(NOV_11))
    assert [post.json["text"] for post in slack.posts] == ["Warning: production (environment) at 80.6 % of its monthly budget"]
    text = all_text(slack.posts[0].json)
    assert "*Approval*\nnone: no projected overrun" in text
    assert "Team Lead" not in text and "VP Engineering" not in text and "CTO/CFO" not in text
