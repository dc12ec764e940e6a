"""Environment budget bars: month to date against budget, coloured by level, marks at the thresholds."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from finops_tui.analytics.snapshot import BudgetLine, Snapshot
from finops_tui.approvals.states import line_key
from finops_tui.tui.format import APPROVAL_LABEL, LEVEL_LABEL, LEVEL_VARIABLE, money, percent, printable

BAR_SCALE_PCT = 130.0  # the bar's right edge, so the hard-limit mark (120 %) is visible
NAME_WIDTH = 12
FORECAST_WIDTH = 18  # " fc $123,456 warn"
# The forecast level in words as well as colour (a colour alone is lost on some terminals and some eyes).
FORECAST_WORD = {"ok": "ok", "warning": "warn", "critical": "crit", "hard_limit": "HARD"}


def _level_style(level: str | None) -> str:
    variable = LEVEL_VARIABLE.get(level or "ok", "success")
    return f"bold reverse ${variable}" if level == "hard_limit" else f"${variable}"


def bar(pct: float | None, level: str, width: int, marks: tuple[float, ...]) -> Content:
    """A bar ``width`` cells wide for ``pct`` of budget on a 0-130 % scale, with a tick at each mark."""
    width = max(width, 10)
    filled = 0 if pct is None else min(width, round(min(pct, BAR_SCALE_PCT) / BAR_SCALE_PCT * width))
    tick_at = {min(width - 1, round(mark / BAR_SCALE_PCT * width)) for mark in marks}
    fill_style = f"${LEVEL_VARIABLE.get(level, 'success')}"
    parts: list[tuple[str, str]] = []
    for cell in range(width):
        if cell in tick_at:
            parts.append(("┃" if cell < filled else "│", "bold $foreground"))
        elif cell < filled:
            parts.append(("█", fill_style))
        else:
            parts.append(("·", "$text-muted"))
    return Content.assemble(*parts)


class BudgetBars(Static, can_focus=True):
    """The four environments, the total, and the unallocated spend beside them."""

    DEFAULT_CSS = """
    BudgetBars { height: 1fr; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._snapshot: Snapshot | None = None
        self._marks: tuple[float, ...] = (80.0, 100.0, 120.0)

    def show(self, snapshot: Snapshot, marks: tuple[float, float, float]) -> None:
        self._snapshot = snapshot
        self._marks = marks
        self.refresh(layout=True)

    def _line(self, line: BudgetLine, width: int) -> list[Content]:
        """Two lines: the figures, then the bar with the forecast beside it."""
        name = "TOTAL" if line.name == "total" else line.name
        head = Content.assemble(
            (f"{name:<{NAME_WIDTH}}", "bold"),
            f"{money(line.mtd, whole=True):>9} of {money(line.budget, whole=True):<8}",
            (f"{percent(line.pct):>7} ", _level_style(line.level)),
            (LEVEL_LABEL.get(line.level, line.level), _level_style(line.level)),
        )
        head = Content.assemble(head, (self._approval_text(line, width - head.cell_length), "$text-muted"))
        if line.forecast_eom is None:
            forecast = Content(" fc -")
        else:
            forecast_style = f"${LEVEL_VARIABLE.get(line.forecast_level or 'ok', 'success')}"
            word = FORECAST_WORD.get(line.forecast_level or "ok", line.forecast_level or "")
            forecast = Content.assemble(" fc ", (f"{money(line.forecast_eom, whole=True)} {word}", forecast_style))
        bar_width = max(10, width - 2 - FORECAST_WIDTH)
        return [head, Content.assemble("  ", bar(line.pct, line.level, bar_width, self._marks), forecast)]

    def _approval_text(self, line: BudgetLine, room: int) -> str:
        """Who approves the projected overrun (max(forecast, month to date) - budget), or where its approval item
        stands; the longest form that fits in ``room`` cells (a line never wraps out of the pane)."""
        item = self._snapshot.approval_items.get(line_key(line.name)) if self._snapshot else None
        overrun = f" +{money(line.overrun, whole=True)}" if line.overrun is not None and line.approval is not None else ""
        if item is not None:
            forms = [f"{overrun} → {printable(item.text(APPROVAL_LABEL))}", f"{overrun} {item.state}", f" {item.state}"]
        elif overrun:
            forms = [f"{overrun} → {APPROVAL_LABEL.get(line.approval or '', line.approval)}"]
        else:
            return ""
        forms.append(overrun)
        return next((form for form in forms if len(form) <= room), "")

    def render(self) -> Content:
        snapshot = self._snapshot
        if snapshot is None:
            return Content("loading…")
        width = max(40, self.size.width - 2)
        lines: list[Content] = []
        for line in snapshot.environments:
            lines.extend(self._line(line, width))
        if snapshot.environment_filter is None or snapshot.total.budget > 0:
            if snapshot.environment_filter is None:
                lines.extend(self._line(snapshot.total, width))
        lines.append(Content.assemble(
            (f"{'unallocated':<{NAME_WIDTH}}", "bold"),
            f"{money(snapshot.unallocated_mtd, whole=True):>10} ",
            ("no budget: tag it", "$text-muted"),
        ))
        marks = " / ".join(f"{mark:g}%" for mark in self._marks)
        lines.append(Content.styled(f"marks at {marks} of budget", "$text-muted"))
        return Content("\n").join(lines)
