"""Environment of a cost line: account map first, then the tag through aliases."""

from __future__ import annotations

from collections.abc import Mapping

from finops_tui.config import ENVIRONMENTS, UNALLOCATED, Environments


class EnvironmentMapper:
    def __init__(self, config: Environments) -> None:
        self.tag_key = config.tag_key
        self._accounts = dict(config.accounts)
        self._aliases: dict[str, str] = {name: name for name in ENVIRONMENTS}
        for canonical, aliases in config.aliases.items():
            for alias in aliases:
                self._aliases[alias.strip().lower()] = canonical

    def from_value(self, tag_value: str | None, account: str = "") -> str:
        """Canonical environment for a tag value (and account), else ``unallocated``."""
        if account and account in self._accounts:
            return self._accounts[account]
        if not tag_value:
            return UNALLOCATED
        return self._aliases.get(tag_value.strip().lower(), UNALLOCATED)

    def from_tags(self, tags: Mapping[str, str] | None, account: str = "") -> str:
        value = None
        if tags:
            wanted = self.tag_key.lower()
            value = next((v for k, v in tags.items() if k.lower() == wanted), None)
        return self.from_value(value, account)
