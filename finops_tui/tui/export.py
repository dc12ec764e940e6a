"""`x`: the report of what is on screen (month and environment filter), with where its figures come from.

Plain text work (no widgets): runs in the export worker. A file is never replaced: an existing name gets
``-2``, ``-3``... so an earlier export (perhaps already sent to finance) stays as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from finops_tui.config import Settings
from finops_tui.store.db import Store

REPORT_NAME = "finops-report-{month}{suffix}.md"


def free_path(folder: Path, month: str, environment: str | None) -> Path:
    """The first name that does not exist yet: finops-report-2026-11[-staging][-2].md."""
    base = f"-{environment}" if environment else ""
    candidate = folder / REPORT_NAME.format(month=month, suffix=base)
    number = 2
    while candidate.exists():
        candidate = folder / REPORT_NAME.format(month=month, suffix=f"{base}-{number}")
        number += 1
    return candidate


def provenance(store: Store, settings: Settings, view_today: date, environment: str | None, today: date) -> list[str]:
    from finops_tui.analytics.snapshot import build_snapshot

    snapshot = build_snapshot(store, settings, view_today, environment=environment)
    lines = [
        "> Exported from the finops-tui console.",
        f"> Month {snapshot.month}, as of {snapshot.as_of}; data through {snapshot.last_complete_day}; "
        f"last sync {snapshot.freshness.last_sync or 'never'}{' (STALE)' if snapshot.freshness.stale else ''}.",
        f"> Environment filter: {environment or 'none (all environments)'}; {snapshot.metric} cost; "
        f"currency {getattr(settings, 'currency', 'USD')}; cache {store.path}.",
    ]
    if snapshot.is_demo:
        lines.append("> DEMO data: the built-in demo company, not real spend.")
    return lines + [""]


def render_export(store: Store, settings: Settings, view_today: date, environment: str | None, today: date) -> str:
    """The monthly report of the month shown; with an environment filter, the picture of that environment."""
    from finops_tui.reports import render_monthly_report

    head = provenance(store, settings, view_today, environment, today)
    month = view_today.strftime("%Y-%m")
    if environment is None:
        return "\n".join(head) + render_monthly_report(store, settings, month, "md", today)
    from finops_tui.analytics.health import assess
    from finops_tui.analytics.snapshot import build_snapshot
    from finops_tui.reports import render_status_text

    snapshot = build_snapshot(store, settings, view_today, environment=environment)
    body = render_status_text(snapshot, assess(snapshot))
    return "\n".join([f"# Finance report {month}: environment {environment}", "", *head, "```", body.rstrip("\n"), "```", ""])


def write_export(store: Store, settings: Settings, view_today: date, environment: str | None, today: date,
                 folder: Path) -> Path:
    text = render_export(store, settings, view_today, environment, today)
    path = free_path(folder, view_today.strftime("%Y-%m"), environment)
    with path.open("x", encoding="utf-8") as handle:  # "x": never over a file that appeared meanwhile
        handle.write(text)
    return path
