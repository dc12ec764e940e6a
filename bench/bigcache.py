"""A cache of over a million daily rows, like a large organisation's 13 months."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from pathlib import Path

from finops_tui.config import Settings
from finops_tui.sources.demo import ACCOUNTS, SERVICES, write_demo
from finops_tui.store import open_store

TODAY = date(2026, 11, 26)


def build_big_cache(path: Path, *, rows: int = 1_050_000, today: date = TODAY, seed: int = 1) -> Path:
    """The demo (for leads, waste and runs) plus ~1M resource-level rows spread over 396 days."""
    if path.exists():
        return path
    started = time.perf_counter()
    write_demo(path, Settings(), today)
    store = open_store(path)
    rng = random.Random(seed)
    days = 396
    per_day = rows // days
    envs = list(ACCOUNTS)
    def generate():
        for offset in range(days):
            day = (today - timedelta(days=days - 1 - offset)).isoformat()
            for n in range(per_day):
                svc = SERVICES[n % len(SERVICES)]
                env = envs[n % 4]
                amount = rng.uniform(0.01, 0.2)
                # Raw dimensions: no category (the config allocates), the tag value as written.
                yield (day, ACCOUNTS[env], svc.service, svc.usage_type, "", env,
                       f"r-{n:06d}", amount, amount, "usage", 0, "bench")

    with store.transaction() as conn:
        store.insert_costs(conn, generate())
    store.conn.execute("ANALYZE")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    print(f"built {path} in {time.perf_counter() - started:.1f} s")
    return path
