"""How an event reads: Slack Block Kit, a generic JSON body, and plain text for stdout (cron mail).

Outside text (service and category names) is shown literally: in Slack mrkdwn
``&``, ``<`` and ``>`` are escaped so a name can never become a link or a
mention.
"""

from __future__ import annotations

from typing import Any

from finops_tui.alerts.events import AlertEvent
from finops_tui.analytics.rules import APPROVER_NAMES, LEVEL_NAMES
from finops_tui.money import usd as money

LEVEL_TITLES = {"spike": "Spike", "one_time": "One-time charge", **LEVEL_NAMES}
HEADER_LIMIT = 150  # Slack's limit for a header block


def signed_money(amount: float) -> str:
    return ("+" if amount >= 0 else "-") + money(abs(amount))


def pct_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} %"


def mrkdwn_escape(text: str) -> str:
    """Slack's three control characters, so outside text is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def scope_label(scope: str) -> str:
    """``total`` -> "Total spend"; ``category:AI/ML`` -> "AI/ML (category)"; ``production`` -> "production (environment)"."""
    if scope == "total":
        return "Total spend"
    if scope.startswith("category:"):
        return f"{scope.removeprefix('category:')} (category)"
    return f"{scope} (environment)"


def approver(event: AlertEvent) -> str | None:
    """Who approves the event's amount; None when there is nothing to approve (a budget alert without an overrun)."""
    if event.approval is None:
        return None
    return APPROVER_NAMES.get(event.approval, event.approval)


def approval_text(event: AlertEvent) -> str:
    name = approver(event)
    if name is None or event.approval_amount is None:
        return "none: no projected overrun" if event.kind in ("budget", "forecast") else "none"
    if event.kind in ("budget", "forecast"):
        return f"{name} (projected overrun {money(event.approval_amount)})"
    if event.kind == "one_time":
        return f"{name} ({money(event.approval_amount)} one-time)"
    return f"{name} ({money(event.approval_amount)}/month)"


def headline(event: AlertEvent) -> str:
    """One line: what happened, for the header, the fallback text and stdout."""
    what = scope_label(event.scope)
    if event.kind == "spike":
        text = f"Spike: {what} up {pct_text(event.pct)} on {event.day}"
    elif event.kind == "one_time":
        text = f"One-time charge: {event.service} {money(event.amount)} on {event.day}"
    elif event.kind == "forecast_clear":
        text = f"All clear (forecast): {what} no longer forecast to reach {LEVEL_TITLES[event.level].lower()}"
    else:
        title = LEVEL_TITLES[event.level]
        basis = "forecast to reach" if event.is_forecast else "at"
        text = f"{title}{' (forecast)' if event.is_forecast else ''}: {what} {basis} {pct_text(event.pct)} of its monthly budget"
    if event.demo:
        text = "[demo data] " + text
    return text[:HEADER_LIMIT]


def happened(event: AlertEvent) -> list[str]:
    """Sentences (plain, unescaped) saying what happened and how much."""
    if event.kind == "spike":
        return [
            f"{scope_label(event.scope).removesuffix(' spend')} spend on {event.day} was {money(event.amount)}, "
            f"{signed_money(event.amount - event.reference)} ({pct_text(event.pct)}) over {money(event.reference)} the day before "
            f"(spike threshold: more than {event.threshold_pct:g} %).",
            f"At this rate the increase is {money(event.approval_amount)} a month.",
        ]
    if event.kind == "one_time":
        return [
            f"A {event.charge_type} charge of {money(event.amount)} for {event.service} was booked on {event.day} "
            f"(one-time charges above {money(event.threshold_pct)} are alerted).",
            "It is counted once, as booked: it is not part of the run-rate, the forecast's daily rate or any spike.",
        ]
    if event.kind == "forecast_clear":
        return [
            f"Forecast end-of-month spend for {scope_label(event.scope)} in {event.month} is now {money(event.amount)}: "
            f"{pct_text(event.pct)} of the {money(event.reference)} monthly budget, below the "
            f"{LEVEL_TITLES[event.level].lower()} level ({event.threshold_pct:g} %) an earlier forecast alert reported.",
        ]
    period = "Forecast end-of-month spend" if event.is_forecast else "Month-to-date spend"
    lines = [
        f"{period} for {scope_label(event.scope)} in {event.month} is {money(event.amount)}: "
        f"{pct_text(event.pct)} of the {money(event.reference)} monthly budget "
        f"({LEVEL_TITLES[event.level].lower()} at {event.threshold_pct:g} %).",
    ]
    if event.level == "hard_limit":
        lines.append("Hard limit reached: manual intervention required." if not event.is_forecast
                     else "On this course the hard limit will be reached: manual intervention required.")
    return lines


def driver_lines(event: AlertEvent) -> list[str]:
    period = "vs the day before" if event.kind == "spike" else "vs the same complete days last month"
    return [f"{d.service}: {signed_money(d.increase)} ({money(d.before)} -> {money(d.after)}, {period})" for d in event.drivers]


def as_of_line(event: AlertEvent) -> str:
    estimated = ""
    if event.estimated:
        estimated = (f" {event.day} is still estimated by AWS and may change." if event.day
                     else " Some days of this month are still estimated by AWS and may change.")
    return f"As of {event.as_of} (data through {event.data_through}), {event.metric} cost.{estimated} Alert key: {event.key}"


def slack_message(event: AlertEvent) -> dict[str, Any]:
    """A Block Kit message with a plain-text fallback."""
    esc = mrkdwn_escape
    scope_title = "Category" if event.scope.startswith("category:") else "Scope" if event.scope == "total" else "Environment"
    scope_value = event.scope.removeprefix("category:") if event.scope.startswith("category:") else event.scope
    amount_title = ("Day's spend" if event.kind == "spike" else "Charge" if event.kind == "one_time"
                    else "Forecast" if event.kind in ("forecast", "forecast_clear") else "Month to date")
    reference_title = "Day before" if event.kind == "spike" else "Monthly budget"
    if event.kind == "spike":
        amount_field = f"*{amount_title}*\n{money(event.amount)} ({signed_money(event.amount - event.reference)}, {pct_text(event.pct)})"
    elif event.kind == "one_time":
        amount_field = f"*{amount_title}*\n{money(event.amount)} ({esc(event.charge_type or '')}, {event.day})"
    else:
        amount_field = f"*{amount_title}*\n{money(event.amount)} ({pct_text(event.pct)})"
    fields = [f"*{scope_title}*\n{esc(scope_value)}" if event.kind != "one_time" else f"*Service*\n{esc(event.service or '')}",
              amount_field]
    if event.kind != "one_time":
        fields.append(f"*{reference_title}*\n{money(event.reference)}")
    fields.append(f"*Approval*\n{approval_text(event)}")
    drivers = driver_lines(event)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(event), "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(esc(line) for line in happened(event))}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": text} for text in fields]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Top drivers*\n" + (
            "\n".join(f"• {esc(line)}" for line in drivers) if drivers else "No single service stands out.")}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": esc(as_of_line(event))}]},
    ]
    # The top-level text (notifications, old clients) is mrkdwn too: escape it.
    return {"text": esc(headline(event)), "blocks": blocks}


def webhook_message(event: AlertEvent) -> dict[str, Any]:
    """The generic JSON webhook body: the event's fields plus readable text."""
    body = event.to_json()
    body.update(headline=headline(event), text="\n".join(happened(event)), approver=approver(event), source="finops-tui")
    return body


def text_message(event: AlertEvent) -> str:
    """Plain text for stdout and cron mail."""
    lines = [f"[finops-tui] {headline(event)}", *(f"  {line}" for line in happened(event))]
    lines.append(f"  Approval: {approval_text(event)}")
    drivers = driver_lines(event)
    if drivers:
        lines.append("  Top drivers:")
        lines.extend(f"    - {line}" for line in drivers)
    lines.append(f"  {as_of_line(event)}")
    return "\n".join(lines)
