"""The review's right-sizing, Spot and data-transfer sections (pandas; imported only when a review is computed)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from finops_tui.analytics.review import (
    Rightsizing,
    RightsizingItem,
    Spot,
    SpotFamily,
    TransferClass,
    TransferTop,
)
from finops_tui.analytics.review_build import (
    CPU_SOURCE,
    NON_PRODUCTION,
    RECOMMENDATION_SOURCES,
    _frame,
    _status_notes,
    _sum,
    _usd,
)
from finops_tui.analytics.review_usage import TRANSFER_CLASSES, TRANSFER_NAMES, one_size_down, transfer_class
from finops_tui.analytics.rules import approval_tier, cents, percent
from finops_tui.store import review_queries as rq

if TYPE_CHECKING:
    from finops_tui.analytics.review_build import _Month

SOURCE_NAMES = {"cost_optimization_hub": "AWS Cost Optimization Hub", "compute_optimizer": "AWS Compute Optimizer",
                "cloudwatch": "CloudWatch CPUUtilization", "none": "no recommendations"}


def _meta_json(m: _Month, key: str) -> Any:
    raw = m.store.get_meta(key)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


# -- right-sizing -----------------------------------------------------------------------------


def rightsizing(m: _Month) -> Rightsizing:
    notes = tuple(_status_notes(m.store, (*RECOMMENDATION_SOURCES, CPU_SOURCE)))
    approval = m.settings.approval
    stored = _meta_json(m, "aws.rightsizing_recommendations")
    if isinstance(stored, dict) and stored.get("source") in RECOMMENDATION_SOURCES:
        source = stored["source"]
        items = []
        for raw in stored.get("items", []):
            saving = float(raw.get("monthly_saving") or 0.0)
            rid = str(raw.get("resource_id", ""))
            items.append(RightsizingItem(f"rightsizing:{rid}", rid, str(raw.get("current", "")),
                                         str(raw.get("suggested", "")), cents(saving), source,
                                         approval_tier(saving, approval), str(raw.get("detail", ""))))
        how = f"{SOURCE_NAMES[source]} recommendations as of {stored.get('fetched', '?')}"
        return Rightsizing(source, how, _sorted(items), notes)
    cpu = _meta_json(m, "aws.cpu_utilization")
    if isinstance(cpu, dict) and cpu.get("instances"):
        return _from_cpu(m, cpu, notes)
    how = "no recommendations: Cost Optimization Hub and Compute Optimizer are not enrolled and no CPU data was kept; " \
          "the lever's range alone applies"
    return Rightsizing("none", how, (), notes)


def _sorted(items: list[RightsizingItem]) -> tuple[RightsizingItem, ...]:
    return tuple(sorted(items, key=lambda item: (-item.monthly_saving, item.resource_id)))


def _from_cpu(m: _Month, cpu: dict[str, Any], notes: tuple[str, ...]) -> Rightsizing:
    threshold = m.settings.review.cpu_p95_below
    instances: dict[str, dict[str, Any]] = cpu["instances"]
    p95 = {rid: float(pd.Series(info.get("values") or [], dtype=float).quantile(0.95))
           for rid, info in instances.items() if info.get("values")}
    low = {rid: value for rid, value in p95.items() if value < threshold}
    spend = rq.resource_spend(m.store.conn, m.flt, m.first, m.last, sorted(low))
    frame = m.frame
    by_type = frame[frame["kind"] == "instance"].groupby("itype").agg(spend=("spend", "sum"), hours=("quantity", "sum")) \
        if len(frame) else pd.DataFrame(columns=["spend", "hours"])
    type_counts = pd.Series([info.get("type", "") for info in instances.values()]).value_counts()
    hours_in_month = m.days_in_month * 24
    items = []
    for rid, value in sorted(low.items()):
        current = str(instances[rid].get("type", ""))
        suggested = one_size_down(current)
        if not suggested:
            continue
        monthly, basis = spend.get(rid, 0.0), "its spend this month"
        if monthly <= 0 and current in by_type.index:
            row = by_type.loc[current]
            if row["hours"] > 0:
                monthly, basis = float(row["spend"]) / float(row["hours"]) * hours_in_month, f"{current} hourly rate x {hours_in_month} h"
            else:
                monthly, basis = float(row["spend"]) / int(type_counts.get(current, 1)), f"{current} spend / instances of that type"
        saving = monthly / 2.0  # one size down halves the price within a family
        items.append(RightsizingItem(f"rightsizing:{rid}", rid, current, suggested, cents(saving), "cloudwatch",
                                     approval_tier(saving, m.settings.approval),
                                     f"CPU p95 {value:.2f} % < {threshold:g} % over {m.settings.review.cpu_lookback_days} "
                                     f"days; half of {_usd(monthly)} ({basis})"))
    how = (f"CloudWatch CPUUtilization p95 over the last {m.settings.review.cpu_lookback_days} days below {threshold:g} %: "
           f"one size down, about half its cost ({len(p95)} instances checked, as of {cpu.get('end', '?')})")
    return Rightsizing("cloudwatch", how, _sorted(items), notes)


# -- Spot -------------------------------------------------------------------------------------


def spot(m: _Month) -> Spot:
    frame, review = m.frame, m.settings.review
    ec2 = frame[frame["usage_type"].str.contains("BoxUsage", regex=False)] if len(frame) else frame
    on_demand = ec2[ec2["bucket"].isin(("on_demand", "unknown"))]
    eligible = on_demand[on_demand["environment"].isin(NON_PRODUCTION)]
    tagged = _frame(rq.tagged_ec2_lines(m.store.conn, m.flt, m.first, m.last, review.batch_tag_key,
                                        tuple(review.batch_tag_values)))
    tagged = tagged[~tagged["environment"].isin(NON_PRODUCTION) & tagged["bucket"].isin(("on_demand", "unknown"))]
    if len(tagged):  # batch and worker jobs in production (or untagged environments) count too, once
        eligible = pd.concat([eligible, tagged], ignore_index=True)
    spot_lines = frame[frame["kind"] == "spot"] if len(frame) else frame
    own = _account_discounts(on_demand, spot_lines)
    families = []
    for family, amount in eligible.groupby("family")["spend"].sum().items() if len(eligible) else []:
        discount, origin = (own[family], "account") if family in own else (review.spot_discount_pct, "default")
        families.append(SpotFamily(str(family), cents(float(amount)), round(discount, 1), origin,
                                   cents(float(amount) * discount / 100.0)))
    families.sort(key=lambda f: (-f.eligible, f.family))
    total = _sum(eligible)
    saving = sum(float(amount) * (own.get(fam, review.spot_discount_pct)) / 100.0
                 for fam, amount in (eligible.groupby("family")["spend"].sum().items() if len(eligible) else []))
    discount = percent(saving, total) if total > 0 else review.spot_discount_pct
    already = _sum(spot_lines[spot_lines["environment"].isin(NON_PRODUCTION)]) if len(spot_lines) else 0.0
    how = (f"on-demand EC2 usage (BoxUsage) in {', '.join(NON_PRODUCTION)}, and of resources tagged "
           f"{review.batch_tag_key} = {' / '.join(review.batch_tag_values)} ({_usd(_sum(tagged))} elsewhere); "
           f"{_usd(already)} in non-production already runs as "
           f"SpotUsage; discount: the account's own Spot price where it runs Spot on the same family, "
           f"else review.spot_discount_pct ({review.spot_discount_pct:g} %)")
    return Spot("spot", cents(total), cents(already), round(discount or 0.0, 1) + 0.0, cents(saving),
                approval_tier(saving, m.settings.approval), how, tuple(families))


def _account_discounts(on_demand: pd.DataFrame, spot_lines: pd.DataFrame) -> dict[str, float]:
    """Family -> the account's Spot discount in %, from instance types it runs both on demand and as Spot."""
    if not len(on_demand) or not len(spot_lines):
        return {}
    od = on_demand[on_demand["quantity"] > 0].groupby("itype").agg(spend=("spend", "sum"), hours=("quantity", "sum"))
    sp = spot_lines[spot_lines["quantity"] > 0].groupby(["family", "itype"]).agg(spend=("spend", "sum"),
                                                                                   hours=("quantity", "sum"))
    paid: dict[str, float] = {}
    at_on_demand: dict[str, float] = {}
    for (family, itype), row in sp.iterrows():
        if itype not in od.index or od.loc[itype, "hours"] <= 0:
            continue
        rate = float(od.loc[itype, "spend"]) / float(od.loc[itype, "hours"])
        paid[family] = paid.get(family, 0.0) + float(row["spend"])
        at_on_demand[family] = at_on_demand.get(family, 0.0) + float(row["hours"]) * rate
    return {family: (1.0 - paid[family] / at_on_demand[family]) * 100.0
            for family in paid if at_on_demand[family] > 0}


# -- data transfer ----------------------------------------------------------------------------


def _previous_span(m: _Month) -> tuple[date, date]:
    """The month before, whole when the reviewed month is closed, else through the same day (like for like)."""
    previous_last = m.first - timedelta(days=1)
    previous_first = previous_last.replace(day=1)
    if not m.closed:
        previous_last = min(previous_last, previous_first + timedelta(days=max(m.last.day, 1) - 1))
    return previous_first, previous_last


def data_transfer(m: _Month) -> list[TransferClass]:
    frame = m.frame
    current = frame[frame["kind"].isin(TRANSFER_CLASSES)] if len(frame) else frame
    previous_first, previous_last = _previous_span(m)
    before = _frame(rq.usage_lines(m.store.conn, m.flt, previous_first, previous_last, rq.TRANSFER_PATTERNS))
    before_cost = {}
    if len(before):
        before["kind"] = before["usage_type"].map(lambda ut: transfer_class(ut) or "")
        before_cost = before.groupby("kind")["spend"].sum().to_dict()
    classes = []
    for name in TRANSFER_CLASSES:
        lines = current[current["kind"] == name] if len(current) else current
        cost, gb = _sum(lines), _sum(lines, "quantity")
        previous = float(before_cost.get(name, 0.0))
        top: list[TransferTop] = []
        for by in ("service", "environment", "account"):
            if not len(lines):
                break
            grouped = lines.groupby(by).agg(cost=("spend", "sum"), gb=("quantity", "sum"))
            ranked = sorted(grouped.iterrows(), key=lambda kv: (-float(kv[1]["cost"]), str(kv[0])))
            top += [TransferTop(by, str(key), cents(float(row["cost"])), round(float(row["gb"]), 2) + 0.0)
                    for key, row in ranked[: m.settings.review.top_n]]
        change = percent(cost - previous, previous)
        classes.append(TransferClass(f"transfer:{name}", name, TRANSFER_NAMES[name], cents(cost), round(gb, 2) + 0.0,
                                     round(cost / gb, 4) if gb > 0 else None, cents(previous),
                                     None if change is None else round(change, 1) + 0.0, tuple(top)))
    return classes
