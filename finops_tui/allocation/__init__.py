"""Allocation: which category and environment a cost line belongs to, from the current config.

The cache keeps raw dimensions (account, service, usage type, service category,
instance type, the environment tag's raw value, resource id and name, tags, an
AWS Cost Category value); this room turns one distinct tuple of them into
(category, environment) with the configured rules, tag key, aliases and account
map. The store interns the distinct tuples (``dims``) and keeps their mapping
(``dim_allocation``) for the config whose :attr:`Allocation.fingerprint` it last
saw, so a rule change re-allocates thousands of tuples, not millions of rows,
and applies to every day at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from finops_tui.allocation.categories import CategoryRules
from finops_tui.allocation.environments import EnvironmentMapper
from finops_tui.config import CATEGORIES, CategoryRule, Environments, Settings
from finops_tui.settings_schema import plain

# Bump when the meaning of a rule changes in code (not in config): every cache re-allocates.
ALLOCATION_VERSION = 1

_CATEGORY_BY_NAME = {name.lower(): name for name in CATEGORIES}


@dataclass(frozen=True, slots=True)
class Dim:
    """One distinct tuple of the raw dimensions allocation looks at."""

    account: str = ""
    service: str = ""
    usage_type: str = ""
    service_category: str = ""
    instance_type: str = ""
    env_tag: str = ""  # the environment tag's raw value as the source reported it
    resource_id: str = ""
    resource_name: str = ""
    cost_category: str = ""  # a category the source assigned (an AWS Cost Category value); '' lets the rules decide
    tags: str = ""  # the resource's tags as a JSON object (FOCUS), '' when the source has none


DIM_COLUMNS = tuple(Dim.__dataclass_fields__)


def tags_json(tags: Mapping[str, str]) -> str:
    """The canonical text of a tag set in ``dims`` (sorted keys; '' for no tags)."""
    return json.dumps(dict(tags), sort_keys=True, separators=(",", ":")) if tags else ""


def _fields(model: CategoryRule | Environments) -> dict[str, object]:
    """A section's fields as plain JSON values (strings, lists and dicts of them)."""
    return plain(model)


class Allocation:
    """The allocation part of a config, compiled; equal configs have equal fingerprints."""

    def __init__(self, rules: list[CategoryRule], environments: Environments, precedence: str = "export") -> None:
        self.rule_models = list(rules)
        self.environment_config = environments
        self.precedence = precedence
        self._tags: dict[str, dict[str, str]] = {}

    # Compiled when first used: opening a cache makes an allocation to compare fingerprints, and most of them
    # never allocate a row.
    @cached_property
    def rules(self) -> CategoryRules:
        return CategoryRules(self.rule_models)

    @cached_property
    def environments(self) -> EnvironmentMapper:
        return EnvironmentMapper(self.environment_config)

    @classmethod
    def from_settings(cls, settings: Settings) -> Allocation:
        return cls(settings.categories.rules, settings.environments, settings.sources.precedence)

    @classmethod
    def from_json(cls, text: str) -> Allocation:
        """What :meth:`to_json` wrote (from validated settings): constructed again without validation."""
        data = json.loads(text)
        return cls([CategoryRule(**rule) for rule in data["rules"]],
                   Environments(**data["environments"]), data.get("precedence", "export"))

    def to_json(self) -> str:
        return json.dumps({
            "version": ALLOCATION_VERSION,
            "rules": [_fields(rule) for rule in self.rule_models],
            "environments": _fields(self.environment_config),
            "precedence": self.precedence,
        }, sort_keys=True, separators=(",", ":"))

    @cached_property
    def fingerprint(self) -> str:
        """Asked several times as a cache opens: computed once (an allocation is not changed after it is made)."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]

    def _parsed_tags(self, text: str) -> dict[str, str]:
        cached = self._tags.get(text)
        if cached is None:
            try:
                value: Any = json.loads(text) if text else {}
            except ValueError:
                value = {}
            cached = {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
            self._tags[text] = cached
        return cached

    def category(self, dim: Dim) -> str:
        named = _CATEGORY_BY_NAME.get(dim.cost_category.strip().lower())
        if named:
            return named
        tags = self._parsed_tags(dim.tags)
        if dim.resource_name and not any(key.lower() == "name" for key in tags):
            tags = {**tags, "Name": dim.resource_name}
        return self.rules.category_of(service=dim.service, usage_type=dim.usage_type, instance_type=dim.instance_type,
                                      resource=dim.resource_id, service_category=dim.service_category, tags=tags)

    def environment(self, dim: Dim) -> str:
        if dim.tags:
            return self.environments.from_tags(self._parsed_tags(dim.tags), dim.account)
        return self.environments.from_value(dim.env_tag, dim.account)

    def allocate(self, dim: Dim) -> tuple[str, str]:
        """(category, environment) of one tuple of raw dimensions."""
        return self.category(dim), self.environment(dim)
