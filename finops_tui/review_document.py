"""The FinOps review as Markdown (the meeting document), CSV or JSON. Pure text; no Textual or Rich.

Outside text (usage types, resource ids, account names) is written literally;
Markdown table cells have ``|`` escaped.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from finops_tui.analytics.review import Review, review_json
from finops_tui.analytics.rules import APPROVER_NAMES
from finops_tui.money import usd

REVIEW_CSV_COLUMNS = ("section", "id", "name", "amount", "saving_low", "saving_high", "pct", "approval", "detail")
COVERAGE_SOURCES = {"cost_explorer": "Cost Explorer", "cache": "the cache (by purchase type)", "none": "none"}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} %"


def _saving(low: float, high: float | None) -> str:
    return f"{usd(low)}+" if high is None else f"{usd(low)} - {usd(high)}"


def month_title(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1).strftime("%B %Y")


def render_review_markdown(review: Review) -> str:
    from finops_tui.reports import _md_table, md_cell

    state = f"closed, {review.days_in_month} days" if review.closed else \
        f"open, {review.complete_days} complete days of {review.days_in_month}"
    lines = [f"# FinOps review: {month_title(review.month)}", "",
             f"Month {review.month} ({state}), as of {review.as_of}. Metric: {review.metric}, {review.currency}. "
             f"Usage-based spend reviewed: {usd(review.usage_total)}.", ""]
    lines += [note for note in (f"> {md_cell(n)}" for n in review.notes)] + ([""] if review.notes else [])
    lines += ["## Optimization levers", ""]
    rows = [[lever.level, lever.name, usd(lever.base), lever.range_text, _saving(lever.saving_low, lever.saving_high),
             APPROVER_NAMES[lever.approval]] for lever in review.levers]
    rows.append(["", "**Total**", "", "", f"**{usd(review.saving_low)} - {usd(review.saving_high)}**", ""])
    lines += _md_table(["Level", "Lever", "Base", "Range", "Monthly saving", "Approval"], rows, "llrrrl")
    lines += ["", "How each base was computed:", ""]
    lines += [f"- **{md_cell(lever.name)}** (`{lever.id}`): {md_cell(lever.base_how)}." for lever in review.levers]
    for lever in review.levers:
        if lever.id == "serverless" and lever.items:
            lines += ["", "Serverless candidates (always on, non-production):", ""]
            lines += _md_table(["Candidate", "Spend", "Detail"],
                               [[item.name, usd(item.amount), item.detail] for item in lever.items], "lrl")

    rs = review.rightsizing
    lines += ["", "## 1. Right-sizing", "", f"Source: {md_cell(rs.source_how)}.", ""]
    if rs.items:
        lines += _md_table(["Resource", "Current", "Suggested", "Monthly saving", "Approval", "Why"],
                           [[i.resource_id, i.current, i.suggested, usd(i.monthly_saving), APPROVER_NAMES[i.approval],
                             i.detail or i.source] for i in rs.items], "lllrll")
        lines += ["", f"Recommendations total: {usd(rs.monthly_saving)} a month."]
    else:
        lever = next((lv for lv in review.levers if lv.id == "rightsizing"), None)
        lines.append("No right-sizing recommendations." + (
            f" The lever's range alone: {_saving(lever.saving_low, lever.saving_high)} a month." if lever else ""))
    lines += [f"- {md_cell(note)}" for note in rs.notes]

    cov = review.coverage
    lines += ["", "## 2. RI / Savings Plans coverage", "",
              f"Source: {COVERAGE_SOURCES[cov.source]}: {md_cell(cov.source_how)}.", ""]
    lines += _md_table(["Commitment", "Coverage", "Utilization"],
                       [["Savings Plans", _pct(cov.savings_plans.coverage_pct), _pct(cov.savings_plans.utilization_pct)],
                        ["Reserved Instances", _pct(cov.reservations.coverage_pct), _pct(cov.reservations.utilization_pct)]],
                       "lrr")
    lines += ["", f"On-demand commitment-eligible spend still uncovered: {usd(cov.on_demand_eligible)}; already covered: "
              f"{usd(cov.committed)}. Base load: {usd(cov.base_load_hourly)} an hour ({usd(cov.base_load_daily)} a day). "
              f"The commitments lever: {_saving(cov.saving_low, cov.saving_high)} a month."]
    lines += [f"- {md_cell(note)}" for note in cov.notes]

    sp = review.spot
    lines += ["", "## 3. Spot", "", f"Eligible: {md_cell(sp.eligible_how)}.", "",
              f"Eligible spend {usd(sp.eligible)} at a {sp.discount_pct:.1f} % discount: a saving of {usd(sp.saving)} a month "
              f"({APPROVER_NAMES[sp.approval]})."]
    if sp.families:
        lines += [""] + _md_table(["Family", "Eligible", "Discount", "From", "Saving"],
                                  [[f.family, usd(f.eligible), _pct(f.discount_pct), f.discount_source, usd(f.saving)]
                                   for f in sp.families], "lrrlr")

    lines += ["", "## 4. Data transfer", ""]
    lines += _md_table(["Class", "Cost", "GB", "$ per GB", "Month before", "Change"],
                       [[t.title, usd(t.cost), f"{t.gb:,.2f}", "-" if t.cost_per_gb is None else f"${t.cost_per_gb:.4f}",
                         usd(t.previous_cost), "-" if t.change_pct is None else f"{t.change_pct:+.1f} %"]
                        for t in review.data_transfer], "lrrrrr")
    if any(t.top for t in review.data_transfer):
        lines += ["", "Top sources:", ""]
    for t in review.data_transfer:
        if t.top:
            tops = "; ".join(f"{top.by} {md_cell(top.name)} {usd(top.cost)}" for top in t.top)
            lines.append(f"- {t.title}: {tops}")
    if review.approvals is not None:
        from finops_tui.approvals.summary import markdown_lines

        lines += ["", *markdown_lines(review.approvals)]
    return "\n".join(lines) + "\n"


def review_csv_rows(review: Review) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for lever in review.levers:
        rows.append({"section": "lever", "id": lever.id, "name": lever.name, "amount": lever.base,
                     "saving_low": lever.saving_low, "saving_high": lever.saving_high, "pct": lever.range_text,
                     "approval": lever.approval, "detail": lever.base_how})
    cov = review.coverage
    for name, figures in (("savings_plans", cov.savings_plans), ("reservations", cov.reservations)):
        rows.append({"section": "coverage", "id": f"coverage:{name}", "name": name, "pct": figures.coverage_pct,
                     "detail": f"source {cov.source}; utilization {_pct(figures.utilization_pct)}"})
    rows.append({"section": "coverage", "id": "coverage:on_demand_eligible", "name": "on_demand_eligible",
                 "amount": cov.on_demand_eligible, "detail": f"base load {cov.base_load_hourly} an hour"})
    for item in review.rightsizing.items:
        rows.append({"section": "rightsizing", "id": item.id, "name": item.resource_id, "saving_low": item.monthly_saving,
                     "approval": item.approval, "detail": f"{item.current} -> {item.suggested} ({item.source})"})
    sp = review.spot
    rows.append({"section": "spot", "id": sp.id, "name": "spot", "amount": sp.eligible, "saving_low": sp.saving,
                 "pct": sp.discount_pct, "approval": sp.approval, "detail": sp.eligible_how})
    for t in review.data_transfer:
        rows.append({"section": "data_transfer", "id": t.id, "name": t.name, "amount": t.cost, "pct": t.change_pct,
                     "detail": f"{t.gb} GB; previous {t.previous_cost}"})
    if review.approvals is not None:
        rows += approvals_csv_rows(review.approvals)
    return rows


def approvals_csv_rows(summary: Any) -> list[dict[str, object]]:
    """The approvals section in the review's columns (``ApprovalsSummary``, see ``approvals/summary.py``).

    ``approvals``: a count per action in the month (``amount``); ``approvals_pending``: per tier, the pending
    items' monthly amount, their count and ages in days as of ``as_of``; ``approval_saving``: a done item
    measured after its change, ``amount`` expected and ``saving_low`` realised a month, ``pct`` realised of expected.
    """
    rows: list[dict[str, object]] = [
        {"section": "approvals", "id": f"approvals:{name}", "name": name, "amount": getattr(summary, name),
         "detail": f"in {summary.month}"}
        for name in ("opened", "approved", "rejected", "done", "withdrawn")
    ]
    rows += [{"section": "approvals_pending", "id": f"approvals_pending:{line.tier}", "name": line.tier,
              "amount": line.monthly_amount, "approval": line.tier,
              "detail": f"{line.count} pending as of {summary.as_of}; ages {' '.join(str(a) for a in line.ages) or '-'}"}
             for line in summary.pending]
    rows += [{"section": "approval_saving", "id": f"approval:{v.id}", "name": v.title, "amount": v.expected_monthly,
              "saving_low": v.realised_monthly,
              "pct": None if not v.expected_monthly else round(v.realised_monthly / v.expected_monthly * 100, 1) + 0.0,
              "detail": v.verdict if v.direction == "saving" else f"{v.verdict} (increase)"}
             for v in summary.verified]
    return rows


def render_review(review: Review, fmt: str) -> str:
    """The review as ``md``, ``json`` or ``csv``."""
    from finops_tui.reports import _check_format, _csv_text

    _check_format(fmt)
    if fmt == "json":
        return json.dumps(review_json(review), indent=2) + "\n"
    if fmt == "csv":
        return _csv_text(REVIEW_CSV_COLUMNS, review_csv_rows(review))
    return render_review_markdown(review)
