"""SQLite and file-system failures of the cache, as one sentence a user can act on."""

from __future__ import annotations

import errno
import sqlite3

from finops_tui.errors import CacheError

DISK_FULL = "the disk holding the cache is full"


def describe_error(error: BaseException, path: object = None) -> CacheError | None:
    """A :class:`CacheError` for a failure of the cache file, or ``None`` when ``error`` is something else."""
    where = f" {path}" if path else ""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return CacheError(f"{DISK_FULL}: cannot write the cache{where}", "free some space; the cache was left as it was")
    if isinstance(error, OSError) and error.errno == errno.EROFS:
        return CacheError(f"the cache{where} is on a read-only file system", "read commands still work; write from a writable copy")
    if not isinstance(error, sqlite3.Error):
        return None
    text = str(error)
    lowered = text.lower()
    if "disk is full" in lowered or "disk full" in lowered:
        return CacheError(f"{DISK_FULL}: cannot write the cache{where}", "free some space; the cache was left as it was")
    if "readonly" in lowered or "read-only" in lowered:
        return CacheError(f"the cache{where} is read-only: cannot write to it",
                          "read commands still work; write from a copy in a writable folder")
    if "locked" in lowered or "busy" in lowered:
        return CacheError(f"the cache{where} is locked by another program", "try again when it has finished")
    if "unable to open" in lowered and path is not None and _read_only_place(path):
        return CacheError(f"the cache{where} is read-only: cannot write to it",
                          "read commands still work; write from a copy in a writable folder")
    if "unable to open" in lowered:
        return CacheError(f"cannot open the cache{where}: it was moved, deleted or its folder is not accessible")
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return CacheError(f"the cache{where} is damaged ({text})", "restore it from a copy or rebuild it with sync/import-focus")
    return CacheError(f"cache error{where}: {text}")


def _read_only_place(path: object) -> bool:
    import os
    from pathlib import Path

    cache = Path(str(path))
    if not cache.exists():
        return False
    try:
        if os.statvfs(cache).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(cache, os.W_OK) or not os.access(cache.parent, os.W_OK)
