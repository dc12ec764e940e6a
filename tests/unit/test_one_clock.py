"""One clock: no module of the package but ``clock.py`` reads the real time.

Walks the syntax tree of every module (not a text grep: comments and strings
do not count, aliases do), so a new ``datetime.now()`` anywhere fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from finops_tui.clock import Clock
from tests.helpers import REPO

PACKAGE = REPO / "finops_tui"
ALLOWED = {PACKAGE / "clock.py"}
# Calls that read the real time, by the attribute chain they end with.
TIME_READERS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "time_ns"), ("time", "monotonic"), ("time", "monotonic_ns"),
    ("time", "perf_counter"), ("time", "perf_counter_ns"), ("time", "localtime"), ("time", "gmtime"),
    ("time", "strftime"), ("time", "ctime"),
}
# Names that, imported from ``time`` and called bare, read the clock.
BARE_TIME_FUNCTIONS = {name for module, name in TIME_READERS if module == "time"}


def _chain(node: ast.expr) -> tuple[str, ...]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return tuple(reversed(parts))


def time_reads(source: str) -> list[str]:
    """Every place in ``source`` that reads the real time, as ``line: call``."""
    tree = ast.parse(source)
    bare: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            bare |= {alias.asname or alias.name for alias in node.names if alias.name in BARE_TIME_FUNCTIONS}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        chain = _chain(node.func)
        if len(chain) >= 2 and chain[-2:] in TIME_READERS or len(chain) == 1 and chain[0] in bare:
            found.append(f"{node.lineno}: {'.'.join(chain)}()")
    return found


def test_no_module_outside_clock_reads_the_real_time() -> None:
    offenders = {
        str(path.relative_to(REPO)): reads
        for path in sorted(PACKAGE.rglob("*.py")) if path not in ALLOWED
        for reads in [time_reads(path.read_text(encoding="utf-8"))] if reads
    }
    assert offenders == {}


@pytest.mark.parametrize(("source", "expected"), [
    ("from datetime import datetime, UTC\nx = datetime.now(UTC)\n", ["2: datetime.now()"]),
    ("import datetime\nx = datetime.date.today()\n", ["2: datetime.date.today()"]),
    ("from time import monotonic as tick\nx = tick()\n", ["2: tick()"]),
    ("import time\ntime.sleep(1)\n# datetime.now()\ny = 'date.today()'\n", []),
])
def test_the_check_can_fail(source: str, expected: list[str]) -> None:
    assert time_reads(source) == expected


def test_a_fixed_clock_pins_the_moment_but_not_the_wall_clock() -> None:
    from datetime import UTC, date, datetime

    clock = Clock(date(2028, 2, 29), fixed=True)
    assert clock.now() == datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert clock.now_iso() == "2028-02-29T12:00:00+00:00"
    assert clock.wall_now().tzinfo is not None  # real time, whatever the fixed day
    first = clock.monotonic()
    assert clock.monotonic() >= first


def test_the_moved_wall_clock_is_what_the_clock_reads(moved_wall_clock) -> None:  # noqa: ANN001
    from datetime import timedelta

    from finops_tui.clock import resolve_clock

    if moved_wall_clock is None:
        pytest.skip("the wall clock is not moved in this run (make test moves it: --wall-clock)")
    wall = resolve_clock().wall_now()
    assert moved_wall_clock <= wall < moved_wall_clock + timedelta(minutes=30)  # moved, and still ticking
    assert resolve_clock().today == moved_wall_clock.date() or wall.date() > moved_wall_clock.date()
