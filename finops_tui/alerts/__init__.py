"""Alerts: spikes and budget levels, recorded once in the cache and delivered to Slack, a JSON webhook or stdout.

The one entry point is :func:`run_alerts` (``finops-tui alerts run`` and the
after-sync hook). Never imports Textual or Rich.
"""

from finops_tui.alerts.events import AlertEvent, Driver
from finops_tui.alerts.runner import AlertRunResult, run_alerts

__all__ = ["AlertEvent", "AlertRunResult", "Driver", "run_alerts"]
