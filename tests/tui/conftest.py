"""Console fixtures: the demo cache for 2026-11-26, a fixed clock, apps without live timers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from finops_tui.clock import Clock
from finops_tui.config import Settings
from finops_tui.store.db import Store, open_store
from finops_tui.tui.app import FinopsApp, make_app
from tests.conftest import DEMO_TODAY

FIXED_CLOCK = Clock(DEMO_TODAY, fixed=True)


@pytest.fixture
def demo_store(demo_cache: Path) -> Store:
    store = open_store(demo_cache)
    yield store
    store.close()


@pytest.fixture
def empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.chdir(tmp_path)  # a relative path keeps the empty-state snapshot the same on every machine
    store = open_store(Path("empty.db"))
    yield store
    store.close()


@pytest.fixture
def app_for() -> Callable[..., FinopsApp]:
    """Build the console on a store: fixed clock, no live refresh, no automatic sync unless asked."""

    def build(store: Store, *, demo: bool = False, offline: bool = True, refresh_seconds: float | None = None,
              settings: Settings | None = None, auto_sync: bool = False) -> FinopsApp:
        return make_app(settings or Settings(), store, FIXED_CLOCK, demo=demo, offline=offline,
                        refresh_seconds=refresh_seconds, auto_sync=auto_sync)

    return build


async def settle(pilot) -> None:
    """Let the start finish, every worker finish, and the UI process what they posted.

    The start's follow-ups (the cost-per-lead plot, the AWS check) begin only after the first frame with the
    figures: wait for that moment first, or a busy machine can take the screenshot before the plot is mounted.
    """
    for _ in range(500):
        if getattr(pilot.app, "first_frame_done", True):
            break
        await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: FinopsApp) -> str:
    """The screen as a user reads it: the text of the rendered SVG screenshot, one terminal row per line."""
    import html
    import re

    svg = app.export_screenshot()
    rows: dict[int, list[tuple[float, str]]] = {}
    pattern = r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>'
    for x, line, text in re.findall(pattern, svg):
        rows.setdefault(int(line), []).append((float(x), html.unescape(text).replace("\xa0", " ")))
    lines = []
    for number in sorted(rows):
        out = ""
        for x, text in sorted(rows[number]):
            out = out.ljust(round(x / 12.2)) + text
        lines.append(out)
    return "\n".join(lines)


@dataclass(frozen=True)
class Notice:
    title: str
    message: str


def record_notices(app: FinopsApp) -> list[Notice]:
    """Every notification the app raises from now on, in order (wraps the public ``notify``)."""
    seen: list[Notice] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        seen.append(Notice(str(kwargs.get("title", "")), str(message)))
        return notify(message, *args, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    return seen


class _Messages(list):
    """A live view of the messages of a notice list."""

    def __init__(self, notices: list[Notice]) -> None:
        super().__init__()
        self.notices = notices

    def _now(self) -> list[str]:
        return [notice.message for notice in self.notices]

    def __iter__(self):
        return iter(self._now())

    def __len__(self) -> int:
        return len(self.notices)

    def __getitem__(self, index):
        return self._now()[index]

    def __eq__(self, other) -> bool:
        return self._now() == list(other)

    def __contains__(self, item) -> bool:
        return item in self._now()

    def __repr__(self) -> str:
        return repr(self._now())


def record_notifications(app: FinopsApp) -> list[str]:
    """The messages of every notification from now on (see :func:`record_notices`)."""
    return _Messages(record_notices(app))
