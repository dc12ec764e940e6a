"""Freshness explained: why STALE, the next refresh and sync, no credentials as its own state, `r` confirms;
and every screen stays live (a drill-down re-reads on the refresh timer, keeps its cursor and the header)."""

from __future__ import annotations

import asyncio

import pytest

from finops_tui.config import parse_settings
from finops_tui.store.db import CostRow
from finops_tui.tui.screens.drilldown import ServiceTable, ServicesScreen
from finops_tui.tui.screens.live import ViewRead
from tests.tui.conftest import record_notifications, screen_text, settle

SIZE = (120, 40)


def header(app) -> str:
    return " ".join(screen_text(app).splitlines()[:3])  # the header, however it wraps


async def test_a_drill_down_re_reads_on_the_timer_keeps_its_cursor_and_the_header(demo_store, app_for):
    read = asyncio.Event()

    def hook(message) -> None:
        if isinstance(message, ViewRead):
            read.set()

    app = app_for(demo_store, demo=True, refresh_seconds=0.3)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        await pilot.press("1", "enter")  # Compute, the largest category
        await settle(pilot)
        assert isinstance(app.screen, ServicesScreen) and app.screen.category == "Compute"
        table = app.screen.query_one(ServiceTable)
        await pilot.press("j")
        selected = table.selected_key
        lambda_before = next((table.get_cell(key, "mtd").plain for key in table.row_keys_in_order if key == "AWS Lambda"),
                             "$0.00")
        before = float(lambda_before.replace("$", "").replace(",", ""))
        # A cron sync elsewhere writes $4,789.35 of Lambda for today while the drill-down is open.
        with demo_store.transaction() as conn:
            demo_store.insert_costs(conn, [CostRow("2026-11-26", "111111111111", "AWS Lambda", "USE1-Request",
                                                   "Compute", "production", "", 4789.35, 4789.35)])
        expected = f"${before + 4789.35:,.2f}"
        for _ in range(50):  # each timer tick re-reads; wait for the one after the write
            read.clear()
            await asyncio.wait_for(read.wait(), timeout=30)
            await pilot.pause()
            if table.get_cell("AWS Lambda", "mtd").plain == expected:
                break
        assert table.get_cell("AWS Lambda", "mtd").plain == expected
        assert table.selected_key == selected
        text = screen_text(app)
        assert "DEMO" in text.splitlines()[0] and "Category spend › Compute" in text


async def test_the_header_says_when_the_next_refresh_comes(demo_store, app_for):
    app = app_for(demo_store, demo=True, refresh_seconds=45)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The fixed clock says noon UTC; the refresh timer is 45 s after the read.
        assert "next refresh 12:00:45 UTC · demo: no sync" in header(app)


async def test_stale_says_why(demo_store, empty_store, app_for):
    demo_store.set_meta("demo", "0")  # a real cache whose last good sync was six hours before the fixed noon
    app = app_for(demo_store, settings=parse_settings({"sync": {"interval_minutes": 60}}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = header(app)
        assert "STALE" in text.splitlines()[0]
        assert "STALE: last good sync 6h00m ago, older than 2h00m (2 sync intervals)" in text
    never = app_for(empty_store)
    async with never.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "STALE: never synced" in header(never)


async def test_no_credentials_is_its_own_state_not_offline(demo_store, app_for, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    demo_store.set_meta("demo", "0")
    app = app_for(demo_store, offline=False, auto_sync=True)
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = header(app)
        assert "no AWS credentials: sync disabled" in text
        assert "OFFLINE" not in text
        await pilot.press("s")
        assert seen[-1].startswith("No AWS credentials on this host: sync disabled.")


async def test_r_confirms_it_reloaded(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        last_sync = app.snapshot.freshness.last_sync
        await pilot.press("r")
        await settle(pilot)
        assert seen == [f"Reloaded: as of 2026-11-26, last sync {last_sync}."]
