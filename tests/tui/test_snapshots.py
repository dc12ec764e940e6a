"""SVG snapshots at 120x40 and 80x24 with the fixed clock and the demo cache (no live timers).

Regenerate with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at every changed SVG.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import settle

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


async def _settled(pilot) -> None:
    await settle(pilot)


def _after(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare, demo_store, app_for, size):
    assert snap_compare(app_for(demo_store, demo=True), terminal_size=size, run_before=_after())


@pytest.mark.parametrize("size", SIZES)
def test_drill_down_to_usage_types(snap_compare, demo_store, app_for, size):
    assert snap_compare(app_for(demo_store, demo=True), terminal_size=size, run_before=_after("1", "enter", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, demo_store, app_for, size):
    assert snap_compare(app_for(demo_store, demo=True), terminal_size=size, run_before=_after("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_empty_state(snap_compare, empty_store, app_for, size):
    assert snap_compare(app_for(empty_store, offline=True), terminal_size=size, run_before=_after())


def test_review_screen(snap_compare, demo_store, app_for):
    """`v` on the demo cache (2026-11-26): the review of October 2026."""
    assert snap_compare(app_for(demo_store, demo=True), terminal_size=(120, 40), run_before=_after("v"))
