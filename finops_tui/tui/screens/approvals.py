"""The `p` screen: approval items by tier and age, the history of the selected one, approve or reject.

A live screen (``LiveScreen``): the header with its badges, re-read on the
refresh timer, after a sync and after each decision. Reads and writes run in
workers (never SQLite on the UI thread); a decision asks for the name and a
note, and is refused on a read-only cache (``--offline``, a snapshot copy).
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
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Input, Label, Static

from finops_tui.approvals.model import ApprovalItem
from finops_tui.approvals.verify import Verification
from finops_tui.tui.format import money, printable
from finops_tui.tui.screens.live import LiveScreen
from finops_tui.tui.widgets.keyed_table import KeyedTable

TIER_SHORT = {"team_lead": "Team Lead", "vp_engineering": "VP Eng", "cto_cfo": "CTO/CFO"}
WRITE_LOCK_WAIT_SECONDS = 3.0


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
    HELP_WHERE = "approvals"
    BINDINGS = [
        Binding("a", "screen.approve", "Approve", tooltip="Approve the selected item (asks for your name and a note)"),
        Binding("d", "screen.reject", "Reject", tooltip="Reject the selected item (asks for your name and why)"),
    ]


@dataclass(frozen=True)
class ApprovalsRead:
    """What the screen shows, read in a worker: every item with its history, and the done ones' verification."""

    today: date
    items: tuple[ApprovalItem, ...]
    verifications: dict[int, Verification]


def tier_counts(items: list[ApprovalItem]) -> str:
    """``CTO/CFO 1 · VP Eng 2 · Team Lead 0``: pending items per tier, highest first."""
    from finops_tui.approvals.tiers import TIER_RANK

    tiers = sorted(TIER_SHORT, key=lambda tier: -TIER_RANK[tier])
    return " · ".join(f"{TIER_SHORT[tier]} {sum(1 for item in items if item.tier == tier)}" for tier in tiers)


class ApprovalsScreen(LiveScreen):
    """Pending items first (highest tier, oldest first), then the decided ones; the selected item's history.

    A live screen: re-read on the refresh timer, after a sync, ``r`` and a decision, keeping its cursor.
    """

    HELP_WHERE = "approvals"  # layout: app.tcss

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the dashboard"),
        Binding("t", "toggle_all", "All/pending", tooltip="Show every approval item, or only the pending ones"),
    ]

    def __init__(self, item_id: int | None = None) -> None:
        super().__init__()
        self.wanted = None if item_id is None else str(item_id)  # the item to put the cursor on once read
        self.show_all = False
        self.data: ApprovalsRead | None = None
        self.items: dict[str, ApprovalItem] = {}
        self.decisions = 0  # decisions recorded from this screen

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("Approvals · reading…", id="drill-title")
        with Horizontal(id="approvals-body", classes="-narrow" if self.app.is_narrow else ""):  # type: ignore[attr-defined]
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
        super().on_mount()

    def on_resize(self) -> None:
        self.query_one("#approvals-body").set_class(self.app.is_narrow, "-narrow")  # type: ignore[attr-defined]

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.app.store, "read_only", False))  # type: ignore[attr-defined]

    # -- reading (a worker, see LiveScreen) --------------------------------
    def read_view(self, today: date, environment: str | None) -> ApprovalsRead:
        """Every item and the verification of the done ones; ages count to the clock's today, whatever month is shown."""
        from finops_tui.approvals.ledger import load_items
        from finops_tui.approvals.verify import verify

        app = self.app
        store = app.store  # type: ignore[attr-defined]
        today = app.clock.today  # type: ignore[attr-defined]
        store.use_settings(app.settings)  # type: ignore[attr-defined]  # verification reads spend as this config allocates it
        with store.read():
            items = load_items(store.conn)
            checks = {}
            for item in items:
                if item.state == "done":
                    check = verify(store, app.settings, item, today)  # type: ignore[attr-defined]
                    if check is not None:
                        checks[item.id] = check
        return ApprovalsRead(today, tuple(items), checks)

    def show_view_data(self, data: ApprovalsRead) -> None:
        self.data = data
        if self.wanted is not None and not self.show_all:
            # Opened on one item (`p` on a spike's detail): show every item if it is no longer pending.
            self.show_all = any(str(item.id) == self.wanted and item.state != "pending" for item in data.items)
        self._paint()
        if self.wanted is not None:
            table = self.query_one(ApprovalTable)
            if self.wanted in table.row_keys_in_order:
                table.move_cursor(row=table.row_keys_in_order.index(self.wanted))
                self._show_selected()
            self.wanted = None

    def _paint(self) -> None:
        from finops_tui.approvals.views import ordered

        data = self.data
        if data is None:
            return
        pending = [item for item in data.items if item.state == "pending"]
        shown = ordered([item for item in data.items if self.show_all or item.state == "pending"], data.today)
        self.items = {str(item.id): item for item in shown}
        self.query_one("#drill-title", Static).update(Text(
            f"Approvals · {len(pending)} pending of {len(data.items)} ({tier_counts(pending)}) · as of "
            f"{data.today.isoformat()}" + (" · read-only cache: deciding is refused" if self.read_only else "")))
        pane = self.query_one("#pane-approvals")
        pane.border_title = "All approval items" if self.show_all else "Pending: highest tier, then oldest first"
        pane.border_subtitle = "" if shown else ("no items" if self.show_all else "nothing waiting: t shows every item")
        self.query_one(ApprovalTable).show_rows([(key, self._cells(item, data.today)) for key, item in self.items.items()])
        self._show_selected()

    @staticmethod
    def _cells(item: ApprovalItem, today: date) -> tuple[Text, ...]:
        sign = "-" if item.direction == "saving" else "+"
        return (
            Text(str(item.id), justify="right"),
            Text(TIER_SHORT.get(item.tier, item.tier)),
            Text(sign + money(item.monthly_amount), justify="right"),
            Text(age_cell(item.age_days(today)), justify="right"),
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
        self.query_one("#pane-history").border_title = f"History of {item.label}" if item else "History"
        if item is None:
            detail.update("")
            history.show_rows([])
            return
        lines = [f"{item.label} {printable(item.title)}",
                 f"{amount_text(item)}, needs {tier_name(item.tier)}",
                 f"scope {printable(scope_label(item.scope))}",
                 f"from {item.origin}" + (f" {printable(item.origin_key)}" if item.origin_key else "")]
        if self.data is not None:
            lines += verification_lines(self.data.verifications.get(item.id))
        detail.update(Text("\n".join(lines)))
        history.show_rows([(str(entry.id), (Text(entry.at.replace("T", " ")[:16]), Text(entry.action),
                                             Text(printable(entry.actor) or "-"), Text(printable(entry.note))))
                           for entry in item.history])

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self._paint()

    # -- deciding ----------------------------------------------------------
    def action_approve(self) -> None:
        self._ask("approve")

    def action_reject(self) -> None:
        self._ask("reject")

    def _ask(self, action: str) -> None:
        if self.read_only:
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
            store.wait_for_locks(WRITE_LOCK_WAIT_SECONDS)
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
        self.app.action_reload()  # type: ignore[attr-defined]  # the dashboard's spike log and budgets, then this screen

    @on(DecisionFailed)
    def _decision_failed(self, message: DecisionFailed) -> None:
        self.notify(message.error, title="Approvals", severity="error", timeout=10, markup=False)
