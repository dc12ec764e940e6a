"""The `v` screen: every section of the review, drill-down into each item, escape back; pandas only after `v`."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from finops_tui.approvals.ledger import decide, propose
from finops_tui.clock import Clock
from finops_tui.config import Settings
from finops_tui.tui.app import make_app
from finops_tui.tui.screens.dashboard import DashboardScreen
from finops_tui.tui.screens.review import ReviewItemScreen, ReviewScreen
from tests.helpers import REPO
from tests.review_cache import october_cache
from tests.tui.conftest import screen_text, settle

FIRST_MONDAY = Clock(date(2026, 11, 2), fixed=True)


async def test_the_review_shows_the_months_approvals(tmp_path: Path) -> None:
    cache = october_cache(tmp_path / "finops.db")
    settings = Settings()
    settings.approvals.approvers.vp_engineering = ["victor"]

    def on(day: int) -> dict:
        return {"now": datetime(2026, 10, day, 12, tzinfo=UTC), "today": date(2026, 10, day)}

    propose(cache.store, settings, title="Bigger RDS", amount=900.0, direction="increase", scope="", **on(5))
    decide(cache.store, settings, 1, "approve", by="victor", **on(7))
    propose(cache.store, settings, title="Log retention", amount=120.0, direction="saving", scope="", **on(20))
    propose(cache.store, settings, title="Bigger NAT", amount=80.0, direction="increase", scope="", **on(28))
    decide(cache.store, settings, 3, "reject", by="victor", note="use endpoints", **on(29))
    app = make_app(settings, cache.store, FIRST_MONDAY, offline=True, refresh_seconds=None, auto_sync=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        table = app.screen.query_one("#review-items")
        assert table.row_keys_in_order[-1] == "approvals:section"
        table.move_cursor(row=len(table.row_keys_in_order) - 1)
        await pilot.pause()
        text = screen_text(app)
        row = next(line for line in text.splitlines() if "Approvals" in line and "opened" in line)
        # October: three opened, one approved, one rejected; "Log retention" ($120 a month) still pending.
        assert "3 opened, 1 approved, 1 rejected, 1 pending" in row and "$120.00" in row and "$0.00 realised" in row
        assert "pending as of 2026-10-31" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewItemScreen)
        pending = next(line for line in screen_text(app).splitlines() if "Pending: Team Lead" in line)
        assert "1 waiting" in pending and "$120.00" in pending and "ages 11 d" in pending  # the 20th to the 31st
    cache.store.close()


async def test_every_section_opens_and_escape_goes_back(tmp_path: Path) -> None:
    cache = october_cache(tmp_path / "finops.db")
    app = make_app(Settings(), cache.store, FIRST_MONDAY, offline=True, refresh_seconds=None, auto_sync=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        text = screen_text(app)
        assert "FinOps review › October 2026 · closed" in text
        # The levers in dollars, computed by hand in tests/review_cache.py
        assert "S3 Lifecycle Rules" in text and "$310.00" in text and "$31.00 - $93.00" in text
        assert "Serverless for idle tasks" in text and "$62.00+" in text
        assert "Spot" in text and "$574.00" in text and "$344.40" in text
        assert "Cross-AZ, 0.00 GB" in text and "+55.0% vs $60.00" in text
        # The first row is highlighted: how its base was computed is written below the table
        assert "S3 Standard storage: usage types *TimedStorage-ByteHrs*" in text

        rows = app.screen.query_one("#review-items").row_keys_in_order
        assert rows[:5] == ["s3_lifecycle", "rightsizing", "commitments", "graviton", "serverless"]
        assert rows[5:] == ["rightsizing:section", "coverage", "spot", "transfer:cross_az", "transfer:inter_region",
                            "transfer:internet_out", "transfer:nat", "approvals:section"]
        for index, key in enumerate(rows):
            table = app.screen.query_one("#review-items")
            table.move_cursor(row=index)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ReviewItemScreen) and app.screen.key == key
            if key == "graviton":
                detail = screen_text(app)
                assert "m5 -> m7g" in detail and "$732.00" in detail and "db.r5 -> db.r7g" in detail
            if key == "serverless":
                assert "USE1-BoxUsage:m5.large (staging)" in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)

        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "FinOps review › September 2026" in screen_text(app)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert "FinOps review › November 2026 · open, 1 complete days" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


def test_console_start_does_not_import_pandas_or_the_review() -> None:
    code = ("import sys\nimport finops_tui.tui.app, finops_tui.commands.tui_cmd\n"
            "print(','.join(m for m in ('pandas', 'finops_tui.tui.screens.review', 'finops_tui.analytics.review_build')"
            " if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == ""


async def test_the_review_screens_are_live_with_the_header(tmp_path: Path) -> None:
    """Like every screen: the header with its badges, and the review read again on `r` (and the timer, a sync)."""
    cache = october_cache(tmp_path / "finops.db")
    settings = Settings()
    october = {"now": datetime(2026, 10, 20, 12, tzinfo=UTC), "today": date(2026, 10, 20)}

    def approvals_row(app) -> str:
        return next(line for line in screen_text(app).splitlines() if "Approvals" in line and "opened" in line)

    app = make_app(settings, cache.store, FIRST_MONDAY, offline=True, refresh_seconds=None, auto_sync=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        header = screen_text(app).splitlines()[0]
        assert "finops-tui" in header and "as of 2026-11-02" in header and "OFFLINE" in header
        assert "0 opened" in approvals_row(app)
        # Another process records an item for October; the open review shows it after the next read.
        propose(cache.store, settings, title="Log retention", amount=120.0, direction="saving", scope="", **october)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert "1 opened" in approvals_row(app) and "1 pending" in approvals_row(app)

        table = app.screen.query_one("#review-items")
        table.move_cursor(row=len(table.row_keys_in_order) - 1)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewItemScreen)
        assert "as of 2026-11-02" in screen_text(app).splitlines()[0]
        propose(cache.store, settings, title="Old snapshots", amount=40.0, direction="saving", scope="", **october)
        await pilot.press("r")
        await settle(pilot)
        pending = next(line for line in screen_text(app).splitlines() if "Pending: Team Lead" in line)
        assert "2 waiting" in pending and "$160.00" in pending
    cache.store.close()
