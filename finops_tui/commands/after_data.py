"""What runs after new data lands (sync, FOCUS import): alerts, evaluated and delivered once."""

from __future__ import annotations

import argparse
import sys

from finops_tui.context import Context


def add_alerts_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-alerts", action="store_true",
                        help="do not evaluate and deliver alerts after the data lands (`finops-tui alerts run` does it later)")


def deliver_alerts(args: argparse.Namespace, ctx: Context) -> None:
    """Evaluate and deliver new alerts; a failed delivery is reported and retried on the next run, never fatal here."""
    if getattr(args, "no_alerts", False):
        return
    from finops_tui.alerts import run_alerts

    result = run_alerts(ctx.store(), ctx.settings, ctx.clock, out=sys.stdout)
    for error in result.errors:
        print(f"finops-tui: alert delivery failed: {error}", file=sys.stderr)
