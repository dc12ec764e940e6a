"""First paint on a real pseudo-terminal: the console against a bare Textual app, alternating run by run.

Each run spawns a fresh interpreter on a new pty (120 x 40, xterm-256color) and times from just before
the spawn to the moment the terminal has received the first frame that shows what the app is for: the
bare app's header, the console's five panes filled with the cache's figures. The parent reads the pty
as a terminal does, stamping each read with ``time.monotonic()``; afterwards the reads are replayed
through a terminal emulator (pyte) and the first read after which the screen shows the frame is the
time. The child only says when it is done (a mark file, after its first frame) so the run can end; the
time is what the terminal saw, not what the child thinks. Peak RSS of each child comes from wait4.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyte

from bench.caches import DATA, TODAY
from bench.timing import Figure, Pair, alternate

HERE = Path(__file__).resolve().parent
COLUMNS, ROWS = 120, 40
BENCH_CONFIG = """\
# What a team's finops.toml looks like: a budget, a tag key, a tighter sync.
[budget]
monthly_total = 250000.0

[environments]
tag_key = "Environment"

[sync]
interval_minutes = 240
"""


def child_env() -> dict[str, str]:
    """A user's terminal: no AWS credentials here (so sync is unavailable), bytecode cached as on a user's machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FINOPS_TUI_", "PYTHONDONTWRITEBYTECODE"))}
    config = DATA / "finops.toml"
    DATA.mkdir(parents=True, exist_ok=True)
    config.write_text(BENCH_CONFIG, encoding="utf-8")
    env.update(
        PYTHONPATH=str(HERE.parent), TERM="xterm-256color", COLORTERM="truecolor", COLUMNS=str(COLUMNS), LINES=str(ROWS),
        FINOPS_TUI_CONFIG=str(config),
        AWS_CONFIG_FILE=str(DATA / "no-aws-config"), AWS_SHARED_CREDENTIALS_FILE=str(DATA / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",  # never probe the instance metadata address
    )
    return env


Shown = Callable[[Sequence[str]], bool]  # the screen's lines -> does it show the frame?


def first_shown(reads: Sequence[tuple[float, bytes]], shown: Shown) -> float | None:
    """The time of the first read after which the emulated terminal shows the frame."""
    screen = pyte.Screen(COLUMNS, ROWS)
    stream = pyte.ByteStream(screen)
    for at, chunk in reads:
        stream.feed(chunk)
        if shown(screen.display):
            return at
    return None


def run_on_pty(args: list[str], env: dict[str, str], shown: Shown, timeout: float = 60.0) -> tuple[float, float]:
    """(seconds from spawn to the terminal showing the frame, the child's peak RSS in MB)."""
    handle, mark_name = tempfile.mkstemp(prefix="paint-", suffix=".mark", dir=DATA)
    os.close(handle)
    mark = Path(mark_name)
    mark.unlink()
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    try:
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, args[0], str(mark), *args[1:]], stdin=slave, stdout=slave, stderr=slave,
                                 env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        slave = -1
        reads: list[tuple[float, bytes]] = []
        deadline = started + timeout
        status, usage = None, None
        while status is None:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                if chunk:
                    reads.append((time.monotonic(), chunk))
            pid, code, rusage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                status, usage = code, rusage
                child.returncode = os.waitstatus_to_exitcode(code)
            elif time.monotonic() > deadline:
                child.kill()
                raise RuntimeError(f"{args[0]} did not paint within {timeout:.0f} s")
        painted = first_shown(reads, shown)
        if not mark.exists() or painted is None:
            tail = b"".join(chunk for _, chunk in reads)[-600:].decode("utf-8", "replace")
            raise RuntimeError(f"{Path(args[0]).name} exited without painting (status {status}): {tail!r}")
        peak_mb = usage.ru_maxrss / 1024
        return painted - started, peak_mb
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
        mark.unlink(missing_ok=True)


def bare_shown(lines: Sequence[str]) -> bool:
    """The bare app's frame: its header, with the app's title."""
    return "BareApp" in lines[0]


def console_markers(cache: Path, config: Path) -> list[str]:
    """Text that each of the five panes shows only once it holds the cache's figures."""
    from finops_tui.analytics.snapshot import build_snapshot
    from finops_tui.config import load_settings
    from finops_tui.store import open_store
    from finops_tui.tui.format import money

    store = open_store(cache, read_only=True)
    try:
        snapshot = build_snapshot(store, load_settings(config).settings, TODAY)
    finally:
        store.close()
    top = max(snapshot.categories, key=lambda category: category.mtd)
    return [
        f"{top.name} ",  # 1: the category table's biggest row
        f"{snapshot.environments[0].name} ",  # 2: the first budget bar's row
        "─ none ─" if not snapshot.spikes else " new ─",  # 3: the spike log's count, in its border
        f"Total {money(snapshot.waste_total)} a month",  # 4: the waste total
        " per lead",  # 5: the cost-per-lead headline
    ]


def bench_paint(cache: Path, pairs: int) -> dict[str, Pair | Figure]:
    """Console first paint / bare first paint, alternating; and the console's peak RSS."""
    env = child_env()
    console_args = [str(HERE / "paint_app.py"), "--cache", str(cache), "--today", TODAY.isoformat()]
    bare_args = [str(HERE / "bare_app.py")]
    markers = console_markers(cache, Path(env["FINOPS_TUI_CONFIG"]))
    peaks: list[float] = []

    def console_shown(lines: Sequence[str]) -> bool:
        text = "\n".join(lines)
        return all(marker in text for marker in markers)

    def console() -> float:
        seconds, peak = run_on_pty(console_args, env, console_shown)
        peaks.append(peak)
        return seconds

    def bare() -> float:
        return run_on_pty(bare_args, env, bare_shown)[0]

    pair = alternate(console, bare, pairs, warmup=1)
    return {"paint": pair, "peak_mb": Figure(tuple(peaks[1:]))}
