"""A first console: the headline figures of the snapshot (replaced by the full console)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from finops_tui.clock import Clock
from finops_tui.config import Settings
from finops_tui.store.db import Store


class FinopsApp(App[int]):
    TITLE = "finops-tui"
    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(self, settings: Settings, store: Store, clock: Clock, *, demo: bool = False, offline: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.clock = clock
        self.demo = demo
        self.offline = offline

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="headline", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from finops_tui.analytics.snapshot import build_snapshot

        snap = build_snapshot(self.store, self.settings, self.clock.today, now=self.clock.now())
        self.sub_title = f"{snap.month} · {snap.metric} · as of {snap.as_of}" + (" · DEMO" if snap.is_demo else "")
        lines = [f"Total month to date: ${snap.total.mtd:,.2f} of ${snap.total.budget:,.2f} ({snap.total.level})"]
        lines += [f"  {env.name:<12} ${env.mtd:>12,.2f} / ${env.budget:>12,.2f}  {env.level}" for env in snap.environments]
        self.query_one("#headline", Static).update("\n".join(lines))


def make_app(settings: Settings, store: Store, clock: Clock, *, demo: bool = False, offline: bool = False) -> FinopsApp:
    return FinopsApp(settings, store, clock, demo=demo, offline=offline)
