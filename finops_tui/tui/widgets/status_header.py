"""The header line: month, metric, as-of, sync age, STALE / OFFLINE / DEMO badges, Cost Explorer spend."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

from finops_tui.analytics.snapshot import Snapshot
from finops_tui.tui.format import age, money


@dataclass(frozen=True)
class HeaderState:
    """What the header shows beyond the snapshot: the app's own modes."""

    offline: bool
    demo: bool
    sync_failed: bool
    syncing: bool
    environment: str | None
    current_month: bool


def badge(text: str, variable: str) -> Content:
    return Content.styled(f" {text} ", f"bold $text on ${variable}")


def header_content(snapshot: Snapshot | None, state: HeaderState) -> Content:
    parts: list[Content | str | tuple[str, str]] = [("finops-tui", "bold $accent"), "  "]
    if snapshot is None:
        parts.append(("reading the cache…", "$text-muted"))
        return Content.assemble(*parts)
    # Badges first: on a narrow terminal the line wraps, and STALE must stay in view.
    badges: list[Content] = []
    if snapshot.freshness.stale or state.sync_failed:
        badges.append(badge("STALE", "error"))
    if snapshot.data_gaps:
        badges.append(badge(f"GAP {len(snapshot.data_gaps)}d", "error"))
    if state.syncing:
        badges.append(badge("SYNCING", "primary"))
    if state.demo or snapshot.is_demo:
        badges.append(badge("DEMO", "warning"))
    if state.offline and not (state.demo or snapshot.is_demo):
        badges.append(badge("OFFLINE", "secondary"))
    for item in badges:
        parts += [item, " "]
    parts += [
        (snapshot.month, "bold"), " " if state.current_month else Content.styled(" (past month) ", "$text-muted"),
        " · ", snapshot.metric, " · as of ", snapshot.as_of,
    ]
    if snapshot.freshness.data_through and snapshot.freshness.lag_days and snapshot.freshness.stale:
        parts += [" · ", (f"data through {snapshot.freshness.data_through}", "bold $error")]
    if snapshot.estimated_days:
        parts += [" · ", (f"~ {len(snapshot.estimated_days)} est. day{'s' if len(snapshot.estimated_days) != 1 else ''}", "$warning")]
    if state.environment:
        parts += [" · env ", (state.environment, "bold")]
    parts += [
        " · synced ",
        ("never" if snapshot.freshness.last_sync is None else f"{age(snapshot.freshness.age_seconds)} ago"),
        " · CE ", f"{snapshot.ce_requests_month} req {money(snapshot.ce_cost_month)}",
    ]
    if snapshot.athena_queries_month:
        parts += [" · Athena ", f"{snapshot.athena_queries_month} q ${snapshot.athena_cost_month:,.4f}"]
    return Content.assemble(*parts)


class StatusHeader(Static):
    DEFAULT_CSS = """
    StatusHeader { dock: top; height: auto; padding: 0 1; background: $panel; }
    """

    def show(self, snapshot: Snapshot | None, state: HeaderState) -> None:
        self.update(header_content(snapshot, state))
