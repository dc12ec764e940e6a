"""The `p` screen: approval items by tier and age, the history of the selected one, approve or reject.

Reads and writes run in workers (never SQLite on the UI thread); a decision
asks for the name and a note, and is refused on a read-only cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Static

from finops_tui.approvals.model import ApprovalItem
from finops_tui.approvals.verify import Verification
from finops_tui.tui.format import money, printable
from finops_tui.tui.widgets.keyed_table import KeyedTable

TIER_SHORT = {"team_lead": "Team Lead", "vp_engineering": "VP Eng", "cto_cfo": "CTO/CFO"}
WRITE_LOCK_WAIT_SECONDS = 3.0


@dataclass
class ApprovalsLoaded(Message):
    items: list[ApprovalItem]
    verifications: dict[int, Verification]


@dataclass
class ApprovalsFailed(Message):
    error: str


@dataclass
class DecisionRecorded(Message):
    summary: str
    warning: str | None


@dataclass
class DecisionFailed(Message):
    error: str


@dataclass(frozen=True)
class Decision:
    name: str
    note: str


def write_failure(error: Exception) -> str:
    """Why a decision was not recorded, in one sentence."""
    from finops_tui.errors import FinopsError

    if isinstance(error, FinopsError):
        return str(error)
    text = str(error).lower()
    if "readonly" in text or "read-only" in text or "query_only" in text:
        return "the cache is read-only"
    if "locked" in text or "busy" in text:
        return "the cache is locked by another process; try again in a moment"
    return f"{type(error).__name__}: {error}"


def age_cell(days: int) -> str:
    return "today" if days == 0 else f"{days}d"


class DecisionDialog(ModalScreen[Decision | None]):
    """Ask who decides and why; escape cancels."""

    DEFAULT_CSS = """
    DecisionDialog { align: center middle; }
    #decision-box { width: 72; height: auto; padding: 1 2; border: thick $primary; background: $surface; }
    #decision-title { text-style: bold; margin-bottom: 1; }
    #decision-error { color: $error; height: auto; }
    #decision-buttons { height: auto; margin-top: 1; }
    #decision-buttons Button { margin-right: 2; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without deciding")]

    def __init__(self, verb: str, item: ApprovalItem, *, note_required: bool) -> None:
        super().__init__()
        self.verb = verb
        self.item = item
        self.note_required = note_required

    def compose(self) -> ComposeResult:
        with Vertical(id="decision-box"):
            yield Static(Text(f"{self.verb.capitalize()} {self.item.label} {printable(self.item.title)}"), id="decision-title")
            yield Label(f"Name (an approver for {TIER_SHORT.get(self.item.tier, self.item.tier)} or above)")
            yield Input(id="decision-name", placeholder="your name as in [approvals.approvers]")
            yield Label("Note" + (" (required)" if self.note_required else " (optional)"))
            yield Input(id="decision-note", placeholder="why")
            yield Static("", id="decision-error")
            with Horizontal(id="decision-buttons"):
                yield Button(self.verb.capitalize(), id="decision-ok", variant="primary")
                yield Button("Cancel", id="decision-cancel")

    def on_mount(self) -> None:
        self.query_one("#decision-name", Input).focus()

    @on(Input.Submitted, "#decision-name")
    def _to_note(self) -> None:
        self.query_one("#decision-note", Input).focus()

    @on(Input.Submitted, "#decision-note")
    @on(Button.Pressed, "#decision-ok")
    def _submit(self) -> None:
        name = self.query_one("#decision-name", Input).value.strip()
        note = self.query_one("#decision-note", Input).value.strip()
        if not name:
            self.query_one("#decision-error", Static).update("A name is needed.")
            self.query_one("#decision-name", Input).focus()
            return
        if self.note_required and not note:
            self.query_one("#decision-error", Static).update("A rejection needs a note saying why.")
            self.query_one("#decision-note", Input).focus()
            return
        self.dismiss(Decision(name, note))

    @on(Button.Pressed, "#decision-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ApprovalTable(KeyedTable):
    BINDINGS = [
        Binding("a", "screen.approve", "Approve", tooltip="Approve the selected item (asks for your name)"),
        Binding("d", "screen.reject", "Reject", tooltip="Reject the selected item (asks for your name and why)"),
    ]


class ApprovalsScreen(Screen):
    """Pending items first (highest tier, oldest first), then the decided ones; the selected item's history."""

    DEFAULT_CSS = """
    #approvals-body { height: 1fr; }
    #pane-approvals { width: 3fr; }
    #pane-history { width: 2fr; }
    #approval-detail { height: auto; padding: 0 1 1 1; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the dashboard"),
        Binding("t", "toggle_all", "All/pending", tooltip="Show every item, or only the pending ones"),
    ]

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today
        self.show_all = False
        self.items: dict[str, ApprovalItem] = {}
        self.verifications: dict[int, Verification] = {}
        self.loaded = 0  # loads applied; tests wait on it
        self.decisions = 0  # decisions recorded from this screen

    def compose(self) -> ComposeResult:
        yield Static("Approvals", id="drill-title")
        with Horizontal(id="approvals-body"):
            with Vertical(classes="pane", id="pane-approvals"):
                yield ApprovalTable([("id", "#"), ("tier", "Tier"), ("amount", "$/month"), ("age", "Age"),
                                     ("state", "State"), ("title", "Title")], id="approvals")
            with Vertical(classes="pane", id="pane-history"):
                yield Static("", id="approval-detail")
                yield KeyedTable([("at", "When"), ("action", "What"), ("by", "By"), ("note", "Note")], id="approval-history")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pane-approvals").border_title = "Pending approvals"
        self.query_one("#pane-history").border_title = "History"
        self.query_one(ApprovalTable).focus()
        self.reload()

    # -- reading -----------------------------------------------------------
    def reload(self) -> None:
        self.load_items(self.today)

    @work(thread=True, exclusive=True, exit_on_error=False, group="approvals")
    def load_items(self, today: date) -> None:
        from finops_tui.approvals.ledger import load_items
        from finops_tui.approvals.verify import verify

        app = self.app
        store = app.store  # type: ignore[attr-defined]
        try:
            items = load_items(store.conn)
            checks = {}
            for item in items:
                if item.state == "done":
                    check = verify(store, app.settings, item, today)  # type: ignore[attr-defined]
                    if check is not None:
                        checks[item.id] = check
        except Exception as error:
            self.post_message(ApprovalsFailed(f"Could not read the approvals: {error}"))
            return
        finally:
            store.close()
        self.post_message(ApprovalsLoaded(items, checks))

    @on(ApprovalsLoaded)
    def _loaded(self, message: ApprovalsLoaded) -> None:
        from finops_tui.approvals.views import ordered

        shown = ordered([item for item in message.items if self.show_all or item.state == "pending"], self.today)
        self.items = {str(item.id): item for item in shown}
        self.verifications = message.verifications
        pending = sum(1 for item in message.items if item.state == "pending")
        self.query_one("#drill-title", Static).update(Text(
            f"Approvals · {pending} pending of {len(message.items)} · as of {self.today.isoformat()}"
            + (" · read-only cache" if getattr(self.app.store, "read_only", False) else "")))  # type: ignore[attr-defined]
        self.query_one("#pane-approvals").border_title = "All approval items" if self.show_all else "Pending approvals"
        table = self.query_one(ApprovalTable)
        table.show_rows([(key, self._cells(item)) for key, item in self.items.items()])
        self.query_one("#pane-approvals").border_subtitle = "" if shown else (
            "no items" if self.show_all else "nothing waiting: t shows every item")
        self._show_selected()
        self.loaded += 1

    @on(ApprovalsFailed)
    def _failed(self, message: ApprovalsFailed) -> None:
        self.notify(message.error, title="Approvals", severity="error", markup=False)

    def _cells(self, item: ApprovalItem) -> tuple[Text, ...]:
        sign = "-" if item.direction == "saving" else "+"
        return (
            Text(str(item.id), justify="right"),
            Text(TIER_SHORT.get(item.tier, item.tier)),
            Text(sign + money(item.monthly_amount), justify="right"),
            Text(age_cell(item.age_days(self.today)), justify="right"),
            Text(item.state),
            Text(printable(item.title), overflow="ellipsis", no_wrap=True),
        )

    @property
    def selected(self) -> ApprovalItem | None:
        key = self.query_one(ApprovalTable).selected_key
        return self.items.get(key) if key else None

    @on(DataTable.RowHighlighted, "#approvals")
    def _highlighted(self) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        from finops_tui.approvals.messages import amount_text
        from finops_tui.approvals.scope import scope_label
        from finops_tui.approvals.tiers import tier_name
        from finops_tui.approvals.views import verification_lines

        item = self.selected
        detail = self.query_one("#approval-detail", Static)
        history = self.query_one("#approval-history", KeyedTable)
        if item is None:
            detail.update("")
            history.show_rows([])
            return
        lines = [f"{item.label} {printable(item.title)}",
                 f"{amount_text(item)}, needs {tier_name(item.tier)}",
                 f"scope {printable(scope_label(item.scope))}",
                 f"from {item.origin}" + (f" {printable(item.origin_key)}" if item.origin_key else "")]
        lines += verification_lines(self.verifications.get(item.id))
        detail.update(Text("\n".join(lines)))
        history.show_rows([(str(entry.id), (Text(entry.at.replace("T", " ")[:16]), Text(entry.action),
                                             Text(printable(entry.actor) or "-"), Text(printable(entry.note))))
                           for entry in item.history])

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.reload()

    # -- deciding ----------------------------------------------------------
    def action_approve(self) -> None:
        self._ask("approve")

    def action_reject(self) -> None:
        self._ask("reject")

    def _ask(self, action: str) -> None:
        if getattr(self.app.store, "read_only", False):  # type: ignore[attr-defined]
            self.notify("Read-only cache (--offline or a snapshot copy): decisions are refused; "
                        "decide on the original cache.", title="Approvals", severity="warning", markup=False)
            return
        item = self.selected
        if item is None:
            self.notify("No item selected.", severity="warning")
            return
        if item.state != "pending":
            self.notify(f"{item.label} is {item.state}: only a pending item can be decided.", severity="warning",
                        markup=False)
            return

        def decided(decision: Decision | None) -> None:
            if decision is not None:
                self.record_decision(item.id, action, decision)

        self.app.push_screen(DecisionDialog(action, item, note_required=action == "reject"), decided)

    @work(thread=True, exclusive=False, exit_on_error=False, group="approvals-write")
    def record_decision(self, item_id: int, action: str, decision: Decision) -> None:
        """The write and its post run here: a locked or read-only cache, or a slow webhook, never freezes the console."""
        from finops_tui.approvals.delivery import deliver_due
        from finops_tui.approvals.ledger import PAST_TENSE, decide

        app = self.app
        store = app.store  # type: ignore[attr-defined]
        clock = app.clock  # type: ignore[attr-defined]
        try:
            store.conn.execute(f"PRAGMA busy_timeout = {int(WRITE_LOCK_WAIT_SECONDS * 1000)}")
            item = decide(store, app.settings, item_id, action, by=decision.name, note=decision.note,  # type: ignore[attr-defined]
                          now=clock.now(), today=clock.today)
        except Exception as error:
            self.post_message(DecisionFailed(f"Not recorded: {write_failure(error)}"))
            store.close()
            return
        warning = None
        try:
            posted = deliver_due(store, app.settings, clock.wall_now(), out=None)  # type: ignore[attr-defined]
            if posted.errors:
                warning = f"Post failed (retried by the next alerts run): {posted.errors[0]}"
        except Exception as error:
            warning = f"Post failed (retried by the next alerts run): {error}"
        finally:
            store.close()
        self.post_message(DecisionRecorded(f"{item.label} {PAST_TENSE[action]} by {decision.name}.", warning))

    @on(DecisionRecorded)
    def _recorded(self, message: DecisionRecorded) -> None:
        self.decisions += 1
        self.notify(message.summary, title="Approvals", timeout=4, markup=False)
        if message.warning:
            self.notify(message.warning, title="Approvals", severity="warning", timeout=8, markup=False)
        self.reload()

    @on(DecisionFailed)
    def _decision_failed(self, message: DecisionFailed) -> None:
        self.notify(message.error, title="Approvals", severity="error", timeout=10, markup=False)
