"""First paint on a real pseudo-terminal: the console against a bare Textual app, alternating run by run.

Each run spawns a fresh interpreter on a new pty (120 x 40, xterm-256color) and
times from just before the spawn to the end of the first frame (the console:
the first frame with all five panes filled), which the child stamps with
``time.monotonic()`` (one clock for every process on Linux). The parent keeps
reading the pty as a terminal does. Peak RSS of each child comes from wait4.
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
from pathlib import Path

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


def run_on_pty(args: list[str], env: dict[str, str], timeout: float = 60.0) -> tuple[float, float]:
    """(seconds from spawn to the child's first-frame mark, the child's peak RSS in MB)."""
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
        output = bytearray()
        deadline = started + timeout
        status, usage = None, None
        while status is None:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                output = (output + chunk)[-4096:]
            pid, code, rusage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                status, usage = code, rusage
                child.returncode = os.waitstatus_to_exitcode(code)
            elif time.monotonic() > deadline:
                child.kill()
                raise RuntimeError(f"{args[0]} did not paint within {timeout:.0f} s")
        if not mark.exists():
            tail = output[-600:].decode("utf-8", "replace")
            raise RuntimeError(f"{Path(args[0]).name} exited without painting (status {status}): {tail!r}")
        painted = float(mark.read_text(encoding="utf-8"))
        peak_mb = usage.ru_maxrss / 1024
        return painted - started, peak_mb
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
        mark.unlink(missing_ok=True)


def bench_paint(cache: Path, pairs: int) -> dict[str, Pair | Figure]:
    """Console first paint / bare first paint, alternating; and the console's peak RSS."""
    env = child_env()
    console_args = [str(HERE / "paint_app.py"), "--cache", str(cache), "--today", TODAY.isoformat()]
    bare_args = [str(HERE / "bare_app.py")]
    peaks: list[float] = []

    def console() -> float:
        seconds, peak = run_on_pty(console_args, env)
        peaks.append(peak)
        return seconds

    def bare() -> float:
        return run_on_pty(bare_args, env)[0]

    pair = alternate(console, bare, pairs, warmup=1)
    return {"paint": pair, "peak_mb": Figure(tuple(peaks[1:]))}
