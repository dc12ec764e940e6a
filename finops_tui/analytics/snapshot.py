"""The view-model every front end renders: plain data, no UI types.

``build_snapshot`` reads a handful of SQL aggregates (never the whole fact
table) and computes every figure of ARCHITECTURE.md's semantics. The console,
``status --json``, reports and alerts all read the same ``Snapshot``.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from finops_tui.analytics.rules import approval_tier, budget_level, cents, is_spike, percent
from finops_tui.config import CATEGORIES, ENVIRONMENTS, UNALLOCATED, Settings
from finops_tui.money import CE_REQUEST_USD
from finops_tui.store import queries
from finops_tui.store.db import Store
from finops_tui.store.queries import CostFilter

TREND_DAYS = 30


@dataclass(frozen=True)
class BudgetLine:
    name: str
    mtd: float
    budget: float
    pct: float | None
    level: str
    forecast_eom: float | None
    forecast_level: str | None


@dataclass(frozen=True)
class CategoryLine:
    name: str
    mtd: float
    share_pct: float | None
    previous_mtd: float  # the previous month through the same day
    previous_month: float  # the whole previous month
    change_pct: float | None  # against previous_mtd
    trend: tuple[float, ...]  # daily spend over the last complete days, oldest first


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
class WasteItem:
    resource_id: str
    kind: str
    monthly_cost: float
    environment: str
    name: str = ""
    region: str = ""
    detail: str = ""


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


@dataclass(frozen=True)
class Freshness:
    last_sync: str | None
    last_status: str | None
    last_error: str | None
    stale: bool
    age_seconds: float | None


@dataclass(frozen=True)
class Snapshot:
    as_of: str
    month: str
    metric: str
    environment_filter: str | None
    has_data: bool
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
    athena_queries_month: int = 0  # `sync --source athena` queries this month, and the bytes Athena billed for them
    athena_billed_bytes_month: int = 0

    @property
    def ce_cost_month(self) -> float:
        return cents(self.ce_requests_month * CE_REQUEST_USD)

    @property
    def athena_cost_month(self) -> float:
        from finops_tui.money import ATHENA_TB, ATHENA_USD_PER_TB

        return round(self.athena_billed_bytes_month / ATHENA_TB * ATHENA_USD_PER_TB, 4)

    @property
    def last_complete_day(self) -> str:
        return (date.fromisoformat(self.as_of) - timedelta(days=1)).isoformat()

    def to_json(self) -> dict[str, Any]:
        """The stable ``status --json`` contract of ARCHITECTURE.md (more keys may be added)."""

        def budget(line: BudgetLine, with_name: bool) -> dict[str, Any]:
            data = asdict(line)
            if not with_name:
                data.pop("name")
            return data

        return {
            "as_of": self.as_of,
            "month": self.month,
            "metric": self.metric,
            "environment_filter": self.environment_filter,
            "last_sync": self.freshness.last_sync,
            "stale": self.freshness.stale,
            "demo": self.is_demo,
            "total": budget(self.total, with_name=False),
            "environments": [budget(line, with_name=True) for line in self.environments],
            "unallocated": {"mtd": self.unallocated_mtd},
            "categories": [{"name": c.name, "mtd": c.mtd, "share_pct": c.share_pct, "previous_mtd": c.previous_mtd,
                            "previous_month": c.previous_month, "change_pct": c.change_pct} for c in self.categories],
            "spikes": [asdict(spike) for spike in self.spikes],
            "waste": {"monthly_total": self.waste_total,
                      "items": [{"resource_id": w.resource_id, "kind": w.kind, "monthly_cost": w.monthly_cost,
                                 "environment": w.environment, "name": w.name} for w in self.waste]},
            "cost_per_lead": {
                "target": self.cost_per_lead.target,
                "month_to_date": self.cost_per_lead.month_to_date,
                "on_target": self.cost_per_lead.on_target,
                "trend": [asdict(point) for point in self.cost_per_lead.trend],
            },
            "estimated_days": list(self.estimated_days),
            "cost_explorer": {"requests_this_month": self.ce_requests_month, "cost_this_month": self.ce_cost_month},
            "athena": {"queries_this_month": self.athena_queries_month,
                       "billed_bytes_this_month": self.athena_billed_bytes_month, "cost_this_month": self.athena_cost_month},
        }


def _pct1(value: float | None) -> float | None:
    return None if value is None else round(value, 1) + 0.0


def _budget_line(name: str, mtd: float, mtd_complete: float, budget: float, settings: Settings,
                 complete_days: int, days_in_month: int) -> BudgetLine:
    thresholds = settings.budget.thresholds
    forecast = None if complete_days == 0 else mtd_complete / complete_days * days_in_month
    return BudgetLine(
        name=name,
        mtd=cents(mtd),
        budget=cents(budget),
        pct=_pct1(percent(round(mtd, 2), round(budget, 2))),
        level=budget_level(mtd, budget, thresholds) or "ok",
        forecast_eom=None if forecast is None else cents(forecast),
        forecast_level=budget_level(forecast, budget, thresholds),
    )


def _previous_month_start(month_start: date) -> date:
    return (month_start - timedelta(days=1)).replace(day=1)


def _freshness(store: Store, settings: Settings, now: datetime, is_demo: bool) -> Freshness:
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
    failed = latest is not None and latest[2] == "failed"
    too_old = age is None or age > 2 * settings.sync.interval_minutes * 60
    stale = not is_demo and (failed or too_old)
    return Freshness(
        last_sync=last_sync,
        last_status=latest[2] if latest else None,
        last_error=latest[3] if latest and latest[2] == "failed" else None,
        stale=stale,
        age_seconds=age,
    )


def find_spikes(daily: dict[str, dict[str, float]], days: list[date], settings: Settings) -> list[Spike]:
    """Spikes of the total and of each category, for each day in ``days`` against the day before."""
    found: list[Spike] = []
    for day in days:
        today_by_cat = daily.get(day.isoformat(), {})
        before_by_cat = daily.get((day - timedelta(days=1)).isoformat(), {})
        dim = calendar.monthrange(day.year, day.month)[1]
        scopes = [("total", sum(before_by_cat.values()), sum(today_by_cat.values()))]
        scopes += [(f"category:{c}", before_by_cat.get(c, 0.0), today_by_cat.get(c, 0.0)) for c in CATEGORIES]
        for scope, previous, current in scopes:
            if not is_spike(previous, current, settings.spikes):
                continue
            increase = round(current, 2) - round(previous, 2)
            monthly = increase * dim
            found.append(Spike(
                date=day.isoformat(), scope=scope, previous=cents(previous), amount=cents(current),
                change_pct=_pct1(increase / round(previous, 2) * 100) or 0.0,
                monthly_increase=cents(monthly), approval=approval_tier(monthly, settings.approval),
            ))
    found.sort(key=lambda s: (s.date, s.scope == "total"), reverse=True)
    return found


def build_snapshot(store: Store, settings: Settings, today: date, *, environment: str | None = None,
                   now: datetime | None = None) -> Snapshot:
    """Every figure for ``today`` (partial) and the complete days before it."""
    now = now or datetime.now(UTC)
    conn = store.conn
    flt = CostFilter(settings.metric, settings.exclude_credits, environment)
    month_start = today.replace(day=1)
    days_in_month = calendar.monthrange(today.year, today.month)[1]
    complete_days = (today - month_start).days
    yesterday = today - timedelta(days=1)
    is_demo = store.get_meta("demo") == "1"

    # Month to date by category x environment, with the complete-days part for forecasts.
    month_rows = queries.month_by_category_environment(conn, flt, month_start, today)
    env_mtd = {name: 0.0 for name in (*ENVIRONMENTS, UNALLOCATED)}
    env_complete = dict(env_mtd)
    cat_mtd = {name: 0.0 for name in CATEGORIES}
    for category, env, mtd, complete in month_rows:
        env_mtd[env] = env_mtd.get(env, 0.0) + mtd
        env_complete[env] = env_complete.get(env, 0.0) + complete
        cat_mtd[category] = cat_mtd.get(category, 0.0) + mtd
    total_mtd = sum(env_mtd.values())
    total_complete = sum(env_complete.values())

    budget_cfg = settings.budget
    shown_envs = (environment,) if environment in ENVIRONMENTS else ENVIRONMENTS if environment is None else ()
    environments = tuple(
        _budget_line(name, env_mtd[name], env_complete[name], budget_cfg.for_environment(name), settings, complete_days, days_in_month)
        for name in shown_envs
    )
    total_budget = budget_cfg.for_environment(environment) if environment in ENVIRONMENTS else (
        0.0 if environment else budget_cfg.monthly_total)
    total = _budget_line("total", total_mtd, total_complete, total_budget, settings, complete_days, days_in_month)
    if environment is not None and environment not in ENVIRONMENTS:
        # Unallocated spend belongs to no budget: no level, rather than "hard limit of a zero budget".
        total = replace(total, pct=None, level="ok", forecast_level=None)

    # Daily spend per category over the look-back window (spikes, trends, cost per lead).
    lookback = settings.spikes.lookback_days
    window_first = min(month_start, today - timedelta(days=max(lookback, TREND_DAYS) + 1))
    daily: dict[str, dict[str, float]] = {}
    for day_iso, category, spend in queries.daily_by_category(conn, flt, window_first, yesterday):
        daily.setdefault(day_iso, {})[category] = spend
    spike_days = [yesterday - timedelta(days=offset) for offset in range(lookback)]
    spikes = find_spikes(daily, spike_days, settings)

    trend_days = [yesterday - timedelta(days=offset) for offset in range(TREND_DAYS - 1, -1, -1)]
    trend_by_cat = {c: tuple(cents(daily.get(d.isoformat(), {}).get(c, 0.0)) for d in trend_days[-14:]) for c in CATEGORIES}

    # Categories against the previous month (same days, and the whole month).
    prev_start = _previous_month_start(month_start)
    prev_days = calendar.monthrange(prev_start.year, prev_start.month)[1]
    prev_same_day = prev_start + timedelta(days=min(complete_days, prev_days - 1))
    prev_mtd = queries.category_totals(conn, flt, prev_start, prev_same_day)
    prev_full = queries.category_totals(conn, flt, prev_start, month_start - timedelta(days=1))
    categories = sorted(
        (
            CategoryLine(
                name=name,
                mtd=cents(cat_mtd.get(name, 0.0)),
                share_pct=_pct1(percent(cat_mtd.get(name, 0.0), total_mtd)),
                previous_mtd=cents(prev_mtd.get(name, 0.0)),
                previous_month=cents(prev_full.get(name, 0.0)),
                change_pct=_pct1(percent(cat_mtd.get(name, 0.0) - prev_mtd.get(name, 0.0), prev_mtd.get(name, 0.0)))
                if prev_mtd.get(name, 0.0) > 0 else None,
                trend=trend_by_cat[name],
            )
            for name in CATEGORIES
        ),
        key=lambda line: (-line.mtd, CATEGORIES.index(line.name)),
    )

    # Waste: scanned idle resources plus spend with no environment over the last 30 complete days.
    waste = [
        WasteItem(row[0], row[1], cents(row[6]), row[5], name=row[2], region=row[3], detail=row[7])
        for row in queries.waste_items(conn, environment)
    ]
    if environment in (None, UNALLOCATED):
        untagged_first = today - timedelta(days=30)
        for what, service, spend in queries.untagged_spend(conn, flt, untagged_first, yesterday):
            waste.append(WasteItem(what, "untagged_spend", cents(spend), UNALLOCATED, name=service,
                                   detail="spend with no environment tag, last 30 complete days"))
    waste.sort(key=lambda item: (-item.monthly_cost, item.kind, item.resource_id))
    waste_total = cents(sum(item.monthly_cost for item in waste))
    athena_meter = queries.athena_meter(conn, today.strftime("%Y-%m"))

    # Cost per lead over complete days.
    target = settings.leads.target_cost_per_lead
    leads = queries.leads_between(conn, window_first, yesterday)
    trend: list[LeadPoint] = []
    for day in trend_days:
        cost = sum(daily.get(day.isoformat(), {}).values())
        count = leads.get(day.isoformat())
        value = round(cost / count, 4) if count else None
        trend.append(LeadPoint(day.isoformat(), cents(cost), count, value))
    month_days = [month_start + timedelta(days=offset) for offset in range(complete_days)]
    month_cost = sum(sum(daily.get(d.isoformat(), {}).values()) for d in month_days)
    month_leads = sum(leads.get(d.isoformat(), 0) for d in month_days)
    cpl_mtd = round(month_cost / month_leads, 4) if month_leads else None
    cost_per_lead = CostPerLead(target, cpl_mtd, None if cpl_mtd is None else cpl_mtd <= target, tuple(trend))

    return Snapshot(
        as_of=today.isoformat(),
        month=today.strftime("%Y-%m"),
        metric=settings.metric,
        environment_filter=environment,
        has_data=store.has_costs(),
        is_demo=is_demo,
        freshness=_freshness(store, settings, now, is_demo),
        total=total,
        environments=environments,
        unallocated_mtd=cents(env_mtd.get(UNALLOCATED, 0.0)),
        categories=tuple(categories),
        spikes=tuple(spikes),
        waste_total=waste_total,
        waste=tuple(waste),
        cost_per_lead=cost_per_lead,
        estimated_days=tuple(queries.estimated_days(conn, month_start, today)),
        ce_requests_month=queries.ce_requests_in_month(conn, today.strftime("%Y-%m")),
        athena_queries_month=athena_meter[0],
        athena_billed_bytes_month=athena_meter[1],
        complete_days=complete_days,
        days_in_month=days_in_month,
    )
