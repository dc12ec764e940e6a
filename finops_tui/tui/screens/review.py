"""The `v` screen: the FinOps review of a month, every section, and a drill-down into each item.

Imported only when `v` is pressed (never on the console's start path). The
review is computed in a worker (SQLite and pandas off the UI thread), again on
every refresh and after a sync (both are live screens, ``screens/live.py``);
the screens only render the view-model.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from finops_tui.analytics.review import Review, last_complete_month
from finops_tui.analytics.rules import APPROVER_NAMES
from finops_tui.tui.format import money, percent, printable
from finops_tui.tui.screens.live import LiveScreen
from finops_tui.tui.widgets.keyed_table import KeyedTable

APPROVALS_KEY = "approvals:section"  # the overview row of the approvals section (never a review item id)
COVERAGE_SOURCES = {"cost_explorer": "Cost Explorer", "cache": "cache", "none": "no data"}
RIGHTSIZING_SOURCES = {"cost_optimization_hub": "Cost Optimization Hub", "compute_optimizer": "Compute Optimizer",
                       "cloudwatch": "CloudWatch CPU", "none": "no recommendations"}


def _cell(text: str, right: bool = False) -> Text:
    return Text(printable(text), justify="right" if right else "left")


def _range(low: float, high: float | None) -> str:
    return f"{money(low)}+" if high is None else f"{money(low)} - {money(high)}"


def _month_step(month: str, step: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 + step
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _title(review_month: str, *parts: str) -> Content:
    year, number = (int(part) for part in review_month.split("-"))
    trail = " › ".join(printable(part) for part in (date(year, number, 1).strftime("%B %Y"), *parts))
    return Content.assemble(("FinOps review › ", "$text-muted"), (trail, "bold"))


def section_rows(review: Review) -> list[tuple[str, tuple[Text, ...]]]:
    """(key, cells) of the review's overview: the levers, then one row per section and transfer class."""
    rows = [(lever.id, (_cell("Lever"), _cell(lever.name), _cell(money(lever.base), True),
                        _cell(_range(lever.saving_low, lever.saving_high), True), _cell(APPROVER_NAMES[lever.approval])))
            for lever in review.levers]
    rs = review.rightsizing
    rows.append(("rightsizing:section", (_cell("Right-sizing"), _cell(f"{len(rs.items)} from {RIGHTSIZING_SOURCES[rs.source]}"),
                                         _cell("", True), _cell(money(rs.monthly_saving), True), _cell(""))))
    cov = review.coverage
    rows.append(("coverage", (_cell("Coverage"), _cell(f"SP {percent(cov.savings_plans.coverage_pct)} · RI "
                                                       f"{percent(cov.reservations.coverage_pct)} ({COVERAGE_SOURCES[cov.source]})"),
                              _cell(money(cov.on_demand_eligible), True), _cell(_range(cov.saving_low, cov.saving_high), True),
                              _cell(""))))
    sp = review.spot
    rows.append((sp.id, (_cell("Spot"), _cell(f"on-demand EC2, non-production, {sp.discount_pct:.1f}% off"),
                         _cell(money(sp.eligible), True), _cell(money(sp.saving), True), _cell(APPROVER_NAMES[sp.approval]))))
    for t in review.data_transfer:
        change = "-" if t.change_pct is None else f"{t.change_pct:+.1f}% vs {money(t.previous_cost)}"
        rows.append((t.id, (_cell("Data transfer"), _cell(f"{t.title}, {t.gb:,.2f} GB"), _cell(money(t.cost), True),
                            _cell(change, True), _cell(""))))
    ap = review.approvals
    if ap is not None:
        pending = sum(line.count for line in ap.pending)
        rows.append((APPROVALS_KEY, (_cell("Approvals"), _cell(f"{ap.opened} opened, {ap.approved} approved, "
                                                               f"{ap.rejected} rejected, {pending} pending"),
                                     _cell(money(sum(line.monthly_amount for line in ap.pending)), True),
                                     _cell(f"{money(ap.realised_savings)} realised", True), _cell(""))))
    return rows


def section_how(review: Review, key: str) -> str:
    """The words under the table: how the highlighted row's figure was computed."""
    if key == APPROVALS_KEY and review.approvals is not None:
        ap = review.approvals
        return (f"approval items in {ap.month}: {ap.opened} opened, {ap.approved} approved, {ap.rejected} rejected, "
                f"{ap.done} done, {ap.withdrawn} withdrawn; pending as of {ap.as_of} ($ a month waiting); realised "
                f"{money(ap.realised_savings)} a month of {money(ap.expected_savings)} expected from the done items "
                f"measured over approvals.verify_days after the change")
    found = review.find(key)
    if key == "rightsizing:section":
        return "; ".join([review.rightsizing.source_how, *review.rightsizing.notes])
    if key == "coverage":
        return "; ".join([review.coverage.source_how, *review.coverage.notes])
    if key == "spot":
        return review.spot.eligible_how
    if key.startswith("transfer:") and found is not None:
        cpg = "-" if found.cost_per_gb is None else f"${found.cost_per_gb:.4f}"
        return f"{found.title}: {money(found.cost)} for {found.gb:,.2f} GB ({cpg} per GB); month before {money(found.previous_cost)}"
    return getattr(found, "base_how", "")


def detail_rows(review: Review, key: str) -> list[tuple[str, tuple[Text, ...]]]:
    """(key, cells) of one item's drill-down: what makes up its figure."""
    if key == APPROVALS_KEY:
        ap = review.approvals
        if ap is None:
            return []
        rows = [(f"pending:{line.tier}", (_cell(f"Pending: {APPROVER_NAMES[line.tier]}"), _cell(f"{line.count} waiting"),
                                          _cell(money(line.monthly_amount), True),
                                          _cell("ages " + (", ".join(f"{age} d" for age in line.ages) or "-"))))
                for line in ap.pending]
        rows += [(f"saving:{v.id}", (_cell(f"#{v.id} {v.title}"), _cell(v.verdict), _cell(money(v.realised_monthly), True),
                                     _cell(f"realised of {money(v.expected_monthly)} expected"
                                           + ("" if v.direction == "saving" else " (an increase)"))))
                 for v in ap.verified]
        return rows
    if key == "rightsizing:section":
        return [(i.id, (_cell(i.resource_id), _cell(f"{i.current} -> {i.suggested}"), _cell(money(i.monthly_saving), True),
                        _cell(f"{APPROVER_NAMES[i.approval]}; {i.detail or i.source}")))
                for i in review.rightsizing.items]
    if key == "coverage":
        cov = review.coverage
        lines = [("sp", "Savings Plans", f"coverage {percent(cov.savings_plans.coverage_pct)}",
                  f"utilization {percent(cov.savings_plans.utilization_pct)}"),
                 ("ri", "Reserved Instances", f"coverage {percent(cov.reservations.coverage_pct)}",
                  f"utilization {percent(cov.reservations.utilization_pct)}"),
                 ("on_demand", "On-demand eligible, uncovered", money(cov.on_demand_eligible), ""),
                 ("committed", "Already covered", money(cov.committed), ""),
                 ("base_load", "Base load", f"{money(cov.base_load_hourly)}/h", f"{money(cov.base_load_daily)} a day")]
        return [(k, (_cell(a), _cell(""), _cell(b, True), _cell(c))) for k, a, b, c in lines]
    if key == "spot":
        return [(f.family, (_cell(f.family), _cell(f"{f.discount_pct:.1f}% ({f.discount_source})"), _cell(money(f.saving), True),
                            _cell(f"eligible {money(f.eligible)}"))) for f in review.spot.families]
    found = review.find(key)
    if key.startswith("transfer:") and found is not None:
        return [(f"{t.by}:{t.name}", (_cell(t.by), _cell(t.name), _cell(money(t.cost), True), _cell(f"{t.gb:,.2f} GB")))
                for t in found.top]
    items = getattr(found, "items", ())
    return [(item.id, (_cell(item.name), _cell(""), _cell(money(item.amount), True), _cell(item.detail))) for item in items]


class ReviewTable(KeyedTable):
    BINDINGS = [Binding("enter", "select_cursor", "Open", tooltip="What makes up the highlighted figure", id="review.open")]


class ReviewScreen(LiveScreen):
    """Every section of the review of one month; `enter` opens an item, `[`/`]` step the month.

    Live like every screen: the header with its badges, and the review computed again (in a worker) on the
    refresh timer and after a sync, the cursor kept.
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the dashboard", id="review.back"),
        Binding("left_square_bracket", "step_review(-1)", "Prev month", key_display="[", id="review.prev_month",
                tooltip="Review the month before"),
        Binding("right_square_bracket", "step_review(1)", "Next month", key_display="]", id="review.next_month",
                tooltip="Review the month after (up to the current one)"),
    ]

    def __init__(self, month: str | None = None) -> None:
        super().__init__()
        self.month = month
        self.review: Review | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(id="drill-title")
        with Vertical(classes="pane", id="pane-review"):
            yield ReviewTable([("section", "Section"), ("item", "Item"), ("amount", "Base / spend"),
                               ("saving", "Saving / change"), ("approval", "Approval")], id="review-items")
        yield Static(id="review-how", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.month = self.month or last_complete_month(self.app.clock.today)  # type: ignore[attr-defined]
        self.query_one("#pane-review").border_title = "Levers and sections"
        self.query_one("#drill-title", Static).update(_title(self.month, "computing…"))
        self.query_one(ReviewTable).focus()
        super().on_mount()

    def action_step_review(self, step: int) -> None:
        wanted = _month_step(self.month or "", step)
        if wanted > self.app.clock.today.strftime("%Y-%m"):  # type: ignore[attr-defined]
            self.notify("Already the current month.", severity="warning", timeout=2)
            return
        self.month = wanted
        self.query_one("#drill-title", Static).update(_title(wanted, "computing…"))
        self.reload_view(self.app.view_today, self.app.environment)  # type: ignore[attr-defined]

    def read_view(self, today: date, environment: str | None) -> Review:
        """Worker thread: the review of the month shown (SQLite and pandas off the UI thread)."""
        from finops_tui.analytics.review import build_review

        app = self.app
        return build_review(app.store, app.settings, app.clock, self.month)  # type: ignore[attr-defined]

    def show_view_data(self, review: Review) -> None:
        if review.month != self.month:
            return  # a month stepped past while it was computed
        self.review = review
        state = "closed" if review.closed else f"open, {review.complete_days} complete days"
        self.query_one("#drill-title", Static).update(Content.assemble(
            _title(review.month), f" · {state} · as of {review.as_of} · {review.metric} · saving "
            f"{money(review.saving_low)} - {money(review.saving_high)} a month"))
        table = self.query_one(ReviewTable)
        table.show_rows(section_rows(review))
        self.query_one("#pane-review").border_subtitle = "; ".join(review.notes)
        self._show_how(table.selected_key)
        for screen in self.app.screen_stack:  # an item opened from this review: the same figures, read once
            if isinstance(screen, ReviewItemScreen) and screen.review.month == review.month:
                screen.show_review(review)

    def _show_how(self, key: str | None) -> None:
        text = section_how(self.review, key) if self.review is not None and key else ""
        self.query_one("#review-how", Static).update(Text(printable(text)))

    @on(DataTable.RowHighlighted, "#review-items")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_how(event.row_key.value if event.row_key else None)

    @on(DataTable.RowSelected, "#review-items")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.review is not None and event.row_key.value:
            self.app.push_screen(ReviewItemScreen(self.review, event.row_key.value))


class ReviewItemScreen(LiveScreen):
    """One lever or section of the review: what makes up its figure, and how it was computed.

    Live through the review screen below it: that one reads the review again (the header is this screen's own).
    """

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", tooltip="Back to the review", id="review.item_back")]

    def __init__(self, review: Review, key: str) -> None:
        super().__init__()
        self.review = review
        self.key = key

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(id="drill-title")
        yield Static(id="review-item-how", markup=False)
        with Vertical(classes="pane", id="pane-review-item"):
            yield KeyedTable([("name", "Item"), ("what", "What"), ("amount", "Amount"), ("detail", "Detail")],
                             id="review-item")
        yield Footer()

    def on_mount(self) -> None:
        self.show_review(self.review)
        self.query_one(KeyedTable).focus()
        super().on_mount()

    def show_review(self, review: Review) -> None:
        self.review = review
        found = review.find(self.key)
        label = {"rightsizing:section": "Right-sizing", "coverage": "Commitment coverage", "spot": "Spot",
                 APPROVALS_KEY: "Approvals"}.get(self.key) \
            or getattr(found, "title", None) or getattr(found, "name", self.key)
        self.query_one("#drill-title", Static).update(_title(review.month, str(label or self.key)))
        self.query_one("#review-item-how", Static).update(Text(printable(section_how(review, self.key))))
        rows = detail_rows(review, self.key)
        self.query_one(KeyedTable).show_rows(rows)
        self.query_one("#pane-review-item").border_title = f"{len(rows)} items"
        self.query_one("#pane-review-item").border_subtitle = "" if rows else "nothing this month"
