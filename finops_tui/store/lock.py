"""The writer lock: one finops-tui process writes the cache at a time, and a waiting one can say who.

SQLite serialises writers itself, but a writer that waits past its busy
timeout only learns "database is locked". So every write transaction first
takes an exclusive ``flock`` on ``<cache>.lock`` (mode 0600) beside the cache
and writes its pid and command line into it. The kernel drops the lock when
the process ends, even on SIGKILL, so a lock is never stale. A second writer
waits up to ``cache.lock_wait_seconds`` and then fails with one line naming
the holder.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from finops_tui.errors import CacheError

POLL_SECONDS = 0.05


class CacheBusyError(CacheError):
    """Another process kept the cache's writer lock for longer than the configured wait."""


def lock_path(cache: Path) -> Path:
    return cache.with_name(cache.name + ".lock")


def _command() -> str:
    return " ".join(["finops-tui", *sys.argv[1:]])[:300]


def holder_of(cache: Path) -> str:
    """What the lock file says about its holder ("pid 123: finops-tui sync"), or ``""``."""
    try:
        text = lock_path(cache).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    pid, _, command = text.partition(" ")
    return f"process {pid} ({command})" if pid.isdigit() else ""


@contextmanager
def writer_lock(cache: Path, wait_seconds: float) -> Iterator[None]:
    """Hold the cache's writer lock for the block; :class:`CacheBusyError` after ``wait_seconds``.

    Where the lock file cannot be created (a read-only folder), the block runs
    without it: the write then fails on its own with a clear message.
    """
    try:
        fd = os.open(lock_path(cache), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        yield
        return
    try:
        from datetime import timedelta

        from finops_tui.clock import real_now

        deadline = real_now() + timedelta(seconds=wait_seconds)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if real_now() >= deadline:
                    holder = holder_of(cache) or "another process"
                    from finops_tui.outside_text import safe

                    raise CacheBusyError(
                        f"the cache {cache} is busy: {safe(holder)} has been writing to it for over {wait_seconds:g} s",
                        "try again when it has finished, or raise cache.lock_wait_seconds",
                    ) from None
                time.sleep(POLL_SECONDS)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {_command()}\n".encode(), 0)
        except OSError:
            pass  # a full disk: the lock still holds, only the holder's name is missing
        try:
            yield
        finally:
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
    finally:
        os.close(fd)  # releases the flock
