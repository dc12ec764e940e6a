"""Cost per lead: the month-to-date value against the target, and a 30-day plot with the target line.

The plot (plotext, ~10 % of a start) is not part of the first frame: the app calls
:meth:`CostPerLeadPane.mount_plot` once that frame is on screen, and the plot draws the newest figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from finops_tui.analytics.snapshot import CostPerLead
from finops_tui.tui.format import per_lead

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot


def headline(cpl: CostPerLead, environment: str | None = None) -> Content:
    if cpl.complete_days == 0:
        verdict = Content.styled("no complete days yet", "$text-muted")
    elif cpl.month_to_date is None:
        verdict = Content.styled("no leads recorded", "$text-muted")
    elif cpl.on_target:
        verdict = Content.styled("ON TARGET", "bold $success")
    else:
        verdict = Content.styled("OFF TARGET", "bold reverse $error")
    label = f"{environment} cost per company lead" if environment else "per lead"
    parts: list[Content | str | tuple[str, str]] = [
        ("Month to date ", "bold"), per_lead(cpl.month_to_date), f" {label} · target ", (per_lead(cpl.target), "red"), " (red line) · ", verdict]
    if cpl.complete_days:
        parts += [" · ", (f"{cpl.days_with_leads} of {cpl.complete_days} days have leads", "$text-muted")]
    return Content.assemble(*parts)


def target_ticks(bottom: float, top: float, target: float) -> tuple[list[float], list[str]]:
    """The y ticks: the target itself (marked), and the bottom and top of the axis."""
    ticks = sorted({round(bottom, 4), round(target, 4), round(top, 4)})
    return ticks, [f"${tick:.4f}" + (" target" if tick == round(target, 4) else "") for tick in ticks]


class CostPerLeadPane(Vertical, can_focus=True):
    """Focusable as a whole (key 5); the plot is drawn through ``PlotextPlot().plt`` on the UI thread."""

    DEFAULT_CSS = """
    CostPerLeadPane { height: 1fr; }
    CostPerLeadPane > #cpl-headline { height: 1; padding: 0 1; }
    CostPerLeadPane > PlotextPlot { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cpl: CostPerLead | None = None
        self._plot: PlotextPlot | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="cpl-headline")

    def mount_plot(self) -> None:
        """Add the plot (imports plotext) and draw the figures shown so far; called after the first frame."""
        if self._plot is not None:
            return
        from textual_plotext import PlotextPlot

        self._plot = PlotextPlot(id="cpl-plot")
        self.mount(self._plot)
        if self._cpl is not None:
            self._draw(self._cpl)

    def show(self, cpl: CostPerLead, environment: str | None = None) -> None:
        self._cpl = cpl
        self.query_one("#cpl-headline", Static).update(headline(cpl, environment))
        if self._plot is not None:
            self._draw(cpl)

    def _draw(self, cpl: CostPerLead) -> None:
        plot = self._plot
        assert plot is not None
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        points = [(index, point.value) for index, point in enumerate(cpl.trend) if point.value is not None]
        if cpl.trend:  # the target first, so the daily values draw over it; no legend (it would cover data)
            plt.plot(list(range(len(cpl.trend))), [cpl.target] * len(cpl.trend), marker="braille", color="red")
            ticks = sorted({0, len(cpl.trend) // 2, len(cpl.trend) - 1})
            plt.xticks(ticks, [cpl.trend[tick].date[5:] for tick in ticks])
            plt.xlim(0, len(cpl.trend) - 1)
        if points:
            plt.plot([x for x, _ in points], [y for _, y in points], marker="braille")
        values = [y for _, y in points] + [cpl.target]
        low, high = min(values), max(values)
        margin = max((high - low) * 0.15, high * 0.02)
        bottom, top = max(0.0, low - margin), high + margin
        plt.ylim(bottom, top)
        plt.yticks(*target_ticks(bottom, top, cpl.target))
        plot.refresh()
