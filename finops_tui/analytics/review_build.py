"""Computing the review (pandas lives here; imported only when a review is computed).

One read of the month's review usage lines (``store/review_queries.py``) and
one of the month before (data transfer), then pandas group-bys. See
``analytics/review.py`` for the view-model and ids, and the README for how each
base is defined.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pandas as pd

from finops_tui import calendar as cal
from finops_tui.analytics.review import (
    CommitmentFigures,
    Coverage,
    Lever,
    LeverItem,
    Review,
    Rightsizing,
    RightsizingItem,
    Spot,
    SpotFamily,
    TransferClass,
    TransferTop,
)
from finops_tui.analytics.review_usage import (
    TRANSFER_CLASSES,
    TRANSFER_NAMES,
    family_and_size,
    graviton_twin,
    instance_type_of,
    one_size_down,
    purchase_bucket,
    transfer_class,
    usage_kind,
)
from finops_tui.analytics.rules import approval_tier, cents, percent
from finops_tui.config import ENVIRONMENTS, Settings
from finops_tui.store import review_queries as rq
from finops_tui.store.db import Store
from finops_tui.store.queries import CostFilter

NON_PRODUCTION = tuple(name for name in ENVIRONMENTS if name != "production")
ELIGIBLE_KINDS = ("instance", "fargate", "lambda")  # what Savings Plans and reservations can cover
COMMITTED = ("savings_plans", "reservations", "committed")
RECOMMENDATION_SOURCES = ("cost_optimization_hub", "compute_optimizer")
CPU_SOURCE = "cpu_utilization"
_COLUMNS = ["day", "service", "usage_type", "instance_type", "pricing", "environment", "account", "spend", "quantity"]


def _month_bounds(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    return first, cal.month_end(first)


def _frame(lines: list[rq.UsageLine]) -> pd.DataFrame:
    frame = pd.DataFrame([(ln.day, ln.service, ln.usage_type, ln.instance_type, ln.pricing, ln.environment, ln.account,
                           float(ln.spend or 0.0), float(ln.quantity or 0.0)) for ln in lines], columns=_COLUMNS)
    # Classify each distinct usage type once (a month has hundreds, not millions).
    kinds = {ut: usage_kind(ut) for ut in frame["usage_type"].unique()}
    frame["kind"] = frame["usage_type"].map(kinds).fillna("")
    pairs = frame[["pricing", "usage_type"]].drop_duplicates()
    buckets = {(p, u): purchase_bucket(p, u) for p, u in pairs.itertuples(index=False)}
    frame["bucket"] = [buckets[(p, u)] for p, u in zip(frame["pricing"], frame["usage_type"], strict=True)]
    types = frame[["usage_type", "instance_type"]].drop_duplicates()
    itypes = {(u, i): instance_type_of(u, i) for u, i in types.itertuples(index=False)}
    frame["itype"] = [itypes[(u, i)] for u, i in zip(frame["usage_type"], frame["instance_type"], strict=True)]
    frame["family"] = frame["itype"].map(lambda t: family_and_size(t)[0] if t else "")
    return frame


def _sum(frame: pd.DataFrame, column: str = "spend") -> float:
    return float(frame[column].sum()) if len(frame) else 0.0


def _lever(settings: Settings, lever_id: str, base: float, how: str, items: list[LeverItem]) -> Lever:
    config = settings.review.levers[lever_id]
    low = base * config.low_pct / 100.0
    high = None if config.high_pct is None else base * config.high_pct / 100.0
    return Lever(lever_id, config.name, config.level, cents(base), how, config.low_pct, config.high_pct, cents(low),
                 None if high is None else cents(high), approval_tier(low, settings.approval),
                 tuple(sorted(items, key=lambda item: (-item.amount, item.id))))


def _by(frame: pd.DataFrame, column: str) -> list[tuple[str, float]]:
    if not len(frame):
        return []
    grouped = frame.groupby(column, sort=False)["spend"].sum()
    return sorted(((str(k), float(v)) for k, v in grouped.items()), key=lambda kv: (-kv[1], kv[0]))


def _usd(amount: float) -> str:
    from finops_tui.money import usd

    return usd(amount)


class _Month:
    """The month's usage lines and calendar, shared by every section."""

    def __init__(self, store: Store, settings: Settings, today: date, month: str) -> None:
        self.store, self.settings, self.today, self.month = store, settings, today, month
        self.first, self.month_last = _month_bounds(month)
        self.closed = self.month_last < today
        self.last = self.month_last if self.closed else today - timedelta(days=1)
        self.days_in_month = (self.month_last - self.first).days + 1
        self.flt = CostFilter(settings.metric, settings.exclude_credits)
        conn = store.conn
        self.frame = _frame(rq.usage_lines(conn, self.flt, self.first, self.last)) if self.last >= self.first \
            else _frame([])
        self.complete_days = [d.isoformat() for d in pd.date_range(self.first, self.last).date] if self.last >= self.first \
            else []
        self.data_days = rq.usage_days(conn, self.first, self.last) if self.last >= self.first else []
        self.pricing_known = bool(len(self.frame)) and bool((self.frame["pricing"] != "").any())
        self.quantity_known = bool(len(self.frame)) and bool((self.frame["quantity"] != 0).any())


def _eligible(m: _Month) -> pd.DataFrame:
    """Commitment-eligible usage (EC2, RDS, ElastiCache instances, Fargate, Lambda), Spot left out."""
    frame = m.frame
    return frame[frame["kind"].isin(ELIGIBLE_KINDS) & (frame["bucket"] != "spot")]


def _on_demand(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["bucket"].isin(COMMITTED) & (frame["bucket"] != "spot")]


def _purchase_note(m: _Month) -> str:
    return "" if m.pricing_known else "; no purchase type in the cache, so all of it counts as on-demand"


def _levers(m: _Month, serverless_items: list[LeverItem], serverless_how: str) -> tuple[list[Lever], dict[str, float]]:
    frame, settings = m.frame, m.settings
    s3 = frame[frame["kind"] == "s3_standard"]
    s3_gb = _sum(s3, "quantity")  # GB-months: Cost Explorer UsageQuantity / FOCUS ConsumedQuantity, where stored
    s3_how = (f"S3 Standard storage: usage types *TimedStorage-ByteHrs*, {_usd(_sum(s3))} over "
              f"{s3['usage_type'].nunique()} usage type(s)"
              + (f", {f'{s3_gb:,.2f}'.rstrip('0').rstrip('.')} GB-Mo stored" if s3_gb > 0 else ""))
    levers = [_lever(settings, "s3_lifecycle", _sum(s3), s3_how,
                     [LeverItem(f"s3_lifecycle:{ut}", ut, cents(v)) for ut, v in _by(s3, "usage_type")])]

    sized = _on_demand(frame[frame["kind"].isin(("instance", "fargate"))])
    sized_how = ("on-demand instance usage: BoxUsage, InstanceUsage, NodeUsage, Fargate vCPU-Hours and GB-Hours, "
                 f"{_usd(_sum(sized))}{_purchase_note(m)}")
    levers.append(_lever(settings, "rightsizing", _sum(sized), sized_how,
                         [LeverItem(f"rightsizing:{ut}", ut, cents(v)) for ut, v in _by(sized, "usage_type")]))

    eligible = _eligible(m)
    daily = eligible.groupby("day")["spend"].sum() if len(eligible) else pd.Series(dtype=float)
    days = [d for d in m.data_days if d in set(m.complete_days)]
    daily = daily.reindex(days, fill_value=0.0) if days else daily.iloc[0:0]
    base_daily = float(daily.min()) if len(daily) else 0.0
    low_day = str(daily.idxmin()) if len(daily) else ""
    committed = _sum(eligible[eligible["bucket"].isin(COMMITTED)])
    commit_base = max(0.0, base_daily * m.days_in_month - committed)
    commit_how = (f"base load: the lowest complete day ({low_day or 'none'}) of commitment-eligible usage (EC2, Fargate, "
                  f"Lambda, RDS, ElastiCache) {_usd(base_daily)} x {m.days_in_month} days = "
                  f"{_usd(base_daily * m.days_in_month)}, less {_usd(committed)} already covered by commitments"
                  f"{_purchase_note(m)}")
    levers.append(_lever(settings, "commitments", commit_base, commit_how,
                         [LeverItem(f"commitments:{svc}", svc, cents(v)) for svc, v in _by(eligible, "service")]))

    instances = frame[frame["kind"] == "instance"]
    mapping = settings.review.graviton
    pairs = instances[["itype", "usage_type"]].drop_duplicates()
    twins = {(t, u): graviton_twin(t, u, mapping) for t, u in pairs.itertuples(index=False)}
    twin_column = [twins[(t, u)] for t, u in zip(instances["itype"], instances["usage_type"], strict=True)]
    x86 = instances.assign(twin=twin_column)
    x86 = x86[x86["twin"].notna()]
    grav_items = [LeverItem(f"graviton:{fam}", f"{fam} -> {x86[x86['family'] == fam]['twin'].iloc[0]}", cents(v))
                  for fam, v in _by(x86, "family")]
    grav_how = (f"x86 instance usage whose family has an arm64 twin (review.graviton; GPU, metal and Windows excluded), "
                f"{_usd(_sum(x86))} over {len(grav_items)} family(ies)")
    levers.append(_lever(settings, "graviton", _sum(x86), grav_how, grav_items))

    levers.append(_lever(settings, "serverless", sum(item.amount for item in serverless_items), serverless_how,
                         serverless_items))
    enabled = [lever for lever in levers if settings.review.levers[lever.id].enabled]
    return enabled, {"base_daily": base_daily, "committed": committed, "on_demand": _sum(_on_demand(eligible))}


def _serverless(m: _Month) -> tuple[list[LeverItem], str]:
    """Always-on instance usage in non-production environments: spend on every complete day of the month."""
    need = len(m.complete_days)
    if need == 0:
        return [], "no complete day in the month yet"
    resources = rq.instance_resources(m.store.conn, m.flt, m.first, m.last, NON_PRODUCTION)
    if resources:
        items = [LeverItem(f"serverless:{rid}", rid, cents(spend), f"{ut}, {env}, account {acct}")
                 for rid, ut, env, acct, days, spend in resources if days >= need and spend > 0]
        how = (f"instance usage in non-production environments with spend on all {need} complete days, "
               f"by resource: {len(items)} candidates")
        return items, how
    frame = m.frame
    lines = frame[frame["kind"].isin(("instance", "fargate")) & frame["environment"].isin(NON_PRODUCTION)
                  & (frame["bucket"] != "spot") & (frame["spend"] > 0)]
    items = []
    if len(lines):
        grouped = lines.groupby(["usage_type", "account", "environment"]).agg(days=("day", "nunique"), spend=("spend", "sum"))
        for (ut, acct, env), row in grouped.iterrows():
            if row["days"] >= need:
                items.append(LeverItem(f"serverless:{ut}@{acct}/{env}", f"{ut} ({env})", cents(float(row["spend"])),
                                       f"account {acct}"))
    how = (f"instance usage in non-production environments with spend on all {need} complete days, "
           f"by usage type (no resource ids in the cache): {len(items)} candidates")
    return items, how


def _coverage(m: _Month, figures: dict[str, float], commitments: Lever) -> Coverage:
    stored = {name: _stored_month(m.store, name, m.month) for name in
              ("savings_plans_coverage", "savings_plans_utilization", "reservation_coverage", "reservation_utilization")}
    eligible = _eligible(m)
    total = _sum(eligible)
    notes: list[str] = []
    if any(value is not None for value in stored.values()):
        source = "cost_explorer"
        how = "Cost Explorer (GetSavingsPlansCoverage/Utilization, GetReservationCoverage/Utilization) for the month"
        sp = CommitmentFigures(_pct(stored["savings_plans_coverage"]), _pct(stored["savings_plans_utilization"]))
        ri = CommitmentFigures(_pct(stored["reservation_coverage"]), _pct(stored["reservation_utilization"]))
    elif (m.pricing_known and total > 0) or _purchase_frame(m) is not None:
        source = "cache"
        by_type = eligible if m.pricing_known else _purchase_frame(m)
        total = _sum(by_type)
        what = "the facts' purchase type" if m.pricing_known else "Cost Explorer's purchase types kept by the sync"
        how = (f"computed from the cache by purchase type ({what}): share of commitment-eligible spend; "
               "utilization is not in it")
        sp_spend = _sum(by_type[by_type["bucket"] == "savings_plans"])
        ri_spend = _sum(by_type[by_type["bucket"] == "reservations"])
        sp = CommitmentFigures(_round1(percent(sp_spend, total)), None)
        ri = CommitmentFigures(_round1(percent(ri_spend, total)), None)
        unknown_kind = _sum(by_type[by_type["bucket"] == "committed"])
        if unknown_kind:
            notes.append(f"{_usd(unknown_kind)} is covered by commitments of unknown kind")
    else:
        source = "none"
        how = "no commitment data: Cost Explorer coverage was not available and the cache has no purchase type"
        sp = ri = CommitmentFigures(None, None)
    notes += _status_notes(m.store, ("savings_plans_coverage", "savings_plans_utilization", "reservation_coverage",
                                     "reservation_utilization"))
    return Coverage(source, how, sp, ri, cents(figures["on_demand"]), cents(figures["committed"]),
                    cents(figures["base_daily"]),
                    cents(figures["base_daily"] / 24.0), commitments.saving_low, commitments.saving_high, tuple(notes))


def _purchase_frame(m: _Month) -> pd.DataFrame | None:
    """The month's commitment-eligible spend by purchase type from meta ``aws.purchase_types``; None when not kept."""
    raw = m.store.get_meta("aws.purchase_types")
    try:
        rows = json.loads(raw).get("months", {}).get(m.month) if raw else None
    except (ValueError, AttributeError):
        rows = None
    if not rows:
        return None
    column = 2 if m.settings.metric == "amortized" else 3
    lines = [rq.UsageLine(m.first.isoformat(), "", str(row[1]), "", str(row[0]), "", "", float(row[column]), float(row[4]))
             for row in rows if len(row) >= 5]
    frame = _frame(lines)
    frame = frame[frame["kind"].isin(ELIGIBLE_KINDS) & (frame["bucket"] != "spot")]
    return frame if len(frame) else None


def _pct(value: Any) -> float | None:
    return None if value is None else _round1(float(value))


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1) + 0.0


def _stored_month(store: Store, name: str, month: str) -> float | None:
    """A percentage the sync kept from Cost Explorer for ``month`` (meta ``aws.<name>``: {"months": {...}})."""
    raw = store.get_meta(f"aws.{name}")
    if not raw:
        return None
    try:
        value = json.loads(raw).get("months", {}).get(month)
    except (ValueError, AttributeError):
        return None
    return None if value in (None, "") else float(value)


def _status_notes(store: Store, names: tuple[str, ...]) -> list[str]:
    notes = []
    for name, (status, message, _checked) in sorted(rq.source_statuses(store.conn, names).items()):
        if status != "ok":
            notes.append(f"{name}: {status.replace('_', ' ')}" + (f" ({message})" if message else ""))
    return notes


def compute_review(store: Store, settings: Settings, today: date, month: str) -> Review:
    from finops_tui.analytics.review_sections import data_transfer, rightsizing, spot
    from finops_tui.approvals.summary import approvals_summary

    m = _Month(store, settings, today, month)
    serverless_items, serverless_how = _serverless(m)
    levers, figures = _levers(m, serverless_items, serverless_how)
    commitments = next((lever for lever in levers if lever.id == "commitments"), None) or _lever(
        settings, "commitments", 0.0, "disabled", [])
    notes = []
    if not m.data_days:
        notes.append(f"the cache has no usage-based spend for {month}")
    return Review(
        month=month, as_of=today.isoformat(), first_day=m.first.isoformat(), last_day=m.last.isoformat(),
        closed=m.closed, complete_days=len(m.complete_days), days_in_month=m.days_in_month, metric=settings.metric,
        currency=settings.currency, levers=tuple(levers), coverage=_coverage(m, figures, commitments),
        rightsizing=rightsizing(m), spot=spot(m), data_transfer=tuple(data_transfer(m)),
        usage_total=cents(_sum(m.frame)), notes=tuple(notes),
        approvals=approvals_summary(store, settings, month, today),
    )

