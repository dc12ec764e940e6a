"""Spikes and budget lines on the dashboard show the state of their approval item."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from finops_tui.alerts import run_alerts
from finops_tui.approvals.ledger import decide, propose
from finops_tui.clock import Clock
from finops_tui.tui.app import make_app
from tests.alerts_support import SPIKE_KEY, build_cache, noon, quiet_settings, spike_rows
from tests.tui.conftest import settle, screen_text

NOV_11 = date(2026, 11, 11)


async def test_the_spike_log_and_budget_bars_show_their_approval_items(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "spike.db", spike_rows())
    settings = quiet_settings()
    settings.approvals.approvers.vp_engineering = ["victor"]
    run_alerts(store, settings, noon(NOV_11), out=None)  # opens #1 for the Compute spike ($900 a month)
    moment = {"now": datetime.combine(NOV_11, time(12), tzinfo=UTC), "today": NOV_11}
    propose(store, settings, title="Production over budget", amount=700.0, direction="increase", scope="production",
            origin="alert", origin_key="forecast:production:critical:2026-11", **moment)
    decide(store, settings, 1, "approve", by="victor", **moment)
    app = make_app(settings, store, Clock(NOV_11, fixed=True), offline=True, refresh_seconds=None, auto_sync=False)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        spike_line = next(line for line in text.splitlines() if "2026-11-10" in line and "Compute" in line)
        assert "VP Eng #1 approved" in spike_line
        production = next(line for line in text.splitlines() if "production" in line and " of " in line)
        assert "#2 pending" in production
    assert SPIKE_KEY.startswith("spike:category:Compute")
    store.close()
