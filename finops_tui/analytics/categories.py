"""Moved to :mod:`finops_tui.allocation.categories` (allocation is its own room below ``sources/``)."""

from finops_tui.allocation.categories import Charge, CategoryRules, instance_type_from_usage

__all__ = ["Charge", "CategoryRules", "instance_type_from_usage"]
