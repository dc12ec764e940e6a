"""The main screen: header, five panes, footer; an empty state when the cache has no costs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from finops_tui.analytics.snapshot import Snapshot
from finops_tui.tui.format import money
from finops_tui.tui.widgets.budget_bars import BudgetBars
from finops_tui.tui.widgets.cost_per_lead import CostPerLeadPane
from finops_tui.tui.widgets.panes import CategoryTable, SpikeLog, WasteTable
from finops_tui.tui.widgets.status_header import HeaderState, StatusHeader

PANES = ("categories", "budgets", "spikes", "waste", "cpl")
PANE_TITLES = {
    "categories": "1 Category spend",
    "budgets": "2 Environment budgets",
    "spikes": "3 Spike log",
    "waste": "4 Waste",
    "cpl": "5 Cost per lead",
}
PANE_GROUP = Binding.Group("Pane", compact=True)

EMPTY_TEXT = """\
No cost data in this cache yet:
{path}

To fill it:
  finops-tui --cache {path} sync
      pull from AWS (read-only Cost Explorer)
  finops-tui --cache {path} import-focus FILE...
      load FOCUS billing exports
  finops-tui --demo
      open the built-in demo instead

Press r to read the cache again, ? for keys, q to quit."""


class DashboardScreen(Screen):
    """Keeps the newest snapshot while a drill-down is on top and paints it when shown again."""

    HELP_WHERE = "dashboard"
    # No focus while the first frame is laid out (focusing restyles what it touches): once that frame is on
    # screen the app gives focus where Textual's auto-focus would have (focus_first_pane).
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("tab", "app.focus_next", "Next pane", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False),
        *[Binding(str(number), f"focus_pane('{pane}')", PANE_TITLES[pane][2:], group=PANE_GROUP)
          for number, pane in enumerate(PANES, start=1)],
    ]

    def __init__(self) -> None:
        super().__init__(id="dashboard-screen")
        self._pending: tuple[Snapshot, frozenset[str], HeaderState] | None = None
        self.snapshot: Snapshot | None = None

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="status")
        with VerticalScroll(id="dashboard"):
            # The narrow layout is a class on the grid, not an app breakpoint: restyling one subtree is cheaper.
            with Grid(id="panes", classes="-narrow" if self.app.is_narrow else ""):  # type: ignore[attr-defined]
                with Vertical(id="pane-categories", classes="pane"):
                    yield CategoryTable(id="categories")
                with Vertical(id="pane-budgets", classes="pane"):
                    yield BudgetBars(id="budgets")
                with Vertical(id="pane-spikes", classes="pane"):
                    yield SpikeLog(id="spikes")
                with Vertical(id="pane-waste", classes="pane"):
                    yield Static(id="waste-total", markup=False)
                    yield WasteTable(id="waste")
                with Vertical(id="pane-cpl", classes="pane"):
                    yield CostPerLeadPane(id="cpl")
        yield Static(EMPTY_TEXT.format(path=self.app.store.path), id="empty", markup=False)  # type: ignore[attr-defined]
        yield Footer()

    def on_mount(self) -> None:
        for pane in PANES:
            self.query_one(f"#pane-{pane}").border_title = PANE_TITLES[pane]
        self.query_one(StatusHeader).show(self.snapshot, self.app.header_state())  # type: ignore[attr-defined]
        self.app.load_first_snapshot()  # type: ignore[attr-defined]

    def focus_first_pane(self) -> None:
        """The scrolling dashboard (the first focusable widget: arrow keys scroll it, 1-5 pick a pane), unless a
        key already chose a pane or the cache is empty (nothing is shown to focus)."""
        if self.focused is None and not self.has_class("-empty"):
            self.set_focus(self.query_one("#dashboard"))

    def on_resize(self) -> None:
        self.query_one("#panes").set_class(self.app.is_narrow, "-narrow")  # type: ignore[attr-defined]

    def action_focus_pane(self, pane: str) -> None:
        if self.has_class("-empty"):
            return
        target = self.query_one(f"#{pane}")
        self.set_focus(target)  # at once, not after the queue: a key typed right after (Enter) reaches the pane
        self.query_one(f"#pane-{pane}").scroll_visible()

    def show_header(self, state: HeaderState) -> None:
        self.query_one(StatusHeader).show(self.snapshot, state)

    def show(self, snapshot: Snapshot, acknowledged: frozenset[str], state: HeaderState) -> None:
        """Paint every pane, or keep it for later when another screen is on top."""
        if not self.is_current or not self.is_mounted:
            self._pending = (snapshot, acknowledged, state)
            return
        self._pending = None
        self.snapshot = snapshot
        colours = {name: self.app.theme_variables.get(name, "") for name in ("success", "warning", "error", "accent")}
        with self.app.batch_update():
            self.query_one(StatusHeader).show(snapshot, state)
            self.set_class(not snapshot.has_data, "-empty")
            self.query_one(CategoryTable).show(snapshot, colours)
            self.query_one(BudgetBars).show(snapshot, self._marks())
            self.query_one(SpikeLog).show(snapshot, acknowledged, colours)
            self.query_one("#waste-total", Static).update(
                f"Total {money(snapshot.waste_total)} a month · {len(snapshot.waste)} items"
            )
            self.query_one(WasteTable).show(snapshot)
            self.query_one(CostPerLeadPane).show(snapshot.cost_per_lead, snapshot.environment_filter)
            self.query_one("#pane-spikes").border_subtitle = (
                f"{sum(1 for s in snapshot.spikes if s.key not in acknowledged)} new" if snapshot.spikes else "none"
            )

    def _marks(self) -> tuple[float, float, float]:
        thresholds = self.app.settings.budget.thresholds  # type: ignore[attr-defined]
        return (thresholds.warning, thresholds.critical, thresholds.hard_limit)

    def on_screen_resume(self) -> None:
        if self._pending is not None:
            snapshot, acknowledged, _state = self._pending
            self.show(snapshot, acknowledged, self.app.header_state())  # type: ignore[attr-defined]
