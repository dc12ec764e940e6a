"""The `p` screen over a fixture cache: pending items by tier and age, history, approve and reject in workers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from finops_tui.approvals.ledger import decide, load_items, propose
from finops_tui.config import Settings
from finops_tui.store.db import Store, open_store
from finops_tui.tui.screens.approvals import ApprovalsScreen, ApprovalTable, DecisionDialog
from tests.alerts_support import build_cache, flat_month
from tests.conftest import DEMO_TODAY
from tests.tui.conftest import settle, screen_text

SIZE = (140, 40)


def at(day: date) -> dict:
    return {"now": datetime.combine(day, time(12, 0), tzinfo=UTC), "today": day}


@pytest.fixture
def settings() -> Settings:
    settings = Settings()
    settings.approvals.approvers.team_lead = ["tina"]
    settings.approvals.approvers.vp_engineering = ["victor"]
    return settings


@pytest.fixture
def ledger(tmp_path: Path, settings: Settings) -> Store:
    store = build_cache(tmp_path / "cache.db", flat_month(date(2026, 11, 1), 25, 100.0))
    propose(store, settings, title="Log retention", amount=120.0, direction="saving", scope="category:Storage",
            **at(date(2026, 11, 20)))
    propose(store, settings, title="Bigger [bold]RDS[/]", amount=900.0, direction="increase",
            scope="environment:production,category:Database", actor="sam", note="peak season", **at(date(2026, 11, 16)))
    propose(store, settings, title="GPU cluster", amount=5_000.01, direction="increase", scope="", **at(date(2026, 11, 25)))
    propose(store, settings, title="Old one", amount=10.0, direction="saving", scope="", **at(date(2026, 11, 1)))
    decide(store, settings, 4, "withdraw", **at(date(2026, 11, 2)))
    yield store
    store.close()


def notifications(app) -> list[str]:
    return [note.message for note in app._notifications]


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
        screen = await open_screen(pilot)
        table = screen.query_one(ApprovalTable)
        assert table.row_keys_in_order == ["3", "2", "1"]  # CTO/CFO, VP Eng, Team Lead; the withdrawn one hidden
        text = screen_text(app)
        assert "Approvals · 3 pending of 4 · as of 2026-11-26" in text
        assert "CTO/CFO" in text and "+$5,000.01" in text and "1d" in text  # opened the 25th
        assert "-$120.00" in text and "6d" in text
        await pilot.press("down")  # the RDS item, opened 10 days ago
        await pilot.pause()
        text = screen_text(app)
        assert "Bigger [bold]RDS[/]" in text  # outside text literally, never markup
        assert "$900.00/month spend increase, needs VP Engineering" in text and "scope production / Database" in text
        assert "opened" in text and "sam" in text and "peak season" in text
        await pilot.press("t")
        await settle(pilot)
        assert table.row_keys_in_order == ["3", "2", "1", "4"]


async def test_approve_asks_for_name_and_note_and_records_it(ledger, settings, app_for):
    app = app_for(ledger, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("down")  # #2, VP Engineering
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, DecisionDialog)
        await pilot.press(*"victor", "enter", *"ok for Q4", "enter")
        await settle(pilot)
        assert screen.decisions == 1
        assert "#2 approved by victor." in notifications(app)
        assert screen.query_one(ApprovalTable).row_keys_in_order == ["3", "1"]
    item = next(item for item in load_items(ledger.conn) if item.id == 2)
    assert (item.state, item.history[-1].actor, item.history[-1].note) == ("approved", "victor", "ok for Q4")


async def test_an_approver_below_the_tier_is_refused_and_reject_needs_a_note(ledger, settings, app_for):
    app = app_for(ledger, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("a", *"tina", "enter", "enter")  # #3 needs CTO/CFO
        await settle(pilot)
        assert any(n.startswith("Not recorded: tina may not approve #3 (CTO/CFO, $5,000.01/month)") for n in notifications(app))
        await pilot.press("down", "down", "d", *"tina", "enter", "enter")  # #1 with no note
        await pilot.pause()
        assert isinstance(app.screen, DecisionDialog)
        assert "A rejection needs a note saying why." in screen_text(app)
        await pilot.press(*"keep 90 days", "enter")
        await settle(pilot)
        assert "#1 rejected by tina." in notifications(app)
    states = {item.id: item.state for item in load_items(ledger.conn)}
    assert states == {1: "rejected", 2: "pending", 3: "pending", 4: "withdrawn"}


async def test_a_read_only_cache_refuses_decisions_with_a_message(ledger, settings, app_for, tmp_path):
    ledger.close()
    store = open_store(tmp_path / "cache.db")
    store.read_only = True  # what --offline sets (open_store(read_only=True))
    app = app_for(store, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, DecisionDialog)
        assert any(n.startswith("Read-only cache") for n in notifications(app))
    store.close()
