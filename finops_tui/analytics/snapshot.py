"""The view-model every front end renders: plain data, no UI types.

``build_snapshot`` reads a handful of SQL aggregates (never the whole fact
table), all in one read transaction, and computes every figure of
ARCHITECTURE.md's semantics for one month: the current month (today partial,
complete days before it) or a closed month (as of its last day: no partial
day, no forecast). The console, ``status --json``, reports and alerts all read
the same ``Snapshot``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from finops_tui import calendar as cal
from finops_tui.analytics.daily import DailySpend, forecast_eom, monthly_increase, run_rate_window
from finops_tui.analytics.rules import approval_tier, budget_level, cents, is_spike, percent
from finops_tui.config import CATEGORIES, ENVIRONMENTS, UNALLOCATED, Settings
from finops_tui.money import CE_REQUEST_USD
from finops_tui.store import queries
from finops_tui.store.db import Store
from finops_tui.store.queries import CostFilter

TREND_DAYS = 30
CATEGORY_TREND_DAYS = 14
# Charge types that are booked spend but never need an approval as a "one-time charge" event.
NOT_ONE_TIME_EVENTS = frozenset({"credit", "refund", "recurring"})


@dataclass(frozen=True)
class BudgetLine:
    name: str
    mtd: float
    budget: float
    pct: float | None
    level: str
    forecast_eom: float | None
    forecast_level: str | None
    overrun: float | None = None  # max(forecast, month to date) - budget, when positive: what needs approving
    approval: str | None = None  # the tier of the overrun; None without one


@dataclass(frozen=True)
class CategoryLine:
    name: str
    mtd: float  # month to date, today's partial day included
    share_pct: float | None
    previous_mtd: float  # days 1..N of the previous month (N = complete days)
    previous_month: float  # the whole previous month
    change_pct: float | None  # complete days 1..N against previous_mtd; None on the 1st
    trend: tuple[float, ...]  # daily spend over the last complete days, oldest first
    complete: float = 0.0  # complete days 1..N of this month
    today: float = 0.0  # today's partial day (0 for a closed month)


@dataclass(frozen=True)
class Spike:
    date: str
    scope: str  # "total" or "category:NAME"
    previous: float
    amount: float
    change_pct: float
    monthly_increase: float
    approval: str

    @property
    def increase(self) -> float:
        return self.amount - self.previous

    @property
    def key(self) -> str:
        return f"spike:{self.scope}:{self.date}"


@dataclass(frozen=True)
class OneTimeCharge:
    """A charge counted once as booked (purchase, fee, tax, credit, ...), never in a run-rate or a spike."""

    date: str
    service: str
    charge_type: str
    amount: float
    approval: str | None  # None for credits and refunds: nothing to approve
    alert: bool  # above ``alerts.one_time_min``: becomes a "one-time charge" event

    @property
    def key(self) -> str:
        return f"one_time:{self.charge_type}:{self.service}:{self.date}"


@dataclass(frozen=True)
class WasteItem:
    resource_id: str
    kind: str  # the kind with the larger estimate
    monthly_cost: float
    environment: str
    name: str = ""
    region: str = ""
    detail: str = ""
    kinds: tuple[str, ...] = ()  # every kind this resource is listed under, largest estimate first


@dataclass(frozen=True)
class LeadPoint:
    date: str
    cost: float
    leads: int | None
    value: float | None


@dataclass(frozen=True)
class CostPerLead:
    target: float
    month_to_date: float | None
    on_target: bool | None
    trend: tuple[LeadPoint, ...]
    days_with_leads: int = 0  # complete days of the month that have a leads count
    complete_days: int = 0  # complete days of the month
    cost: float = 0.0  # cost of the days with leads
    leads: int = 0


@dataclass(frozen=True)
class Freshness:
    last_sync: str | None
    last_status: str | None
    last_error: str | None
    stale: bool
    age_seconds: float | None
    reasons: tuple[str, ...] = ()
    data_through: str | None = None  # the newest day with cost rows, up to today
    lag_days: int | None = None  # days from data_through to today


@dataclass(frozen=True)
class Snapshot:
    as_of: str  # today for the current month; the last day of a closed month
    month: str
    metric: str
    environment_filter: str | None
    has_data: bool  # the cache has cost rows at all
    is_demo: bool
    freshness: Freshness
    total: BudgetLine
    environments: tuple[BudgetLine, ...]
    unallocated_mtd: float
    categories: tuple[CategoryLine, ...]
    spikes: tuple[Spike, ...]
    waste_total: float
    waste: tuple[WasteItem, ...]
    cost_per_lead: CostPerLead
    estimated_days: tuple[str, ...]
    ce_requests_month: int
    complete_days: int
    days_in_month: int
    extras: dict[str, Any] = field(default_factory=dict)
    today: str = ""  # the clock's day
    closed: bool = False  # a past month: as of its last day, no partial day, no forecast
    last_complete_day: str = ""
    partial_day: str | None = None  # today, for the current month
    month_has_data: bool = True
    data_gaps: tuple[str, ...] = ()
    one_time_charges: tuple[OneTimeCharge, ...] = ()
    forecast_window: tuple[str, str] | None = None  # the run-rate's first and last complete day
    athena_queries_month: int = 0  # `sync --source athena` queries this month, and the bytes Athena billed for them
    athena_billed_bytes_month: int = 0
    currency: str = "USD"  # the cache's one currency (config ``currency``): every amount is in it
    # key -> ItemState (finops_tui.approvals.states): the approval item of a spike (its key) or a budget line
    # (``line:<name>``), joined by the alert event key it was opened from.
    approval_items: dict[str, Any] = field(default_factory=dict)

    @property
    def ce_cost_month(self) -> float:
        return cents(self.ce_requests_month * CE_REQUEST_USD)

    @property
    def estimated_count(self) -> int:
        return len(self.estimated_days)

    @property
    def athena_cost_month(self) -> float:
        from finops_tui.money import ATHENA_TB, ATHENA_USD_PER_TB

        return round(self.athena_billed_bytes_month / ATHENA_TB * ATHENA_USD_PER_TB, 4)

    def to_json(self) -> dict[str, Any]:
        """The stable ``status --json`` contract of ARCHITECTURE.md (more keys may be added)."""

        def budget(line: BudgetLine, with_name: bool) -> dict[str, Any]:
            data = asdict(line)
            if not with_name:
                data.pop("name")
            return data

        return {
            "as_of": self.as_of,
            "today": self.today,
            "month": self.month,
            "closed": self.closed,
            "metric": self.metric,
            "currency": self.currency,
            "environment_filter": self.environment_filter,
            "last_sync": self.freshness.last_sync,
            "stale": self.freshness.stale,
            "stale_reasons": list(self.freshness.reasons),
            "data_through": self.freshness.data_through,
            "last_complete_day": self.last_complete_day,
            "complete_days": self.complete_days,
            "estimated_days": list(self.estimated_days),
            "data_gaps": list(self.data_gaps),
            "demo": self.is_demo,
            "total": budget(self.total, with_name=False),
            "environments": [budget(line, with_name=True) for line in self.environments],
            "unallocated": {"mtd": self.unallocated_mtd},
            "categories": [{"name": c.name, "mtd": c.mtd, "share_pct": c.share_pct, "complete": c.complete, "today": c.today,
                            "previous_mtd": c.previous_mtd, "previous_month": c.previous_month, "change_pct": c.change_pct}
                           for c in self.categories],
            "spikes": [asdict(spike) for spike in self.spikes],
            "one_time_charges": [{"date": c.date, "service": c.service, "charge_type": c.charge_type, "amount": c.amount,
                                  "approval": c.approval, "alert": c.alert} for c in self.one_time_charges],
            "waste": {"monthly_total": self.waste_total,
                      "items": [{"resource_id": w.resource_id, "kind": w.kind, "kinds": list(w.kinds), "monthly_cost": w.monthly_cost,
                                 "environment": w.environment, "name": w.name} for w in self.waste]},
            "cost_per_lead": {
                "target": self.cost_per_lead.target,
                "month_to_date": self.cost_per_lead.month_to_date,
                "on_target": self.cost_per_lead.on_target,
                "days_with_leads": self.cost_per_lead.days_with_leads,
                "complete_days": self.cost_per_lead.complete_days,
                "trend": [asdict(point) for point in self.cost_per_lead.trend],
            },
            "cost_explorer": {"requests_this_month": self.ce_requests_month, "cost_this_month": self.ce_cost_month},
            "athena": {"queries_this_month": self.athena_queries_month,
                       "billed_bytes_this_month": self.athena_billed_bytes_month, "cost_this_month": self.athena_cost_month},
        }


def _pct1(value: float | None) -> float | None:
    return None if value is None else round(value, 1) + 0.0


def _budget_line(name: str, mtd: float, budget: float, forecast: float | None, settings: Settings) -> BudgetLine:
    thresholds = settings.budget.thresholds
    projected = mtd if forecast is None else max(forecast, mtd)
    overrun = projected - budget if projected - budget >= 0.005 else None
    return BudgetLine(
        name=name,
        mtd=cents(mtd),
        budget=cents(budget),
        pct=_pct1(percent(round(mtd, 2), round(budget, 2))),
        level=budget_level(mtd, budget, thresholds) or "ok",
        forecast_eom=None if forecast is None else cents(forecast),
        forecast_level=budget_level(forecast, budget, thresholds),
        overrun=None if overrun is None else cents(overrun),
        approval=None if overrun is None else approval_tier(overrun, settings.approval),
    )


def _freshness(store: Store, settings: Settings, now: datetime, today: date, is_demo: bool) -> Freshness:
    good, latest = queries.last_runs(store.conn)
    last_sync = good[1] if good else None
    age = None
    if last_sync:
        try:
            finished = datetime.fromisoformat(last_sync)
            if finished.tzinfo is None:
                finished = finished.replace(tzinfo=UTC)
            age = max(0.0, (now - finished).total_seconds())
        except ValueError:
            age = None
    reasons: list[str] = []
    failed = latest is not None and latest[2] == "failed"
    max_age = 2 * settings.sync.interval_minutes * 60
    if not is_demo:
        if last_sync is None:
            reasons.append("never synced")
        elif age is None or age > max_age:
            reasons.append(f"last good sync {last_sync} is older than {max_age / 3600:g} h (twice sync.interval_minutes)")
        if failed:
            reasons.append(f"the last run failed: {latest[3]}" if latest[3] else "the last run failed")
    data_through = queries.newest_cost_day(store.conn, today)
    lag = None if data_through is None else (today - date.fromisoformat(data_through)).days
    max_lag = settings.freshness.max_lag_days
    if lag is not None and lag > max_lag:
        reasons.append(f"the newest cost day {data_through} is {lag} days before today (more than freshness.max_lag_days = {max_lag})")
    return Freshness(
        last_sync=last_sync,
        last_status=latest[2] if latest else None,
        last_error=latest[3] if latest and latest[2] == "failed" else None,
        stale=bool(reasons),
        age_seconds=age,
        reasons=tuple(reasons),
        data_through=data_through,
        lag_days=lag,
    )


def find_spikes(spend: DailySpend, days: list[date], settings: Settings) -> list[Spike]:
    """Spikes of usage-based spend, total and per category, for each day in ``days`` against the day before.

    Percentages and monthly increases come from unrounded amounts; only the
    shown figures are rounded.
    """
    found: list[Spike] = []
    scopes: list[tuple[str, dict[str, float]]] = [("total", spend.by_day(usage_only=True))]
    scopes += [(f"category:{c}", spend.by_day(usage_only=True, category=c)) for c in CATEGORIES]
    for day in days:
        day_iso, before_iso = day.isoformat(), cal.day_before(day).isoformat()
        for scope, by_day in scopes:
            previous, current = by_day.get(before_iso, 0.0), by_day.get(day_iso, 0.0)
            if not is_spike(previous, current, settings.spikes):
                continue
            monthly = monthly_increase(previous, current, day)
            found.append(Spike(
                date=day_iso, scope=scope, previous=cents(previous), amount=cents(current),
                change_pct=_pct1((current - previous) / previous * 100) or 0.0,
                monthly_increase=cents(monthly), approval=approval_tier(monthly, settings.approval),
            ))
    found.sort(key=lambda s: (s.date, s.scope == "total"), reverse=True)
    return found


def _one_time_charges(rows: list[tuple[str, str, str, float]], settings: Settings) -> list[OneTimeCharge]:
    charges = []
    for day_iso, service, charge_type, amount in rows:
        if abs(amount) < 0.005:
            continue
        approvable = charge_type not in NOT_ONE_TIME_EVENTS and amount > 0
        charges.append(OneTimeCharge(
            date=day_iso, service=service or "(no service)", charge_type=charge_type, amount=cents(amount),
            approval=approval_tier(amount, settings.approval) if approvable else None,
            alert=approvable and amount > settings.alerts.one_time_min,
        ))
    charges.sort(key=lambda c: (c.date, -abs(c.amount), c.service), reverse=False)
    return charges


def _waste(store: Store, flt: CostFilter, environment: str | None, untagged_first: date, untagged_last: date) -> list[WasteItem]:
    """Scanned idle resources and untagged spend; a resource listed under two kinds counts once (its larger estimate).

    Every untagged resource is listed (thousands in a large cache): each item is made once, from plain tuples.
    """
    # (resource_id, kind, monthly_cost, environment, name, region, detail) of every listing.
    listed = [(row[0], row[1], row[6], row[5], row[2], row[3], row[7]) for row in queries.waste_items(store.conn, environment)]
    if environment in (None, UNALLOCATED) and untagged_last >= untagged_first:
        detail = "spend with no environment tag, last 30 complete days"
        listed += [(what, "untagged_spend", spend, UNALLOCATED, service, "", detail)
                   for what, service, spend in queries.untagged_spend(store.conn, flt, untagged_first, untagged_last, limit=1_000_000)]
    by_resource: dict[str, list[tuple]] = {}
    for item in listed:
        by_resource.setdefault(item[0], []).append(item)
    merged = []
    for items in by_resource.values():
        resource_id, kind, monthly_cost, item_environment, name, region, detail = items[0]
        kinds: tuple[str, ...] = (kind,)
        if len(items) > 1:
            items.sort(key=lambda item: (-item[2], item[1]))
            resource_id, kind, monthly_cost, item_environment, name, region, detail = items[0]
            kinds = tuple(dict.fromkeys(item[1] for item in items))
            name = name or next((item[4] for item in items if item[4]), "")
        merged.append(WasteItem(resource_id, kind, cents(monthly_cost), item_environment, name=name, region=region,
                                detail=detail, kinds=kinds))
    merged.sort(key=lambda item: (-item.monthly_cost, item.kind, item.resource_id))
    return merged


def _gaps(days_with_rows: list[str], first: date, last: date) -> list[str]:
    """Days in ``first``..``last`` with no rows that lie between days with rows."""
    if not days_with_rows:
        return []
    present = set(days_with_rows)
    lo, hi = days_with_rows[0], days_with_rows[-1]
    return [d.isoformat() for d in cal.days(first, last) if lo < d.isoformat() < hi and d.isoformat() not in present]


def build_snapshot(store: Store, settings: Settings, today: date, *, environment: str | None = None,
                   now: datetime | None = None, month: date | None = None) -> Snapshot:
    """Every figure of ``month`` (default: today's) as the clock's ``today`` sees it.

    ``now`` is the command's moment (``Clock.now()``), used for the age of the
    last sync; without it, noon UTC of ``today``.
    """
    from finops_tui.approvals.states import snapshot_states

    store.use_settings(settings)  # categories and environments follow this config (before the read transaction)
    with store.read():
        snapshot = _build(store, settings, today, environment, now, month)
        return replace(snapshot, approval_items=snapshot_states(store.conn, snapshot))


def _build(store: Store, settings: Settings, today: date, environment: str | None, now: datetime | None,
           month: date | None) -> Snapshot:
    now = now or datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    conn = store.conn
    flt = CostFilter(settings.metric, settings.exclude_credits, environment)
    month_start = cal.month_start(month or today)
    if month_start > today:
        month_start = cal.month_start(today)
    closed = month_start < cal.month_start(today)
    days_in_month = cal.days_in_month(month_start)
    month_last = cal.month_end(month_start)
    # The view's last day (today, or the closed month's last day) and the day after its last complete day.
    view_last = month_last if closed else today
    cutoff = month_last + cal.ONE_DAY if closed else today
    last_complete = cal.day_before(cutoff)
    complete_days = (cutoff - month_start).days
    is_demo = store.get_meta("demo") == "1"

    lookback = settings.spikes.lookback_days
    window_days = settings.forecast.window_days
    prev_start = cal.previous_month_start(month_start)
    spike_days = list(cal.days(month_start, month_last)) if closed else cal.last_days(last_complete, lookback)
    trend_days = cal.last_days(last_complete, TREND_DAYS)
    first_needed = min(prev_start, trend_days[0], cal.day_before(spike_days[0]), last_complete - timedelta(days=window_days))
    spend = DailySpend.from_rows(queries.daily_by_category_environment_kind(conn, flt, first_needed, view_last))

    # Budgets: month to date (today's partial day included) and the usage run-rate forecast.
    env_mtd = spend.by_environment(month_start, view_last)
    env_complete = spend.by_environment(month_start, last_complete)
    rate = run_rate_window(spend, last_complete, window_days)
    env_window_usage = spend.by_environment(rate.first, rate.last, usage_only=True)
    remaining = days_in_month - complete_days

    def forecast_of(complete_spend: float, window_usage: float) -> float | None:
        if closed or not rate.usable(settings.forecast.min_days):
            return None
        return forecast_eom(complete_spend, window_usage, rate, remaining)

    budget_cfg = settings.budget
    shown_envs = (environment,) if environment in ENVIRONMENTS else ENVIRONMENTS if environment is None else ()
    environments = tuple(
        _budget_line(name, env_mtd.get(name, 0.0), budget_cfg.for_environment(name),
                     forecast_of(env_complete.get(name, 0.0), env_window_usage.get(name, 0.0)), settings)
        for name in shown_envs
    )
    total_budget = budget_cfg.for_environment(environment) if environment in ENVIRONMENTS else (
        0.0 if environment else budget_cfg.monthly_total)
    total_mtd = sum(env_mtd.values())
    total = _budget_line("total", total_mtd, total_budget,
                         forecast_of(sum(env_complete.values()), sum(env_window_usage.values())), settings)
    if environment is not None and environment not in ENVIRONMENTS:
        # Unallocated spend belongs to no budget: no level, rather than "hard limit of a zero budget".
        total = replace(total, pct=None, level="ok", forecast_level=None, overrun=None, approval=None)

    # Categories, like for like: complete days 1..N against days 1..N of the previous month.
    cat_mtd = spend.by_category(month_start, view_last)
    cat_complete = spend.by_category(month_start, last_complete)
    cat_today = spend.by_category(today, today) if not closed else {}
    same_days = cal.same_days_previous_month(month_start, complete_days)
    prev_same = spend.by_category(*same_days) if same_days else {}
    prev_full = spend.by_category(prev_start, cal.day_before(month_start))
    trend_by_cat = {c: spend.by_day(category=c) for c in CATEGORIES}
    categories = sorted(
        (
            CategoryLine(
                name=name,
                mtd=cents(cat_mtd.get(name, 0.0)),
                share_pct=_pct1(percent(cat_mtd.get(name, 0.0), total_mtd)),
                previous_mtd=cents(prev_same.get(name, 0.0)),
                previous_month=cents(prev_full.get(name, 0.0)),
                change_pct=_pct1(percent(cat_complete.get(name, 0.0) - prev_same[name], prev_same[name]))
                if same_days and prev_same.get(name, 0.0) > 0 else None,
                trend=tuple(cents(trend_by_cat[name].get(d.isoformat(), 0.0)) for d in trend_days[-CATEGORY_TREND_DAYS:]),
                complete=cents(cat_complete.get(name, 0.0)),
                today=cents(cat_today.get(name, 0.0)),
            )
            for name in CATEGORIES
        ),
        key=lambda line: (-line.mtd, CATEGORIES.index(line.name)),
    )

    spikes = find_spikes(spend, spike_days, settings)
    charge_first = min(month_start, spike_days[0])
    one_time = _one_time_charges(queries.charges_other_than_usage(conn, flt, charge_first, view_last), settings)

    # Waste: scanned idle resources plus spend with no environment over the last 30 complete days.
    waste = _waste(store, flt, environment, today - timedelta(days=30), cal.day_before(today))
    waste_total = cents(sum(item.monthly_cost for item in waste))
    athena_meter = queries.athena_meter(conn, cal.month_key(month_start))

    # Cost per lead: cost and leads over the same complete days (days without a leads count left out of both).
    target = settings.leads.target_cost_per_lead
    leads = queries.leads_between(conn, min(trend_days[0], month_start), last_complete)
    daily_total = spend.by_day()
    trend: list[LeadPoint] = []
    for day in trend_days:
        cost = daily_total.get(day.isoformat(), 0.0)
        count = leads.get(day.isoformat())
        trend.append(LeadPoint(day.isoformat(), cents(cost), count, round(cost / count, 4) if count else None))
    lead_days = [d.isoformat() for d in cal.days(month_start, last_complete) if d.isoformat() in leads]
    lead_cost = sum(daily_total.get(d, 0.0) for d in lead_days)
    lead_count = sum(leads[d] for d in lead_days)
    cpl_mtd = round(lead_cost / lead_count, 4) if lead_count else None
    cost_per_lead = CostPerLead(target, cpl_mtd, None if cpl_mtd is None else cpl_mtd <= target, tuple(trend),
                                days_with_leads=len(lead_days), complete_days=complete_days,
                                cost=cents(lead_cost), leads=lead_count)

    days_with_rows = queries.days_with_costs(conn, cal.day_before(month_start), view_last)
    month_has_rows = any(day >= month_start.isoformat() for day in days_with_rows)
    return Snapshot(
        as_of=view_last.isoformat(),
        month=cal.month_key(month_start),
        metric=settings.metric,
        currency=settings.currency,
        environment_filter=environment,
        has_data=store.has_costs(),
        is_demo=is_demo,
        freshness=_freshness(store, settings, now, today, is_demo),
        total=total,
        environments=environments,
        unallocated_mtd=cents(env_mtd.get(UNALLOCATED, 0.0)),
        categories=tuple(categories),
        spikes=tuple(spikes),
        waste_total=waste_total,
        waste=tuple(waste),
        cost_per_lead=cost_per_lead,
        estimated_days=tuple(queries.estimated_days(conn, month_start, view_last)),
        ce_requests_month=queries.ce_requests_in_month(conn, cal.month_key(month_start)),
        athena_queries_month=athena_meter[0],
        athena_billed_bytes_month=athena_meter[1],
        complete_days=complete_days,
        days_in_month=days_in_month,
        today=today.isoformat(),
        closed=closed,
        last_complete_day=last_complete.isoformat(),
        partial_day=None if closed else today.isoformat(),
        month_has_data=month_has_rows,
        data_gaps=tuple(_gaps(days_with_rows, month_start, view_last)),
        one_time_charges=tuple(one_time),
        forecast_window=None if closed else (rate.first.isoformat(), rate.last.isoformat()),
    )
