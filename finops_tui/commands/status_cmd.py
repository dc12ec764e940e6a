"""`finops-tui status [--json]`: the current picture; exit code 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."""

from __future__ import annotations

import argparse
import json

from finops_tui.config import ENVIRONMENTS, UNALLOCATED
from finops_tui.context import Context


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "status", help="the current picture; exit 0 OK, 1 warning, 2 critical, 3 no data or stale",
        description="Print the current picture (budgets, categories, spikes, waste, cost per lead). Exit code: "
        "0 OK; 1 a budget warning (actual or forecast); 2 a critical or hard-limit budget, or a spike on the last "
        "complete day; 3 no data or a stale cache.",
    )
    parser.add_argument("--json", action="store_true", help="the stable JSON contract (see ARCHITECTURE.md)")
    parser.add_argument("--environment", choices=(*ENVIRONMENTS, UNALLOCATED), help="only this environment")
    parser.set_defaults(handler=run)
    return [parser]


def run(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.analytics.health import assess
    from finops_tui.analytics.snapshot import build_snapshot
    from finops_tui.errors import CacheError
    from finops_tui.outside_text import safe
    from finops_tui.reports import render_status_text
    from finops_tui.store.db import out_of_bounds
    from finops_tui.store.errors import describe_error

    def unknown(message: str, hint: str = "") -> int:
        if args.json:
            print(json.dumps({"as_of": ctx.clock.today.isoformat(), "status": {"code": 3, "state": "UNKNOWN", "reasons": [message]}}))
        else:
            print(safe(f"UNKNOWN: {message}" + (f" ({hint})" if hint else "")))
        return 3

    from finops_tui.commands.sources_cmd import overlap_reason, sources_json
    from finops_tui.store.sources import list_sources

    if not ctx.cache_path.exists() and ctx.remote_url is None:
        return unknown(f"no cache at {ctx.cache_path}", ctx.fill_hint())
    try:
        store = ctx.store(create=False, read_only=True)
        problem = out_of_bounds(store.conn)
        if problem is not None:
            return unknown(f"the cache holds out-of-range figures: {problem}",
                           "remove the source that brought them (`finops-tui sources`) or rebuild the cache")
        snapshot = build_snapshot(store, ctx.settings, ctx.clock.today, environment=args.environment, now=ctx.clock.now())
    except CacheError as error:  # missing, empty, foreign, newer, damaged or locked: no picture at all
        return unknown(error.message, error.hint or "")
    except Exception as error:  # noqa: BLE001 - a state we cannot read is UNKNOWN, never a traceback
        known = describe_error(error, ctx.cache_path)
        if known is None:
            raise
        return unknown(known.message, known.hint or "")
    health = assess(snapshot)
    sources = list_sources(store.conn, ctx.settings.sources.precedence)
    overlap = overlap_reason(sources, ctx.settings.metric)  # informs; the exit code is the budget's
    if args.json:
        data = snapshot.to_json()
        acknowledged = store.acknowledgements()
        for spike in data.get("spikes", []):  # who acknowledged it from the console, and when (null: not acknowledged)
            spike["acknowledged"] = acknowledged.get(f"spike:{spike['scope']}:{spike['date']}")
        data.setdefault("currency", ctx.settings.currency)
        data["sources"] = sources_json(sources)
        data["status"] = {"code": health.code, "state": health.name,
                          "reasons": list(health.reasons) + ([overlap] if overlap else [])}
        print(json.dumps(data, indent=2))
    else:
        print(render_status_text(snapshot, health), end="")
        if overlap:
            print(overlap)
    return health.code
