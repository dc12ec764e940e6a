"""Keys people bring from k9s, lazygit, htop: j/k/g/G, / filter, o sort, y copy, q anywhere; and the spike detail."""

from __future__ import annotations

import json

from finops_tui.analytics.snapshot import build_snapshot
from finops_tui.config import Settings
from finops_tui.tui.screens.spike import SpikeScreen
from finops_tui.tui.widgets.panes import CategoryTable, SpikeLog, WasteTable
from tests.conftest import DEMO_TODAY
from tests.helpers import run_cli
from tests.tui.conftest import record_notifications, screen_text, settle

SIZE = (120, 40)


async def test_j_k_g_G_move_the_cursor(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        table = app.screen.query_one(CategoryTable)
        names = [line.name for line in app.snapshot.categories]
        await pilot.press("j", "j")
        assert table.selected_key == names[2]
        await pilot.press("k")
        assert table.selected_key == names[1]
        await pilot.press("G")
        assert table.selected_key == names[-1]
        await pilot.press("g")
        assert table.selected_key == names[0]


async def test_slash_filters_the_focused_table_and_escape_clears_it(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1", "slash", *"stor")
        await pilot.pause()
        table = app.screen.query_one(CategoryTable)
        assert table.row_keys_in_order == ["Storage"]
        await pilot.press("enter")  # keep the filter, back to the table
        await pilot.press("r")  # a refresh keeps the filter
        await settle(pilot)
        assert table.row_keys_in_order == ["Storage"] and table.has_focus
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert table.row_keys_in_order == [line.name for line in app.snapshot.categories]


async def test_o_sorts_by_column_and_the_sort_survives_a_refresh(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1", "o")  # by name
        table = app.screen.query_one(CategoryTable)
        assert table.row_keys_in_order == sorted(line.name for line in app.snapshot.categories)
        await pilot.press("o")  # by month to date, largest first
        by_mtd = [line.name for line in sorted(app.snapshot.categories, key=lambda line: -line.mtd)]
        assert table.row_keys_in_order == by_mtd
        await pilot.press("O")
        assert table.row_keys_in_order == by_mtd[::-1]
        await pilot.press("r")
        await settle(pilot)
        assert table.row_keys_in_order == by_mtd[::-1]


async def test_y_copies_the_resource_id_of_the_selected_row(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        first = build_snapshot(demo_store, Settings(), DEMO_TODAY).waste[0]
        assert app.screen.query_one(WasteTable).has_focus
        await pilot.press("y")
        assert app.clipboard == first.resource_id
        assert seen[-1] == f"Copied {first.resource_id}"
        await pilot.press("1", "y")
        assert app.clipboard == app.snapshot.categories[0].name


async def test_q_quits_from_a_drill_down_and_from_help(demo_store, app_for):
    for keys in (("1", "enter", "enter"), ("question_mark",)):
        app = app_for(demo_store, demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press(*keys)
            await settle(pilot)
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running


async def test_a_mouse_click_selects_a_row_and_its_pane(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        waste = app.screen.query_one(WasteTable)
        assert not waste.has_focus
        await pilot.click(WasteTable, offset=(4, 2))  # line 0 is the header: line 2 is the second item
        await pilot.pause()
        assert waste.has_focus
        assert waste.selected_key == waste.row_keys_in_order[1]


async def test_enter_on_a_spike_opens_its_detail_and_a_toggles_acknowledge(demo_cache, demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        spike = app.screen.query_one(SpikeLog).selected_spike
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SpikeScreen)
        text = screen_text(app)
        increase = spike.amount - spike.previous
        assert f"${spike.amount:,.2f} against ${spike.previous:,.2f} the day before: ${increase:,.2f}" in text
        assert f"Monthly increase at this rate: ${spike.monthly_increase:,.2f}" in text
        approver = {"team_lead": "team lead", "vp_engineering": "VP Eng", "cto_cfo": "CTO/CFO"}[spike.approval]
        assert f"Approver: {approver}" in text
        assert "Top drivers (as in the alert message)" in text
        assert "Alert: not evaluated yet" in text and "Not acknowledged" in text
        assert "DEMO" in text.splitlines()[0]

        await pilot.press("a")
        await settle(pilot)
        text = screen_text(app)
        assert "Acknowledged by " in text and "at 2026-11-26T12:00:00+00:00" in text
        assert spike.key in demo_store.acknowledged_keys()
        await pilot.press("escape")
        await settle(pilot)
        # Back on the dashboard the row lost its alarm style at once: dimmed, with the tick.
        log = app.screen.query_one(SpikeLog)
        marker = log.get_cell(spike.key, "new")
        assert marker.plain == "✓" and str(log.get_cell(spike.key, "date").style) == "dim"

    status = json.loads(run_cli("--cache", str(demo_cache), "--today", "2026-11-26", "status", "--json").stdout)
    entry = next(item for item in status["spikes"] if f"spike:{item['scope']}:{item['date']}" == spike.key)
    assert entry["acknowledged"]["at"] == "2026-11-26T12:00:00+00:00" and entry["acknowledged"]["by"]

    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "a")  # the same spike: take the acknowledgement back
        await settle(pilot)
        assert spike.key not in demo_store.acknowledged_keys()
        log = app.screen.query_one(SpikeLog)
        assert log.get_cell(spike.key, "new").plain == "●"
        assert str(log.get_cell(spike.key, "date").style).startswith("bold ")


async def test_a_theme_change_recolours_the_tables(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(CategoryTable)
        first = app.snapshot.categories[0].name
        before = str(table.get_cell(first, "trend").style)
        app.theme = "finops-light"
        await settle(pilot)
        after = str(table.get_cell(first, "trend").style)
        assert after != before and after == app.theme_variables["accent"]


def test_warning_and_accent_differ_in_every_theme_the_console_offers(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    assert app.theme == "finops-dark"
    for name, theme in app.available_themes.items():
        if name in ("textual-dark", "textual-light"):
            continue  # replaced by finops-dark / finops-light, which differ
        assert (theme.accent or "").lower() != (theme.warning or "").lower(), name


async def test_plots_read_true(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "$0.0500 target" in text  # a tick at the target on the cost-per-lead axis
        assert "cost per lead" not in text.split("5 Cost per lead", 1)[1]  # no legend over the data
        await pilot.press("1", "enter", "enter")
        await settle(pilot)
        service = app.screen.service
        today = demo_store.conn.execute(
            "SELECT COALESCE(SUM(amortized), 0) FROM cost_daily WHERE day = '2026-11-26' AND category = 'Compute' "
            "AND service = ?", (service,)).fetchone()[0]
        text = screen_text(app)
        assert f"$ a day · last bar: today so far ${today:,.2f} (partial)" in text
        assert "today" in text.split("Daily spend", 1)[1]


async def test_x_exports_what_is_shown_with_provenance_and_never_over_a_file(demo_store, app_for, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = tmp_path / "finops-report-2026-11.md"
    first.write_text("sent to finance last week\n")
    app = app_for(demo_store, demo=True)
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("e", "e")  # staging
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
    assert first.read_text() == "sent to finance last week\n"
    second = tmp_path / "finops-report-2026-11-2.md"
    staging = tmp_path / "finops-report-2026-11-staging.md"
    assert f"Report written to {second}" in seen and f"Report written to {staging}" in seen
    text = second.read_text()
    assert "> Month 2026-11, as of 2026-11-26; data through 2026-11-25; last sync 2026-11-26T06:00:00+00:00." in text
    assert "> Environment filter: none (all environments); amortized cost; currency USD;" in text
    assert "> DEMO data: the built-in demo company, not real spend." in text
    staged = staging.read_text()
    assert staged.startswith("# Finance report 2026-11: environment staging")
    assert "> Environment filter: staging;" in staged and "environment staging" in staged
