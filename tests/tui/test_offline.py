"""A snapshot copy opened with --offline: the same figures as the source, read-only, writes refused without a crash."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from finops_tui.store.db import CostRow, open_store
from finops_tui.store.snapshot import write_snapshot
from finops_tui.tui.widgets.panes import CategoryTable, SpikeLog
from tests.helpers import read_only_bind_mount
from tests.tui.conftest import record_notifications, screen_text, settle

SIZE = (120, 40)


def _category_cells(app) -> list[list[str]]:
    table = app.screen.query_one(CategoryTable)
    return [[cell.plain for cell in table.get_row(key)] for key in table.row_keys_in_order]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_the_copy_shows_what_the_source_showed_and_refuses_acknowledge(demo_store, demo_cache, app_for, tmp_path):
    demo_store.set_meta("demo", "0")  # a real cache from a syncing host
    with demo_store.transaction() as conn:  # committed, and still only in the -wal file while the store is open
        demo_store.insert_costs(conn, [CostRow("2026-11-25", "111111111111", "AWS Lambda", "USE1-Request", "Compute",
                                               "production", "", 4789.35, 4789.35)])
    source_app = app_for(demo_store, offline=True)
    async with source_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        source_cells = _category_cells(source_app)

    out = write_snapshot(demo_cache, tmp_path / "review.db")
    before = _digest(out)
    copy = open_store(out, read_only=True)
    app = app_for(copy, offline=True)
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert _category_cells(app) == source_cells
        await pilot.press("3")
        spike = app.screen.query_one(SpikeLog).selected_spike
        assert spike is not None
        await pilot.press("a")
        await settle(pilot)
        assert seen == ["Read-only cache (--offline or a snapshot copy): acknowledging is refused; "
                        "acknowledge on the original cache."]
        assert app.is_running
    copy.close()
    assert _digest(out) == before and not Path(f"{out}-wal").exists()


async def test_a_held_lock_is_one_notification_and_the_console_carries_on(demo_store, demo_cache, app_for):
    app = app_for(demo_store, demo=True)
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        spike = app.screen.query_one(SpikeLog).selected_spike
        holder = sqlite3.connect(demo_cache, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock (readers still read: WAL)
        try:
            await pilot.press("a")
            await settle(pilot)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert seen == [f"Could not acknowledge {spike.key}: the cache is locked by another process; try again in a moment"]
        assert spike.key not in demo_store.acknowledged_keys()
        await pilot.press("r")  # the console still reads and answers keys
        await settle(pilot)
        assert app.is_running and app.screen.query_one(SpikeLog).selected_spike == spike


@pytest.fixture
def read_only_mount(tmp_path: Path, demo_cache: Path) -> Iterator[Path]:
    """The demo cache, as a real one, on a read-only bind mount (skipped where this process cannot mount)."""
    store = open_store(demo_cache)
    store.set_meta("demo", "0")  # a real cache from a syncing host
    store.close()  # checkpointed: one file, as `finops-tui snapshot` makes
    with read_only_bind_mount(demo_cache, tmp_path, "review.db") as copy:
        yield copy


async def test_a_cache_on_a_read_only_mount_opens_read_only_without_offline(read_only_mount: Path, demo_cache: Path):
    from finops_tui.commands.tui_cmd import build_console
    from finops_tui.context import build_context

    ctx = build_context(str(read_only_mount), None, "2026-11-26")
    app = build_console(ctx)  # no --offline: the location decides
    try:
        seen = record_notifications(app)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            header = screen_text(app).splitlines()[0]
            assert "READ-ONLY" in header and "STALE" not in header
            await pilot.press("3")
            assert app.screen.query_one(SpikeLog).selected_spike is not None
            await pilot.press("a")
            await settle(pilot)
            assert seen == ["Read-only cache (--offline or a snapshot copy): acknowledging is refused; "
                            "acknowledge on the original cache."]
            await pilot.press("s")  # no sync either: it would write
            await settle(pilot)
            assert seen[1:] == ["Read-only cache: a sync would write to it. Sync the original cache."]
    finally:
        ctx.close()
    assert sorted(p.name for p in read_only_mount.parent.iterdir()) == ["review.db"]
