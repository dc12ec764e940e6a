"""`s` and the automatic sync against a real moto server: figures appear; a failure warns and keeps them."""

from __future__ import annotations

import asyncio

from finops_tui.config import parse_settings
from finops_tui.tui.messages import SyncFailed, SyncFinished
from finops_tui.tui.widgets.panes import CategoryTable
from tests.integration.conftest import MotoServer, moto, moto_server  # noqa: F401 - fixtures
from tests.integration.test_sync_costs import queue_first_run
from tests.tui.conftest import record_notices, settle, screen_text

SIZE = (120, 40)


def waiter(kind: type) -> tuple[asyncio.Event, object]:
    seen = asyncio.Event()

    def hook(message) -> None:
        if isinstance(message, kind):
            seen.set()

    return seen, hook


async def test_s_syncs_an_empty_cache_and_the_panes_fill(moto: MotoServer, empty_store, app_for):
    queue_first_run(moto)
    finished, hook = waiter(SyncFinished)
    app = app_for(empty_store, offline=False)
    notices = record_notices(app)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        assert "No cost data in this cache yet" in screen_text(app)
        await pilot.press("s")
        await asyncio.wait_for(finished.wait(), timeout=120)
        await settle(pilot)
        text = screen_text(app)
        assert "No cost data in this cache yet" not in text
        assert "1 Category spend" in text
        assert any(note.message.startswith("Sync finished:") for note in notices)
        assert f"CE {app.snapshot.ce_requests_month} req" in text and app.snapshot.ce_requests_month > 0
        assert "STALE" not in text
        compute = app.screen.query_one(CategoryTable).get_cell("Compute", "mtd").plain
        assert compute != "$0.00"


async def test_a_failed_sync_warns_and_keeps_the_figures(moto: MotoServer, demo_store, app_for):
    moto.fail("GetCostAndUsage", status=400, code="AccessDeniedException")
    demo_store.set_meta("demo", "0")  # a real cache, synced six hours ago
    failed, hook = waiter(SyncFailed)
    app = app_for(demo_store, offline=False)
    notices = record_notices(app)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        before = app.screen.query_one(CategoryTable).get_cell("Compute", "mtd").plain
        assert "STALE" not in screen_text(app)
        await pilot.press("s")
        await asyncio.wait_for(failed.wait(), timeout=120)
        await settle(pilot)
        assert app.sync_failed and not app.syncing
        failure = next(note for note in notices if note.title == "Sync failed")
        assert "\n" not in failure.message and "Traceback" not in failure.message
        text = screen_text(app)
        assert "STALE" in text
        assert f"STALE: last sync failed: {failure.message}"[:100] in text.replace("\n", "")
        assert app.screen.query_one(CategoryTable).get_cell("Compute", "mtd").plain == before


async def test_the_console_syncs_by_itself_when_aws_is_configured(moto: MotoServer, empty_store, app_for):
    queue_first_run(moto)
    finished, hook = waiter(SyncFinished)
    settings = parse_settings({"sync": {"interval_minutes": 600}})
    app = app_for(empty_store, offline=False, auto_sync=True, settings=settings)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        # Never synced: the first automatic run starts at once, without a key press.
        await asyncio.wait_for(finished.wait(), timeout=120)
        await settle(pilot)
        assert app.snapshot.has_data
        assert "1 Category spend" in screen_text(app)


async def test_a_console_sync_delivers_a_new_spike_to_slack(moto: MotoServer, empty_store, app_for):
    from tests.integration.test_after_data_alerts import _queue_spike
    from tests.slack_server import SlackServer

    _queue_spike(moto)
    finished, hook = waiter(SyncFinished)
    with SlackServer() as slack:
        settings = parse_settings({"alerts": {"slack_webhook": slack.url}})
        app = app_for(empty_store, offline=False, settings=settings)
        notices = record_notices(app)
        async with app.run_test(size=SIZE, message_hook=hook) as pilot:
            await settle(pilot)
            await pilot.press("s")
            await asyncio.wait_for(finished.wait(), timeout=120)
            await settle(pilot)
            assert any("Alerts sent: 2." in note.message for note in notices)
            assert "2026-11-25" in screen_text(app)  # the spike is in the spike log
        assert len(slack.delivered) == 2
        assert all(slack.url not in note.message for note in notices)
