"""Drill-down screens: a category's services, then a service's usage types and daily trend."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from finops_tui.analytics.drilldown import ServiceDetail, SpendLine, service_detail, services_of_category
from finops_tui.tui.format import money, percent, printable
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


class ServiceTable(KeyedTable):
    BINDINGS = [Binding("enter", "select_cursor", "Usage types", tooltip="Open usage types and the daily trend")]


class ServicesScreen(Screen):
    """Services of one category, month to date, largest first."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", tooltip="Back to the dashboard")]

    def __init__(self, category: str, today: date, environment: str | None) -> None:
        super().__init__()
        self.category = category
        self.today = today
        self.environment = environment

    def compose(self) -> ComposeResult:
        yield Static(_title(self.category, environment=self.environment, today=self.today), id="drill-title")
        with Vertical(classes="pane", id="pane-services"):
            yield ServiceTable([("service", "Service"), ("mtd", "Month to date"), ("share", "Share")], id="services")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pane-services").border_title = f"Services in {self.category}"
        self.show_view(self.today, self.environment)
        self.query_one(ServiceTable).focus()

    def show_view(self, today: date, environment: str | None) -> None:
        """Read the services for this month and environment (also when `e`, `[` or `]` change them)."""
        self.today, self.environment = today, environment
        app = self.app
        lines = services_of_category(app.store, app.settings, self.category, today, environment)  # type: ignore[attr-defined]
        self.query_one("#drill-title", Static).update(_title(self.category, environment=environment, today=today))
        self.query_one(ServiceTable).show_rows(_spend_rows(lines))
        self.query_one("#pane-services").border_subtitle = "" if lines else "no spend this month"

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.app.push_screen(UsageScreen(self.category, event.row_key.value, self.today, self.environment))


class UsageScreen(Screen):
    """One service: usage types month to date, and daily spend over the last 30 complete days."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", tooltip="Back to the services")]

    def __init__(self, category: str, service: str, today: date, environment: str | None) -> None:
        super().__init__()
        self.category = category
        self.service = service
        self.today = today
        self.environment = environment
        self.detail: ServiceDetail | None = None

    def compose(self) -> ComposeResult:
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
        self.show_view(self.today, self.environment)
        self.query_one("#usage", KeyedTable).focus()

    def show_view(self, today: date, environment: str | None) -> None:
        """Read usage types and the daily trend for this month and environment."""
        self.today, self.environment = today, environment
        app = self.app
        self.detail = service_detail(app.store, app.settings, self.category, self.service, today, environment)  # type: ignore[attr-defined]
        self.query_one("#drill-title", Static).update(
            _title(self.category, self.service, environment=environment, today=today))
        self.query_one("#pane-daily").border_title = f"Daily spend, last {len(self.detail.daily)} complete days"
        self.query_one("#usage", KeyedTable).show_rows(_spend_rows(self.detail.usage_types))
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        daily = self.detail.daily
        if daily:
            plt.bar(list(range(len(daily))), [spend for _, spend in daily], marker="hd")
            ticks = sorted({0, len(daily) // 2, len(daily) - 1})
            plt.xticks(ticks, [daily[tick][0][5:] for tick in ticks])
        plot.refresh()
