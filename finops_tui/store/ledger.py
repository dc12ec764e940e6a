"""The AWS request ledger: every request is written down, in its own commit, before it is sent.

Cost Explorer bills each request, and the daily cap must see every one, also
those of a run that was killed or failed. So the ledger does not wait for the
run's transaction: each request is one small autocommit INSERT on a connection
of its own, made before botocore sends it. A request that cannot be recorded
is not sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path


class RequestLedger:
    """Records ``service.Operation`` names for one run (``run_id``) or for a command outside a run (``None``)."""

    def __init__(self, path: Path, run_id: int | None, now: Callable[[], datetime], wait_seconds: float = 30.0,
                 wall_now: Callable[[], datetime] | None = None) -> None:
        self.path = path
        self.run_id = run_id
        self.now = now  # the command's clock: made_at, the month it is billed in
        self.wall_now = wall_now or now  # the real day: the daily cap
        self.wait_seconds = wait_seconds
        self._conn: sqlite3.Connection | None = None

    def record(self, operation: str) -> None:
        from finops_tui.store.db import _connect

        if self._conn is None:
            self._conn = _connect(self.path, self.wait_seconds)
        moment = self.now().replace(microsecond=0)
        self._conn.execute(
            "INSERT INTO aws_requests (made_at, day, run_id, operation) VALUES (?, ?, ?, ?)",
            (moment.isoformat(), self.wall_now().date().isoformat(), self.run_id, operation),
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def ce_requests_on(conn: sqlite3.Connection, day: str) -> int:
    """Cost Explorer requests on ``day``: the ledger, plus runs recorded before the ledger existed."""
    ledger = conn.execute("SELECT COUNT(*) FROM aws_requests WHERE day = ? AND operation LIKE 'ce.%'", (day,)).fetchone()[0]
    return int(ledger) + _legacy(conn, "COALESCE(json_extract(detail, '$.wall_day'), substr(started_at, 1, 10)) = ?", day)


def ce_requests_in_month(conn: sqlite3.Connection, month: str) -> int:
    """Cost Explorer requests in ``month`` (YYYY-MM), killed and failed runs included."""
    ledger = conn.execute("SELECT COUNT(*) FROM aws_requests WHERE substr(made_at, 1, 7) = ? AND operation LIKE 'ce.%'",
                          (month,)).fetchone()[0]
    return int(ledger) + _legacy(conn, "substr(started_at, 1, 7) = ?", month)


def _legacy(conn: sqlite3.Connection, when: str, value: str) -> int:
    row = conn.execute(
        f"SELECT COALESCE(SUM(ce_request_count), 0) FROM sync_runs WHERE {when} "
        "AND NOT EXISTS (SELECT 1 FROM aws_requests WHERE aws_requests.run_id = sync_runs.id)",
        (value,),
    ).fetchone()
    return int(row[0])
