"""The console's first read: the cache opened and the dashboard's first figures read on a thread of their own.

``finops-tui`` starts it before it imports Textual (see ``commands/tui_cmd.py``), so the SQLite work (opening,
checking the schema, preparing the allocation, the snapshot's aggregates) runs beside the import on a second
core instead of after it. The UI thread never touches SQLite: it waits for :attr:`FirstRead.figures` when the
dashboard mounts. Nothing here imports Textual.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finops_tui.analytics.snapshot import Snapshot
    from finops_tui.clock import Clock
    from finops_tui.config import Settings
    from finops_tui.store.db import Store


@dataclass(frozen=True)
class Figures:
    """One read of the dashboard: the snapshot and the spikes already acknowledged."""

    snapshot: Snapshot
    acknowledged: frozenset[str]


def read_figures(store: Store, settings: Settings, clock: Clock, month: date, environment: str | None) -> Figures | str:
    """One read of the dashboard's figures on the calling thread (never the UI thread), or the sentence saying why
    it failed (a cache mid-copy or locked: the last good figures stay on screen). Its connection is closed after."""
    from finops_tui.analytics.snapshot import build_snapshot

    try:
        snapshot = build_snapshot(store, settings, clock.today, environment=environment, now=clock.now(), month=month)
        return Figures(snapshot, frozenset(store.acknowledged_keys()))
    except Exception as error:  # noqa: BLE001 - shown as a notification, never a crash
        return f"Could not read the cache: {error}"
    finally:
        store.close()  # this thread's connection


class FirstRead:
    """Opens the cache (``open_cache``) and reads this month's figures for every environment, on its own thread."""

    def __init__(self, open_cache: Callable[[], Store], settings: Settings, clock: Clock) -> None:
        self._open_cache = open_cache
        self._settings = settings
        self._clock = clock
        self._opened: Future[Store] = Future()
        self.figures: Future[Figures | str] = Future()
        threading.Thread(target=self._run, name="finops-first-read", daemon=True).start()

    def _run(self) -> None:
        try:
            store = self._open_cache()
        except BaseException as error:  # noqa: BLE001 - raised again on the command's thread by store()
            self._opened.set_exception(error)
            self.figures.set_result("Could not open the cache")
            return
        self._opened.set_result(store)
        self.figures.set_result(read_figures(store, self._settings, self._clock, self._clock.today, None))

    def store(self) -> Store:
        """The open cache; a cache that cannot be opened raises here what opening it raised (a one-line error)."""
        return self._opened.result()
