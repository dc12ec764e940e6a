"""The `p` screen over a fixture cache: pending items by tier and age, the selected item's history, approve and
reject asking for name and note, live like every screen, refused on a read-only copy."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from finops_tui.approvals.ledger import decide, load_items, propose
from finops_tui.config import Settings
from finops_tui.store.db import Store, open_store
from finops_tui.store.snapshot import write_snapshot
from finops_tui.tui.screens.approvals import ApprovalsScreen, ApprovalTable, DecisionDialog
from finops_tui.tui.screens.dashboard import DashboardScreen
from finops_tui.tui.screens.help import HelpScreen
from tests.alerts_support import build_cache, flat_month
from tests.tui.conftest import record_notifications, settle, screen_text

SIZE = (140, 40)


def at(day: date) -> dict:
    return {"now": datetime.combine(day, time(12, 0), tzinfo=UTC), "today": day}


@pytest.fixture
def settings() -> Settings:
    settings = Settings()
    settings.approvals.approvers.team_lead = ["tina"]
    settings.approvals.approvers.vp_engineering = ["victor"]
    return settings


def fill_ledger(store: Store, settings: Settings) -> None:
    """Four items; the clock of the console is 2026-11-26 (tests/tui/conftest.py FIXED_CLOCK)."""
    propose(store, settings, title="Log retention", amount=120.0, direction="saving", scope="category:Storage",
            **at(date(2026, 11, 20)))  # #1 Team Lead, 6 days old
    propose(store, settings, title="Bigger [bold]RDS[/]", amount=900.0, direction="increase",
            scope="environment:production,category:Database", actor="sam", note="peak season",
            **at(date(2026, 11, 16)))  # #2 VP Engineering, 10 days old
    propose(store, settings, title="GPU cluster", amount=5_000.01, direction="increase", scope="",
            **at(date(2026, 11, 25)))  # #3 CTO/CFO, 1 day old
    propose(store, settings, title="Old one", amount=10.0, direction="saving", scope="", **at(date(2026, 11, 1)))
    decide(store, settings, 4, "withdraw", **at(date(2026, 11, 2)))  # #4 withdrawn


@pytest.fixture
def ledger(tmp_path: Path, settings: Settings) -> Store:
    store = build_cache(tmp_path / "cache.db", flat_month(date(2026, 11, 1), 25, 100.0))
    fill_ledger(store, settings)
    yield store
    store.close()


def row_texts(app) -> list[str]:
    """The rows of the approvals table as the user reads them (cells joined by two spaces)."""
    table = app.screen.query_one(ApprovalTable)
    return ["  ".join(cell.plain for cell in table.get_row(key)) for key in table.row_keys_in_order]


async def open_screen(pilot) -> ApprovalsScreen:
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ApprovalsScreen)
    return screen


async def test_p_lists_pending_items_by_tier_then_age_with_the_selected_history(ledger, settings, app_for):
    app = app_for(ledger, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        # CTO/CFO first, then VP Engineering, then Team Lead; the withdrawn one is hidden.
        assert row_texts(app) == ["3  CTO/CFO  +$5,000.01  1d  pending  GPU cluster",
                                  "2  VP Eng  +$900.00  10d  pending  Bigger [bold]RDS[/]",
                                  "1  Team Lead  -$120.00  6d  pending  Log retention"]
        text = screen_text(app)
        assert "Approvals · 3 pending of 4 (CTO/CFO 1 · VP Eng 1 · Team Lead 1) · as of 2026-11-26" in text
        assert "OFFLINE" in text.splitlines()[0]  # the live header with its badges, as on every screen
        await pilot.press("down")  # the RDS item, opened 10 days ago
        await pilot.pause()
        text = screen_text(app)
        assert "History of #2" in text
        assert "$900.00/month spend increase, needs VP Engineering" in text and "scope production / Database" in text
        history = next(line for line in text.splitlines() if "peak season" in line)
        assert "2026-11-16 12:00" in history and "opened" in history and "sam" in history
        await pilot.press("t")
        await settle(pilot)
        assert [line.split("  ")[0] for line in row_texts(app)] == ["3", "2", "1", "4"]
        assert "withdrawn" in row_texts(app)[3]
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_approving_by_name_from_the_screen_records_it(ledger, settings, app_for):
    app = app_for(ledger, settings=settings)
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("down")  # #2, VP Engineering
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, DecisionDialog)
        assert "Approve #2 Bigger [bold]RDS[/]" in screen_text(app)
        await pilot.press(*"victor", "enter", *"ok for Q4", "enter")
        await settle(pilot)
        assert app.screen is screen and screen.decisions == 1
        assert "#2 approved by victor." in seen
        assert [line.split("  ")[0] for line in row_texts(app)] == ["3", "1"]  # no longer pending
        await pilot.press("t")  # every item: the pending ones, then the approved #2
        await settle(pilot)
        assert [line.split("  ")[0] for line in row_texts(app)] == ["3", "1", "2", "4"]
        await pilot.press("down", "down")
        await pilot.pause()
        text = screen_text(app)
        decided = next(line for line in text.splitlines() if "ok for Q4" in line)
        assert "2026-11-26" in decided and "approved" in decided and "victor" in decided
    item = next(item for item in load_items(ledger.conn) if item.id == 2)
    assert (item.state, item.history[-1].actor, item.history[-1].note) == ("approved", "victor", "ok for Q4")


async def test_an_approver_below_the_tier_is_refused_and_reject_needs_a_note(ledger, settings, app_for):
    app = app_for(ledger, settings=settings)
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("a", *"tina", "enter", "enter")  # #3 needs CTO/CFO
        await settle(pilot)
        assert "Not recorded: tina may not approve #3 (CTO/CFO, $5,000.01/month): nobody is named for CTO/CFO or " \
               "above in [approvals.approvers] of the config" in seen
        await pilot.press("down", "down", "d", *"tina", "enter", "enter")  # #1 with no note
        await pilot.pause()
        assert isinstance(app.screen, DecisionDialog)
        assert "A rejection needs a note saying why." in screen_text(app)
        await pilot.press(*"keep 90 days", "enter")
        await settle(pilot)
        assert "#1 rejected by tina." in seen
    states = {item.id: item.state for item in load_items(ledger.conn)}
    assert states == {1: "rejected", 2: "pending", 3: "pending", 4: "withdrawn"}


async def test_a_read_only_copy_refuses_decisions_and_says_why(ledger, settings, app_for, tmp_path):
    out = write_snapshot(ledger.path, tmp_path / "review.db")
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    copy = open_store(out, read_only=True)  # what `--cache review.db --offline` opens
    app = app_for(copy, settings=settings)
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        assert "read-only cache: deciding is refused" in screen_text(app)
        assert len(row_texts(app)) == 3  # the copy shows the same items
        for key in ("a", "d"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(app.screen, DecisionDialog)
        assert seen == ["Read-only cache (--offline or a snapshot copy): decisions are refused; "
                        "decide on the original cache."] * 2
        assert app.is_running
    copy.close()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before


async def test_the_screen_stays_live_and_keeps_its_cursor(ledger, settings, app_for):
    app = app_for(ledger, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("down", "down")  # #1
        await pilot.pause()
        # Another console or `finops-tui approvals` decides #3 and opens a new item meanwhile.
        decide(ledger, settings, 3, "withdraw", **at(date(2026, 11, 26)))
        propose(ledger, settings, title="NAT endpoints", amount=600.0, direction="saving", scope="", **at(date(2026, 11, 26)))
        reads = screen.reads
        await pilot.press("r")  # what the refresh timer and a sync do too
        await settle(pilot)
        assert screen.reads > reads
        assert [line.split("  ")[0] for line in row_texts(app)] == ["2", "5", "1"]
        assert "today" in row_texts(app)[1]
        assert app.screen.query_one(ApprovalTable).selected_key == "1"  # the cursor stayed on its item
        assert "History of #1" in screen_text(app)


async def test_help_lists_the_approvals_keys(ledger, settings, app_for):
    app = app_for(ledger, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        from tests.tui.test_dashboard import help_table_rows

        rows = set(help_table_rows(app))
        assert ("p", "everywhere", "Approval items by tier and age, their history; approve or reject") in rows
        assert ("a", "approvals", "Approve the selected item (asks for your name and a note)") in rows
        assert ("d", "approvals", "Reject the selected item (asks for your name and why)") in rows
        assert ("t", "approvals", "Show every approval item, or only the pending ones") in rows
        assert ("escape", "approvals", "Back to the dashboard") in rows
