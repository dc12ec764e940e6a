"""SVG snapshots at 80x24, 100x30, 120x40 and 200x60, in the dark and the light console theme, with the fixed
clock and the demo cache (no live timers).

The help screen has no snapshot: its rows come from the live bindings, checked by Pilot tests instead.

Regenerate with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at every changed SVG.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((100, 30), id="100x30"),
         pytest.param((120, 40), id="120x40"), pytest.param((200, 60), id="200x60")]
THEMES = [pytest.param("finops-dark", id="dark"), pytest.param("finops-light", id="light")]


def _after(theme: str, *keys: str):
    async def run_before(pilot) -> None:
        pilot.app.theme = theme
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare, demo_store, app_for, size, theme):
    assert snap_compare(app_for(demo_store, demo=True), terminal_size=size, run_before=_after(theme))


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_drill_down_to_usage_types(snap_compare, demo_store, app_for, size, theme):
    assert snap_compare(app_for(demo_store, demo=True), terminal_size=size,
                        run_before=_after(theme, "1", "enter", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_empty_state(snap_compare, empty_store, app_for, size):
    assert snap_compare(app_for(empty_store, offline=True), terminal_size=size, run_before=_after("finops-dark"))


@pytest.mark.parametrize("theme", THEMES)
def test_spike_detail(snap_compare, demo_store, app_for, theme):
    assert snap_compare(app_for(demo_store, demo=True), terminal_size=(120, 40), run_before=_after(theme, "3", "enter"))


def test_review_screen(snap_compare, demo_store, app_for):
    """`v` on the demo cache (2026-11-26): the review of October 2026."""
    assert snap_compare(app_for(demo_store, demo=True), terminal_size=(120, 40), run_before=_after("finops-dark", "v"))


def test_approvals_screen(snap_compare, demo_store, app_for):
    """`p` on the demo cache with four approval items in different states (tests/tui/test_approvals_screen.py),
    the VP Engineering item selected: its history beside the pending items."""
    from finops_tui.config import Settings
    from tests.tui.test_approvals_screen import fill_ledger

    settings = Settings()
    fill_ledger(demo_store, settings)
    assert snap_compare(app_for(demo_store, demo=True, settings=settings), terminal_size=(120, 40),
                        run_before=_after("finops-dark", "p", "down"))
