"""Moved to :mod:`finops_tui.allocation.environments` (allocation is its own room below ``sources/``)."""

from finops_tui.allocation.environments import EnvironmentMapper

__all__ = ["EnvironmentMapper"]
