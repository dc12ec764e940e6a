"""`enter` on a spike: the day against the day before, the top drivers (as in the alert), the monthly increase,
the approver, the alert's delivery state and who acknowledged it. Re-read live like every screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static

from finops_tui.alerts.events import AlertEvent
from finops_tui.analytics.snapshot import Spike
from finops_tui.approvals.states import ItemState
from finops_tui.tui.format import APPROVAL_LABEL, money, printable, scope_label
from finops_tui.tui.screens.live import LiveScreen


@dataclass(frozen=True)
class SpikeDetail:
    spike: Spike | None  # None: no longer in the snapshot (another month, a filter)
    event: AlertEvent | None
    delivery: dict[str, object] | None
    acknowledged: dict[str, str] | None
    item: ItemState | None = None  # its approval item (opened by the alerts from this spike's key)


def delivery_text(delivery: dict[str, object] | None) -> str:
    if delivery is None:
        return "not evaluated yet (alerts run after every sync)"
    status = str(delivery["status"])
    if status == "sent":
        return f"sent at {delivery['sent_at']}"
    if status == "pending":
        tries = int(delivery["attempts"] or 0)
        error = f", last error: {printable(str(delivery['last_error']))}" if delivery["last_error"] else ""
        return f"pending ({tries} attempt{'s' if tries != 1 else ''}{error})"
    return status


def item_text(item: ItemState | None) -> Content:
    """Where the spike's approval item stands, e.g. ``approval item #3: approved by carol on 2026-11-12``."""
    if item is None:
        return Content("no approval item yet (the next alerts run opens one)")
    since = f" on {item.since}" if item.since and item.state != "pending" else f" since {item.since}" if item.since else ""
    return Content.assemble(f"approval item #{item.id}: ", (printable(item.text()), "bold"), since, " (p: approvals)")


class SpikeScreen(LiveScreen):
    HELP_WHERE = "spike detail"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the dashboard"),
        Binding("a", "acknowledge", "Acknowledge", tooltip="Acknowledge the spike, or take the acknowledgement back"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.detail: SpikeDetail | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with VerticalScroll(classes="pane", id="pane-spike"):
            yield Static("reading…", id="spike-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pane-spike").border_title = "Spike"
        super().on_mount()

    def read_view(self, today: date, environment: str | None) -> SpikeDetail:
        from finops_tui.alerts.events import spike_event

        app = self.app
        snapshot = app.snapshot  # type: ignore[attr-defined]
        spike = next((item for item in snapshot.spikes if item.key == self.key), None) if snapshot else None
        store = app.store  # type: ignore[attr-defined]
        event = spike_event(spike, snapshot, app.settings, store.conn) if spike else None  # type: ignore[attr-defined]
        item = snapshot.approval_items.get(self.key) if snapshot else None
        return SpikeDetail(spike, event, store.alert_event_state(self.key), store.acknowledgements().get(self.key), item)

    def show_view_data(self, detail: SpikeDetail) -> None:
        self.detail = detail
        self.query_one("#pane-spike").border_title = f"Spike {self.key}"
        self.query_one("#spike-detail", Static).update(self.render_detail(detail))

    def render_detail(self, detail: SpikeDetail) -> Content:
        spike = detail.spike
        if spike is None:
            return Content(f"{self.key} is not in the figures shown (another month or environment).")
        lines: list[Content] = [
            Content.assemble((f"{scope_label(spike.scope)} on {spike.date}", "bold")),
            Content(f"{money(spike.amount)} against {money(spike.previous)} the day before: "
                    f"{money(spike.increase)} ({spike.change_pct:+.1f}%)"),
            Content(f"Monthly increase at this rate: {money(spike.monthly_increase)}"),
            Content.assemble("Approver: ", (APPROVAL_LABEL.get(spike.approval, spike.approval), "bold"), " · ",
                             item_text(detail.item)),
            Content(""),
            Content.styled("Top drivers (as in the alert message)", "bold"),
        ]
        drivers = detail.event.drivers if detail.event else ()
        if drivers:
            lines += [Content(f"  {printable(d.service)}: +{money(d.increase)} ({money(d.before)} -> {money(d.after)})")
                      for d in drivers]
        else:
            lines.append(Content("  no single service stands out"))
        lines += [Content(""), Content(f"Alert: {delivery_text(detail.delivery)}")]
        ack = detail.acknowledged
        if ack is not None:
            who = printable(ack["by"]) or "someone"
            lines.append(Content.styled(f"Acknowledged by {who} at {ack['at'] or 'an unknown time'} (a takes it back)",
                                        "$success"))
        else:
            lines.append(Content.styled("Not acknowledged (a acknowledges: alerts never send it)", "bold $warning"))
        return Content("\n").join(lines)

    def action_acknowledge(self) -> None:
        if self.detail is None or self.detail.spike is None:
            self.notify("This spike is not in the figures shown.", severity="warning")
            return
        self.app.toggle_acknowledge(self.detail.spike)  # type: ignore[attr-defined]
