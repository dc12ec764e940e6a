"""How an approval post reads: Slack Block Kit, a generic JSON body, and plain text.

Outside text (titles, names, notes, service names) is shown literally: in
Slack mrkdwn ``&``, ``<`` and ``>`` are escaped so it never becomes a link or
a mention.
"""

from __future__ import annotations

from typing import Any

from finops_tui.alerts.messages import HEADER_LIMIT, mrkdwn_escape
from finops_tui.approvals.model import ApprovalItem, HistoryEntry
from finops_tui.approvals.scope import scope_label
from finops_tui.approvals.tiers import tier_name
from finops_tui.money import usd

ACTION_HEADS = {"opened": "Approval needed", "approved": "Approved", "rejected": "Rejected", "done": "Done",
                "withdrawn": "Withdrawn"}


def amount_text(item: ApprovalItem) -> str:
    what = "expected saving" if item.direction == "saving" else "spend increase"
    return f"{usd(item.monthly_amount)}/month {what}"


def headline(item: ApprovalItem, entry: HistoryEntry) -> str:
    text = f"{ACTION_HEADS.get(entry.action, entry.action)}: {item.label} {item.title}"
    return text[:HEADER_LIMIT]


def lines(item: ApprovalItem, entry: HistoryEntry) -> list[str]:
    """Plain sentences (unescaped): the amount, who approves, who did what and why."""
    out = [f"{amount_text(item)}, scope {scope_label(item.scope)}; needs {tier_name(item.tier)} approval."]
    if entry.action == "opened":
        origin = {"alert": f"from alert {item.origin_key}", "review": f"from {item.origin_key}", "manual": "proposed by hand"}
        out.append(f"Opened {entry.on_day}, {origin.get(item.origin, item.origin)}"
                   + (f" by {entry.actor}" if entry.actor else "") + ".")
    else:
        out.append(f"{ACTION_HEADS.get(entry.action, entry.action)} on {entry.on_day}" + (f" by {entry.actor}" if entry.actor else "") + ".")
    if entry.note:
        out.append(f"Note: {entry.note}")
    out.append(f"State: {entry.state}. `finops-tui approvals show {item.id}`")
    return out


def slack_message(item: ApprovalItem, entry: HistoryEntry) -> dict[str, Any]:
    esc = mrkdwn_escape
    fields = [f"*Tier*\n{tier_name(item.tier)}", f"*Amount*\n{esc(amount_text(item))}",
              f"*Scope*\n{esc(scope_label(item.scope))}", f"*State*\n{entry.state}"]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(item, entry), "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(esc(line) for line in lines(item, entry))}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": text} for text in fields]},
    ]
    return {"text": esc(headline(item, entry)), "blocks": blocks}


def webhook_message(item: ApprovalItem, entry: HistoryEntry) -> dict[str, Any]:
    body = {key: value for key, value in item.to_json().items() if key != "history"}
    body.update(kind="approval", action=entry.action, state=entry.state, by=entry.actor or None,
                note=entry.note or None, at=entry.at, headline=headline(item, entry),
                text="\n".join(lines(item, entry)), approver=tier_name(item.tier), source="finops-tui")
    return body


def text_message(item: ApprovalItem, entry: HistoryEntry) -> str:
    return "\n".join([f"[finops-tui] {headline(item, entry)}", *(f"  {line}" for line in lines(item, entry))])
