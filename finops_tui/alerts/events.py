"""Alert events: what happened, found from the same snapshot every front end reads.

Five kinds, each with a stable key in ``alert_events`` so it is sent once
(approval items are created from the same keys; never change their form):

- ``spike``: a complete day in the last ``spikes.lookback_days`` rose more than
  the spike threshold over the day before (usage-based spend), for the total
  or a category; a spike revealed by late data is found when that data lands
  and sent under its own date. Key = ``Spike.key`` (``spike:<scope>:<YYYY-MM-DD>``),
  the key the console acknowledges. Approval: the monthly increase.
- ``one_time``: a purchase, fee, tax or other charge counted once as booked,
  above ``alerts.one_time_min``, in the spike look-back or this month.
  Key = ``OneTimeCharge.key`` (``one_time:<charge_type>:<service>:<YYYY-MM-DD>``).
  Approval: the amount.
- ``budget``: the total or an environment reached warning / critical /
  hard_limit of its monthly budget on actual month-to-date spend.
  Key ``budget:<scope>:<level>:<YYYY-MM>``: the month in the key re-arms every
  threshold at a new month.
- ``forecast``: the same on the end-of-month forecast, ``forecast:...``.
  Budget and forecast approval: the projected overrun
  (max(forecast, month to date) - budget); none without an overrun.
- ``forecast_clear``: a forecast level recorded this month that the latest
  forecast no longer supports (and actual spend has not reached): the
  all-clear, sent once. Key ``forecast_clear:<scope>:<level>:<YYYY-MM>``.

Only the highest newly crossed level per scope, kind and month becomes an
event: a jump from ok to hard_limit sends one hard_limit message, not three,
and a lower level never fires after a higher one was recorded that month. A
forecast event fires only when the forecast is worse than the actual level
(a forecast "critical" says nothing new once actual spend is critical).
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from finops_tui import calendar as cal
from finops_tui.analytics.rules import LEVEL_RANK, LEVELS
from finops_tui.analytics.snapshot import BudgetLine, Snapshot, Spike
from finops_tui.config import Settings
from finops_tui.store import queries
from finops_tui.store.queries import CostFilter

DRIVER_LIMIT = 3
KINDS = ("spike", "one_time", "budget", "forecast", "forecast_clear")


@dataclass(frozen=True)
class Driver:
    """A service and its spend before and after: the largest increases explain an event."""

    service: str
    before: float
    after: float

    @property
    def increase(self) -> float:
        return round(self.after - self.before, 2)


@dataclass(frozen=True)
class AlertEvent:
    """One thing worth telling people, with everything a message needs (no URLs, no secrets)."""

    key: str
    kind: str  # spike | one_time | budget | forecast | forecast_clear
    scope: str  # total | production | staging | development | rnd | category:NAME
    month: str  # YYYY-MM the event belongs to
    level: str  # spike | one_time | warning | critical | hard_limit (forecast_clear: the level withdrawn)
    as_of: str  # the snapshot's today
    data_through: str  # the latest complete day
    amount: float  # spike: the day's spend; one_time: the charge; budget: month to date; forecast(_clear): the forecast
    reference: float  # spike: the day before; budget and forecast: the monthly budget; one_time: 0
    pct: float | None  # spike: change in %; budget and forecast: % of budget
    threshold_pct: float  # the threshold that was crossed (one_time: alerts.one_time_min)
    approval_amount: float | None  # the monthly amount the approval tier is for; None: nothing to approve
    approval: str | None  # team_lead | vp_engineering | cto_cfo; None without an amount to approve
    metric: str
    drivers: tuple[Driver, ...] = ()
    demo: bool = False
    day: str | None = None  # a spike's or a one-time charge's day
    service: str | None = None  # a one-time charge's service
    charge_type: str | None = None  # a one-time charge's kind
    estimated: bool = False  # the event's day (or any day of its month so far) is still marked Estimated by AWS

    @property
    def is_forecast(self) -> bool:
        return self.kind == "forecast"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["drivers"] = [asdict(driver) for driver in self.drivers]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertEvent:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["drivers"] = tuple(Driver(**driver) for driver in data.get("drivers", []))
        return cls(**known)


@dataclass
class RecordedLevels:
    """The highest level already recorded per (kind, scope) this month, from ``alert_events``."""

    ranks: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: sqlite3.Connection, month: str) -> RecordedLevels:
        recorded = cls()
        rows = conn.execute("SELECT key, kind, scope FROM alert_events WHERE month = ? AND kind IN ('budget', 'forecast')", (month,))
        for key, kind, scope in rows:
            level = key.split(":")[-2]
            rank = LEVEL_RANK.get(level, 0)
            if rank > recorded.ranks.get((kind, scope), 0):
                recorded.ranks[(kind, scope)] = rank
        return recorded

    def highest(self, kind: str, scope: str) -> int:
        return self.ranks.get((kind, scope), 0)


def _drivers(rows: list[tuple[str, float, float]]) -> tuple[Driver, ...]:
    found = [Driver(service or "(no service)", round(before or 0.0, 2), round(after or 0.0, 2)) for service, before, after in rows]
    return tuple(driver for driver in found if driver.increase > 0)[:DRIVER_LIMIT]


def spike_events(snapshot: Snapshot, settings: Settings, conn: sqlite3.Connection,
                 known: set[str] | None = None) -> list[AlertEvent]:
    """Spikes of the total or a category on every complete day of the look-back (skipping keys already recorded)."""
    return [_spike_event(spike, snapshot, settings, conn) for spike in snapshot.spikes
            if known is None or spike.key not in known]


def one_time_events(snapshot: Snapshot, settings: Settings) -> list[AlertEvent]:
    """One-time charges above ``alerts.one_time_min``, approved by their amount."""
    return [
        AlertEvent(
            key=charge.key, kind="one_time", scope="total", month=charge.date[:7], level="one_time",
            as_of=snapshot.as_of, data_through=snapshot.last_complete_day, amount=charge.amount, reference=0.0, pct=None,
            threshold_pct=settings.alerts.one_time_min, approval_amount=charge.amount, approval=charge.approval,
            metric=snapshot.metric, demo=snapshot.is_demo, day=charge.date, service=charge.service, charge_type=charge.charge_type,
            estimated=charge.date in snapshot.estimated_days,
        )
        for charge in snapshot.one_time_charges if charge.alert
    ]


def forecast_clear_events(snapshot: Snapshot, settings: Settings, recorded: RecordedLevels,
                          cleared: set[tuple[str, str]]) -> list[AlertEvent]:
    """The all-clear for a forecast level recorded this month that the latest forecast no longer supports."""
    events = []
    for line in (snapshot.total, *snapshot.environments):
        rank = recorded.highest("forecast", line.name)
        if rank == 0 or line.forecast_eom is None:
            continue
        level = LEVELS[rank]
        if (line.name, level) in cleared:
            continue
        if LEVEL_RANK[line.forecast_level or "ok"] >= rank or LEVEL_RANK[line.level] >= rank:
            continue
        pct = None if line.budget == 0 else round(line.forecast_eom / line.budget * 100, 1) + 0.0
        events.append(AlertEvent(
            key=f"forecast_clear:{line.name}:{level}:{snapshot.month}", kind="forecast_clear", scope=line.name,
            month=snapshot.month, level=level, as_of=snapshot.as_of, data_through=snapshot.last_complete_day,
            amount=line.forecast_eom, reference=line.budget, pct=pct,
            threshold_pct=getattr(settings.budget.thresholds, level), approval_amount=None, approval=None,
            metric=snapshot.metric, demo=snapshot.is_demo,
        ))
    return events


def _spike_event(spike: Spike, snapshot: Snapshot, settings: Settings, conn: sqlite3.Connection) -> AlertEvent:
    day = date.fromisoformat(spike.date)
    category = spike.scope.removeprefix("category:") if spike.scope.startswith("category:") else None
    flt = CostFilter(settings.metric, settings.exclude_credits)
    rows = queries.service_change(conn, flt, day, day - timedelta(days=1), category=category, limit=DRIVER_LIMIT + 5)
    return AlertEvent(
        key=spike.key, kind="spike", scope=spike.scope, month=spike.date[:7], level="spike",
        as_of=snapshot.as_of, data_through=snapshot.last_complete_day,
        amount=spike.amount, reference=spike.previous, pct=spike.change_pct,
        threshold_pct=settings.spikes.threshold_pct, approval_amount=spike.monthly_increase, approval=spike.approval,
        metric=snapshot.metric, drivers=_drivers(rows), demo=snapshot.is_demo, day=spike.date,
        estimated=spike.date in snapshot.estimated_days,
    )


def _budget_drivers(scope: str, snapshot: Snapshot, settings: Settings, conn: sqlite3.Connection) -> tuple[Driver, ...]:
    """Services whose spend on this month's complete days grew most over the same days of the previous month."""
    month_start = date.fromisoformat(snapshot.month + "-01")
    same_days = cal.same_days_previous_month(month_start, snapshot.complete_days)
    if same_days is None:
        return ()  # the 1st: no complete days to compare
    flt = CostFilter(settings.metric, settings.exclude_credits, None if scope == "total" else scope)
    rows = queries.service_period_change(conn, flt, month_start, date.fromisoformat(snapshot.last_complete_day),
                                         *same_days, limit=DRIVER_LIMIT + 5)
    return _drivers(rows)


def budget_events(snapshot: Snapshot, settings: Settings, conn: sqlite3.Connection,
                  recorded: RecordedLevels) -> list[AlertEvent]:
    """Newly crossed budget levels of the total and each environment, actual and (if enabled) forecast."""
    if snapshot.environment_filter is not None:
        raise ValueError("budget alerts need the unfiltered snapshot")
    thresholds = settings.budget.thresholds
    events: list[AlertEvent] = []
    for line in (snapshot.total, *snapshot.environments):
        drivers: tuple[Driver, ...] | None = None
        actual_rank = LEVEL_RANK[line.level]
        candidates: list[tuple[str, str | None, float | None]] = [("budget", line.level, line.mtd)]
        if settings.alerts.on_forecast:
            candidates.append(("forecast", line.forecast_level, line.forecast_eom))
        for kind, level, amount in candidates:
            if level is None or amount is None or level == "ok":
                continue
            rank = LEVEL_RANK[level]
            if rank <= recorded.highest(kind, line.name) or (kind == "forecast" and rank <= actual_rank):
                continue
            if drivers is None:
                drivers = _budget_drivers(line.name, snapshot, settings, conn)
            events.append(_budget_event(kind, level, amount, line, snapshot, settings, drivers))
    return events


def _budget_event(kind: str, level: str, amount: float, line: BudgetLine, snapshot: Snapshot, settings: Settings,
                  drivers: tuple[Driver, ...]) -> AlertEvent:
    pct = None if line.budget == 0 else round(amount / line.budget * 100, 1) + 0.0
    return AlertEvent(
        key=f"{kind}:{line.name}:{level}:{snapshot.month}", kind=kind, scope=line.name, month=snapshot.month,
        level=level, as_of=snapshot.as_of, data_through=snapshot.last_complete_day,
        amount=amount, reference=line.budget, pct=pct, threshold_pct=getattr(settings.budget.thresholds, level),
        approval_amount=line.overrun, approval=line.approval, metric=snapshot.metric,
        drivers=drivers, demo=snapshot.is_demo, estimated=bool(snapshot.estimated_days),
    )


def evaluate(snapshot: Snapshot, settings: Settings, conn: sqlite3.Connection) -> list[AlertEvent]:
    """Every event the snapshot shows that is not yet recorded (by key, or by a higher level this month)."""
    if snapshot.closed:
        return []  # alerts are about the month still running
    recorded = RecordedLevels.load(conn, snapshot.month)
    candidate_keys = [s.key for s in snapshot.spikes] + [c.key for c in snapshot.one_time_charges if c.alert]
    spike_known = _known(conn, candidate_keys)
    cleared = {(scope, key.split(":")[-2]) for key, scope in conn.execute(
        "SELECT key, scope FROM alert_events WHERE month = ? AND kind = 'forecast_clear'", (snapshot.month,))}
    events = (budget_events(snapshot, settings, conn, recorded) + spike_events(snapshot, settings, conn, spike_known)
              + one_time_events(snapshot, settings))
    if settings.alerts.on_forecast:
        events += forecast_clear_events(snapshot, settings, recorded, cleared)
    known = _known(conn, [e.key for e in events])
    return [event for event in events if event.key not in known]


def _known(conn: sqlite3.Connection, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return {row[0] for row in conn.execute(f"SELECT key FROM alert_events WHERE key IN ({', '.join('?' * len(keys))})", keys)}
