"""First paint and peak memory of the console on the big cache, against a bare Textual app.

Budgets (ARCHITECTURE.md): first paint <= 1.5x a bare app (Header + Footer); peak memory <= 250 MB.
Each figure is the median of several process starts: from spawning the process (interpreter
start-up included) to the end of the first paint; shutdown is not counted for either.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.bigcache import TODAY

HERE = Path(__file__).resolve().parent


def _timed(args: list[str]) -> tuple[float, str]:
    """Seconds from spawning the child to its first paint (it prints that moment), and its output."""
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    # Cache bytecode as a user's machine does; the first (warm-up) start writes it for both apps.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.time()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, check=True)
    painted_at = float(done.stdout.split()[0])
    return painted_at - started, done.stdout


def bench_paint(cache: Path, runs: int = 7) -> dict[str, float]:
    _timed([str(HERE / "bare_app.py")])  # warm the OS file cache for both
    _timed([str(HERE / "paint_app.py"), str(cache), TODAY.isoformat()])
    bare = [_timed([str(HERE / "bare_app.py")])[0] for _ in range(runs)]
    console, peaks = [], []
    for _ in range(runs):
        seconds, out = _timed([str(HERE / "paint_app.py"), str(cache), TODAY.isoformat()])
        console.append(seconds)
        peaks.append(int(out.strip().splitlines()[-1]) / 1024)
    bare_s, console_s = statistics.median(bare), statistics.median(console)
    return {"bare_s": bare_s, "console_s": console_s, "ratio": console_s / bare_s, "peak_mb": max(peaks)}
