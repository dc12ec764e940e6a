"""The dashboard on the demo cache: panes, header, keys, filters, acknowledgement, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

from finops_tui.analytics.snapshot import build_snapshot
from finops_tui.config import Settings
from finops_tui.tui.app import ENVIRONMENT_CYCLE, month_today
from textual.widgets import DataTable

from finops_tui.tui.screens.drilldown import ServicesScreen
from finops_tui.tui.screens.help import HelpScreen
from finops_tui.tui.widgets.budget_bars import BudgetBars
from finops_tui.tui.widgets.panes import CategoryTable, SpikeLog, WasteTable
from tests.conftest import DEMO_TODAY
from tests.tui.conftest import record_notifications, settle, screen_text

SIZE = (120, 40)


_RECORDED: dict[int, list[str]] = {}


def notifications(app) -> list[str]:
    """What the app notified since :func:`recorded` was called on it."""
    return list(_RECORDED[id(app)])


def recorded(app):
    _RECORDED[id(app)] = record_notifications(app)
    return app


async def test_dashboard_shows_every_pane_from_the_snapshot(demo_store, app_for):
    expected = build_snapshot(demo_store, Settings(), DEMO_TODAY)
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "2026-11" in text and "amortized USD" in text and "as of 2026-11-26" in text
        assert "DEMO" in text and "CE 0 req $0.00" in text
        assert "synced 6h00m ago" in text  # the demo's last sync is 06:00, the fixed clock says noon
        for title in ("1 Category spend", "2 Environment budgets", "3 Spike log", "4 Waste", "5 Cost per lead"):
            assert title in text
        top = expected.categories[0]
        assert f"{top.name}" in text and f"${top.mtd:,.2f}" in text
        assert "production" in text and "$35,000" in text and "rnd" in text
        assert f"Total ${expected.waste_total:,.2f} a month" in text
        assert "ON TARGET" in text or "OFF TARGET" in text
        # Newest spike first, marked new.
        spikes = app.screen.query_one(SpikeLog)
        assert spikes.row_keys_in_order == [spike.key for spike in expected.spikes]
        assert "●  2026-11-21" in text


async def test_the_header_names_the_cache_currency(demo_store, app_for):
    app = app_for(demo_store, demo=True, settings=Settings(currency="EUR", metric="billed"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = screen_text(app).splitlines()[0]
        assert "2026-11" in header and " · billed EUR · as of 2026-11-26" in header


async def test_outside_text_is_shown_literally(demo_store, app_for):
    with demo_store.transaction() as conn:
        conn.execute(
            "INSERT INTO waste_items (resource_id, kind, name, environment, monthly_cost, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            ("i-0markup", "instance_stopped", "[bold red]boom[/] \x1b[31m", "staging", 9999.0, "2026-11-26T06:00:00+00:00"),
        )
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "gpu-notebook-[alice]" in text
        assert "legacy-[exports]-buck…" in text  # the longest name gives way to the amounts, literally
        assert "[bold red]boom[/] \\x1…" in text  # the escape is visible (\\x1b), not obeyed; the name gives way


async def test_the_dashboard_has_focus_once_the_console_is_up_and_a_number_picks_a_pane(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "dashboard"  # given after the first frame
        await pilot.press("1", "down", "enter")  # the second category opens
        await settle(pilot)
        assert isinstance(app.screen, ServicesScreen)
        assert app.screen.category == app.query_one(CategoryTable).row_keys_in_order[1]


async def test_number_keys_and_tab_move_between_panes(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, pane in zip("12345", ("categories", "budgets", "spikes", "waste", "cpl")):
            await pilot.press(key)
            assert app.focused is not None and app.focused.id == pane
        await pilot.press("1")
        await pilot.press("tab")
        assert app.focused.id == "budgets"
        await pilot.press("shift+tab")
        assert app.focused.id == "categories"


async def test_e_cycles_every_pane_through_the_environments(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = []
        for _ in ENVIRONMENT_CYCLE:
            await pilot.press("e")
            await settle(pilot)
            seen.append(app.environment)
            assert app.snapshot.environment_filter == app.environment
        assert seen == [*ENVIRONMENT_CYCLE[1:], None]
        await pilot.press("e")  # production
        await settle(pilot)
        text = screen_text(app)
        assert "env production" in text
        bars = app.screen.query_one(BudgetBars).render().plain
        assert "production" in bars and "staging" not in bars
        waste = app.screen.query_one(WasteTable)
        assert all(key.endswith(("snap-0abc1234def567890",)) for key in waste.row_keys_in_order)


async def test_brackets_step_the_month(demo_store, app_for):
    app = recorded(app_for(demo_store, demo=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("]")
        await settle(pilot)
        assert app.month_offset == 0
        assert "Already the current month." in notifications(app)
        await pilot.press("[")
        await settle(pilot)
        assert app.snapshot.month == "2026-10" and app.snapshot.as_of == "2026-10-31"
        text = screen_text(app)
        assert "2026-10" in text and "(past month)" in text
        october = build_snapshot(demo_store, Settings(), date(2026, 10, 31))
        assert f"${october.categories[0].mtd:,.2f}" in text
        await pilot.press("]")
        await settle(pilot)
        assert app.snapshot.month == "2026-11"


def test_month_today_is_the_last_day_of_past_months():
    assert month_today(date(2026, 11, 26), 0) == date(2026, 11, 26)
    assert month_today(date(2026, 11, 26), -1) == date(2026, 10, 31)
    assert month_today(date(2026, 3, 30), -1) == date(2026, 2, 28)
    assert month_today(date(2026, 1, 5), -1) == date(2025, 12, 31)


async def test_a_acknowledges_the_selected_spike(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        spikes = app.screen.query_one(SpikeLog)
        first = spikes.selected_spike
        assert first is not None and first.key not in demo_store.acknowledged_keys()
        await pilot.press("a")
        await settle(pilot)
        assert first.key in demo_store.acknowledged_keys()
        assert "✓  2026-11-21" in screen_text(app)
        assert app.screen.query_one("#pane-spikes").border_subtitle == f"{len(app.snapshot.spikes) - 1} new"


async def test_sync_is_refused_in_the_demo_and_offline(demo_store, app_for):
    demo = recorded(app_for(demo_store, demo=True))
    async with demo.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert any("demo has nothing to sync" in note for note in notifications(demo))
        assert not demo.syncing
    demo_store.set_meta("demo", "0")  # a copied cache from a syncing host
    offline = recorded(app_for(demo_store, demo=False, offline=True))
    async with offline.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(offline)
        assert "OFFLINE" in text and "DEMO" not in text
        await pilot.press("s")
        assert any(note.startswith("Offline: the console never calls AWS") for note in notifications(offline))
        assert not offline.syncing


async def test_r_reloads_what_changed_in_the_cache(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.loads
        demo_store.acknowledge_alert(app.snapshot.spikes[0].key, "spike", "total", "2026-11", now=datetime(2026, 11, 26, 12, tzinfo=UTC))
        await pilot.press("r")
        await settle(pilot)
        assert app.loads == before + 1
        assert app.snapshot.spikes[0].key in app.acknowledged


def help_table_rows(app) -> list[tuple[str, str, str]]:
    table = app.screen.query_one("#help-keys", DataTable)
    return [tuple(cell.plain for cell in table.get_row_at(index)) for index in range(table.row_count)]


async def test_help_lists_the_live_bindings_and_explains_every_sign(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = help_table_rows(app)
        keys = {(key, where) for key, where, _ in rows}
        for key in ("q", "?", "e", "[", "]", "r", "s", "x"):
            assert (key, "everywhere") in keys
        for key in ("1", "2", "3", "4", "5"):
            assert (key, "dashboard") in keys
        assert ("a", "spike log") in keys and ("enter", "category spend") in keys
        assert ("escape", "services") in keys and ("escape", "usage types") in keys
        assert "Acknowledge the selected spike (alerts never send it), or take it back" in {what for _, _, what in rows}
        assert "DEMO" in screen_text(app).splitlines()[0]  # the live header with its badges, on the help screen too
        app.screen.query_one("#help-box").scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)
        for sign in ("STALE", "DEMO", "OFFLINE", "READ-ONLY", "●", "✓", "fc", "HARD LIMIT", "no AWS credentials"):
            assert sign in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_a_binding_added_later_appears_in_help_and_palette(demo_store, app_for):
    from textual.binding import Binding

    from finops_tui.tui.app import FinopsApp

    class LaterApp(FinopsApp):
        BINDINGS = [*FinopsApp.BINDINGS, Binding("z", "bell", "Later", tooltip="A screen a later issue adds")]

    app = LaterApp(Settings(), demo_store, app_for(demo_store).clock, demo=True, offline=True, refresh_seconds=None,
                   auto_sync=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Later: A screen a later issue adds" in titles
        await pilot.press("question_mark")
        await settle(pilot)
        rows = help_table_rows(app)
        assert ("z", "everywhere", "A screen a later issue adds") in rows
        assert ("v", "everywhere", "The FinOps review of the last complete month") in rows  # the real one, listed by itself
        assert [row for row in rows if row[0] == "q"] == [("q", "everywhere", "Quit the console")]  # listed once


async def test_command_palette_runs_console_commands(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Next environment")
        await pilot.pause()
        await app.workers.wait_for_complete()  # the palette searches in a worker
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.environment == "production"
        assert "env production" in screen_text(app)


async def test_q_quits(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running


async def test_empty_cache_shows_how_to_fill_it(empty_store, app_for):
    app = app_for(empty_store, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "No cost data in this cache yet" in text
        # The hints name the cache in use (the fixture opens empty.db in its own folder).
        assert "finops-tui --cache empty.db sync" in text and "finops-tui --cache empty.db import-focus" in text
        assert "finops-tui --demo" in text
        assert "1 Category spend" not in text
        assert "STALE" in text  # never synced
        await pilot.press("1")  # panes are hidden: nothing to focus, nothing breaks
        await pilot.press("e")
        await settle(pilot)
        assert "No cost data in this cache yet" in screen_text(app)


async def test_x_exports_the_report_of_the_month_shown(demo_store, app_for, tmp_path, monkeypatch):
    import asyncio

    from finops_tui.tui.messages import ReportExported

    monkeypatch.chdir(tmp_path)
    exported = asyncio.Event()
    app = recorded(app_for(demo_store, demo=True))
    async with app.run_test(size=SIZE, message_hook=lambda m: isinstance(m, ReportExported) and exported.set()) as pilot:
        await settle(pilot)
        await pilot.press("[", "x")
        await asyncio.wait_for(exported.wait(), timeout=60)
        await settle(pilot)
        report = tmp_path / "finops-report-2026-10.md"
        assert report.exists()
        assert "2026-10" in report.read_text()
        assert f"Report written to {report}" in notifications(app)


async def test_resizing_to_80_columns_stacks_the_panes(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panes = app.screen.query_one("#panes")
        assert not panes.has_class("-narrow")
        assert app.screen.query_one("#pane-budgets").region.y == app.screen.query_one("#pane-categories").region.y
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert panes.has_class("-narrow")
        assert app.screen.query_one("#pane-budgets").region.y > app.screen.query_one("#pane-categories").region.y
        await pilot.press("4")  # the waste pane is below the fold: focusing it scrolls it into view
        await pilot.pause()
        waste = app.screen.query_one("#pane-waste")
        assert app.focused.id == "waste"
        assert 0 <= waste.region.y < 24
