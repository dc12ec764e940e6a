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

LEVEL_TITLES = {"spike": "Spike", **LEVEL_NAMES}
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


def approver(event: AlertEvent) -> str:
    return APPROVER_NAMES.get(event.approval, event.approval)


def headline(event: AlertEvent) -> str:
    """One line: what happened, for the header, the fallback text and stdout."""
    what = scope_label(event.scope)
    if event.kind == "review":
        from finops_tui.alerts.review_event import review_headline

        text = review_headline(event)
    elif event.kind == "spike":
        text = f"Spike: {what} up {pct_text(event.pct)} on {event.day}"
    else:
        title = LEVEL_TITLES[event.level]
        basis = "forecast to reach" if event.is_forecast else "at"
        text = f"{title}{' (forecast)' if event.is_forecast else ''}: {what} {basis} {pct_text(event.pct)} of its monthly budget"
    if event.demo:
        text = "[demo data] " + text
    return text[:HEADER_LIMIT]


def happened(event: AlertEvent) -> list[str]:
    """Sentences (plain, unescaped) saying what happened and how much."""
    if event.kind == "review":
        return list(event.lines)
    if event.kind == "spike":
        return [
            f"{scope_label(event.scope).removesuffix(' spend')} spend on {event.day} was {money(event.amount)}, "
            f"{signed_money(event.amount - event.reference)} ({pct_text(event.pct)}) over {money(event.reference)} the day before "
            f"(spike threshold: more than {event.threshold_pct:g} %).",
            f"At this rate the increase is {money(event.approval_amount)} a month.",
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
    period = "vs the day before" if event.kind == "spike" else "vs the same days last month"
    return [f"{d.service}: {signed_money(d.increase)} ({money(d.before)} -> {money(d.after)}, {period})" for d in event.drivers]


def as_of_line(event: AlertEvent) -> str:
    return f"As of {event.as_of} (data through {event.data_through}), {event.metric} cost. Alert key: {event.key}"


def slack_message(event: AlertEvent) -> dict[str, Any]:
    """A Block Kit message with a plain-text fallback."""
    esc = mrkdwn_escape
    if event.kind == "review":
        return {"text": esc(headline(event)), "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": headline(event), "emoji": False}},
            {"type": "section", "text": {"type": "mrkdwn", "text": esc(event.lines[0]) if event.lines else ""}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(f"• {esc(line)}" for line in event.lines[1:])}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": esc(
                f"As of {event.as_of}, {event.metric} cost. Alert key: {event.key}")}]},
        ]}
    scope_title = "Category" if event.scope.startswith("category:") else "Scope" if event.scope == "total" else "Environment"
    scope_value = event.scope.removeprefix("category:") if event.scope.startswith("category:") else event.scope
    amount_title = "Day's spend" if event.kind == "spike" else "Forecast" if event.is_forecast else "Month to date"
    reference_title = "Day before" if event.kind == "spike" else "Monthly budget"
    fields = [
        f"*{scope_title}*\n{esc(scope_value)}",
        f"*{amount_title}*\n{money(event.amount)} ({pct_text(event.pct)})" if event.kind != "spike"
        else f"*{amount_title}*\n{money(event.amount)} ({signed_money(event.amount - event.reference)}, {pct_text(event.pct)})",
        f"*{reference_title}*\n{money(event.reference)}",
        f"*Approval*\n{approver(event)} ({money(event.approval_amount)}/month)",
    ]
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
    lines.append(f"  Approval: {approver(event)} ({money(event.approval_amount)}/month)")
    drivers = driver_lines(event)
    if drivers:
        lines.append("  Top drivers:")
        lines.extend(f"    - {line}" for line in drivers)
    lines.append(f"  {as_of_line(event)}")
    return "\n".join(lines)
