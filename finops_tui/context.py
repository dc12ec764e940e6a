"""What every command needs: settings, the cache path, the clock. Built once per run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from finops_tui.clock import Clock, resolve_clock
from finops_tui.config import LoadedSettings, Settings, load_settings
from finops_tui.store.db import Store, open_store

CACHE_ENV = "FINOPS_TUI_CACHE"
DEFAULT_CACHE = Path("cache") / "finops.db"


def resolve_cache_path(explicit: str | None) -> Path:
    return Path(explicit or os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


@dataclass
class Context:
    loaded: LoadedSettings
    cache_path: Path
    cache_explicit: bool
    clock: Clock
    debug: bool = False
    _store: Store | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    def store(self, *, create: bool = True, read_only: bool = False) -> Store:
        """The cache; ``read_only`` opens it without writing anything (works on a read-only file or mount)."""
        if self._store is None:
            self._store = open_store(self.cache_path, create=create, read_only=read_only,
                                     lock_wait_seconds=self.settings.cache.lock_wait_seconds)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def build_context(cache: str | None, config: str | None, today: str | None, debug: bool = False) -> Context:
    return Context(
        loaded=load_settings(config),
        cache_path=resolve_cache_path(cache),
        cache_explicit=bool(cache or os.environ.get(CACHE_ENV)),
        clock=resolve_clock(today),
        debug=debug,
    )
