"""Every Cost Explorer answer is checked before the cache is touched.

A page with a missing or malformed field, or a query whose pages together
cover fewer days than the window asked for, raises :class:`SyncError` naming
what was wrong; the sync then records a failed run and keeps the previous rows.
Paging that repeats a ``NextPageToken`` or runs past :data:`MAX_PAGES` stops
before the daily request cap is spent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from finops_tui.errors import SyncError

MAX_PAGES = 500  # per query; a real daily window of a large organisation needs far fewer
REQUIRED_METRICS = ("AmortizedCost", "UnblendedCost")
HINT = "sync again later; the cache keeps its previous rows"


def _fail(query: str, page: int, what: str) -> SyncError:
    return SyncError(f"Cost Explorer answered a malformed page ({query} query, page {page}): {what}", HINT)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def check_amount(query: str, page: int, where: str, metrics: Any, name: str, currency: str) -> None:
    metric = metrics.get(name) if isinstance(metrics, dict) else None
    if not isinstance(metric, dict) or "Amount" not in metric:
        raise _fail(query, page, f"{where} has no {name}")
    amount = metric.get("Amount")
    try:
        value = float(amount)
    except (TypeError, ValueError):
        raise _fail(query, page, f"{where} has {name} {str(amount)[:40]!r}, not a number") from None
    if not math.isfinite(value):
        raise _fail(query, page, f"{where} has {name} {amount!r}, not a finite number")
    unit = metric.get("Unit")
    if unit and name != "UsageQuantity" and unit != currency:
        raise _fail(query, page, f"{where} is in {str(unit)[:12]}, but this cache holds {currency}")


def check_pages(query: str, keys: int, pages: Iterable[Any], start: date, end: date, currency: str,
                metrics: tuple[str, ...] = REQUIRED_METRICS) -> None:
    """Raise unless every page is well formed and the pages cover every day ``start`` .. ``end`` (exclusive)."""
    seen: set[date] = set()
    for number, page in enumerate(pages, start=1):
        if not isinstance(page, dict) or not isinstance(page.get("ResultsByTime"), list):
            raise _fail(query, number, "no ResultsByTime")
        for period in page["ResultsByTime"]:
            span = period.get("TimePeriod") if isinstance(period, dict) else None
            first = _day(span.get("Start")) if isinstance(span, dict) else None
            last = _day(span.get("End")) if isinstance(span, dict) else None
            if first is None or last is None or last != first + timedelta(days=1):
                raise _fail(query, number, f"a period without a one-day TimePeriod ({str(span)[:60]})")
            groups = period.get("Groups")
            if not isinstance(groups, list):
                raise _fail(query, number, f"{first.isoformat()} has no Groups")
            for group in groups:
                group_keys = group.get("Keys") if isinstance(group, dict) else None
                if not isinstance(group_keys, list) or len(group_keys) != keys or not all(isinstance(k, str) for k in group_keys):
                    found = len(group_keys) if isinstance(group_keys, list) else "no"
                    raise _fail(query, number, f"a group on {first.isoformat()} has {found} keys instead of {keys}")
                where = f"group {'/'.join(group_keys)[:60]} on {first.isoformat()}"
                group_metrics = group.get("Metrics")
                if not isinstance(group_metrics, dict):
                    raise _fail(query, number, f"{where} has no Metrics")
                for name in metrics:
                    check_amount(query, number, where, group_metrics, name, currency)
            seen.add(first)
    asked = {start + timedelta(days=offset) for offset in range((end - start).days)}
    missing = sorted(asked - seen)
    if missing:
        span = missing[0].isoformat() if len(missing) == 1 else f"{missing[0].isoformat()} to {missing[-1].isoformat()}"
        raise SyncError(f"Cost Explorer answered {len(asked) - len(missing)} of the {len(asked)} days asked "
                        f"({query} query; missing {span})", HINT)


def next_token(query: str, page_number: int, page: Any, seen_tokens: set[str]) -> str | None:
    """The page's NextPageToken, refusing one seen before or paging past :data:`MAX_PAGES`."""
    token = page.get("NextPageToken") if isinstance(page, dict) else None
    if not token:
        return None
    if token in seen_tokens:
        raise SyncError(f"Cost Explorer repeated a NextPageToken ({query} query, page {page_number}); stopped paging", HINT)
    if page_number >= MAX_PAGES:
        raise SyncError(f"Cost Explorer kept paging past {MAX_PAGES} pages ({query} query); stopped", HINT)
    seen_tokens.add(token)
    return token
