"""The console after its cache breaks or vanishes: old figures are marked STALE, and no empty cache is created."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_tui.store.db import open_store
from tests.tui.conftest import settle, screen_text

pytestmark = pytest.mark.reliability

SIZE = (120, 40)


def _header(app) -> str:
    return screen_text(app).splitlines()[0]


async def test_a_read_error_marks_the_figures_stale_until_a_read_succeeds(demo_cache: Path, app_for) -> None:
    store = open_store(demo_cache)
    app = app_for(store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "STALE" not in _header(app)
        good = demo_cache.read_bytes()
        demo_cache.rename(demo_cache.with_suffix(".old"))
        demo_cache.write_bytes(b"this is not a database" * 100)
        await pilot.press("r")
        await settle(pilot)
        assert "STALE" in _header(app)
        demo_cache.unlink()
        demo_cache.with_suffix(".old").rename(demo_cache)  # the cache is back
        await pilot.press("r")
        await settle(pilot)
        assert "STALE" not in _header(app)
        assert demo_cache.read_bytes()[:16] == good[:16]
    store.close()


async def test_a_cache_deleted_under_the_console_is_not_recreated(demo_cache: Path, app_for) -> None:
    store = open_store(demo_cache)
    app = app_for(store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for suffix in ("", "-wal", "-shm"):
            Path(str(demo_cache) + suffix).unlink(missing_ok=True)
        await pilot.press("r")
        await settle(pilot)
        assert "STALE" in _header(app)
        assert not demo_cache.exists()
    store.close()
    assert not demo_cache.exists()
