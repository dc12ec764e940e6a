"""The UI thread never touches SQLite: every read and write of the cache runs on another thread (#13)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from finops_tui.store.db import Store, open_store
from finops_tui.tui.screens.drilldown import ServicesScreen, UsageScreen
from finops_tui.tui.screens.spike import SpikeScreen
from tests.tui.conftest import settle

SIZE = (120, 40)


class WatchedStore(Store):
    """The cache, noting each thread that asks for a connection while ``watching`` is set."""

    watching = False
    threads: list[str]

    @property
    def conn(self) -> sqlite3.Connection:
        if self.watching:
            self.threads.append(threading.current_thread().name)
        return super().conn


def _watched(path: Path) -> WatchedStore:
    open_store(path).close()  # migrated and ready, as the CLI leaves it
    store = WatchedStore(path)
    store.threads = []
    store.mark_ready()
    return store


async def test_start_refresh_drill_down_and_acknowledge_never_touch_sqlite_on_the_ui_thread(demo_cache, app_for):
    store = _watched(demo_cache)
    ui_thread = threading.current_thread().name  # Pilot runs the app's event loop on this thread
    store.watching = True
    app = app_for(store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.loads == 1  # the first read is on screen
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ServicesScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UsageScreen)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("escape", "escape", "3", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SpikeScreen)
        await pilot.press("a")  # acknowledge: a write
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    store.watching = False
    assert store.threads, "the console read the cache"
    assert ui_thread not in store.threads, f"SQLite used on the UI thread: {store.threads.count(ui_thread)} times"
    assert store.acknowledged_keys()  # the write landed
    store.close()
