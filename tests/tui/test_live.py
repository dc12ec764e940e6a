"""Live behaviour: the cache re-read on a timer, and a failed sync keeping the last good figures."""

from __future__ import annotations

import asyncio

from finops_tui.store.db import CostRow
from finops_tui.tui.messages import SnapshotLoaded, SyncFailed
from finops_tui.tui.widgets.panes import CategoryTable
from tests.tui.conftest import settle, screen_text

SIZE = (120, 40)


def compute_mtd_cell(app) -> str:
    table = app.screen.query_one(CategoryTable)
    return table.get_cell("Compute", "mtd").plain


async def test_a_write_to_the_cache_appears_by_itself(demo_store, app_for):
    loaded = asyncio.Event()

    def hook(message) -> None:
        if isinstance(message, SnapshotLoaded):
            loaded.set()

    app = app_for(demo_store, demo=True, refresh_seconds=0.2)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        before = compute_mtd_cell(app)
        mtd_before = next(line.mtd for line in app.snapshot.categories if line.name == "Compute")
        # Another process (a cron sync) writes to the cache while the console runs.
        with demo_store.transaction() as conn:
            demo_store.insert_costs(conn, [CostRow("2026-11-26", "111111111111", "AWS Lambda", "USE1-Request",
                                                   "Compute", "production", "", 1000.0, 1000.0)])
        loaded.clear()
        await asyncio.wait_for(loaded.wait(), timeout=30)  # the timer fires and the worker posts a fresh snapshot
        await pilot.pause()
        after = compute_mtd_cell(app)
        assert after != before
        assert after == f"${mtd_before + 1000:,.2f}"
        assert f"${mtd_before + 1000:,.2f}" in screen_text(app)


async def test_a_failed_sync_warns_and_keeps_the_figures(demo_store, app_for, monkeypatch):
    # Nothing listens on port 9: any AWS call fails at once; the console must say so and keep its numbers.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    demo_store.set_meta("demo", "0")
    failed = asyncio.Event()

    def hook(message) -> None:
        if isinstance(message, SyncFailed):
            failed.set()

    app = app_for(demo_store, demo=False, offline=False)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        before = compute_mtd_cell(app)
        assert "STALE" not in screen_text(app)
        await pilot.press("s")
        await asyncio.wait_for(failed.wait(), timeout=120)
        await settle(pilot)
        assert app.sync_failed and not app.syncing
        assert any(note.title == "Sync failed" for note in app._notifications)
        text = screen_text(app)
        assert "STALE" in text
        assert compute_mtd_cell(app) == before
