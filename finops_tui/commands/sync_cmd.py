"""`finops-tui sync`: pull Cost Explorer, the waste scan and leads from AWS into the cache."""

from __future__ import annotations

import argparse
from datetime import timedelta

from finops_tui.commands.after_data import add_alerts_option, deliver_alerts
from finops_tui.context import Context


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "sync", help="pull spend, idle resources and leads from AWS into the cache",
        description="Pull Cost Explorer spend, the waste scan and CloudWatch leads into the cache in one transaction. "
        "The first run backfills sync.backfill_months months; later runs re-fetch only the open window. Uses the "
        "standard boto3 credential chain and honours AWS_ENDPOINT_URL. Every request is counted; Cost Explorer "
        "costs $0.01 per request and sync.daily_request_cap is checked before calling.",
    )
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="re-fetch from this day instead of the planned window")
    parser.add_argument("--profile", metavar="P", help="AWS profile (default: sync.profile, else the boto3 chain)")
    parser.add_argument("--dry-run", action="store_true",
                        help="say what a run would request (with --source athena: print each query), without requesting it")
    parser.add_argument("--source", choices=("ce", "athena"), default="ce",
                        help="ce: Cost Explorer, the waste scan and leads (default); athena: one Athena query per billing "
                        "period over the Data Export named in [athena]")
    add_alerts_option(parser)
    parser.set_defaults(handler=run)
    return [parser]


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.source == "athena":
        return run_athena(args, ctx)
    from finops_tui.clock import parse_day
    from finops_tui.money import CE_REQUEST_USD, usd
    from finops_tui.sync import run_sync

    since = parse_day(args.since, "--since") if args.since else None
    settings = ctx.settings
    cap = settings.sync.daily_request_cap
    result = run_sync(ctx.store(), settings, ctx.clock, since=since, profile=args.profile, dry_run=args.dry_run)
    window = result.window
    last_day = (window.end - timedelta(days=1)).isoformat() if window else ""
    span = f"{window.start.isoformat()} to {last_day}" + (" (first run: backfill)" if window and window.backfill else "")
    if result.status == "dry_run":
        print(f"Dry run: a sync would fetch {span}.")
        print(f"It would make at least {result.requests} AWS requests, {result.ce_requests} of them to Cost Explorer "
              f"(at least {usd(result.ce_requests * CE_REQUEST_USD)}; more if answers span several pages).")
        print(f"Cost Explorer requests today so far: {result.requests_today} of the daily cap of {cap}. Nothing was requested.")
        if result.requests_today + result.ce_requests > cap:
            print("A sync now would be refused by the daily cap (raise sync.daily_request_cap or sync again tomorrow).")
        return 0
    print(f"Synced {span}: {result.rows_written:,} cost rows, {result.waste_items} waste items, "
          f"{result.lead_days} days of leads.")
    print(f"Requests: {result.requests} AWS requests, {result.ce_requests} to Cost Explorer ({usd(result.ce_cost_usd)}). "
          f"Today: {result.requests_today} of {cap} Cost Explorer requests.")
    for message in result.messages[1:]:
        print(f"  {message}")
    deliver_alerts(args, ctx)
    return 0


def run_athena(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.errors import InputError
    from finops_tui.outside_text import escape_controls
    from finops_tui.sources.athena import human_bytes, query_cost_usd
    from finops_tui.sync_athena import run_athena_sync

    if args.since:
        raise InputError("--since does not apply to --source athena (it queries whole billing periods)")
    settings = ctx.settings
    result = run_athena_sync(ctx.store(), settings, ctx.clock, profile=args.profile, dry_run=args.dry_run)
    periods = [query.period for query in result.planned]
    span = f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else (periods[0] if periods else "no billing period")
    meter = result.meter
    spent = f"Athena this month ({meter.month}): {meter.queries} queries, ${meter.cost_usd:,.4f} of the ${result.cap_usd:,.2f} cap."
    if result.status == "dry_run":
        kind = " (first run: backfill)" if result.backfill else ""
        print(f"Dry run: a sync would run {len(result.planned)} Athena queries, billing periods {span}{kind}. Nothing was queried.")
        for query in result.planned:
            if query.expected_bytes is None:
                expected = "bytes unknown until it first runs (Athena reports them only after a query; at least 10 MB billed)"
            else:
                expected = (f"scanned {human_bytes(query.expected_bytes)} last time, "
                            f"about ${query_cost_usd(query.expected_bytes):,.4f}")
            print(f"\n-- billing period {query.period}: {expected}")
            print(query.sql + ";")
        print(f"\n{spent}")
        return 0
    scanned = sum(result.scanned.values())
    print(f"Synced from Athena ({result.source}): billing periods {span}, {result.rows_written:,} daily rows.")
    for period in periods:
        print(f"  {period}: {result.rows_by_period.get(period, 0):,} rows, scanned {human_bytes(result.scanned.get(period, 0))}")
    for replaced in result.replaced:
        print(escape_controls(f"  replaced {replaced}"))
    print(f"This run scanned {human_bytes(scanned)} (${result.run_cost_usd:,.4f}). {spent}")
    deliver_alerts(args, ctx)
    return 0
