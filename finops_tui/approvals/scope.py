"""An item's scope: which spend it is about (environment, category, service, resource).

Written ``environment:production,category:Compute`` (any of ``environment``,
``category``, ``service``, ``resource``, in any order; a bare environment name
or alias works too). ``''`` is the whole bill. Stored in one canonical order so
the same scope always reads the same.
"""

from __future__ import annotations

import re

from finops_tui.config import CATEGORIES, ENVIRONMENTS, UNALLOCATED
from finops_tui.errors import InputError
from finops_tui.store.approvals import ScopeFilter

FIELDS = ("environment", "category", "service", "resource")
_ALIASES = {"env": "environment"}
_SPLIT = re.compile(r",(?=\s*(?:environment|env|category|service|resource)\s*:)", re.IGNORECASE)
WHOLE_BILL = {"", "total", "all"}


def parse_scope(text: str, aliases: dict[str, list[str]] | None = None) -> ScopeFilter:
    """``InputError`` with one sentence for anything that is not a scope."""
    cleaned = text.strip()
    if cleaned.lower() in WHOLE_BILL:
        return ScopeFilter()
    values: dict[str, str] = {}
    for part in _SPLIT.split(cleaned):
        name, sep, value = part.partition(":")
        key = _ALIASES.get(name.strip().lower(), name.strip().lower())
        if not sep:
            environment = _environment(part, aliases)
            if environment is None:
                raise InputError(f"scope {text!r} is not understood; write e.g. environment:production,category:Compute "
                                 "(fields: environment, category, service, resource)")
            key, value = "environment", environment
        elif key not in FIELDS:
            raise InputError(f"unknown scope field {name.strip()!r} in {text!r}; expected {', '.join(FIELDS)}")
        value = value.strip()
        if not value or not value.isprintable():
            raise InputError(f"scope field {key} in {text!r} needs a printable value")
        if key in values:
            raise InputError(f"scope field {key} is given twice in {text!r}")
        if key == "environment":
            found = _environment(value, aliases)
            if found is None:
                raise InputError(f"unknown environment {value!r}; expected one of {', '.join((*ENVIRONMENTS, UNALLOCATED))}")
            value = found
        elif key == "category":
            found = next((c for c in CATEGORIES if c.lower() == value.lower()), None)
            if found is None:
                raise InputError(f"unknown category {value!r}; expected one of {', '.join(CATEGORIES)}")
            value = found
        values[key] = value
    return ScopeFilter(**values)


def _environment(text: str, aliases: dict[str, list[str]] | None) -> str | None:
    lowered = text.strip().lower()
    if lowered in (*ENVIRONMENTS, UNALLOCATED):
        return lowered
    for environment, names in (aliases or {}).items():
        if lowered in (name.lower() for name in names):
            return environment
    return None


def scope_text(scope: ScopeFilter) -> str:
    """The canonical form: ``environment:production,category:Compute``; ``''`` for the whole bill."""
    return ",".join(f"{name}:{getattr(scope, name)}" for name in FIELDS if getattr(scope, name) is not None)


def scope_label(text: str) -> str:
    """For people: "production / Compute"; "whole bill" for ''."""
    scope = parse_scope(text) if text else ScopeFilter()
    parts = [getattr(scope, name) for name in FIELDS if getattr(scope, name) is not None]
    return " / ".join(parts) if parts else "whole bill"


def from_alert_scope(scope: str, service: str | None = None) -> ScopeFilter:
    """An alert event's scope (``total``, an environment, ``category:NAME``) as an item scope."""
    if service:
        return ScopeFilter(service=service)
    if scope.startswith("category:"):
        return ScopeFilter(category=scope.removeprefix("category:"))
    if scope in ENVIRONMENTS:
        return ScopeFilter(environment=scope)
    return ScopeFilter()
