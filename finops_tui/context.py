"""What every command needs: settings, the cache path, the clock. Built once per run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from finops_tui.clock import Clock, resolve_clock
from finops_tui.config import LoadedSettings, Settings, load_settings
from finops_tui.errors import CacheError
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
    #: Open the cache with ``mode=ro`` (``tui --offline``): nothing this run does may change it.
    read_only: bool = False
    _store: Store | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    def store(self, *, create: bool = True) -> Store:
        if self._store is None:
            try:
                self._store = open_store(self.cache_path, create=create and not self.read_only, read_only=self.read_only)
            except CacheError as error:
                if error.message.startswith("no cache at"):
                    raise CacheError(error.message, self.fill_hint()) from None
                raise
        return self._store

    def fill_hint(self) -> str:
        """What to run to fill this cache, naming it (the user may be pointing at the wrong file)."""
        return fill_hint(self.cache_path)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def fill_hint(cache_path: Path) -> str:
    flag = f"--cache {cache_path}"
    return f"run `finops-tui {flag} sync`, `finops-tui {flag} import-focus FILE` or `finops-tui {flag} demo` first"


def build_context(cache: str | None, config: str | None, today: str | None, debug: bool = False) -> Context:
    return Context(
        loaded=load_settings(config),
        cache_path=resolve_cache_path(cache),
        cache_explicit=bool(cache or os.environ.get(CACHE_ENV)),
        clock=resolve_clock(today),
        debug=debug,
    )
