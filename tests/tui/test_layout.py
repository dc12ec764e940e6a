"""Layout at every width: no table scrolls sideways; names give way with an ellipsis, amounts never (#13 item 6)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from finops_tui.analytics.snapshot import build_snapshot
from finops_tui.config import Settings
from tests.conftest import DEMO_TODAY
from tests.tui.conftest import settle, screen_text


@pytest.mark.parametrize("width", [100, 119, 120, 126])
async def test_no_table_scrolls_sideways_and_every_amount_shows_in_full(demo_store, app_for, width):
    snapshot = build_snapshot(demo_store, Settings(), DEMO_TODAY)
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        tables = list(app.screen.query(DataTable))
        assert len(tables) == 3
        for table in tables:
            assert table.virtual_size.width <= table.scrollable_content_region.width, table.id
        text = screen_text(app)
        waste = app.screen.query_one("#waste", DataTable)
        by_id = {item.resource_id: item for item in snapshot.waste}
        assert len(waste.rows) > 0
        for key in waste.rows:  # amounts never truncate (whole dollars from $1,000 a month)
            cost = by_id[key.value].monthly_cost
            assert waste.get_cell(key, "monthly").plain.strip() == (f"${cost:,.0f}" if cost >= 1000 else f"${cost:,.2f}")
        for category in snapshot.categories:
            assert ("-" if category.mtd < 0 else "") + f"${abs(category.mtd):,.2f}" in text


async def test_at_120_columns_the_longest_resource_name_gives_way_with_an_ellipsis(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        waste = app.screen.query_one("#waste", DataTable)
        names = [waste.get_cell(key, "resource").plain for key in waste.rows]
        assert any(name.endswith("…") for name in names)
    async with app_for(demo_store, demo=True).run_test(size=(200, 60)) as pilot:  # room enough: nothing cut
        await settle(pilot)
        waste = pilot.app.screen.query_one("#waste", DataTable)
        assert not any(waste.get_cell(key, "resource").plain.endswith("…") for key in waste.rows)


async def test_narrowing_the_terminal_narrows_the_name_column_too(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        waste = app.screen.query_one("#waste", DataTable)
        assert waste.virtual_size.width <= waste.scrollable_content_region.width
        assert any(waste.get_cell(key, "resource").plain.endswith("…") for key in waste.rows)
