"""How figures look on screen: money, percentages, ages, sparklines. Pure text helpers."""

from __future__ import annotations

from finops_tui.money import usd as money  # noqa: F401 - the panes' name for it

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"

# C0/C1 control characters (ESC, BEL, CR...) would reach the terminal: show them as visible escapes.
_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))}


def printable(text: str) -> str:
    """Outside text (tags, resource names) with control characters made visible; markup is left as is."""
    return text.translate(_CONTROL)

# Theme variable of each budget level (ok, warning, critical, hard limit).
LEVEL_VARIABLE = {"ok": "success", "warning": "warning", "critical": "error", "hard_limit": "error"}
LEVEL_LABEL = {"ok": "ok", "warning": "warning", "critical": "critical", "hard_limit": "HARD LIMIT"}


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def signed_percent(value: float | None) -> str:
    return "new" if value is None else f"{value:+.1f}%"


def per_lead(value: float | None) -> str:
    return "-" if value is None else f"${value:.4f}"


def age(seconds: float | None) -> str:
    """A short age: 45s, 12m, 3h, 2d."""
    if seconds is None:
        return "never"
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds // 60:.0f}m"
    if seconds < 86400:
        return f"{seconds // 3600:.0f}h{(seconds % 3600) // 60:02.0f}m"
    return f"{seconds // 86400:.0f}d{(seconds % 86400) // 3600:.0f}h"


def sparkline(values: tuple[float, ...] | list[float]) -> str:
    """Unicode blocks scaled between the smallest and largest value."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = high - low
    if span <= 0:
        return SPARK_BLOCKS[0] * len(values)
    last = len(SPARK_BLOCKS) - 1
    return "".join(SPARK_BLOCKS[round((value - low) / span * last)] for value in values)


def scope_label(scope: str) -> str:
    return scope.split(":", 1)[1] if scope.startswith("category:") else scope


APPROVAL_LABEL = {"team_lead": "team lead", "vp_engineering": "VP Eng", "cto_cfo": "CTO/CFO"}

WASTE_KIND_LABEL = {
    "ebs_unattached": "idle EBS",
    "eip_unassociated": "idle IP",
    "instance_stopped": "stopped EC2",
    "lb_no_targets": "idle LB",
    "snapshot_old": "old snapshot",
    "untagged_spend": "untagged",
}


def short_resource(resource_id: str) -> str:
    """An ARN's resource part (``arn:aws:s3:::bucket`` -> ``bucket``); anything else unchanged."""
    if resource_id.startswith("arn:") and resource_id.count(":") >= 5:
        return resource_id.split(":", 5)[5]
    return resource_id

ENVIRONMENT_SHORT = {"production": "prod", "staging": "staging", "development": "dev", "rnd": "rnd",
                     "unallocated": "untagged"}
