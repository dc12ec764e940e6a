"""The monthly finance report and the weekly waste report, as Markdown, CSV or JSON.

Pure text from the analytics (no Textual or Rich). The console's export key,
``report`` and ``waste`` all call these two functions. Outside text (service
names, resource ids, tags) is written literally; in Markdown, table cells have
``|`` escaped so a name cannot break the table.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import date
from typing import Any

from finops_tui.analytics.health import Health
from finops_tui.analytics.monthly import MonthFigures, month_figures
from finops_tui.analytics.rules import APPROVER_NAMES
from finops_tui.analytics.rules import LEVEL_NAMES as LEVEL_TITLES
from finops_tui.analytics.snapshot import BudgetLine, Snapshot, WasteItem, build_snapshot
from finops_tui.config import CATEGORIES, UNALLOCATED, Settings
from finops_tui.errors import InputError
from finops_tui.money import usd
from finops_tui.store.db import Store

FORMATS = ("md", "csv", "json")
LEVEL_NAMES = {**LEVEL_TITLES, None: "-"}
MONTHLY_CSV_COLUMNS = ("section", "name", "amount", "budget", "pct", "level", "previous", "change", "change_pct", "detail")
WASTE_CSV_COLUMNS = ("rank", "resource_id", "kind", "kinds", "environment", "name", "region", "monthly_cost", "detail")


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")


def signed_usd(amount: float) -> str:
    return ("+" if amount > 0 else "") + usd(amount)


def pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.1f} %" if signed else f"{value:.1f} %"


def md_cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _md_table(headers: list[str], rows: list[list[Any]], align: str) -> list[str]:
    marks = {"l": "---", "r": "---:"}
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(md_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def _csv_text(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if row.get(key) is None else row.get(key) for key in columns})
    return buffer.getvalue()


# -- monthly finance report ------------------------------------------------------

def render_monthly_report(store: Store, settings: Settings, month: str, fmt: str, today: date) -> str:
    """The monthly finance report for ``month`` (YYYY-MM) as ``md``, ``csv`` or ``json``."""
    _check_format(fmt)
    figures = month_figures(store, settings, month, today)
    from finops_tui.approvals import summary as approvals

    approval_figures = approvals.approvals_summary(store, settings, month, today)
    if fmt == "json":
        return json.dumps({**_monthly_json(figures, today), "approvals": approval_figures.to_json()}, indent=2) + "\n"
    if fmt == "csv":
        return _csv_text(MONTHLY_CSV_COLUMNS, _monthly_csv_rows(figures) + approvals.csv_rows(approval_figures))
    return _monthly_markdown(figures, today) + "\n" + "\n".join(approvals.markdown_lines(approval_figures)) + "\n"


def _monthly_json(f: MonthFigures, today: date) -> dict[str, Any]:
    data = asdict(f)
    currency = data.pop("currency")
    data = {key: value for name, field_value in data.items()  # the currency right after the metric, as status --json
            for key, value in ((name, field_value), *((("currency", currency),) if name == "metric" else ()))}
    data["as_of"] = today.isoformat()
    return data


def _budget_csv(section: str, line: BudgetLine) -> dict[str, Any]:
    return {"section": section, "name": line.name, "amount": line.mtd, "budget": line.budget, "pct": line.pct,
            "level": line.level, "change": round(line.mtd - line.budget, 2),
            "detail": f"forecast {line.forecast_eom} ({line.forecast_level})" if line.forecast_eom is not None else ""}


def _monthly_csv_rows(f: MonthFigures) -> list[dict[str, Any]]:
    # The first row says what every amount is in: the cache's one currency and the metric.
    rows = [{"section": "report", "name": "currency", "detail": f.currency},
            {"section": "report", "name": "metric", "detail": f.metric}]
    rows.append(_budget_csv("total", f.total))
    rows += [_budget_csv("environment", line) for line in f.environments]
    rows.append({"section": "unallocated", "name": "unallocated", "amount": f.unallocated})
    rows += [{"section": "category", "name": c.name, "amount": c.amount, "pct": c.share_pct, "previous": c.previous,
              "change": c.change, "change_pct": c.change_pct} for c in f.categories]
    rows += [{"section": "service", "name": s.service, "amount": s.amount, "pct": s.share_pct, "detail": s.category}
             for s in f.top_services]
    rows += [{"section": "spike", "name": s.scope, "amount": s.amount, "previous": s.previous,
              "change": round(s.amount - s.previous, 2), "change_pct": s.change_pct, "level": s.approval,
              "detail": f"{s.date}; monthly increase {s.monthly_increase}"} for s in f.spikes]
    rows.append({"section": "waste", "name": "total", "amount": f.waste_total, "detail": f"{len(f.waste)} items"})
    cpl = f.cost_per_lead
    rows.append({"section": "cost_per_lead", "name": "cost_per_lead", "amount": cpl.value, "budget": cpl.target,
                 "level": "" if cpl.on_target is None else ("on_target" if cpl.on_target else "off_target"),
                 "detail": f"cost {cpl.cost}; leads {cpl.leads}"})
    rows += [{"section": "history", "name": h.month, "amount": h.total, "budget": cpl.target,
              "level": "" if h.on_target is None else ("on_target" if h.on_target else "off_target"),
              "detail": f"leads {h.leads}; cost per lead {'' if h.cost_per_lead is None else h.cost_per_lead}"
              + ("; partial" if h.partial else "")} for h in f.history]
    return rows


def _budget_row(line: BudgetLine, label: str) -> list[Any]:
    variance = line.mtd - line.budget
    return [label, usd(line.mtd), usd(line.budget), signed_usd(round(variance, 2)), pct(line.pct), LEVEL_NAMES[line.level],
            usd(line.forecast_eom), LEVEL_NAMES.get(line.forecast_level, "-")]


def _monthly_markdown(f: MonthFigures, today: date) -> str:
    period = (f"{f.first_day} to {f.last_day} (month to date, today partial)" if f.is_current
              else f"{f.first_day} to {f.last_day} (whole month)")
    out = [f"# Monthly finance report: {f.month}", "",
           f"- Period: {period}", f"- Metric: {f.metric} cost",
           f"- Currency: {f.currency}", f"- Generated: {today.isoformat()}",
           f"- Total: {usd(f.total.mtd)} of {usd(f.total.budget)} budget ({pct(f.total.pct)}), {LEVEL_NAMES[f.total.level]}"]
    if f.estimated_days:
        out.append(f"- Estimated by AWS (may still change): {len(f.estimated_days)} day{'s' if len(f.estimated_days) != 1 else ''}, "
                   + ", ".join(f.estimated_days))
    if f.data_gaps:
        out.append(f"- Data gap: no cost rows for {', '.join(f.data_gaps)}; the figures are incomplete")
    out.append("")
    forecast_head = "Forecast (end of month)" if f.is_current else "Forecast (none: closed month)"
    out += ["## Budget vs actual", ""]
    out += _md_table(["Scope", "Actual", "Budget", "Variance", "Used", "Level", forecast_head, "Forecast level"],
                     [_budget_row(f.total, "Total")] + [_budget_row(line, line.name) for line in f.environments]
                     + [["unallocated (no budget)", usd(f.unallocated), "-", "-", "-", "-", "-", "-"]], "lrrrrlrl")
    overruns = [line for line in (f.total, *f.environments) if line.overrun is not None]
    if overruns:
        out += ["", "Projected overruns (max(forecast, actual) - budget) and who approves them:", ""]
        out += [f"- {'Total' if line.name == 'total' else line.name}: {usd(line.overrun)}, "
                f"{APPROVER_NAMES.get(line.approval or '', line.approval)}" for line in overruns]
    out += ["", "## Spend by category", "", f"Previous: {f.previous_label}. The change compares complete days only.", ""]
    out += _md_table(["Category", "Actual", "Share", "Previous", "Change", "Change %"],
                     [[c.name, usd(c.amount), pct(c.share_pct), usd(c.previous), signed_usd(c.change), pct(c.change_pct, True)]
                      for c in f.categories], "lrrrrr")
    out += ["", "## Top services", ""]
    if f.top_services:
        out += _md_table(["#", "Service", "Category", "Actual", "Share"],
                         [[i, s.service, s.category, usd(s.amount), pct(s.share_pct)] for i, s in enumerate(f.top_services, 1)], "rllrr")
    else:
        out.append("No spend this month.")
    out += ["", "## Spikes", "", "Days that rose more than the spike threshold over the day before; approval by the monthly increase.", ""]
    if f.spikes:
        out += _md_table(["Date", "Scope", "Day before", "Day", "Change", "Monthly increase", "Approval"],
                         [[s.date, s.scope, usd(s.previous), usd(s.amount), pct(s.change_pct, True), usd(s.monthly_increase),
                           APPROVER_NAMES.get(s.approval, s.approval)] for s in f.spikes], "llrrrrl")
    else:
        out.append("No spikes this month.")
    out += ["", "## One-time charges", "",
            "Purchases, fees, tax, credits and other charges counted once as booked (never in a run-rate or a spike).", ""]
    if f.one_time_charges:
        out += _md_table(["Date", "Service", "Kind", "Amount", "Approval"],
                         [[c.date, c.service, c.charge_type, usd(c.amount),
                           "-" if c.approval is None else APPROVER_NAMES.get(c.approval, c.approval)] for c in f.one_time_charges], "lllrl")
    else:
        out.append("None this month.")
    out += ["", "## Waste", "", f"Idle or unassigned resources as of {today.isoformat()}: "
            f"{usd(f.waste_total)} a month across {len(f.waste)} item{'s' if len(f.waste) != 1 else ''}.", ""]
    if f.waste:
        out += _waste_table(f.waste[:10])
        if len(f.waste) > 10:
            out += ["", f"... and {len(f.waste) - 10} more (`finops-tui waste` lists them all)."]
    cpl = f.cost_per_lead
    out += ["", "## Cost per lead", ""]
    coverage = f"{cpl.days_with_leads} of {cpl.complete_days} complete days have leads"
    if cpl.complete_days == 0:
        out.append(f"No complete days yet in {f.month} (target ${cpl.target:.4f}).")
    elif cpl.value is None:
        out.append(f"No leads recorded for the complete days of {f.month} ({coverage}; target ${cpl.target:.4f}).")
    else:
        verdict = "on target" if cpl.on_target else "off target"
        out.append(f"${cpl.value:.4f} per lead ({usd(cpl.cost)} / {cpl.leads:,} leads over the same days; {coverage}), "
                   f"target ${cpl.target:.4f}: {verdict}.")
    out += ["", "## Monthly history", "", "Complete days only; the current month is marked partial.", ""]
    out += _md_table(["Month", "Total", *CATEGORIES, "Leads", "Cost per lead"],
                     [[h.month + (" (partial)" if h.partial else ""), usd(h.total), *(usd(h.categories[c]) for c in CATEGORIES),
                       f"{h.leads:,}", "-" if h.cost_per_lead is None else f"${h.cost_per_lead:.4f}"] for h in f.history],
                     "lr" + "r" * len(CATEGORIES) + "rr")
    return "\n".join(out) + "\n"


# -- weekly waste report ---------------------------------------------------------

def _waste_table(items: tuple[WasteItem, ...] | list[WasteItem]) -> list[str]:
    return _md_table(["#", "Resource", "Kind", "Environment", "Name", "Monthly cost", "Detail"],
                     [[i, w.resource_id, ", ".join(w.kinds or (w.kind,)), w.environment, w.name or "-", usd(w.monthly_cost), w.detail or ""]
                      for i, w in enumerate(items, 1)], "rllllrl")


def render_waste_report(store: Store, settings: Settings, fmt: str, today: date) -> str:
    """Idle and unassigned resources by estimated monthly dollars, with the total."""
    _check_format(fmt)
    snapshot = build_snapshot(store, settings, today)
    items = snapshot.waste
    if fmt == "json":
        return json.dumps({"as_of": today.isoformat(), "metric": settings.metric, "currency": settings.currency,
                           "monthly_total": snapshot.waste_total,
                           "count": len(items), "items": [asdict(item) for item in items]}, indent=2) + "\n"
    if fmt == "csv":
        return _csv_text(WASTE_CSV_COLUMNS, [{"rank": i, **asdict(item), "kinds": "; ".join(item.kinds)}
                                                  for i, item in enumerate(items, 1)])
    out = [f"# Weekly waste report: {today.isoformat()}", "",
           f"Idle or unassigned resources, by estimated monthly cost: **{usd(snapshot.waste_total)} a month** "
           f"across {len(items)} item{'s' if len(items) != 1 else ''}.", ""]
    if items:
        out += _waste_table(items)
        out += ["", f"Total: {usd(snapshot.waste_total)} a month."]
    else:
        out.append("No waste found.")
    return "\n".join(out) + "\n"


# -- status as text --------------------------------------------------------------

def render_status_text(snapshot: Snapshot, health: Health) -> str:
    """``finops-tui status`` without ``--json``: a few readable lines."""
    s = snapshot
    scope = f", environment {s.environment_filter}" if s.environment_filter else ""
    out = [f"{health.name}: {s.month} month to date as of {s.as_of} ({s.metric} cost{scope}{', demo' if s.is_demo else ''})",
           f"Currency: {s.currency}"]
    out += [f"  - {reason}" for reason in health.reasons]
    sync = s.freshness.last_sync or "never"
    out.append(f"Last sync: {sync}{' (STALE)' if s.freshness.stale else ''}; data through {s.freshness.data_through or '-'}")
    if s.estimated_days:
        out.append(f"Estimated by AWS: {len(s.estimated_days)} day{'s' if len(s.estimated_days) != 1 else ''} "
                   f"({', '.join(s.estimated_days)})")
    if s.data_gaps:
        out.append(f"GAP: no cost rows for {', '.join(s.data_gaps)}")
    if not s.has_data:
        return "\n".join(out) + "\n"
    out.append("")
    budget_lines = (s.total, *s.environments) if s.environment_filter != UNALLOCATED else ()
    width = max([len(line.name) for line in budget_lines] + [len(UNALLOCATED)])
    for line in budget_lines:
        forecast = (f"forecast {usd(line.forecast_eom)} ({LEVEL_NAMES.get(line.forecast_level, '-')})" if line.forecast_eom is not None
                    else "no forecast (closed month)" if s.closed else "no forecast yet")
        overrun = (f"; overrun {usd(line.overrun)}, approval {APPROVER_NAMES.get(line.approval or '', line.approval)}"
                   if line.overrun is not None else "")
        out.append(f"{line.name:<{width}}  {usd(line.mtd):>13} of {usd(line.budget):>13}  {pct(line.pct):>8}  "
                   f"{LEVEL_NAMES[line.level]:<10}  {forecast}{overrun}")
    if s.environment_filter in (None, UNALLOCATED):
        out.append(f"{'unallocated':<{width}}  {usd(s.unallocated_mtd):>13}  (no budget)")
    out += ["", "Categories (month to date):"]
    out += [f"  {c.name:<11} {usd(c.mtd):>13}  {pct(c.share_pct):>8}" for c in s.categories]
    out += ["", "Spikes (last complete days, newest first):"]
    if s.spikes:
        out += [f"  {sp.date}  {sp.scope:<22} {usd(sp.previous)} -> {usd(sp.amount)} ({sp.change_pct:+.1f} %), "
                f"{usd(sp.monthly_increase)}/month, {APPROVER_NAMES.get(sp.approval, sp.approval)}" for sp in s.spikes[:10]]
        if len(s.spikes) > 10:
            out.append(f"  ... and {len(s.spikes) - 10} more")
    else:
        out.append("  none")
    if s.one_time_charges:
        out += ["", "One-time charges (counted once, never in a spike):"]
        out += [f"  {c.date}  {c.service} ({c.charge_type}) {usd(c.amount)}"
                + (f", {APPROVER_NAMES.get(c.approval, c.approval)}" if c.approval else "") for c in s.one_time_charges[:10]]
    out += ["", f"Waste: {usd(s.waste_total)} a month across {len(s.waste)} item{'s' if len(s.waste) != 1 else ''}"]
    cpl = s.cost_per_lead
    coverage = f"{cpl.days_with_leads} of {cpl.complete_days} days have leads"
    if cpl.complete_days == 0:
        out.append(f"Cost per lead: no complete days yet this month (target ${cpl.target:.4f})")
    elif cpl.month_to_date is None:
        out.append(f"Cost per lead: no leads recorded for the complete days ({coverage}; target ${cpl.target:.4f})")
    else:
        out.append(f"Cost per lead: ${cpl.month_to_date:.4f} month to date ({coverage}), target ${cpl.target:.4f} "
                   f"({'on target' if cpl.on_target else 'off target'})")
    return "\n".join(out) + "\n"
