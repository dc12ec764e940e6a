"""Drill-down screens: a category's services, then a service's usage types and daily trend."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from finops_tui.analytics.drilldown import ServiceDetail, SpendLine, service_detail, services_of_category
from finops_tui.tui.format import money, percent, printable
from finops_tui.tui.screens.live import LiveScreen
from finops_tui.tui.widgets.keyed_table import KeyedTable


def _spend_rows(lines: tuple[SpendLine, ...]) -> list[tuple[str, tuple[Text, ...]]]:
    return [
        (line.name, (Text(printable(line.name)), Text(money(line.mtd), justify="right"), Text(percent(line.share_pct), justify="right")))
        for line in lines
    ]


def _title(*parts: str, environment: str | None, today: date) -> Content:
    trail = " › ".join(printable(part) for part in parts)
    return Content.assemble(
        ("Category spend › ", "$text-muted"), (trail, "bold"),
        f" · month to {today.isoformat()} · env {environment or 'all'}",
    )


def draw_daily(plt, daily: tuple[tuple[str, float], ...], today_so_far: float, colours: dict[str, str]) -> None:
    """Complete days as bars, today's partial spend as one more bar in another colour; the y axis in dollars."""
    positions = list(range(len(daily)))
    plt.bar(positions, [spend for _, spend in daily], marker="hd")
    plt.bar([len(daily)], [today_so_far], marker="hd", color=_plot_colour(colours.get("warning")))
    ticks = sorted({0, len(daily) // 2})
    plt.xticks([*ticks, len(daily)], [*(daily[tick][0][5:] for tick in ticks), "today"])
    high = max([spend for _, spend in daily] + [today_so_far])
    if high > 0:
        levels = [0.0, high / 2, high]
        plt.yticks(levels, [money(level, whole=True) for level in levels])


def _plot_colour(hex_colour: str | None) -> tuple[int, int, int] | str:
    """plotext takes RGB tuples; theme variables are ``#rrggbb`` strings."""
    if hex_colour and hex_colour.startswith("#") and len(hex_colour) == 7:
        return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]
    return "orange"


class ServiceTable(KeyedTable):
    HELP_WHERE = "services"
    BINDINGS = [Binding("enter", "select_cursor", "Usage types", tooltip="Open usage types and the daily trend")]


class ServicesScreen(LiveScreen):
    """Services of one category, month to date, largest first; re-read with the dashboard."""

    HELP_WHERE = "services"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", tooltip="Back to the dashboard")]

    def __init__(self, category: str, today: date, environment: str | None) -> None:
        super().__init__()
        self.category = category
        self.today = today
        self.environment = environment

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(_title(self.category, environment=self.environment, today=self.today), id="drill-title")
        with Vertical(classes="pane", id="pane-services"):
            yield ServiceTable([("service", "Service"), ("mtd", "Month to date"), ("share", "Share")], id="services")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pane-services").border_title = f"Services in {self.category}"
        self.query_one(ServiceTable).focus()
        super().on_mount()

    def read_view(self, today: date, environment: str | None) -> tuple[SpendLine, ...]:
        app = self.app
        return services_of_category(app.store, app.settings, self.category, today, environment)  # type: ignore[attr-defined]

    def show_view_data(self, lines: tuple[SpendLine, ...]) -> None:
        """The services for this month and environment (also after `e`, `[`, `]`, a refresh or a sync)."""
        today, environment = self.view_today, self.view_environment
        self.today, self.environment = today, environment
        self.query_one("#drill-title", Static).update(_title(self.category, environment=environment, today=today))
        self.query_one(ServiceTable).show_rows(_spend_rows(lines))
        self.query_one("#pane-services").border_subtitle = "" if lines else "no spend this month"

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.app.push_screen(UsageScreen(self.category, event.row_key.value, self.today, self.environment))


class UsageScreen(LiveScreen):
    """One service: usage types month to date, and daily spend over the last 30 complete days; re-read live."""

    HELP_WHERE = "usage types"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", tooltip="Back to the services")]

    def __init__(self, category: str, service: str, today: date, environment: str | None) -> None:
        super().__init__()
        self.category = category
        self.service = service
        self.today = today
        self.environment = environment
        self.detail: ServiceDetail | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(_title(self.category, self.service, environment=self.environment, today=self.today), id="drill-title")
        with Horizontal(id="usage-body", classes="-narrow" if self.app.is_narrow else ""):  # type: ignore[attr-defined]
            with Vertical(classes="pane", id="pane-usage"):
                yield KeyedTable([("usage_type", "Usage type"), ("mtd", "Month to date"), ("share", "Share")], id="usage")
            with Vertical(classes="pane", id="pane-daily"):
                yield PlotextPlot(id="daily")
        yield Footer()

    def on_resize(self) -> None:
        self.query_one("#usage-body").set_class(self.app.is_narrow, "-narrow")  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.query_one("#pane-usage").border_title = "Usage types"
        self.query_one("#usage", KeyedTable).focus()
        super().on_mount()

    def read_view(self, today: date, environment: str | None) -> ServiceDetail:
        app = self.app
        return service_detail(app.store, app.settings, self.category, self.service, today, environment)  # type: ignore[attr-defined]

    def show_view_data(self, detail: ServiceDetail) -> None:
        """Usage types and the daily trend for this month and environment."""
        today, environment = self.view_today, self.view_environment
        self.today, self.environment = today, environment
        self.detail = detail
        self.query_one("#drill-title", Static).update(
            _title(self.category, self.service, environment=environment, today=today))
        self.query_one("#pane-daily").border_title = f"Daily spend, last {len(self.detail.daily)} complete days"
        self.query_one("#pane-daily").border_subtitle = (
            f"$ a day · last bar: today so far {money(self.detail.today_so_far)} (partial)")
        self.query_one("#usage", KeyedTable).show_rows(_spend_rows(self.detail.usage_types))
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        daily = self.detail.daily
        if daily:
            draw_daily(plt, daily, self.detail.today_so_far, self.app.theme_variables)
        plot.refresh()
