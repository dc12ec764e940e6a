"""Text from outside (tags, names, AWS and webhook errors) made safe to show and to store.

- :func:`escape_controls`: control characters (C0 except newline and tab, DEL,
  C1) become visible escapes (``\\x1b``), so a tag value can never move the
  cursor, ring the bell or rewrite the terminal title, in the terminal or in
  a Markdown file someone later ``cat``s.
- :func:`redact`: secrets become placeholders: webhook URLs (whole, their path,
  and each token-like path segment, which webhook error bodies often echo),
  AWS access key ids, and the values of the secret AWS variables in the
  environment. Every error text is passed through it before it is printed or
  stored in the cache.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b")
_SLACK_URL = re.compile(r"https?://hooks\.slack(?:-gov)?\.com/\S+", re.IGNORECASE)
_SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "FINOPS_TUI_SLACK_WEBHOOK")
_MIN_SECRET = 8  # shorter fragments would redact ordinary words

_known: set[str] = set()


def escape_controls(text: str) -> str:
    """``text`` with every control character except newline and tab shown as ``\\xNN``."""
    return _CONTROLS.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def escape_controls_json(text: str) -> str:
    """JSON text with raw control characters (DEL, C1: json leaves them raw without ensure_ascii) as ``\\u00NN``.

    The parsed values stay exactly the same; only the bytes on the terminal change.
    """
    return _CONTROLS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def register_secret(value: str | None) -> None:
    """Remember a secret (a configured webhook URL) so :func:`redact` hides it everywhere in this process."""
    if value:
        _known.add(value)


def _fragments(secret: str) -> list[str]:
    fragments = [secret]
    parts = urlsplit(secret)
    if parts.scheme and parts.netloc:
        if len(parts.path) >= _MIN_SECRET:
            fragments.append(parts.path)
        # Token-like segments (T0123ABC, B0ALERTS, the secret itself): long and with a digit, so "services" stays.
        fragments.extend(segment for segment in parts.path.split("/")
                         if len(segment) >= _MIN_SECRET and any(ch.isdigit() for ch in segment))
        fragments.extend(value for _, _, value in (item.partition("=") for item in parts.query.split("&")) if len(value) >= _MIN_SECRET)
    return sorted(set(fragments), key=len, reverse=True)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every known secret, webhook URL and AWS key replaced by a placeholder."""
    if not text:
        return text
    candidates = {*_known, *(s for s in secrets if s), *(os.environ.get(name, "") for name in _SECRET_ENV)}
    for secret in sorted((s for s in candidates if len(s) >= _MIN_SECRET), key=len, reverse=True):
        for fragment in _fragments(secret):
            text = text.replace(fragment, "<redacted>")
    text = _SLACK_URL.sub("<redacted webhook URL>", text)
    return _ACCESS_KEY.sub("<redacted AWS key>", text)


def safe(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Redacted and with control characters escaped: for one line on a terminal."""
    return escape_controls(redact(text, secrets))
