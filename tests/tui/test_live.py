"""Live behaviour: the cache is re-read on a timer, so a sync run elsewhere appears by itself."""

from __future__ import annotations

import asyncio

from finops_tui.store.db import CostRow
from finops_tui.tui.messages import SnapshotLoaded
from finops_tui.tui.widgets.panes import CategoryTable
from tests.tui.conftest import record_notices, settle, screen_text

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
        expected = f"${mtd_before + 1000:,.2f}"

        async def until_a_read_after_the_write_is_shown() -> None:
            # The timer fires and the worker posts a fresh snapshot; one read may have started before the commit.
            while True:
                loaded.clear()
                await loaded.wait()
                await pilot.pause()
                if compute_mtd_cell(app) == expected:
                    return

        await asyncio.wait_for(until_a_read_after_the_write_is_shown(), timeout=30)
        assert compute_mtd_cell(app) != before
        assert expected in screen_text(app)


async def test_an_unreadable_cache_is_reported_once_and_the_figures_stay(demo_cache, app_for):
    from finops_tui.store.db import open_store

    store = open_store(demo_cache)
    app = app_for(store, demo=True)
    notices = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = compute_mtd_cell(app)
        # Someone copies a broken file over the cache while the console runs.
        demo_cache.rename(demo_cache.with_suffix(".old"))
        demo_cache.write_bytes(b"this is not a database" * 100)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        errors = [note for note in notices if note.title == "Cache"]
        assert len(errors) == 1 and errors[0].message.startswith("Could not read the cache")
        assert compute_mtd_cell(app) == before
    store.close()
