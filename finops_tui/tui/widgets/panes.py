"""Table panes: category spend, spike log, waste list. Outside text is wrapped in ``Text`` (never markup)."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from finops_tui.analytics.snapshot import CategoryLine, Snapshot, Spike, WasteItem
from finops_tui.approvals.states import ItemState
from finops_tui.tui.format import APPROVAL_LABEL, WASTE_KIND_LABEL, ENVIRONMENT_SHORT, printable, short_resource, money, percent, scope_label, signed_percent, sparkline
from finops_tui.tui.widgets.keyed_table import KeyedTable


def _right(text: str, style: str = "") -> Text:
    return Text(text, style=style, justify="right")


class CategoryTable(KeyedTable):
    """Compute, Database, AI/ML, Storage, Networking, Other: month to date, share, change, trend."""

    HELP_WHERE = "category spend"

    BINDINGS = [Binding("enter", "select_cursor", "Services", tooltip="Open the services of this category")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            [("category", "Category"), ("mtd", "MTD"), ("share", "Share"), ("change", "vs prev"),
             ("trend", "Last 14 days")],
            id=id,
        )

    def show(self, snapshot: Snapshot, colours: dict[str, str]) -> None:
        self.show_rows([(line.name, self._cells(line, colours)) for line in snapshot.categories])

    @staticmethod
    def _cells(line: CategoryLine, colours: dict[str, str]) -> tuple[Text, ...]:
        change = line.change_pct
        change_style = "" if change is None else colours["error"] if change > 20 else colours["success"] if change < 0 else ""
        return (
            Text(line.name),
            _right(money(line.mtd)),
            _right(percent(line.share_pct)),
            _right("-" if change is None else signed_percent(change), change_style),  # none on the 1st: no complete days
            Text(sparkline(line.trend), style=colours["accent"]),
        )


class SpikeLog(KeyedTable):
    """Daily spikes, newest first; unacknowledged ones carry a marker and stand out."""

    HELP_WHERE = "spike log"
    SHRINK = "approval"  # where an item stands ("approved by ...") gives way before scope, dates and amounts

    BINDINGS = [
        Binding("enter", "select_cursor", "Detail", tooltip="Open the spike: drivers, approver, alert delivery"),
        Binding("a", "acknowledge", "Acknowledge", tooltip="Acknowledge the selected spike (alerts never send it), or take it back"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            [("new", " "), ("date", "Date"), ("scope", "Scope"), ("change", "Change"), ("increase", "+$/day"),
             ("approval", "Approval")],
            id=id,
        )
        self.spikes: dict[str, Spike] = {}

    def show(self, snapshot: Snapshot, acknowledged: frozenset[str], colours: dict[str, str]) -> None:
        self.spikes = {spike.key: spike for spike in snapshot.spikes}
        items = snapshot.approval_items  # the spike's approval item, by its alert key (finops_tui.approvals.states)
        rows = [(spike.key, self._cells(spike, spike.key not in acknowledged, colours, items.get(spike.key)))
                for spike in snapshot.spikes]
        self.show_rows(rows)

    @staticmethod
    def _cells(spike: Spike, new: bool, colours: dict[str, str], item: ItemState | None = None) -> tuple[Text, ...]:
        style = f"bold {colours['warning']}" if new else "dim"
        # Who approves it; once an item is open, where it stands (pending VP Eng, approved by carol).
        approval = APPROVAL_LABEL.get(spike.approval, spike.approval) if item is None else printable(item.text(APPROVAL_LABEL))
        return (
            Text("●" if new else "✓", style=style),
            Text(spike.date, style=style),
            Text(scope_label(spike.scope), style=style),
            _right(f"{spike.change_pct:+.1f}%", style),
            _right(money(spike.increase), style),
            Text(approval, style=style, no_wrap=True),
        )

    @property
    def selected_spike(self) -> Spike | None:
        key = self.selected_key
        return self.spikes.get(key) if key else None

    def action_acknowledge(self) -> None:
        spike = self.selected_spike
        if spike is None:
            self.notify("No spike selected.", severity="warning")
            return
        self.app.toggle_acknowledge(spike)  # type: ignore[attr-defined]


WASTE_ROWS = 50  # the pane shows the top items; the total covers them all


class WasteTable(KeyedTable):
    """Idle or unassigned resources by dollars a month."""

    HELP_WHERE = "waste"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            [("monthly", "$/month"), ("kind", "Kind"), ("environment", "Env"), ("resource", "Resource")], id=id
        )
        self.resource_ids: dict[str, str] = {}

    def show(self, snapshot: Snapshot) -> None:
        self.show_rows([(item.resource_id, self._cells(item)) for item in snapshot.waste[:WASTE_ROWS]])

    def copy_value(self, key: str) -> str:
        return self.resource_ids.get(key, key)

    @staticmethod
    def _cells(item: WasteItem) -> tuple[Text, ...]:
        label = short_resource(item.resource_id) if item.kind == "untagged_spend" else (item.name or short_resource(item.resource_id))
        return (
            _right(money(item.monthly_cost, whole=item.monthly_cost >= 1000)),
            Text(" + ".join(WASTE_KIND_LABEL.get(kind, kind.replace("_", " ")) for kind in (item.kinds or (item.kind,)))),
            Text(printable(ENVIRONMENT_SHORT.get(item.environment, item.environment))),
            Text(printable(label), overflow="ellipsis", no_wrap=True),
        )
