"""The `?` screen: every key of the console, where it works, and what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

# (key, where, what): the bindings of the app, dashboard, panes and drill-downs, in reading order.
KEYS: tuple[tuple[str, str, str], ...] = (
    ("tab/shift+tab", "dashboard", "Next / previous pane"),
    ("1-5", "dashboard", "Jump to pane 1-5 (numbers in the pane titles)"),
    ("enter", "categories", "Open the services of the category"),
    ("enter", "services", "Open usage types and the daily trend"),
    ("escape", "drill-down", "Back one level"),
    ("a", "spike log", "Acknowledge the spike: alerts skip it"),
    ("p", "everywhere", "Approvals: pending items by tier and age"),
    ("a / d", "approvals", "Approve / reject the item (asks name, note)"),
    ("t", "approvals", "Every item, or only the pending ones"),
    ("e", "everywhere", "Environment: all, production, staging,"),
    ("", "", "development, rnd, unallocated, all"),
    ("[ / ]", "everywhere", "Previous / next month (drill-downs follow)"),
    ("r", "everywhere", "Reload the cache now"),
    ("s", "everywhere", "Sync from AWS now (not offline, not demo)"),
    ("x", "everywhere", "Export report to ./finops-report-YYYY-MM.md"),
    ("ctrl+p", "everywhere", "Command palette: every action by name"),
    ("?", "everywhere", "This help"),
    ("q", "everywhere", "Quit"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys", id="help-title")
            yield DataTable(id="help-keys", cursor_type="none", zebra_stripes=True)
            yield Static("escape closes · the footer shows the keys of the focused pane", id="help-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Where", "What")
        for key, where, what in KEYS:
            table.add_row(Text(key, style="bold"), Text(where), Text(what))
