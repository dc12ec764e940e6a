"""Helpers for the reliability suite: in-process CLI runs, cache fingerprints, tiny FOCUS files."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from finops_tui.cli import main

FOCUS_HEADER = ["ChargePeriodStart", "BilledCost", "EffectiveCost", "ChargeCategory", "ServiceName", "ResourceId", "Tags"]


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def cli(*args: str) -> Outcome:
    """The real entry point, in this process (fast enough for Hypothesis); stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Outcome(code, out.getvalue(), err.getvalue())


def fingerprint(path: Path) -> str:
    """A hash of every row of every table: equal fingerprints mean an unchanged cache."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for line in conn.iterdump():
            digest.update(line.encode())
        return digest.hexdigest()
    finally:
        conn.close()


def write_focus(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, FOCUS_HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({"ChargeCategory": "Usage", "ServiceName": "AmazonEC2", "ResourceId": "", "Tags": "", **row})
    return path


def focus_row(day: str, billed: str, effective: str | None = None, **extra: str) -> dict[str, str]:
    return {"ChargePeriodStart": f"{day}T00:00:00Z", "BilledCost": billed,
            "EffectiveCost": billed if effective is None else effective, **extra}


def one_line_refusal(outcome: Outcome) -> str:
    """The single stderr line of a refusal, after checking it is one clear line and no traceback."""
    lines = outcome.err.strip().splitlines()
    assert outcome.code != 0, outcome
    assert len(lines) == 1, outcome.err
    assert "Traceback" not in outcome.err and "unexpected error" not in outcome.err, outcome.err
    return lines[0]
