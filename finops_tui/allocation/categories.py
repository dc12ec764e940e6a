"""Allocation of spend to the framework's categories: ordered rules, first match wins.

Applied at read time to the raw dimensions the cache keeps (see :mod:`finops_tui.allocation`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from finops_tui.config import CategoryRule

# EC2 usage types name the instance type after a colon: "BoxUsage:g5.xlarge",
# "USE2-SpotUsage:p4d.24xlarge", "DedicatedUsage:inf2.xlarge"; a reservation's fee
# names it the same way ("HeavyUsage:g5.12xlarge"), so a GPU reservation is AI/ML like its usage.
_INSTANCE_IN_USAGE = re.compile(
    r"(?:BoxUsage|SpotUsage|DedicatedUsage|HostUsage|UnusedBox|ReservedHostUsage|SchedUsage|HeavyUsage|"
    r"MediumUsage|LightUsage|DedicatedRes)[^:]*:([a-z][a-z0-9-]*\.[a-z0-9-]+)", re.IGNORECASE)


def instance_type_from_usage(usage_type: str) -> str:
    """The instance type an EC2 usage type names, or ''."""
    match = _INSTANCE_IN_USAGE.search(usage_type or "")
    return match.group(1).lower() if match else ""


@dataclass(frozen=True)
class Charge:
    """What the rules look at for one cost line."""

    service: str = ""
    usage_type: str = ""
    instance_type: str = ""
    resource: str = ""
    service_category: str = ""
    tags: tuple[tuple[str, str], ...] = ()


def _compile(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns), re.IGNORECASE)


class _CompiledRule:
    __slots__ = ("category", "services", "usage_types", "instance_types", "resources", "service_categories", "tags")

    def __init__(self, rule: CategoryRule) -> None:
        self.category = rule.category
        self.services = _compile(rule.services)
        self.usage_types = _compile(rule.usage_types)
        self.instance_types = _compile(rule.instance_types)
        self.resources = _compile(rule.resources)
        self.service_categories = _compile(rule.service_categories)
        self.tags = [(key, _compile(values)) for key, values in rule.tags.items()]

    def matches(self, charge: Charge) -> bool:
        for pattern, value in (
            (self.services, charge.service),
            (self.usage_types, charge.usage_type),
            (self.instance_types, charge.instance_type),
            (self.resources, charge.resource),
            (self.service_categories, charge.service_category),
        ):
            if pattern is not None and not (value and pattern.match(value)):
                return False
        for key, values in self.tags:
            candidates = [v for k, v in charge.tags if key == "*" or k.lower() == key.lower()]
            if not any(values is not None and values.match(v) for v in candidates):
                return False
        return True


class CategoryRules:
    """The configured rules, compiled; ``categorize`` is memoised per distinct charge."""

    def __init__(self, rules: list[CategoryRule]) -> None:
        self._rules = [_CompiledRule(rule) for rule in rules]
        self.categorize = lru_cache(maxsize=65536)(self._categorize)

    def _categorize(self, charge: Charge) -> str:
        if not charge.instance_type and charge.usage_type:
            charge = Charge(
                charge.service, charge.usage_type, instance_type_from_usage(charge.usage_type),
                charge.resource, charge.service_category, charge.tags,
            )
        for rule in self._rules:
            if rule.matches(charge):
                return rule.category
        return "Other"

    def category_of(
        self,
        *,
        service: str = "",
        usage_type: str = "",
        instance_type: str = "",
        resource: str = "",
        service_category: str = "",
        tags: Mapping[str, str] | None = None,
    ) -> str:
        return self.categorize(
            Charge(service, usage_type, instance_type.lower(), resource, service_category, tuple(sorted((tags or {}).items())))
        )
