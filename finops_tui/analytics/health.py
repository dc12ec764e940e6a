"""The one-word state of a snapshot, as a monitoring plugin reports it (``status`` exit code).

- 3 UNKNOWN: no cost data (in the cache, or for the month shown), a stale
  cache (last good sync too old, the latest run failed, or the newest cost
  day older than ``freshness.max_lag_days``), or a data gap in the month;
- 2 CRITICAL: the total or an environment at ``critical`` or ``hard_limit``
  month to date, or a spike on the last complete day;
- 1 WARNING: the total or an environment at ``warning`` month to date, or
  forecast to end the month at ``warning`` or above;
- 0 OK otherwise. Cost per lead off target is reported but does not change
  the code (it is a business KPI, not an operational alarm).
"""

from __future__ import annotations

from dataclasses import dataclass

from finops_tui.analytics.rules import LEVEL_RANK
from finops_tui.analytics.snapshot import Snapshot

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
STATE_NAMES = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL", UNKNOWN: "UNKNOWN"}


@dataclass(frozen=True)
class Health:
    code: int
    reasons: tuple[str, ...]

    @property
    def name(self) -> str:
        return STATE_NAMES[self.code]


def assess(snapshot: Snapshot) -> Health:
    if not snapshot.has_data:
        return Health(UNKNOWN, ("no cost data in the cache",))
    unknown: list[str] = []
    if not snapshot.month_has_data:
        unknown.append(f"no cost data for {snapshot.month}")
    if snapshot.freshness.stale:
        unknown += [f"stale cache: {reason}" for reason in snapshot.freshness.reasons]
    if snapshot.data_gaps:
        gaps = snapshot.data_gaps
        span = gaps[0] if len(gaps) == 1 else f"{len(gaps)} days, {gaps[0]} to {gaps[-1]}"
        unknown.append(f"data gap: no cost rows for {span}")
    if unknown:
        return Health(UNKNOWN, tuple(unknown))
    critical: list[str] = []
    warning: list[str] = []
    for line in (snapshot.total, *snapshot.environments):
        if LEVEL_RANK[line.level] >= LEVEL_RANK["critical"]:
            critical.append(f"{line.name} at {line.pct} % of budget ({line.level})")
        elif line.level == "warning":
            warning.append(f"{line.name} at {line.pct} % of budget (warning)")
        elif line.forecast_level and LEVEL_RANK[line.forecast_level] >= LEVEL_RANK["warning"]:
            warning.append(f"{line.name} forecast {line.forecast_eom} ({line.forecast_level})")
    for spike in snapshot.spikes:
        if spike.date == snapshot.last_complete_day:
            critical.append(f"spike on {spike.date}: {spike.scope} {spike.change_pct:+.1f} %")
    if critical:
        return Health(CRITICAL, tuple(critical + warning))
    if warning:
        return Health(WARNING, tuple(warning))
    return Health(OK, ())
