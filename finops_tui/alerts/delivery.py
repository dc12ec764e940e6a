"""Where alerts go: a Slack incoming webhook, a generic JSON webhook, stdout.

Webhook URLs are secrets (a Slack webhook URL lets anyone post to the
channel): errors name the channel and what went wrong ("Slack webhook
returned HTTP 500"), never the URL, and every error text is scrubbed of it
before it is shown or stored.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlsplit

from finops_tui import __version__
from finops_tui.alerts.events import AlertEvent
from finops_tui.alerts.messages import slack_message, text_message, webhook_message
from finops_tui.config import Settings

ERROR_BODY_LIMIT = 120


class DeliveryError(Exception):
    """A channel did not take the message; the text is safe to show and store (no URL)."""


@dataclass(frozen=True)
class Channel:
    """One destination. ``send`` raises :class:`DeliveryError` when the message did not arrive."""

    name: str  # slack | webhook | stdout
    label: str  # for people: "Slack webhook"
    send: Callable[..., None]  # send(event, possible_repeat=False)


REPEAT_NOTE = "Possible repeat: an earlier delivery of this alert was interrupted and may have arrived."


def with_repeat_note(body: dict[str, Any], kind: str) -> dict[str, Any]:
    """Mark a message that may already have been delivered (at-least-once: a run died between send and mark)."""
    body = dict(body)
    if kind == "slack":
        body["text"] = f"(possible repeat) {body.get('text', '')}"
        body["blocks"] = [{"type": "context", "elements": [{"type": "mrkdwn", "text": REPEAT_NOTE}]}, *body.get("blocks", [])]
    else:
        body["possible_repeat"] = True
    return body


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret (the URL, its path and token segments, often echoed back) replaced."""
    from finops_tui.outside_text import redact as redact_text

    return redact_text(text, secrets)


def post_json(url: str, body: dict[str, Any], *, label: str, timeout: float) -> None:
    """POST ``body`` as JSON; any failure becomes a :class:`DeliveryError` that does not contain the URL."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError(f"{label} URL is not an http(s) URL; check the configuration")
    data = json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": f"finops-tui/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            response.read(ERROR_BODY_LIMIT)
    except urllib.error.HTTPError as error:
        detail = _error_body(error)
        raise DeliveryError(f"{label} returned HTTP {error.code}{': ' + detail if detail else ''}") from None
    except (TimeoutError, socket.timeout):
        raise DeliveryError(f"{label} did not answer within {timeout:g} s") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise DeliveryError(f"{label} did not answer within {timeout:g} s") from None
        text = reason if isinstance(reason, str) else (getattr(reason, "strerror", None) or type(reason).__name__)
        raise DeliveryError(f"{label} could not be reached: {text}") from None
    except (OSError, ValueError) as error:
        # http.client errors (InvalidURL, RemoteDisconnected...) may quote the URL: name the kind only.
        raise DeliveryError(f"{label} failed: {type(error).__name__}") from None


def _error_body(error: urllib.error.HTTPError) -> str:
    try:
        raw = error.read(ERROR_BODY_LIMIT)
    except (OSError, ValueError):
        return ""
    text = raw.decode("utf-8", "replace").strip().splitlines()[0] if raw.strip() else ""
    return "".join(ch for ch in text if ch.isprintable())[:ERROR_BODY_LIMIT]


def configured_channels(settings: Settings, out: TextIO | None) -> list[Channel]:
    """Slack and/or the generic webhook when configured; stdout when asked for, or when nothing else is.

    With no webhook at all, stdout is the channel (for cron mail), so an event
    is still delivered (at least once) rather than silently recorded. ``out=None``
    (the console, which owns the terminal) means no stdout channel.
    """
    alerts = settings.alerts
    timeout = alerts.timeout_seconds
    channels: list[Channel] = []
    if alerts.slack_webhook is not None and alerts.slack_webhook.get_secret_value():
        slack_url = alerts.slack_webhook.get_secret_value()
        channels.append(Channel("slack", "Slack webhook", lambda event, possible_repeat=False: post_json(
            slack_url, with_repeat_note(slack_message(event), "slack") if possible_repeat else slack_message(event),
            label="Slack webhook", timeout=timeout)))
    if alerts.webhook_url is not None and alerts.webhook_url.get_secret_value():
        hook_url = alerts.webhook_url.get_secret_value()
        channels.append(Channel("webhook", "JSON webhook", lambda event, possible_repeat=False: post_json(
            hook_url, with_repeat_note(webhook_message(event), "webhook") if possible_repeat else webhook_message(event),
            label="JSON webhook", timeout=timeout)))
    if out is not None and (alerts.stdout or not channels):
        channels.append(Channel("stdout", "stdout", lambda event, possible_repeat=False: _print(out, event, possible_repeat)))
    return channels


def secrets_of(settings: Settings) -> list[str]:
    return [secret.get_secret_value() for secret in (settings.alerts.slack_webhook, settings.alerts.webhook_url) if secret is not None]


def _print(out: TextIO, event: AlertEvent, possible_repeat: bool = False) -> None:
    try:
        if possible_repeat:
            print(f"[finops-tui] {REPEAT_NOTE}", file=out)
        print(text_message(event), file=out, flush=True)
        print(file=out)
    except OSError as error:
        raise DeliveryError(f"stdout could not be written: {error.strerror or type(error).__name__}") from None
