"""The console: five live panes over the cache, keyboard drill-down, freshness at a glance.

Workers read the cache (and sync, and export) off the UI thread and post messages; handlers here own the UI.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable

from finops_tui import calendar as cal
from finops_tui.analytics.snapshot import Snapshot, Spike
from finops_tui.clock import Clock
from finops_tui.config import ENVIRONMENTS, UNALLOCATED, Settings
from finops_tui.errors import FinopsError
from finops_tui.first_read import Figures, FirstRead, read_figures
from finops_tui.money import CE_REQUEST_USD
from finops_tui.store.db import Store
from finops_tui.tui.messages import (
    ReportExported,
    ReportFailed,
    SnapshotFailed,
    SnapshotLoaded,
    SyncFailed,
    SyncFinished,
    SyncUnavailable,
    WriteDone,
    WriteFailed,
)
from finops_tui.tui.screens.dashboard import DashboardScreen
from finops_tui.tui.screens.live import LiveScreen
from finops_tui.tui.widgets.status_header import HeaderState

if TYPE_CHECKING:
    from finops_tui.publish import RemoteCache

NARROW_BELOW = 120  # columns: two columns of panes from here, one scrolling column below (set per screen, see is_narrow)

# What `e` steps through: every environment, then the untagged spend, then all again.
ENVIRONMENT_CYCLE: tuple[str | None, ...] = (None, *ENVIRONMENTS, UNALLOCATED)
WRITE_LOCK_WAIT_SECONDS = 3.0  # a key's write waits this long for another process's lock, then says so
FIRST_READ_WAIT_SECONDS = 0.5  # the dashboard waits this long for the first read at mount, then a worker does


def month_today(today: date, month_offset: int) -> date:
    """The "today" of a month ``month_offset`` months from today's: the real today now, the last day before."""
    if month_offset == 0:
        return today
    return cal.month_end(cal.add_months(today, month_offset))


class FinopsApp(App[int]):
    TITLE = "finops-tui"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses elsewhere (bench) find it too
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit the console"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Every key of the console"),
        Binding("e", "cycle_environment", "Env", tooltip="Filter every pane to the next environment"),
        Binding("left_square_bracket", "step_month(-1)", "Prev month", key_display="["),
        Binding("right_square_bracket", "step_month(1)", "Next month", key_display="]"),
        Binding("r", "reload_now", "Reload", tooltip="Read the cache again now (says when it has)"),
        Binding("s", "sync", "Sync", tooltip="Sync from AWS now"),
        Binding("x", "export_report", "Export", tooltip="Write the report of what is shown (month, environment) to a new file here"),
        Binding("v", "review", "Review", tooltip="The FinOps review of the last complete month", id="review"),
        Binding("p", "approvals", "Approvals", tooltip="Approval items by tier and age, their history; approve or reject",
                id="approvals"),
    ]

    def __init__(self, settings: Settings, store: Store, clock: Clock, *, demo: bool = False, offline: bool = False,
                 refresh_seconds: float | None = -1.0, auto_sync: bool = True, remote: RemoteCache | None = None,
                 first_read: FirstRead | None = None) -> None:
        super().__init__()
        # `--cache s3://...`: every refresh first checks latest.json (If-None-Match) and swaps in a new snapshot.
        self.remote = remote
        self.remote_offline = False  # S3 unreachable: the last download is shown, marked STALE
        if remote is not None:
            offline = True  # a published snapshot is read-only: this console never syncs it
        from finops_tui.tui.themes import DARK, console_themes

        for theme in console_themes():
            self.register_theme(theme)
        # The console's theme from the start, set as the initial value: assigning it would run the theme
        # watcher, which parses every stylesheet once more before the first frame. DARK is dark like Textual's
        # default theme, whose "-dark-mode" class the app already has.
        self.set_reactive(FinopsApp.theme, DARK)
        self.add_class(f"-theme-{DARK}", update=False)
        self.stylesheet.set_variables(self.get_css_variables())  # nothing is parsed yet: the theme's colours
        self.settings = settings
        self.store = store
        self.clock = clock
        self.demo = demo
        self.offline = offline or demo
        # -1 means "from the settings"; None turns live refresh off (tests, snapshots).
        self.refresh_seconds = settings.refresh.interval_seconds if refresh_seconds == -1.0 else refresh_seconds
        self.auto_sync = auto_sync and not self.offline and not store.read_only  # a sync would write
        self.environment: str | None = None
        self.month_offset = 0
        self.snapshot: Snapshot | None = None
        self.acknowledged: frozenset[str] = frozenset()
        self.sync_failed = False
        self.sync_error: str | None = None
        self.syncing = False
        self.no_credentials = False  # set when this host has no AWS credentials: sync disabled, not OFFLINE
        self.next_refresh_at: datetime | None = None
        self.next_sync_at: datetime | None = None
        self._confirm_reload = False
        self.loads = 0  # snapshots applied so far; tests wait on it
        self._refresh_timer: Timer | None = None
        self._sync_timer: Timer | None = None
        self.aws_ready = False  # set once boto3 finds credentials (checked off the UI thread)
        self._last_read_error: str | None = None
        # The first read runs on its own thread: started by the command before Textual was imported, or now, while
        # Textual starts up. The UI thread never touches SQLite, and the first frame has every pane filled.
        self._first_read = (first_read or FirstRead(lambda: store, settings, clock)).figures

    # -- screens and state -------------------------------------------------
    def get_default_screen(self) -> Screen:
        return DashboardScreen()

    @property
    def dashboard(self) -> DashboardScreen:
        return self.screen_stack[0]  # type: ignore[return-value]

    @property
    def is_narrow(self) -> bool:
        return self.size.width < NARROW_BELOW

    @property
    def view_today(self) -> date:
        return month_today(self.clock.today, self.month_offset)

    def header_state(self) -> HeaderState:
        # A failed read leaves older figures on screen: they are stale until a read succeeds again.
        stale = self.sync_failed or self.remote_offline or self._last_read_error is not None
        return HeaderState(
            self.offline, self.demo, stale, self.syncing, self.environment, self.month_offset == 0,
            read_only=self.store.read_only, no_credentials=self.no_credentials,
            sync_error=self.remote.offline_reason if self.remote_offline and self.remote else self.sync_error,
            next_refresh=self.next_refresh_at, next_sync=self.next_sync_at if self.auto_sync else None,
            now=self.clock.now(), sync_interval_minutes=self.settings.sync.interval_minutes,
            read_error=self._last_read_error,
        )

    def live_screens(self) -> list[LiveScreen]:
        """The screens above the dashboard that re-read with it (see ``screens/live.py``)."""
        return [screen for screen in self.screen_stack[1:] if isinstance(screen, LiveScreen)]

    def paint_headers(self) -> None:
        """Repaint the header of every screen (a badge or a timer changed; the figures did not)."""
        state = self.header_state()
        self.dashboard.show_header(state)
        for screen in self.live_screens():
            screen.show_header(self.snapshot, state)

    def on_mount(self) -> None:
        import asyncio

        from finops_tui.tui.quitting import install

        install(asyncio.get_running_loop())  # `q` never waits for a worker (tui/quitting.py)
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        """Cells carry colours from the theme: paint them again with the new one."""
        if self.snapshot is not None:
            self.dashboard.show(self.snapshot, self.acknowledged, self.header_state())

    # -- the start sequence -------------------------------------------------
    # 1. DashboardScreen.on_mount reads the first snapshot on the UI thread (a few SQL aggregates), so the
    #    first frame has all five panes filled.
    # 2. Once that frame is on screen (_after_first_frame): the cost-per-lead plot (plotext, imported in a
    #    worker so keys typed meanwhile are handled at once), the AWS check (botocore import and credential
    #    discovery, in a worker) and with it sync and alert scheduling.
    # Nothing else runs before the first frame: tests/tui/test_start_path.py checks what is imported by then.
    first_frame_done = False

    def _after_first_frame(self) -> None:
        if self.first_frame_done:
            return
        self.first_frame_done = True
        from finops_tui.entry import started

        started()  # the garbage collector is on again (finops_tui/entry.py)
        self.dashboard.focus_first_pane()
        self.import_plot()
        if self.auto_sync:
            self.check_aws()

    @work(thread=True, exit_on_error=False, group="start")
    def import_plot(self) -> None:
        """Import plotext off the UI thread, then mount the cost-per-lead plot on it."""
        import textual_plotext  # noqa: F401 - the import is the work

        self.call_from_thread(self.dashboard.query_one("#cpl").mount_plot)  # type: ignore[attr-defined]

    # -- live refresh ------------------------------------------------------
    def load_first_snapshot(self) -> None:
        """Show the first read (started on its own thread when the app was made) as soon as it is in.

        Usually it is done by the time the dashboard has mounted, and the first frame has every pane filled;
        otherwise a worker waits for it. Every later read runs in the refresh worker.
        """
        try:  # the UI has nothing to show until then; waiting frees the GIL for the reading thread
            message = _message(self._first_read.result(timeout=FIRST_READ_WAIT_SECONDS))
        except TimeoutError:
            self.wait_for_first_read()
            return
        if isinstance(message, SnapshotLoaded):
            self._snapshot_loaded(message)
        else:  # a locked or half-copied cache: say so, and let the refresh try again
            self._snapshot_failed(message)

    @work(thread=True, exit_on_error=False, group="refresh")
    def wait_for_first_read(self) -> None:
        """Wait (off the UI thread) for the first read, and post it like every later read."""
        self.post_message(_message(self._first_read.result()))

    def _filters_changed(self) -> None:
        """`e`, `[` or `]`: re-read the dashboard; every live screen on top re-reads when it lands."""
        self.action_reload()

    def action_reload_now(self) -> None:
        """`r`: read again now, and say so when the figures are in."""
        self._confirm_reload = True
        self.action_reload()

    def action_reload(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None
        self.load_snapshot(self.view_today, self.environment, self.month_offset)

    @work(thread=True, exclusive=True, exit_on_error=False, group="refresh")
    def load_snapshot(self, today: date, environment: str | None, month_offset: int) -> None:
        """Read the cache (a few SQL aggregates) off the UI thread; never touches widgets."""
        if self.remote is not None:
            try:
                self._check_remote()
            except Exception as error:  # S3 or the new download unreadable: keep the last good figures
                self.store.close()
                self.post_message(SnapshotFailed(f"Could not read the cache: {error}"))
                return
        self.post_message(read_snapshot(self.store, self.settings, self.clock, today, environment, month_offset))

    def _check_remote(self) -> None:
        """In the refresh worker: one conditional GET of latest.json; a new snapshot replaces the store."""
        from finops_tui.publish import open_snapshot

        assert self.remote is not None
        if self.remote.refresh():
            previous, self.store = self.store, open_snapshot(self.remote)
            previous.close()
        self.remote_offline = self.remote.offline_reason is not None

    @on(SnapshotLoaded)
    def _snapshot_loaded(self, message: SnapshotLoaded) -> None:
        if (message.month_offset, message.environment) != (self.month_offset, self.environment):
            return  # an older request: the newer one is on its way
        self.snapshot = message.snapshot
        self.acknowledged = message.acknowledged
        self._last_read_error = None
        state = self.header_state()
        self.dashboard.show(message.snapshot, message.acknowledged, state)
        for screen in self.live_screens():
            screen.snapshot_loaded(message.snapshot, state)
        self.loads += 1
        if self._confirm_reload:
            self._confirm_reload = False
            sync = message.snapshot.freshness.last_sync or "never"
            self.notify(f"Reloaded: as of {message.snapshot.as_of}, last sync {sync}.", timeout=3, markup=False)
        if not self.first_frame_done:
            self.call_after_refresh(self._after_first_frame)
        self._schedule_refresh()
        if self.aws_ready and self._sync_timer is None and not self.syncing:
            self._schedule_sync(first=True)

    @on(SnapshotFailed)
    def _snapshot_failed(self, message: SnapshotFailed) -> None:
        if message.error != self._last_read_error:  # say it once, not every refresh interval
            self.notify(message.error, title="Cache", severity="error", markup=False)
        self._last_read_error = message.error
        self._confirm_reload = False
        if self.snapshot is not None:
            self.paint_headers()  # the figures shown are now stale
        if not self.first_frame_done:
            self.call_after_refresh(self._after_first_frame)
        self._schedule_refresh()

    def _schedule_refresh(self) -> None:
        if self.refresh_seconds is None:
            return
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        self._refresh_timer = self.set_timer(self.refresh_seconds, self.action_reload, name="refresh")
        self.next_refresh_at = self.clock.now() + timedelta(seconds=self.refresh_seconds)
        self.paint_headers()

    # -- filters -----------------------------------------------------------
    def action_cycle_environment(self) -> None:
        position = ENVIRONMENT_CYCLE.index(self.environment)
        self.environment = ENVIRONMENT_CYCLE[(position + 1) % len(ENVIRONMENT_CYCLE)]
        self.notify(f"Environment: {self.environment or 'all'}", timeout=2)
        self._filters_changed()

    def action_step_month(self, step: int) -> None:
        if self.month_offset + step > 0:
            self.notify("Already the current month.", severity="warning", timeout=2)
            return
        self.month_offset += step
        self._filters_changed()

    def action_review(self) -> None:
        """`v`: the FinOps review (its module, and pandas, load only now)."""
        from finops_tui.tui.screens.review import ReviewItemScreen, ReviewScreen

        if not isinstance(self.screen, (ReviewScreen, ReviewItemScreen)):
            self.push_screen(ReviewScreen())

    def action_approvals(self) -> None:
        """`p`: the approval items (on a spike's detail: with the cursor on that spike's item)."""
        from finops_tui.tui.screens.approvals import ApprovalsScreen, DecisionDialog
        from finops_tui.tui.screens.spike import SpikeScreen

        screen = self.screen
        if isinstance(screen, (ApprovalsScreen, DecisionDialog)):
            return
        item = screen.detail.item if isinstance(screen, SpikeScreen) and screen.detail is not None else None
        self.push_screen(ApprovalsScreen(item.id if item is not None else None))

    # -- help and palette --------------------------------------------------
    def action_help(self) -> None:
        from finops_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands, then one per live binding of the screen (nothing typed a second time)."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or binding.system:
                continue
            seen.add(binding.action)
            title = f"{binding.description}: {binding.tooltip}" if binding.tooltip else binding.description
            yield SystemCommand(title, f"key {self.get_key_display(binding)}",
                                partial(self.run_action, binding.action, active.node))

    # -- drill-down and acknowledgement ------------------------------------
    @on(DataTable.RowSelected, "#categories")
    def _open_category(self, event: DataTable.RowSelected) -> None:
        from finops_tui.tui.screens.drilldown import ServicesScreen

        if event.row_key.value:
            self.push_screen(ServicesScreen(event.row_key.value, self.view_today, self.environment))

    @on(DataTable.RowSelected, "#spikes")
    def _open_spike(self, event: DataTable.RowSelected) -> None:
        from finops_tui.tui.screens.spike import SpikeScreen

        if event.row_key.value:
            self.push_screen(SpikeScreen(event.row_key.value))

    def toggle_acknowledge(self, spike: Spike) -> None:
        """`a`: acknowledge the spike (who and when are recorded), or take an acknowledgement back."""
        if self.store.read_only:
            self.notify("Read-only cache (--offline or a snapshot copy): acknowledging is refused; "
                        "acknowledge on the original cache.", title="Acknowledge", severity="warning", markup=False)
            return
        self.write_acknowledgement(spike, undo=spike.key in self.acknowledged, by=current_user(),
                                   at=self.clock.now().replace(microsecond=0).isoformat())

    acknowledge_spike = toggle_acknowledge  # the name later screens call

    @work(thread=True, exclusive=False, exit_on_error=False, group="write")
    def write_acknowledgement(self, spike: Spike, *, undo: bool, by: str, at: str) -> None:
        """The write runs here, never on the UI thread: a locked, read-only or full cache must not freeze the console."""
        try:
            self.store.wait_for_locks(WRITE_LOCK_WAIT_SECONDS)
            if undo:
                self.store.unacknowledge_alert(spike.key)
            else:
                self.store.acknowledge_alert(spike.key, "spike", spike.scope, spike.date[:7], by=by, at=at)
        except Exception as error:
            what = "take back the acknowledgement of" if undo else "acknowledge"
            self.post_message(WriteFailed(f"Could not {what} {spike.key}: {write_error(error)}"))
        else:
            self.post_message(WriteDone(f"Acknowledgement of {spike.key} taken back: alerts may send it again." if undo
                                        else f"Acknowledged {spike.key} as {by}: alerts will not send it."))
        finally:
            self.store.close()

    @on(WriteDone)
    def _write_done(self, message: WriteDone) -> None:
        self.notify(message.summary, timeout=3, markup=False)
        self.action_reload()

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self.notify(message.error, title="Cache", severity="error", timeout=8, markup=False)

    # -- sync --------------------------------------------------------------
    def action_sync(self) -> None:
        if self.demo or (self.snapshot is not None and self.snapshot.is_demo):
            self.notify("The demo has nothing to sync: open your own cache to sync from AWS.", severity="warning")
            return
        if self.offline:
            self.notify("Offline: the console never calls AWS. Run `finops-tui sync` where AWS is configured.",
                        severity="warning", markup=False)
            return
        if self.store.read_only:
            self.notify("Read-only cache: a sync would write to it. Sync the original cache.", severity="warning",
                        markup=False)
            return
        if self.no_credentials:
            self.notify("No AWS credentials on this host: sync disabled. Configure a profile, or run "
                        "`finops-tui doctor`.", severity="warning", markup=False)
            return
        if self.syncing:
            self.notify("A sync is already running.", timeout=2)
            return
        self.syncing = True
        self.paint_headers()
        self.run_sync_worker()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync")
    def run_sync_worker(self) -> None:
        """One sync run (boto3, off the UI thread); the cache is written in one transaction by sync.py."""
        try:
            from finops_tui.sync import run_sync

            result = run_sync(self.store, self.settings, self.clock)
        except Exception as error:  # SyncError carries its hint; anything else becomes one line too
            message = str(error) if isinstance(error, FinopsError) else f"{type(error).__name__}: {error}"
            self.post_message(SyncFailed(message))
        else:
            self.post_message(SyncFinished(sync_summary(result) + self._alerts_after_sync()))
        finally:
            self.store.close()

    def _alerts_after_sync(self) -> str:
        """Evaluate and deliver alerts for the new data (worker thread); a few words for the sync notice."""
        from finops_tui.alerts import run_alerts

        try:
            alerts = run_alerts(self.store, self.settings, self.clock, out=None)  # out=None: never print under the UI
        except Exception as error:  # alerts never turn a good sync into a failed one
            return f" Alerts not evaluated: {error}"
        if alerts.errors:
            return f" Alert delivery failed (retried on the next run): {alerts.errors[0]}"
        return f" Alerts sent: {alerts.sent}." if alerts.sent else ""

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync")
    def check_aws(self) -> None:
        """Decide off the UI thread (boto3 is slow to import) whether this host can sync by itself."""
        try:
            from finops_tui.sync import aws_configured

            configured = aws_configured(self.settings)
        except Exception as error:
            self.post_message(SyncUnavailable(f"sync unavailable: {error}"))
            return
        if configured:
            self.call_from_thread(self._aws_ready)
        else:
            self.post_message(SyncUnavailable("AWS is not configured"))

    def _aws_ready(self) -> None:
        self.aws_ready = True
        if self.snapshot is not None:
            self._schedule_sync(first=True)

    @on(SyncUnavailable)
    def _sync_unavailable(self, message: SyncUnavailable) -> None:
        self.no_credentials = True
        self.auto_sync = False
        self.paint_headers()

    def _schedule_sync(self, *, first: bool = False) -> None:
        """The next automatic sync: an interval after the last one (at once when the cache is that old)."""
        if not (self.auto_sync and self.aws_ready):
            return
        interval = self.settings.sync.interval_minutes * 60
        delay = interval
        if first and self.snapshot is not None:
            age = self.snapshot.freshness.age_seconds
            delay = 0.1 if age is None else max(0.1, interval - age)  # Textual timers need a delay > 0
        if self._sync_timer is not None:
            self._sync_timer.stop()
        self._sync_timer = self.set_timer(delay, self.action_sync, name="sync")
        self.next_sync_at = self.clock.now() + timedelta(seconds=delay)
        self.paint_headers()

    @on(SyncFinished)
    def _sync_finished(self, message: SyncFinished) -> None:
        self.syncing = False
        self.sync_failed = False
        self.sync_error = None
        self.notify(f"Sync finished: {message.summary}", timeout=4, markup=False)
        self._schedule_sync()
        self.action_reload()

    @on(SyncFailed)
    def _sync_failed(self, message: SyncFailed) -> None:
        self.syncing = False
        self.sync_failed = True
        self.sync_error = message.error
        self.notify(message.error, title="Sync failed", severity="error", timeout=10, markup=False)
        self._schedule_sync()
        self.paint_headers()

    # -- export ------------------------------------------------------------
    def action_export_report(self) -> None:
        self.export_report(self.view_today, self.environment, self.clock.today)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def export_report(self, view_today: date, environment: str | None, today: date) -> None:
        """The report of what is on screen, to a new file in the current directory (never over an old one)."""
        try:
            from finops_tui.tui.export import write_export

            path = write_export(self.store, self.settings, view_today, environment, today, Path.cwd())
        except ImportError:
            self.post_message(ReportFailed("Report export is not available in this build."))
        except Exception as error:
            self.post_message(ReportFailed(f"Could not export the report: {write_error(error)}"))
        else:
            self.post_message(ReportExported(str(path)))
        finally:
            self.store.close()

    @on(ReportExported)
    def _report_exported(self, message: ReportExported) -> None:
        self.notify(f"Report written to {message.path}", timeout=6, markup=False)

    @on(ReportFailed)
    def _report_failed(self, message: ReportFailed) -> None:
        self.notify(message.error, severity="error", markup=False)


def current_user() -> str:
    """Who is at the keyboard, for the acknowledgement record."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in a container
        return "unknown"


def write_error(error: Exception) -> str:
    """Why a write to the cache failed, in words (SQLite's own are terse)."""
    text = str(error)
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered or "query_only" in lowered:
        return "the cache is read-only"
    if "locked" in lowered or "busy" in lowered:
        return "the cache is locked by another process; try again in a moment"
    if "full" in lowered:
        return "the disk is full"
    return text


def sync_summary(result: object) -> str:
    """One line about a finished sync run (``SyncResult`` of sync.py)."""
    rows = getattr(result, "rows_written", None)
    ce_requests = getattr(result, "ce_requests", None)
    if rows is None or ce_requests is None:
        return "done"
    return f"{rows:,} cost rows, {ce_requests} Cost Explorer requests (${ce_requests * CE_REQUEST_USD:.2f})"


def read_snapshot(store: Store, settings: Settings, clock: Clock, month: date, environment: str | None,
                  month_offset: int) -> SnapshotLoaded | SnapshotFailed:
    """One read of the dashboard's figures on the calling thread (never the UI thread), as the message to post."""
    return _message(read_figures(store, settings, clock, month, environment), month_offset, environment)


def _message(figures: Figures | str, month_offset: int = 0, environment: str | None = None) -> SnapshotLoaded | SnapshotFailed:
    """A read as the message to post; the defaults are the first read's (this month, every environment)."""
    if isinstance(figures, str):
        return SnapshotFailed(figures)
    return SnapshotLoaded(figures.snapshot, figures.acknowledged, month_offset, environment)


def make_app(settings: Settings, store: Store, clock: Clock, *, demo: bool = False, offline: bool = False,
             refresh_seconds: float | None = -1.0, auto_sync: bool = True, remote: RemoteCache | None = None,
             first_read: FirstRead | None = None) -> FinopsApp:
    """The console for the CLI and the tests (tests pass ``refresh_seconds=None`` for no live timers)."""
    return FinopsApp(settings, store, clock, demo=demo, offline=offline, refresh_seconds=refresh_seconds,
                     auto_sync=auto_sync, remote=remote, first_read=first_read)
