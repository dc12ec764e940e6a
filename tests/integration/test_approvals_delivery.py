"""Approval items from alerts, and their posts to a real local HTTP server per tier: exactly once each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from finops_tui.settings_schema import Secret

from finops_tui.alerts import run_alerts
from finops_tui.approvals.ledger import decide, load_items, propose
from finops_tui.config import Settings
from finops_tui.store.db import Store
from tests.alerts_support import SPIKE_KEY, build_cache, noon, quiet_settings, spike_rows
from tests.slack_server import SlackServer

NOV_11 = date(2026, 11, 11)  # the latest complete day is the 10th: Compute 100 -> 130


@pytest.fixture
def spike_cache(tmp_path: Path) -> Store:
    return build_cache(tmp_path / "spike.db", spike_rows())


@pytest.fixture
def tiers() -> Iterator[dict[str, SlackServer]]:
    with SlackServer() as lead, SlackServer() as vp, SlackServer() as cto, SlackServer() as alerts:
        yield {"team_lead": lead, "vp_engineering": vp, "cto_cfo": cto, "alerts": alerts}


def tier_settings(tiers: dict[str, SlackServer]) -> Settings:
    settings = quiet_settings(slack_webhook=tiers["alerts"].url)
    for tier in ("team_lead", "vp_engineering", "cto_cfo"):
        setattr(settings.approvals.channels, tier, Secret(tiers[tier].url))
    settings.approvals.approvers.vp_engineering = ["victor"]
    return settings


def headers(server: SlackServer) -> list[str]:
    return [post.json["blocks"][0]["text"]["text"] for post in server.posts]


def test_one_item_per_event_key_across_repeated_alert_runs(spike_cache: Store, tiers: dict[str, SlackServer]) -> None:
    settings = tier_settings(tiers)
    first = run_alerts(spike_cache, settings, noon(NOV_11))
    again = [run_alerts(spike_cache, settings, noon(NOV_11).later(hours=hours)) for hours in (1, 5, 26)]

    assert first.approvals_opened == 1 and [run.approvals_opened for run in again] == [0, 0, 0]
    found = load_items(spike_cache.conn)
    assert len(found) == 1
    item = found[0]
    # +$30 a day over the 10th's 30-day month: $900 a month -> VP Engineering, an increase in Compute.
    assert (item.origin, item.origin_key, item.monthly_amount, item.tier, item.direction, item.scope, item.state) == (
        "alert", SPIKE_KEY, 900.0, "vp_engineering", "increase", "category:Compute", "pending")
    assert headers(tiers["vp_engineering"]) == [f"Approval needed: #1 {item.title}"]
    assert tiers["team_lead"].posts == [] and tiers["cto_cfo"].posts == []
    assert len(tiers["alerts"].posts) == 1  # the alert itself, once


def test_each_decision_is_posted_once_to_the_tier_channel(spike_cache: Store, tiers: dict[str, SlackServer]) -> None:
    settings = tier_settings(tiers)
    moment = noon(NOV_11)
    small = propose(spike_cache, settings, title="Log retention <30d> & more", amount=499.99, direction="saving",
                    scope="category:Storage", now=moment.now(), today=moment.today)
    big = propose(spike_cache, settings, title="GPU cluster", amount=5_000.01, direction="increase", scope="",
                  now=moment.now(), today=moment.today)
    run_alerts(spike_cache, settings, moment)  # posts the two new items (and opens and posts the spike's)
    settings.approvals.approvers.team_lead = ["tina"]
    decide(spike_cache, settings, small.id, "approve", by="tina", note="ok", now=moment.now(), today=moment.today)
    for hours in (1, 2):
        run_alerts(spike_cache, settings, moment.later(hours=hours))

    assert headers(tiers["team_lead"]) == ["Approval needed: #1 Log retention <30d> & more",
                                           "Approved: #1 Log retention <30d> & more"]
    assert headers(tiers["cto_cfo"]) == ["Approval needed: #2 GPU cluster"]
    assert len(tiers["vp_engineering"].posts) == 1  # the spike's item
    approved = tiers["team_lead"].posts[1].json
    text = "\n".join(block["text"]["text"] for block in approved["blocks"][1:2])
    assert "Log retention &lt;30d&gt; &amp; more" in approved["text"]  # outside text escaped for mrkdwn
    assert "$499.99/month expected saving" in text and "Approved on 2026-11-11 by tina." in text and "Note: ok" in text


def test_a_failed_post_is_retried_only_where_it_failed_and_never_leaks_the_url(spike_cache: Store,
                                                                              tiers: dict[str, SlackServer]) -> None:
    settings = tier_settings(tiers)
    tiers["vp_engineering"].answer(500)
    first = run_alerts(spike_cache, settings, noon(NOV_11))
    assert first.approval_failed == 1 and not first.ok
    assert first.errors == ["approval #1 (opened): Slack webhook for vp_engineering returned HTTP 500: internal_error"]
    assert tiers["vp_engineering"].delivered == []
    too_soon = run_alerts(spike_cache, settings, noon(NOV_11).later(minutes=1))
    retried = run_alerts(spike_cache, settings, noon(NOV_11).later(minutes=6))  # first retry after 5 minutes
    assert (too_soon.approval_posts, retried.approval_posts) == (0, 1)
    assert len(tiers["vp_engineering"].delivered) == 1 and len(tiers["alerts"].posts) == 1


def test_without_tier_channels_the_alert_announces_the_item_and_decisions_follow(spike_cache: Store) -> None:
    with SlackServer() as slack:
        settings = quiet_settings(slack_webhook=slack.url)
        settings.approvals.approvers.vp_engineering = ["victor"]
        run_alerts(spike_cache, settings, noon(NOV_11))
        assert len(slack.posts) == 1 and slack.posts[0].json["text"].startswith("Spike: Compute (category)")
        item = load_items(spike_cache.conn)[0]
        decide(spike_cache, settings, item.id, "reject", by="Victor", note="expected: batch backfill",
               now=noon(NOV_11).now(), today=NOV_11)
        run_alerts(spike_cache, settings, noon(NOV_11).later(hours=1))
        run_alerts(spike_cache, settings, noon(NOV_11).later(hours=2))
        assert len(slack.posts) == 2
        assert slack.posts[1].json["text"].startswith("Rejected: #1 Spike: Compute (category) up 30.0 %")


def test_a_post_whose_run_died_mid_send_is_sent_again_marked_a_possible_repeat(spike_cache: Store,
                                                                             tiers: dict[str, SlackServer]) -> None:
    from finops_tui.store.approvals import claim_post

    settings = tier_settings(tiers)
    moment = noon(NOV_11)
    item = propose(spike_cache, settings, title="GPU cluster", amount=5_000.01, direction="increase", scope="",
                   now=moment.now(), today=moment.today)
    opened = item.history[0].id
    # A run claimed the post, sent it and was killed before marking it: its lease ran out long ago.
    with spike_cache.transaction() as write:
        assert claim_post(write, opened, "2000-01-01T00:00:00+00:00", "2000-01-01T00:05:00+00:00") == (True, False)
    run_alerts(spike_cache, settings, moment)
    run_alerts(spike_cache, settings, moment.later(hours=1))

    assert len(tiers["cto_cfo"].posts) == 1  # sent again once, then marked
    post = tiers["cto_cfo"].posts[0].json
    assert post["text"].startswith("(possible repeat) ")
    assert post["blocks"][0] == {"type": "context", "elements": [{"type": "mrkdwn", "text": (
        "Possible repeat: an earlier delivery of this alert was interrupted and may have arrived.")}]}
    assert post["blocks"][1]["text"]["text"] == "Approval needed: #1 GPU cluster"
    assert headers(tiers["vp_engineering"]) == ["Approval needed: #2 " + load_items(spike_cache.conn)[1].title]
