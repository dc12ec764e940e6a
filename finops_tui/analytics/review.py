"""The FinOps review of one month: the framework's levers in dollars, coverage, right-sizing, Spot, data transfer.

``build_review(store, settings, clock, month)`` returns a :class:`Review`: plain
data (no UI types) that ``review --format md|json|csv``, the console's ``v``
screen, the monthly report's review section and the first-Monday message all
render. pandas is imported only while a review is computed (never on the
console's start path): importing this module is cheap.

Every figure comes from the cache's usage-based spend of the month (charge type
``usage``), in the configured metric, through ``store/review_queries.py``.

Stable ids (what ``approvals propose review:<id>`` names)
---------------------------------------------------------
- a lever: its config key, ``s3_lifecycle``, ``rightsizing``, ``commitments``,
  ``graviton``, ``serverless``;
- a right-sizing recommendation: ``rightsizing:<resource id>``;
- the Spot move: ``spot``;
- a serverless candidate: ``serverless:<resource id>``, or
  ``serverless:<usage type>@<account>/<environment>`` when the cache has no resource ids;
- a data-transfer class: ``transfer:<class>`` (``cross_az``, ``inter_region``,
  ``internet_out``, ``nat``).
An id depends only on what it names, never on its rank or amount, so it stays
the same from one computation of the month to the next. ``Review.find(id)``
returns the item (a :class:`Lever`, :class:`RightsizingItem`, :class:`Spot`,
:class:`LeverItem` or :class:`TransferClass`) with its monthly saving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from finops_tui.clock import Clock
from finops_tui.config import Settings
from finops_tui.errors import InputError
from finops_tui.store.db import Store


@dataclass(frozen=True)
class LeverItem:
    """One part of a lever's base (a usage type, a family, a candidate resource), for the drill-down."""

    id: str
    name: str
    amount: float  # the month's spend it contributes
    detail: str = ""


@dataclass(frozen=True)
class Lever:
    id: str
    name: str
    level: str  # Low | Medium | High, as in the framework
    base: float
    base_how: str
    low_pct: float
    high_pct: float | None  # None: open-ended ("50 %+")
    saving_low: float
    saving_high: float | None
    approval: str  # tier of saving_low
    items: tuple[LeverItem, ...] = ()

    @property
    def monthly_saving(self) -> float:
        return self.saving_low

    @property
    def range_text(self) -> str:
        low = f"{self.low_pct:g}"
        return f"{low}%+" if self.high_pct is None else f"{low}-{self.high_pct:g}%"


@dataclass(frozen=True)
class CommitmentFigures:
    coverage_pct: float | None
    utilization_pct: float | None


@dataclass(frozen=True)
class Coverage:
    source: str  # cost_explorer | cache | none
    source_how: str
    savings_plans: CommitmentFigures
    reservations: CommitmentFigures
    on_demand_eligible: float  # commitment-eligible spend still on demand (uncovered)
    committed: float  # eligible spend already covered by Savings Plans or reservations
    base_load_daily: float
    base_load_hourly: float
    saving_low: float
    saving_high: float | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RightsizingItem:
    id: str
    resource_id: str
    current: str
    suggested: str
    monthly_saving: float
    source: str  # cost_optimization_hub | compute_optimizer | cloudwatch
    approval: str
    detail: str = ""


@dataclass(frozen=True)
class Rightsizing:
    source: str  # cost_optimization_hub | compute_optimizer | cloudwatch | none
    source_how: str
    items: tuple[RightsizingItem, ...]
    notes: tuple[str, ...] = ()  # optional sources not enrolled / denied

    @property
    def monthly_saving(self) -> float:
        return sum(item.monthly_saving for item in self.items)


@dataclass(frozen=True)
class SpotFamily:
    family: str
    eligible: float
    discount_pct: float
    discount_source: str  # account | default
    saving: float


@dataclass(frozen=True)
class Spot:
    id: str
    eligible: float
    already_spot: float
    discount_pct: float  # effective discount over every eligible family
    saving: float
    approval: str
    eligible_how: str
    families: tuple[SpotFamily, ...] = ()

    @property
    def monthly_saving(self) -> float:
        return self.saving


@dataclass(frozen=True)
class TransferTop:
    by: str  # service | environment | account
    name: str
    cost: float
    gb: float


@dataclass(frozen=True)
class TransferClass:
    id: str
    name: str  # the class key: cross_az | inter_region | internet_out | nat
    title: str
    cost: float
    gb: float
    cost_per_gb: float | None
    previous_cost: float
    change_pct: float | None
    top: tuple[TransferTop, ...] = ()

    @property
    def monthly_saving(self) -> float:
        return 0.0


@dataclass(frozen=True)
class Review:
    month: str
    as_of: str
    first_day: str
    last_day: str  # the last day counted: the month's last day, or yesterday for the current month
    closed: bool
    complete_days: int
    days_in_month: int
    metric: str
    currency: str
    levers: tuple[Lever, ...]
    coverage: Coverage
    rightsizing: Rightsizing
    spot: Spot
    data_transfer: tuple[TransferClass, ...]
    usage_total: float  # the month's usage-based spend the review looked at
    notes: tuple[str, ...] = field(default=())
    # The month's approvals (finops_tui.approvals.summary.ApprovalsSummary): opened, decided, pending by tier,
    # realised savings; the same section as the monthly report's.
    approvals: Any = None

    @property
    def saving_low(self) -> float:
        return sum(lever.saving_low for lever in self.levers)

    @property
    def saving_high(self) -> float:
        return sum(lever.saving_high if lever.saving_high is not None else lever.saving_low for lever in self.levers)

    def find(self, item_id: str) -> Any | None:
        """The lever, recommendation, Spot move, candidate or transfer class with this stable id."""
        for lever in self.levers:
            if lever.id == item_id:
                return lever
            for item in lever.items:
                if item.id == item_id:
                    return item
        for item in self.rightsizing.items:
            if item.id == item_id:
                return item
        if item_id == self.spot.id:
            return self.spot
        return next((t for t in self.data_transfer if t.id == item_id), None)


def last_complete_month(today: date) -> str:
    """The month the review is held for by default: the one before today's."""
    index = today.year * 12 + today.month - 2
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_review_month(text: str | None, today: date) -> str:
    """``YYYY-MM`` checked: not malformed, not after today's month. None means the last complete month."""
    if not text:
        return last_complete_month(today)
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise InputError(f"--month {text!r} is not a month in the form YYYY-MM") from None
    if first > today:
        raise InputError(f"--month {text} is after today ({today.isoformat()}): there is nothing to review yet")
    return f"{year:04d}-{month:02d}"


def build_review(store: Store, settings: Settings, clock: Clock, month: str | None = None) -> Review:
    """The review of ``month`` (YYYY-MM; default the last complete month) from the cache, as of the clock's today."""
    from finops_tui.analytics.review_build import compute_review

    return compute_review(store, settings, clock.today, parse_review_month(month, clock.today))


def review_json(review: Review) -> dict[str, Any]:
    """The ``review --format json`` contract (README, "review --format json"); money rounded to cents."""
    coverage = review.coverage
    return {
        "month": review.month,
        "as_of": review.as_of,
        "levers": [{"id": lever.id, "name": lever.name, "base": lever.base, "base_how": lever.base_how,
                    "low_pct": lever.low_pct, "high_pct": lever.high_pct, "saving_low": lever.saving_low,
                    "saving_high": lever.saving_high, "approval": lever.approval} for lever in review.levers],
        "coverage": {
            "source": coverage.source,
            "savings_plans": {"coverage_pct": coverage.savings_plans.coverage_pct,
                              "utilization_pct": coverage.savings_plans.utilization_pct},
            "reservations": {"coverage_pct": coverage.reservations.coverage_pct,
                             "utilization_pct": coverage.reservations.utilization_pct},
            "on_demand_eligible": coverage.on_demand_eligible,
            "base_load_hourly": coverage.base_load_hourly,
        },
        "rightsizing": {"source": review.rightsizing.source, "items": [
            {"resource_id": item.resource_id, "current": item.current, "suggested": item.suggested,
             "monthly_saving": item.monthly_saving, "approval": item.approval} for item in review.rightsizing.items]},
        "spot": {"eligible": review.spot.eligible, "discount_pct": review.spot.discount_pct, "saving": review.spot.saving},
        "data_transfer": [{"class": t.name, "cost": t.cost, "gb": t.gb, "cost_per_gb": t.cost_per_gb,
                           "previous_cost": t.previous_cost,
                           "top": [{"by": top.by, "name": top.name, "cost": top.cost, "gb": top.gb} for top in t.top]}
                          for t in review.data_transfer],
        "approvals": None if review.approvals is None else review.approvals.to_json(),
    }
