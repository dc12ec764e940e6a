"""`q` quits at once, whatever a worker is doing.

Textual runs thread workers in the event loop's default executor, whose
threads are joined on the way out: a sync blocked on a slow AWS answer held
`q` for as long as the answer took. A worker's work is safe to abandon (a sync
writes in one transaction at its end, the request ledger commits as it goes),
so the executor here does not wait at shutdown, and the command ends the
process once the app has closed if a worker thread is still busy.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor


class QuitFastExecutor(ThreadPoolExecutor):
    """A default executor whose shutdown never waits for running work."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: ARG002 - never wait
        super().shutdown(wait=False, cancel_futures=True)


def install(loop: asyncio.AbstractEventLoop) -> None:
    loop.set_default_executor(QuitFastExecutor(thread_name_prefix="finops-worker"))


def busy_workers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate()
            if thread is not threading.main_thread() and thread.is_alive() and not thread.daemon]


def exit_now_if_busy(code: int) -> None:
    """After the app has closed (terminal restored): end the process now rather than wait for a busy worker."""
    if busy_workers():
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
