"""What every command needs: settings, the cache path, the clock. Built once per run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from finops_tui.clock import Clock, resolve_clock
from finops_tui.config import LoadedSettings, Settings, load_settings
from finops_tui.errors import CacheError
from finops_tui.store.db import Store, open_store

if TYPE_CHECKING:
    from finops_tui.publish import RemoteCache

CACHE_ENV = "FINOPS_TUI_CACHE"
CACHE_DIR_ENV = "FINOPS_TUI_CACHE_DIR"  # where `--cache s3://...` keeps its downloads (default: cache/)
DEFAULT_CACHE = Path("cache") / "finops.db"


def resolve_cache_path(explicit: str | None) -> Path:
    return Path(explicit or os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def resolve_cache_dir() -> Path:
    return Path(os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE.parent)


@dataclass
class Context:
    loaded: LoadedSettings
    cache_path: Path
    cache_explicit: bool
    clock: Clock
    debug: bool = False
    #: Open the cache with ``mode=ro`` (``tui --offline``): nothing this run does may change it.
    read_only: bool = False
    #: ``--cache s3://bucket/prefix``: the latest published snapshot, downloaded and opened read-only.
    remote_url: str | None = None
    remote: RemoteCache | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    def store(self, *, create: bool = True, read_only: bool = False) -> Store:
        """The cache. ``read_only`` (read commands) opens it without writing anything and works on a read-only
        file or mount; ``self.read_only`` (``--offline``, a remote snapshot) also refuses to upgrade an older one."""
        if self._store is None and self.remote_url is not None:
            self._store = self._open_remote()
        if self._store is None:
            strict = self.read_only
            try:
                self._store = open_store(self.cache_path, create=create and not strict, read_only=strict or read_only,
                                         upgrade=not strict, lock_wait_seconds=self.settings.cache.lock_wait_seconds)
            except CacheError as error:
                if error.message.startswith("no cache at"):
                    raise CacheError(error.message, self.fill_hint()) from None
                raise
            self._store.use_settings(self.settings)
        return self._store

    def _open_remote(self) -> Store:
        """Pull the latest snapshot (or, offline, use the last download) and open it read-only."""
        import sys

        from finops_tui.publish import open_remote, open_snapshot

        assert self.remote_url is not None
        self.remote = open_remote(self.remote_url, resolve_cache_dir())
        if self.remote.offline_reason:
            print(f"finops-tui: {self.remote.offline_reason}", file=sys.stderr)
        self.cache_path = self.remote.path
        self.read_only = True
        return open_snapshot(self.remote)

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
    chosen = cache or os.environ.get(CACHE_ENV)
    remote_url = None
    if chosen and chosen.startswith("s3://"):  # publish.is_s3_url, without importing publish for a local cache
        from finops_tui.publish import parse_s3_url

        remote_url = parse_s3_url(chosen).url
    ctx = Context(
        loaded=load_settings(config),
        cache_path=resolve_cache_dir() / "s3" if remote_url else resolve_cache_path(cache),
        cache_explicit=bool(chosen),
        clock=resolve_clock(today),
        debug=debug,
        remote_url=remote_url,
    )
    if remote_url:  # pull now: every command then sees the downloaded snapshot as its cache file
        ctx.store()
    return ctx
