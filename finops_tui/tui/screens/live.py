"""The pattern every console screen follows to stay live.

A :class:`LiveScreen` shows the status header (badges, freshness, next refresh
and sync) and is told by the app whenever the cache was read again: on the
refresh timer, after a sync, after ``r``, and when ``e``, ``[`` or ``]``
change the view. To add a screen that stays live:

1. subclass ``LiveScreen`` and ``yield from self.compose_header()`` first in
   ``compose``;
2. override :meth:`read_view` (runs in a worker thread: read the store, build
   plain data, return it; never touch widgets) and :meth:`show_view_data`
   (runs on the UI thread with what ``read_view`` returned: paint it,
   keeping the cursor by row key, e.g. with ``KeyedTable.show_rows``).

The app calls :meth:`snapshot_loaded` on every screen of the stack after each
read; a screen that is not on top keeps the latest state and repaints when
it is shown again. Errors in ``read_view`` are reported once per distinct
message, and the last good figures stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen

from finops_tui.analytics.snapshot import Snapshot
from finops_tui.tui.widgets.status_header import HeaderState, StatusHeader


@dataclass
class ViewRead(Message):
    """A screen's own read finished (worker -> the screen)."""

    data: Any
    view: tuple[date, str | None]


@dataclass
class ViewReadFailed(Message):
    error: str


class LiveScreen(Screen):
    """A screen that re-reads with the dashboard and shows the header (see the module docstring)."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.view_today: date | None = None
        self.view_environment: str | None = None
        self.reads = 0  # views applied so far (tests wait on it)
        self._last_error: str | None = None

    # -- for subclasses ------------------------------------------------------
    def compose_header(self) -> ComposeResult:
        yield StatusHeader(classes="screen-status")

    def read_view(self, today: date, environment: str | None) -> Any:
        """Worker thread: read what this screen shows (return plain data). Default: nothing to read."""
        return None

    def show_view_data(self, data: Any) -> None:
        """UI thread: paint what :meth:`read_view` returned."""

    # -- driven by the app -------------------------------------------------
    def on_mount(self) -> None:
        app = self.app
        self.show_header(app.snapshot, app.header_state())  # type: ignore[attr-defined]
        self.reload_view(app.view_today, app.environment)  # type: ignore[attr-defined]

    def snapshot_loaded(self, snapshot: Snapshot | None, state: HeaderState) -> None:
        """The app read the cache again: repaint the header and re-read this screen's own figures."""
        self.show_header(snapshot, state)
        app = self.app
        self.reload_view(app.view_today, app.environment)  # type: ignore[attr-defined]

    def show_header(self, snapshot: Snapshot | None, state: HeaderState) -> None:
        for header in self.query(StatusHeader):
            header.show(snapshot, state)

    def reload_view(self, today: date, environment: str | None) -> None:
        self.view_today, self.view_environment = today, environment
        self._read(today, environment)

    @work(thread=True, exclusive=True, exit_on_error=False, group="view")
    def _read(self, today: date, environment: str | None) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        try:
            data = self.read_view(today, environment)
        except Exception as error:  # a locked or replaced cache: keep the last good figures
            self.post_message(ViewReadFailed(f"Could not read the cache: {error}"))
            return
        finally:
            store.close()  # this worker thread's connection
        self.post_message(ViewRead(data, (today, environment)))

    @on(ViewRead)
    def _view_read(self, message: ViewRead) -> None:
        if message.view != (self.view_today, self.view_environment):
            return  # an older request: the newer one is on its way
        self._last_error = None
        self.show_view_data(message.data)
        self.reads += 1

    @on(ViewReadFailed)
    def _view_read_failed(self, message: ViewReadFailed) -> None:
        if message.error != self._last_error:
            self.notify(message.error, title="Cache", severity="error", markup=False)
        self._last_error = message.error
