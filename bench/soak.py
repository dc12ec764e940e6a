"""Soak: the console left open for 30 minutes at a 1 s refresh; memory, threads and CPU over time.

`python -m bench.soak [--minutes 30] [--every 60] [--cache PATH]` runs the real
console in a pseudo-terminal (offline, refresh.interval_seconds = 1) on the big
cache (built once under bench/.data/), samples /proc every ``--every`` seconds
and prints one line per sample, then quits it with `q`. Figures, not a test:
flat memory and threads, and CPU well below one core, are what to look for.
"""

from __future__ import annotations

import argparse
import os
import pty
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")


def _sample(pid: int) -> tuple[float, int, float]:
    """(resident MB, threads, CPU seconds so far) of a process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in status if ":" in line)
    rss_mb = int(fields["VmRSS"].split()[0]) / 1024
    threads = int(fields["Threads"])
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(stat[11]) + int(stat[12])) / TICKS  # utime + stime
    return rss_mb, threads, cpu


def _drain(fd: int, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


def soak(cache: Path, minutes: float, every: float) -> list[tuple[float, float, int, float]]:
    """Rows of (elapsed s, RSS MB, threads, CPU % over the last interval)."""
    from bench.caches import TODAY

    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "soak.toml"
        config.write_text("[refresh]\ninterval_seconds = 1\n")
        master, slave = pty.openpty()
        env = dict(os.environ, PYTHONPATH=str(HERE.parent), TERM="xterm-256color", COLUMNS="120", LINES="40")
        child = subprocess.Popen([sys.executable, "-m", "finops_tui", "--cache", str(cache), "--config", str(config),
                                  "--today", TODAY.isoformat(), "tui", "--offline"],
                                 stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
        os.close(slave)
        stop = threading.Event()
        reader = threading.Thread(target=_drain, args=(master, stop), daemon=True)
        reader.start()
        rows: list[tuple[float, float, int, float]] = []
        started = time.monotonic()
        last_cpu, last_at = 0.0, started
        try:
            while time.monotonic() - started < minutes * 60 and child.poll() is None:
                time.sleep(every)
                if child.poll() is not None:
                    break
                rss, threads, cpu = _sample(child.pid)
                now = time.monotonic()
                rows.append((now - started, rss, threads, 100 * (cpu - last_cpu) / (now - last_at)))
                last_cpu, last_at = cpu, now
                print(f"{rows[-1][0] / 60:6.1f} min  RSS {rss:7.1f} MB  threads {threads:3d}  CPU {rows[-1][3]:5.1f} %",
                      flush=True)
        finally:
            if child.poll() is None:
                os.write(master, b"q")
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            stop.set()
            os.close(master)
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--cache", type=Path, help="a cache to use (default: the bench's 1 M-row cache, built once)")
    args = parser.parse_args()
    from bench.caches import build_cache

    cache = args.cache or build_cache("1M")
    rows = soak(cache, args.minutes, args.every)
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        print(f"soak {last[0] / 60:.1f} min at a 1 s refresh: RSS {first[1]:.1f} -> {last[1]:.1f} MB "
              f"(max {max(r[1] for r in rows):.1f}), threads {first[2]} -> {last[2]}, "
              f"CPU mean {sum(r[3] for r in rows) / len(rows):.1f} %")


if __name__ == "__main__":
    main()
