"""The `?` screen: every key, generated from the live bindings, and what every badge, colour and marker means.

Keys are read from the ``BINDINGS`` of the app and of every screen and widget class in ``finops_tui.tui``
(modules under ``tui/screens`` and ``tui/widgets`` are imported first), so a screen added later appears here
by itself. A class names where its keys work with ``HELP_WHERE`` (default: its name).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.widgets import DataTable, Footer, Static

from finops_tui.tui.screens.live import LiveScreen

LEGEND: tuple[tuple[str, str], ...] = (
    ("STALE", "the figures may be old: the last sync failed (its error follows), the last good sync is older than "
              "two sync intervals, or the cache was never synced; the second header line says which"),
    ("SYNCING", "a sync from AWS is running in the background"),
    ("DEMO", "the built-in demo company, not your data"),
    ("OFFLINE", "--offline: the console never calls AWS"),
    ("READ-ONLY", "the cache is opened read-only (--offline, a snapshot copy): keys that write are refused"),
    ("no AWS credentials", "this host has no AWS credentials: the console reads the cache and never syncs"),
    ("●", "spike log: a new spike, not acknowledged (alarm colour)"),
    ("✓", "spike log: acknowledged, alerts never send it (dimmed)"),
    ("fc", "budget bars: the end-of-month forecast from the complete days so far, with its level "
           "(ok / warn / crit / HARD) in words and colour"),
    ("ok / warning / critical / HARD LIMIT", "budget levels: under 80 %, 80 % or more, 100 % or more, 120 % or more "
                                             "of budget (colour green / yellow / red / red); also written in words"),
    ("▁▂▃▅▇", "category spend: the last 14 days, lowest to highest"),
    ("team lead / VP Eng / CTO/CFO", "who approves a spike: its monthly increase under $500, under $5,000, above"),
    ("pending VP Eng / approved by NAME", "spike log, budget bars, spike detail: where the approval item opened from "
                                          "the alert stands (rejected by NAME, done, withdrawn); p lists them all"),
)


def _import_console_modules() -> None:
    """Make every screen and widget class known (they are imported lazily elsewhere)."""
    import finops_tui.tui.screens as screens
    import finops_tui.tui.widgets as widgets

    for package in (screens, widgets):
        for info in pkgutil.iter_modules(package.__path__):
            try:
                importlib.import_module(f"{package.__name__}.{info.name}")
            except ImportError:  # an optional screen whose dependency is missing: its keys are not offered
                continue


def _subclasses(root: type) -> Iterator[type]:
    for cls in root.__subclasses__():
        yield cls
        yield from _subclasses(cls)


def binding_sources(app: App) -> list[tuple[str, type]]:
    """(where, class) for the app and every console class that declares its own bindings, in a stable order."""
    _import_console_modules()
    sources: list[tuple[str, type]] = [("everywhere", type(app))]
    seen: set[type] = {type(app)}
    for cls in sorted(_subclasses(DOMNode), key=lambda c: (c.__module__, c.__qualname__)):
        if cls in seen or issubclass(cls, App) or not cls.__module__.startswith("finops_tui.") \
                or "BINDINGS" not in cls.__dict__:
            continue  # the running app was listed first; other apps (a subclass, a bench) are not on screen
        seen.add(cls)
        sources.append((getattr(cls, "HELP_WHERE", cls.__name__), cls))
    return sources


def help_rows(app: App) -> list[tuple[str, str, str]]:
    """(key, where, what) for every binding with a description; keys by name (``enter``, ``escape``)."""
    rows: list[tuple[str, str, str]] = []
    for where, cls in binding_sources(app):
        for item in cls.__dict__["BINDINGS"]:
            binding = item if isinstance(item, Binding) else Binding(*item)
            if not binding.description:
                continue
            for key in binding.key.split(","):
                rows.append((binding.key_display or key.strip(), where, binding.tooltip or binding.description))
    return rows


class HelpScreen(LiveScreen):
    """Every key, badge, colour and marker; the header above stays live like on every screen."""

    HELP_WHERE = "help"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Close", tooltip="Close the help"),
        Binding("question_mark", "app.pop_screen", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with VerticalScroll(id="help-box"):
            yield Static("Keys (from the live bindings)", classes="help-title")
            yield DataTable(id="help-keys", cursor_type="none", zebra_stripes=True)
            yield Static("Badges, colours and markers", classes="help-title")
            yield Static(id="help-legend")
        yield Footer()

    def on_mount(self) -> None:
        keys = self.query_one("#help-keys", DataTable)
        keys.add_columns("Key", "Where", "What")
        for key, where, what in help_rows(self.app):
            keys.add_row(Text(key, style="bold"), Text(where), Text(what))
        self.query_one("#help-legend", Static).update(
            Content("\n").join(Content.assemble((sign, "bold"), "  ", meaning) for sign, meaning in LEGEND))
        super().on_mount()
