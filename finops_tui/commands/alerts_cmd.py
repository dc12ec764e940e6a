"""`finops-tui alerts run|snooze|unsnooze|list`: evaluate and deliver alerts, silence a scope, see the ledger."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime, time, timedelta

from finops_tui.context import Context
from finops_tui.errors import InputError

SCOPE_HELP = "total, production, staging, development, rnd, category:NAME (e.g. category:AI/ML), or all"
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}
MAX_SNOOZE_MINUTES = 366 * 24 * 60


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "alerts", help="evaluate and deliver alerts (Slack, JSON webhook, stdout); snooze them",
        description="Alerts on daily spikes (> 20 %) of the latest complete day and on budget levels "
        "(80/100/120 %) of the total and each environment, actual and forecast. Each event is sent once; "
        "failed deliveries are retried on later runs with backoff.",
    )
    actions = parser.add_subparsers(dest="alerts_action", metavar="ACTION", required=True)
    run_parser = actions.add_parser("run", help="evaluate new events and deliver them and any due retries",
                                    description="Evaluate new alert events, record them in the cache, and deliver "
                                    "them (and due retries) to the configured Slack webhook, JSON webhook and/or stdout. "
                                    "Exit 1 when a delivery failed (the event stays pending and is retried).")
    run_parser.add_argument("--dry-run", action="store_true", help="print what would be sent; send and record nothing")
    run_parser.set_defaults(handler=run)

    snooze_parser = actions.add_parser("snooze", help="silence a scope for a while",
                                       description="Silence alerts of a scope: events that happen while it is snoozed "
                                       "are recorded but never sent.")
    snooze_parser.add_argument("scope", metavar="SCOPE", help=SCOPE_HELP)
    until = snooze_parser.add_mutually_exclusive_group(required=True)
    until.add_argument("--until", metavar="DATE", help="snooze until 00:00 UTC of DATE (YYYY-MM-DD) or an ISO-8601 UTC time")
    until.add_argument("--for", dest="duration", metavar="DURATION", help="snooze for a duration: 30m, 6h, 3d, 2w")
    snooze_parser.set_defaults(handler=snooze)

    unsnooze_parser = actions.add_parser("unsnooze", help="end a snooze", description="End the snooze of a scope.")
    unsnooze_parser.add_argument("scope", metavar="SCOPE", help=SCOPE_HELP)
    unsnooze_parser.set_defaults(handler=unsnooze)

    list_parser = actions.add_parser("list", help="recorded alert events and active snoozes",
                                     description="List the most recent recorded alert events and the active snoozes.")
    list_parser.add_argument("--limit", type=int, default=30, help="how many events (default 30)")
    list_parser.set_defaults(handler=list_events)
    return [parser, run_parser, snooze_parser, unsnooze_parser, list_parser]


def _now(ctx: Context) -> datetime:
    return ctx.clock.now().astimezone(UTC)


def run(args: argparse.Namespace, ctx: Context) -> int:
    import sys

    from finops_tui.alerts import run_alerts

    store = ctx.store(create=False)
    result = run_alerts(store, ctx.settings, ctx.clock, dry_run=args.dry_run, out=sys.stdout)
    if args.dry_run:
        return 0
    for error in result.errors:
        print(f"finops-tui: alert delivery failed: {error}", file=sys.stderr)
    if result.failed:
        print(f"finops-tui: {result.failed} alert(s) kept pending; next try after {result.next_attempt_at}", file=sys.stderr)
        return 1
    return 0 if result.ok else 1


def parse_until(args: argparse.Namespace, now: datetime) -> datetime:
    if args.duration is not None:
        match = DURATION.match(args.duration)
        if not match:
            raise InputError(f"--for {args.duration!r} is not a duration such as 30m, 6h, 3d or 2w")
        minutes = float(match.group(1)) * UNIT_MINUTES[match.group(2).lower()]
        if minutes <= 0:
            raise InputError("--for must be longer than zero")
        if minutes > MAX_SNOOZE_MINUTES:
            raise InputError(f"--for {args.duration!r} is longer than a year; snooze at most 366 days (or 52w)")
        return now + timedelta(minutes=minutes)
    text = args.until.strip()
    try:
        if len(text) == 10:
            until = datetime.combine(date.fromisoformat(text), time(0, 0), tzinfo=UTC)
        else:
            until = datetime.fromisoformat(text)
            until = until.replace(tzinfo=UTC) if until.tzinfo is None else until.astimezone(UTC)
    except ValueError:
        raise InputError(f"--until {args.until!r} is not a date (YYYY-MM-DD) or an ISO-8601 time") from None
    from finops_tui.bounds import day_problem

    problem = day_problem(until.date())
    if problem is not None:
        raise InputError(f"--until {problem}")
    if until <= now:
        raise InputError(f"--until {args.until} is not in the future (now is {now.replace(microsecond=0).isoformat()})")
    return until


def snooze(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.alerts import state

    scope = state.normalize_scope(args.scope, ctx.settings.environments.aliases)
    now = _now(ctx)
    until = parse_until(args, now)
    state.snooze(ctx.store(), scope, until)
    print(f"Snoozed {scope} alerts until {state.iso(until)}.")
    return 0


def unsnooze(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.alerts import state

    scope = state.normalize_scope(args.scope, ctx.settings.environments.aliases)
    if state.unsnooze(ctx.store(), scope):
        print(f"Alerts for {scope} are no longer snoozed.")
    else:
        print(f"{scope} was not snoozed.")
    return 0


def list_events(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.alerts import state

    if args.limit < 1:
        raise InputError(f"--limit must be at least 1, not {args.limit}")
    from finops_tui.outside_text import safe

    store = ctx.store(create=False, read_only=True)
    events = state.recent_events(store.conn, args.limit)
    snoozes = state.active_snoozes(store.conn, _now(ctx))
    if not events:
        print("No alert events recorded.")
    else:
        print(f"{'key':<44} {'status':<12} {'tries':>5}  {'when':<25} note")
        for key, status, attempts, created_at, sent_at, next_attempt_at, last_error in events:
            when = sent_at if status == "sent" and sent_at else created_at
            note = f"next try {next_attempt_at}; {last_error}" if status == "pending" and last_error else ""
            print(safe(f"{key:<44} {status:<12} {attempts:>5}  {when:<25} {note}".rstrip()))
    if snoozes:
        print()
        for scope, until in snoozes.items():
            print(f"snoozed: {scope} until {until}")
    return 0
