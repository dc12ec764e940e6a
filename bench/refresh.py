"""Pane refresh: re-read and recompute the whole snapshot on the big cache. Budget: median <= 50 ms."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.bigcache import TODAY
from finops_tui.analytics.snapshot import build_snapshot
from finops_tui.config import Settings
from finops_tui.store import open_store


def bench_refresh(cache: Path, runs: int = 21) -> dict[str, float]:
    store = open_store(cache)
    settings = Settings()
    build_snapshot(store, settings, TODAY)  # warm the page cache, as a running console has
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        build_snapshot(store, settings, TODAY)
        timings.append((time.perf_counter() - started) * 1000)
    store.close()
    return {"median_ms": statistics.median(timings), "max_ms": max(timings), "budget_ms": 50.0}
