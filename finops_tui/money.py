"""Money as every front end writes it, and what watching costs. No UI imports."""

from __future__ import annotations

CE_REQUEST_USD = 0.01  # Cost Explorer bills every API request, every page included
ATHENA_USD_PER_TB = 5.0  # Athena bills the bytes each query scans ...
ATHENA_TB = 1024 ** 4  # ... per binary TB, rounded up to the next MB, at least 10 MB a query (sources/athena.py)


def usd(amount: float | None, *, whole: bool = False) -> str:
    """``-$1,234.50`` (``-$1,235`` when ``whole``); ``-`` for no value."""
    if amount is None:
        return "-"
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.0f}" if whole else f"{sign}${abs(amount):,.2f}"
