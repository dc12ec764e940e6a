"""What each screen reads, on a warm cache as a running console has it: the pane refresh and every drill-down level.

Run in a child process per cache (``python -m bench.screens CACHE RUNS``) so one cache's pages and
memory never flatter another's. Budgets (ARCHITECTURE.md): pane refresh <= 50 ms, every screen <= 100 ms.
Prints one JSON object of series in milliseconds.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.caches import TODAY


def measure(cache: Path, runs: int) -> dict[str, list[float]]:
    from finops_tui.analytics.drilldown import service_detail, services_of_category
    from finops_tui.analytics.snapshot import build_snapshot
    from finops_tui.config import default_settings
    from finops_tui.store import open_store

    settings = default_settings()
    store = open_store(cache)
    snapshot = build_snapshot(store, settings, TODAY)  # warm: a running console has read it before
    category = snapshot.categories[0].name
    service = services_of_category(store, settings, category, TODAY)[0].name
    cases = {
        "refresh": lambda: build_snapshot(store, settings, TODAY),
        "refresh_untagged": lambda: build_snapshot(store, settings, TODAY, environment="unallocated"),
        "services": lambda: services_of_category(store, settings, category, TODAY),
        "usage_types": lambda: service_detail(store, settings, category, service, TODAY),
        "usage_types_env": lambda: service_detail(store, settings, category, service, TODAY, environment="production"),
    }
    series: dict[str, list[float]] = {name: [] for name in cases}
    for run in cases.values():
        run()
    for _ in range(runs):  # interleaved, so a burst of load on the machine touches every case alike
        for name, run in cases.items():
            started = time.perf_counter()
            run()
            series[name].append((time.perf_counter() - started) * 1000)
    store.close()
    return series


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), int(sys.argv[2]))))
