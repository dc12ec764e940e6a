"""Spikes and budget lines on the dashboard, and the spike detail, show the state of their approval item.

The items are the ones `alerts run` opens (keyed by the alert event key), then decided as people would.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from finops_tui.alerts import run_alerts
from finops_tui.approvals.ledger import decide, load_items
from finops_tui.clock import Clock
from finops_tui.tui.app import make_app
from finops_tui.tui.screens.approvals import ApprovalsScreen, ApprovalTable
from finops_tui.tui.screens.spike import SpikeScreen
from finops_tui.tui.widgets.panes import SpikeLog
from tests.alerts_support import build_cache, noon, quiet_settings, row
from tests.tui.conftest import settle, screen_text

NOV_11 = date(2026, 11, 11)
SIZE = (160, 40)


def rows() -> list:
    """Production Compute and Storage $100 a day from Nov 1; Storage $150 on the 8th, Compute $130 on the 10th.

    Spikes: total on the 8th (250 vs 200, +25 %), Storage on the 8th (+50 %), Compute on the 10th (+30 %).
    """
    out = []
    for offset in range(10):
        day = date(2026, 11, 1) + timedelta(days=offset)
        out += [row(day, 130.0 if day.day == 10 else 100.0), row(day, 150.0 if day.day == 8 else 100.0, category="Storage")]
    return out


def line_with(text: str, *needles: str) -> str:
    return next(line for line in text.splitlines() if all(needle in line for needle in needles))


async def test_spike_log_budget_bars_and_spike_detail_show_their_items(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "cache.db", rows())
    settings = quiet_settings()
    settings.budget.monthly_total = 5000.0  # production's $3,500 and the total are forecast over budget
    settings.approvals.approvers.vp_engineering = ["victor"]
    run_alerts(store, settings, noon(NOV_11), out=None)
    by_key = {item.origin_key: item for item in load_items(store.conn)}
    moment = {"now": noon(NOV_11).now(), "today": NOV_11}
    compute = by_key["spike:category:Compute:2026-11-10"]
    decide(store, settings, compute.id, "approve", by="victor", **moment)
    decide(store, settings, by_key["spike:category:Storage:2026-11-08"].id, "reject", by="victor", note="one-off", **moment)
    production = next(item for key, item in by_key.items() if key.startswith("forecast:production:"))
    decide(store, settings, production.id, "approve", by="victor", **moment)
    assert "spike:total:2026-11-08" in by_key and any(key.startswith("forecast:total:") for key in by_key)

    app = make_app(settings, store, Clock(NOV_11, fixed=True), offline=True, refresh_seconds=None, auto_sync=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "approved by victor" in line_with(text, "2026-11-10", "Compute")
        assert "rejected by victor" in line_with(text, "2026-11-08", "Storage")
        assert "pending VP Eng" in line_with(text, "2026-11-08", "total")
        assert "→ approved by victor" in line_with(text, "production", " of ")
        assert "→ pending VP Eng" in line_with(text, "TOTAL", " of ")

        # A decision taken on the `p` screen shows on the dashboard at once.
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalsScreen)
        table = app.screen.query_one(ApprovalTable)
        total_item = next(item for key, item in by_key.items() if key.startswith("forecast:total:"))
        table.move_cursor(row=table.row_keys_in_order.index(str(total_item.id)))
        await pilot.press("a", *"victor", "enter", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "→ approved by victor" in line_with(screen_text(app), "TOTAL", " of ")

        # The spike detail names the item; `p` from there opens the approvals on it.
        await pilot.press("3")
        log = app.screen.query_one(SpikeLog)
        log.move_cursor(row=log.row_keys_in_order.index("spike:category:Compute:2026-11-10"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SpikeScreen)
        assert f"approval item #{compute.id}: approved by victor on 2026-11-11" in screen_text(app)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalsScreen)
        assert app.screen.query_one(ApprovalTable).selected_key == str(compute.id)  # every item shown: it is decided
        assert f"History of #{compute.id}" in screen_text(app)
    store.close()


async def test_a_spike_without_an_item_says_so(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "cache.db", rows())  # no alerts run yet: no items
    app = make_app(quiet_settings(), store, Clock(NOV_11, fixed=True), offline=True, refresh_seconds=None, auto_sync=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "VP Eng" in line_with(screen_text(app), "2026-11-10", "Compute")  # who approves; no state yet
        await pilot.press("3")
        log = app.screen.query_one(SpikeLog)
        log.move_cursor(row=log.row_keys_in_order.index("spike:category:Compute:2026-11-10"))
        await pilot.press("enter")
        await settle(pilot)
        assert "no approval item yet (the next alerts run opens one)" in screen_text(app)
    store.close()
