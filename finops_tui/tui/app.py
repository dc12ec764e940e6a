"""The console: five live panes over the cache, keyboard drill-down, freshness at a glance.

Workers read the cache (and sync, and export) off the UI thread and post messages; handlers here own the UI.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable

from finops_tui.analytics.snapshot import Snapshot, Spike
from finops_tui.clock import Clock
from finops_tui.config import ENVIRONMENTS, UNALLOCATED, Settings
from finops_tui.errors import FinopsError
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
)
from finops_tui.tui.screens.dashboard import DashboardScreen
from finops_tui.tui.widgets.status_header import HeaderState

NARROW_BELOW = 100  # columns: below this the panes stack in one column (set per screen, see is_narrow)

# What `e` steps through: every environment, then the untagged spend, then all again.
ENVIRONMENT_CYCLE: tuple[str | None, ...] = (None, *ENVIRONMENTS, UNALLOCATED)
REPORT_NAME = "finops-report-{month}.md"


def month_today(today: date, month_offset: int) -> date:
    """The "today" of a month ``month_offset`` months from today's: the real today now, the last day before."""
    if month_offset == 0:
        return today
    index = today.year * 12 + today.month - 1 + month_offset
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


class FinopsApp(App[int]):
    TITLE = "finops-tui"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses elsewhere (bench) find it too
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit the console"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Every key of the console"),
        Binding("e", "cycle_environment", "Env", tooltip="Filter every pane to the next environment"),
        Binding("left_square_bracket", "step_month(-1)", "Prev month", key_display="["),
        Binding("right_square_bracket", "step_month(1)", "Next month", key_display="]"),
        Binding("r", "reload", "Reload", tooltip="Read the cache again now"),
        Binding("s", "sync", "Sync", tooltip="Sync from AWS now"),
        Binding("x", "export_report", "Export", tooltip="Write the monthly report (Markdown) to the current directory"),
    ]

    def __init__(self, settings: Settings, store: Store, clock: Clock, *, demo: bool = False, offline: bool = False,
                 refresh_seconds: float | None = -1.0, auto_sync: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.clock = clock
        self.demo = demo
        self.offline = offline or demo
        # -1 means "from the settings"; None turns live refresh off (tests, snapshots).
        self.refresh_seconds = settings.refresh.interval_seconds if refresh_seconds == -1.0 else refresh_seconds
        self.auto_sync = auto_sync and not self.offline
        self.environment: str | None = None
        self.month_offset = 0
        self.snapshot: Snapshot | None = None
        self.acknowledged: frozenset[str] = frozenset()
        self.sync_failed = False
        self.syncing = False
        self.loads = 0  # snapshots applied so far; tests wait on it
        self._refresh_timer: Timer | None = None
        self._sync_timer: Timer | None = None
        self.aws_ready = False  # set once boto3 finds credentials (checked off the UI thread)
        self._last_read_error: str | None = None

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
        return HeaderState(self.offline, self.demo, self.sync_failed, self.syncing, self.environment, self.month_offset == 0)

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
        """The first read, on the UI thread: a few SQL aggregates (~10 ms) so the first paint has every pane filled.

        Every later read runs in the refresh worker.
        """
        from finops_tui.analytics.snapshot import build_snapshot

        try:
            snapshot = build_snapshot(self.store, self.settings, self.clock.today, environment=self.environment,
                                      now=self.clock.now(), month=self.view_today)
            acknowledged = frozenset(self.store.acknowledged_keys())
        except Exception as error:  # a locked or half-copied cache: say so, and let the worker try again
            self._snapshot_failed(SnapshotFailed(f"Could not read the cache: {error}"))
            return
        self._snapshot_loaded(SnapshotLoaded(snapshot, acknowledged, self.month_offset, self.environment))

    def _filters_changed(self) -> None:
        """`e`, `[` or `]`: re-read the dashboard, and any drill-down open on top of it."""
        for screen in self.screen_stack[1:]:
            show_view = getattr(screen, "show_view", None)
            if show_view is not None:
                show_view(self.view_today, self.environment)
        self.action_reload()

    def action_reload(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None
        self.load_snapshot(self.view_today, self.environment, self.month_offset)

    @work(thread=True, exclusive=True, exit_on_error=False, group="refresh")
    def load_snapshot(self, today: date, environment: str | None, month_offset: int) -> None:
        """Read the cache (a few SQL aggregates) off the UI thread; never touches widgets."""
        from finops_tui.analytics.snapshot import build_snapshot

        try:
            snapshot = build_snapshot(self.store, self.settings, self.clock.today, environment=environment,
                                      now=self.clock.now(), month=today)
            acknowledged = frozenset(self.store.acknowledged_keys())
        except Exception as error:  # the cache may be mid-copy or locked: keep the last good figures
            self.post_message(SnapshotFailed(f"Could not read the cache: {error}"))
            return
        finally:
            self.store.close()  # this thread's connection; the worker thread ends here
        self.post_message(SnapshotLoaded(snapshot, acknowledged, month_offset, environment))

    @on(SnapshotLoaded)
    def _snapshot_loaded(self, message: SnapshotLoaded) -> None:
        if (message.month_offset, message.environment) != (self.month_offset, self.environment):
            return  # an older request: the newer one is on its way
        self.snapshot = message.snapshot
        self.acknowledged = message.acknowledged
        self._last_read_error = None
        self.dashboard.show(message.snapshot, message.acknowledged, self.header_state())
        self.loads += 1
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
        if not self.first_frame_done:
            self.call_after_refresh(self._after_first_frame)
        self._schedule_refresh()

    def _schedule_refresh(self) -> None:
        if self.refresh_seconds is None:
            return
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        self._refresh_timer = self.set_timer(self.refresh_seconds, self.action_reload, name="refresh")

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

    # -- help and palette --------------------------------------------------
    def action_help(self) -> None:
        from finops_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Reload", "Read the cache again now (r)", self.action_reload)
        yield SystemCommand("Sync now", "Sync from AWS now (s)", self.action_sync)
        yield SystemCommand("Export monthly report", "Write finops-report-YYYY-MM.md here (x)", self.action_export_report)
        yield SystemCommand("Next environment", "Filter every pane to the next environment (e)", self.action_cycle_environment)
        yield SystemCommand("Previous month", "Step back one month ([)", lambda: self.action_step_month(-1))
        yield SystemCommand("Next month", "Step forward one month (])", lambda: self.action_step_month(1))
        yield SystemCommand("Help: keys", "Every key of the console (?)", self.action_help)
        if isinstance(screen, DashboardScreen):
            for number, pane in enumerate(("categories", "budgets", "spikes", "waste", "cpl"), start=1):
                yield SystemCommand(f"Go to pane {number}: {pane}", f"Focus the {pane} pane ({number})",
                                    lambda pane=pane: screen.action_focus_pane(pane))

    # -- drill-down and acknowledgement ------------------------------------
    @on(DataTable.RowSelected, "#categories")
    def _open_category(self, event: DataTable.RowSelected) -> None:
        from finops_tui.tui.screens.drilldown import ServicesScreen

        if event.row_key.value:
            self.push_screen(ServicesScreen(event.row_key.value, self.view_today, self.environment))

    def acknowledge_spike(self, spike: Spike) -> None:
        self.store.acknowledge_alert(spike.key, "spike", spike.scope, spike.date[:7], now=self.clock.now())
        self.notify(f"Acknowledged {spike.key}: alerts will not send it.", timeout=3, markup=False)
        self.action_reload()

    # -- sync --------------------------------------------------------------
    def action_sync(self) -> None:
        if self.demo or (self.snapshot is not None and self.snapshot.is_demo):
            self.notify("The demo has nothing to sync: open your own cache to sync from AWS.", severity="warning")
            return
        if self.offline:
            self.notify("Offline: the console never calls AWS. Run `finops-tui sync` where AWS is configured.",
                        severity="warning", markup=False)
            return
        if self.syncing:
            self.notify("A sync is already running.", timeout=2)
            return
        self.syncing = True
        self.dashboard.show_header(self.header_state())
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
        self.offline = True
        self.auto_sync = False
        self.dashboard.show_header(self.header_state())

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

    @on(SyncFinished)
    def _sync_finished(self, message: SyncFinished) -> None:
        self.syncing = False
        self.sync_failed = False
        self.notify(f"Sync finished: {message.summary}", timeout=4, markup=False)
        self._schedule_sync()
        self.action_reload()

    @on(SyncFailed)
    def _sync_failed(self, message: SyncFailed) -> None:
        self.syncing = False
        self.sync_failed = True
        self.notify(message.error, title="Sync failed", severity="error", timeout=10, markup=False)
        self.dashboard.show_header(self.header_state())
        self._schedule_sync()

    # -- export ------------------------------------------------------------
    def action_export_report(self) -> None:
        self.export_report(self.view_today.strftime("%Y-%m"), self.clock.today)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def export_report(self, month: str, today: date) -> None:
        try:
            from finops_tui.reports import render_monthly_report

            text = render_monthly_report(self.store, self.settings, month, "md", today)
            path = Path.cwd() / REPORT_NAME.format(month=month)
            path.write_text(text, encoding="utf-8")
        except ImportError:
            self.post_message(ReportFailed("Report export is not available in this build."))
        except Exception as error:
            self.post_message(ReportFailed(f"Could not export the report: {error}"))
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


def sync_summary(result: object) -> str:
    """One line about a finished sync run (``SyncResult`` of sync.py)."""
    rows = getattr(result, "rows_written", None)
    ce_requests = getattr(result, "ce_requests", None)
    if rows is None or ce_requests is None:
        return "done"
    return f"{rows:,} cost rows, {ce_requests} Cost Explorer requests (${ce_requests * CE_REQUEST_USD:.2f})"


def make_app(settings: Settings, store: Store, clock: Clock, *, demo: bool = False, offline: bool = False,
             refresh_seconds: float | None = -1.0, auto_sync: bool = True) -> FinopsApp:
    """The console for the CLI and the tests (tests pass ``refresh_seconds=None`` for no live timers)."""
    return FinopsApp(settings, store, clock, demo=demo, offline=offline, refresh_seconds=refresh_seconds,
                     auto_sync=auto_sync)
