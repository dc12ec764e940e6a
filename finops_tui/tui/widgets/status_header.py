"""The header of every screen: badges, month, metric, as-of, sync age, and a line saying how fresh the figures are.

Line 1: STALE / SYNCING / DEMO / OFFLINE / READ-ONLY badges first (they stay in view when the line wraps), then
the month, metric, as-of day, environment filter, the age of the last good sync (ticking) and this month's Cost
Explorer spend. Line 2: why the figures are STALE (if they are), then when the next refresh and the next sync
come, or why there is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from textual.content import Content
from textual.widgets import Static

from finops_tui.analytics.snapshot import Freshness, Snapshot
from finops_tui.tui.format import age, money


@dataclass(frozen=True)
class HeaderState:
    """What the header shows beyond the snapshot: the app's own modes and timers."""

    offline: bool
    demo: bool
    sync_failed: bool
    syncing: bool
    environment: str | None
    current_month: bool
    read_only: bool = False
    no_credentials: bool = False
    sync_error: str | None = None
    next_refresh: datetime | None = None
    next_sync: datetime | None = None
    now: datetime | None = None
    sync_interval_minutes: float = 360.0
    #: The last read of the cache failed (the figures on screen are older): why, in one line.
    read_error: str | None = None


def badge(text: str, variable: str) -> Content:
    return Content.styled(f" {text} ", f"bold $text on ${variable}")


def sync_age_seconds(freshness: Freshness, now: datetime | None) -> float | None:
    """Seconds since the last good sync, at ``now`` (so the age ticks between reads)."""
    if freshness.last_sync is None:
        return None
    if now is None:
        return freshness.age_seconds
    try:
        finished = datetime.fromisoformat(freshness.last_sync)
    except ValueError:
        return freshness.age_seconds
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=UTC)
    return max(0.0, (now - finished).total_seconds())


def stale_reason(snapshot: Snapshot, state: HeaderState) -> str | None:
    """Why the figures are STALE, in words; None when they are not."""
    freshness = snapshot.freshness
    if state.read_error:
        return f"the cache could not be read: {state.read_error}"
    if not (freshness.stale or state.sync_failed):
        return None
    error = state.sync_error or freshness.last_error
    if state.sync_failed or (freshness.last_status == "failed" and error):
        return f"last sync failed: {error or 'see the notification'}"
    if freshness.last_sync is None:
        return "never synced"
    limit = 2 * state.sync_interval_minutes * 60
    return f"last good sync {age(sync_age_seconds(freshness, state.now))} ago, older than {age(limit)} (2 sync intervals)"


def clock_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M:%S UTC")


def schedule_text(state: HeaderState) -> list[Content | str | tuple[str, str]]:
    parts: list[Content | str | tuple[str, str]] = []
    parts.append("auto refresh off" if state.next_refresh is None else f"next refresh {clock_time(state.next_refresh)}")
    parts.append(" · ")
    if state.syncing:
        parts.append("sync running")
    elif state.demo:
        parts.append("demo: no sync")
    elif state.no_credentials:
        parts.append(("no AWS credentials: sync disabled", "$warning"))
    elif state.offline:
        parts.append("offline: no sync")
    elif state.next_sync is not None:
        parts.append(f"next sync {clock_time(state.next_sync)}")
    else:
        parts.append("no automatic sync")
    return parts


def header_content(snapshot: Snapshot | None, state: HeaderState) -> Content:
    parts: list[Content | str | tuple[str, str]] = [("finops-tui", "bold $accent"), "  "]
    if snapshot is None:
        parts.append(("reading the cache…", "$text-muted"))
        return Content.assemble(*parts)
    badges: list[Content] = []
    if snapshot.freshness.stale or state.sync_failed:
        badges.append(badge("STALE", "error"))
    if snapshot.data_gaps:
        badges.append(badge(f"GAP {len(snapshot.data_gaps)}d", "error"))
    if state.syncing:
        badges.append(badge("SYNCING", "primary"))
    if state.demo or snapshot.is_demo:
        badges.append(badge("DEMO", "warning"))
    if state.offline and not state.no_credentials and not (state.demo or snapshot.is_demo):
        badges.append(badge("OFFLINE", "secondary"))
    if state.read_only:
        badges.append(badge("READ-ONLY", "secondary"))
    for item in badges:
        parts += [item, " "]
    parts += [
        (snapshot.month, "bold"), " " if state.current_month else Content.styled(" (past month) ", "$text-muted"),
        " · ", snapshot.metric, " ", snapshot.currency, " · as of ", snapshot.as_of,
    ]
    if snapshot.freshness.data_through and snapshot.freshness.lag_days and snapshot.freshness.stale:
        parts += [" · ", (f"data through {snapshot.freshness.data_through}", "bold $error")]
    if snapshot.estimated_days:
        parts += [" · ", (f"~ {len(snapshot.estimated_days)} est. day{'s' if len(snapshot.estimated_days) != 1 else ''}", "$warning")]
    if state.environment:
        parts += [" · env ", (state.environment, "bold")]
    seconds = sync_age_seconds(snapshot.freshness, state.now)
    parts += [
        " · synced ", ("never" if seconds is None else f"{age(seconds)} ago"),
        " · CE ", f"{snapshot.ce_requests_month} req {money(snapshot.ce_cost_month)}",
    ]
    if snapshot.athena_queries_month:
        parts += [" · Athena ", f"{snapshot.athena_queries_month} q ${snapshot.athena_cost_month:,.4f}"]
    parts.append("\n")
    reason = stale_reason(snapshot, state)
    if reason:
        parts += [Content.styled("STALE: ", "bold $error"), Content(reason), " · "]
    parts += schedule_text(state)
    return Content.assemble(*parts)


class StatusHeader(Static):
    """Shows the header; when the clock runs (not a fixed ``--today``) the ages tick every second."""

    DEFAULT_CSS = """
    StatusHeader { dock: top; height: auto; padding: 0 1; background: $panel; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: tuple[Snapshot | None, HeaderState] | None = None

    def on_mount(self) -> None:
        clock = getattr(self.app, "clock", None)
        if clock is not None and not clock.fixed:
            self.set_interval(1.0, self._tick, name="header-tick")

    def show(self, snapshot: Snapshot | None, state: HeaderState) -> None:
        self._shown = (snapshot, state)
        self.update(header_content(snapshot, state))

    def _tick(self) -> None:
        if self._shown is None or self._shown[0] is None:
            return
        snapshot, state = self._shown
        now = self.app.clock.now()  # type: ignore[attr-defined]
        self.update(header_content(snapshot, HeaderState(**{**state.__dict__, "now": now})))
