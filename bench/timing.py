"""Honest timing: A and B alternate run by run, and every figure is a median with its min-max.

Running all of A and then all of B lets the machine's load drift between the
two (other processes, CPU frequency, the page cache); alternating them pairs
each A with a B taken at nearly the same moment, and the ratio is taken per
pair before its median.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """Median and range of a series of measurements (seconds, ratios, MB: whatever was measured)."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def show(self, unit: str = "", scale: float = 1.0, digits: int = 0) -> str:
        """``12 ms (10-15)``: the median, then the min-max."""
        m, lo, hi = (v * scale for v in (self.median, self.low, self.high))
        return f"{m:.{digits}f}{unit} ({lo:.{digits}f}-{hi:.{digits}f})"


@dataclass(frozen=True)
class Pair:
    """An alternating A/B measurement: both series, and the per-pair ratio A/B."""

    a: Figure
    b: Figure
    ratio: Figure


def alternate(run_a: Callable[[], float], run_b: Callable[[], float], pairs: int, *, warmup: int = 1) -> Pair:
    """Run A, B, B, A, A, B, ... (the order flips each pair, so neither always goes first); ratio = A / B per pair."""
    for _ in range(warmup):
        run_a()
        run_b()
    a_values: list[float] = []
    b_values: list[float] = []
    for index in range(pairs):
        if index % 2 == 0:
            a, b = run_a(), run_b()
        else:
            b, a = run_b(), run_a()
        a_values.append(a)
        b_values.append(b)
    ratios = tuple(a / b for a, b in zip(a_values, b_values, strict=True))
    return Pair(Figure(tuple(a_values)), Figure(tuple(b_values)), Figure(ratios))


def repeat(run: Callable[[], object], runs: int, *, warmup: int = 1) -> Figure:
    """Seconds of ``runs`` calls of ``run`` (after ``warmup`` untimed ones)."""
    for _ in range(warmup):
        run()
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        values.append(time.perf_counter() - started)
    return Figure(tuple(values))
