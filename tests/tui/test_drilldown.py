"""Category -> services -> usage types and daily trend, and back, by keyboard."""

from __future__ import annotations

from datetime import UTC, datetime

from finops_tui.analytics.drilldown import service_detail, services_of_category
from finops_tui.config import Settings
from finops_tui.tui.screens.dashboard import DashboardScreen
from finops_tui.tui.screens.drilldown import ServicesScreen, UsageScreen
from tests.conftest import DEMO_TODAY
from tests.tui.conftest import settle, screen_text

SIZE = (120, 40)


async def test_enter_drills_down_and_escape_comes_back(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        top_category = app.snapshot.categories[0].name
        services = services_of_category(demo_store, Settings(), top_category, DEMO_TODAY)
        await pilot.press("1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ServicesScreen)
        text = screen_text(app)
        assert f"Category spend › {top_category}" in text
        assert services[0].name in text and f"${services[0].mtd:,.2f}" in text

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UsageScreen)
        detail = service_detail(demo_store, Settings(), top_category, services[0].name, DEMO_TODAY)
        text = screen_text(app)
        assert f"{top_category} › {services[0].name}" in text
        assert detail.usage_types[0].name in text and f"${detail.usage_types[0].mtd:,.2f}" in text
        assert "Daily spend, last 30 complete days" in text
        assert detail.daily[-1][0] == "2026-11-25"

        await pilot.press("escape")
        assert isinstance(app.screen, ServicesScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_drill_down_follows_the_environment_filter(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e", "e")  # staging
        await settle(pilot)
        category = app.snapshot.categories[0].name
        await pilot.press("1", "enter")
        await settle(pilot)
        staging = services_of_category(demo_store, Settings(), category, DEMO_TODAY, "staging")
        text = screen_text(app)
        assert "env staging" in text
        assert f"${staging[0].mtd:,.2f}" in text


async def test_refresh_under_a_drill_down_paints_the_dashboard_on_return(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        spike = app.snapshot.spikes[0]
        demo_store.acknowledge_alert(spike.key, "spike", spike.scope, "2026-11", now=datetime(2026, 11, 26, 12, tzinfo=UTC))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ServicesScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert "✓  2026-11-21" in screen_text(app)


def test_drill_down_figures_add_up_to_the_snapshot(demo_store):
    from finops_tui.analytics.snapshot import build_snapshot

    snapshot = build_snapshot(demo_store, Settings(), DEMO_TODAY)
    for line in snapshot.categories:
        services = services_of_category(demo_store, Settings(), line.name, DEMO_TODAY)
        # Each line is rounded to cents on its own: the parts may differ from the whole by a cent each.
        assert abs(sum(service.mtd for service in services) - line.mtd) <= 0.01 * len(services) + 1e-9
        if services:
            detail = service_detail(demo_store, Settings(), line.name, services[0].name, DEMO_TODAY)
            usage_total = sum(usage.mtd for usage in detail.usage_types)
            assert abs(usage_total - services[0].mtd) <= 0.01 * len(detail.usage_types) + 1e-9
            assert len(detail.daily) == 30 and detail.daily[0][0] == "2026-10-27"


async def test_e_and_brackets_re_read_an_open_drill_down(demo_store, app_for):
    app = app_for(demo_store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        category = app.snapshot.categories[0].name
        await pilot.press("1", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, UsageScreen)
        service = app.screen.service
        await pilot.press("e")  # production
        await settle(pilot)
        production = service_detail(demo_store, Settings(), category, service, DEMO_TODAY, "production")
        text = screen_text(app)
        assert "env production" in text
        assert f"${production.usage_types[0].mtd:,.2f}" in text
        await pilot.press("[")
        await settle(pilot)
        assert "month to 2026-10-31" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ServicesScreen)
        text = screen_text(app)
        assert "month to 2026-10-31" in text and "env production" in text
