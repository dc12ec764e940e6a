"""Cost Explorer queries and how their answers become daily cost rows.

GetCostAndUsage allows two GroupBy keys, but a cost row needs environment x
service x usage type (for the GPU and EBS rules) x linked account. We ask three
DAILY questions over the same window, each with both metrics (one call, both
amounts stored):

``facts``     [TAG:<env key>, SERVICE]            exact spend per day x environment tag x service
``detail``    [SERVICE, USAGE_TYPE]               how each service's day splits into usage types
``accounts``  [LINKED_ACCOUNT, TAG:<env key>]     how each environment tag's day splits into accounts

Every ``facts`` amount is split over the usage types of its service that day, and
over the accounts of its tag value that day, in proportion to their absolute
amounts. Totals per day x environment x service are therefore exact; only the
cross of usage type with environment (and of account with service) is an
estimate, which is what Cost Explorer can give for three requests instead of one
request per service. Usage type decides the category (EC2 "BoxUsage:g5.xlarge" is
AI/ML, "EBS:VolumeUsage.gp3" is Storage), so category totals per day are exact.

With ``categories.aws_cost_category`` set, the account's own Cost Category is
used: ``facts`` is [COST_CATEGORY:<name>, TAG:<env key>] and ``detail`` is
[COST_CATEGORY:<name>, SERVICE] (no usage types are needed then).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from finops_tui.allocation.categories import instance_type_from_usage
from finops_tui.config import Settings
from finops_tui.sources.aws import METRICS, group_values, strip_key_prefix
from finops_tui.store.db import CostRow

SOURCE = "ce"


@dataclass(frozen=True)
class CostQuery:
    name: str
    group_by: tuple[tuple[str, str], ...]  # (Type, Key)

    def request(self, start: date, end: date) -> dict[str, Any]:
        """The GetCostAndUsage arguments for days ``start`` .. ``end`` (exclusive)."""
        return {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Granularity": "DAILY",
            "Metrics": list(METRICS),
            "GroupBy": [{"Type": kind, "Key": key} for kind, key in self.group_by],
        }


def plan_queries(settings: Settings) -> list[CostQuery]:
    tag = settings.environments.tag_key
    cost_category = settings.categories.aws_cost_category
    if cost_category:
        facts = CostQuery("facts", (("COST_CATEGORY", cost_category), ("TAG", tag)))
        detail = CostQuery("detail", (("COST_CATEGORY", cost_category), ("DIMENSION", "SERVICE")))
    else:
        facts = CostQuery("facts", (("TAG", tag), ("DIMENSION", "SERVICE")))
        detail = CostQuery("detail", (("DIMENSION", "SERVICE"), ("DIMENSION", "USAGE_TYPE")))
    accounts = CostQuery("accounts", (("DIMENSION", "LINKED_ACCOUNT"), ("TAG", tag)))
    return [facts, detail, accounts]


Amounts = tuple[float, float]  # (amortized, billed)


def _shares(parts: list[tuple[str, Amounts]]) -> list[tuple[str, float]]:
    """Weights that add up to 1, by absolute amortized (else billed) amount; [('', 1)] when nothing splits."""
    for index in (0, 1):
        total = sum(abs(amounts[index]) for _, amounts in parts)
        if total > 0:
            return [(value, abs(amounts[index]) / total) for value, amounts in parts if amounts[index]]
    return [("", 1.0)]


class CostAssembler:
    """Collects the pages of the three queries and turns them into :class:`CostRow`s."""

    def __init__(self, settings: Settings) -> None:
        self.cost_category = settings.categories.aws_cost_category
        self.facts: dict[tuple[str, str, str], Amounts] = {}  # (day, tag value, service or cost category)
        self.detail: dict[tuple[str, str], list[tuple[str, Amounts]]] = defaultdict(list)
        self.accounts: dict[tuple[str, str], list[tuple[str, Amounts]]] = defaultdict(list)
        self.estimated_days: set[str] = set()
        self.days: set[str] = set()

    def add_pages(self, query: CostQuery, pages: Iterable[dict[str, Any]]) -> None:
        for page in pages:
            for period in page.get("ResultsByTime", []):
                day = period["TimePeriod"]["Start"]
                self.days.add(day)
                if period.get("Estimated"):
                    self.estimated_days.add(day)
            for day, _end, _estimated, keys, amounts in group_values(page):
                pair = (amounts[METRICS[0]], amounts[METRICS[1]])
                if len(keys) != 2:
                    continue
                first, second = keys
                if query.name == "facts":
                    if self.cost_category:  # [COST_CATEGORY, TAG]
                        key = (day, strip_key_prefix(second), strip_key_prefix(first))
                    else:  # [TAG, SERVICE]
                        key = (day, strip_key_prefix(first), second)
                    previous = self.facts.get(key, (0.0, 0.0))
                    self.facts[key] = (previous[0] + pair[0], previous[1] + pair[1])
                elif query.name == "detail":
                    self.detail[(day, strip_key_prefix(first))].append((second, pair))
                elif query.name == "accounts":
                    self.accounts[(day, strip_key_prefix(second))].append((first, pair))

    def rows(self) -> list[CostRow]:
        """Daily rows: day x account x service x usage type x (AWS Cost Category value) x raw environment tag value.

        Category and environment are not decided here: the config allocates these
        raw dimensions when figures are read. With ``categories.aws_cost_category``
        the account's own Cost Category value is kept as the row's category.
        """
        totals: dict[tuple[str, str, str, str, str, str], list[float]] = {}
        for (day, tag_value, pivot), (amortized, billed) in self.facts.items():
            details = _shares(self.detail.get((day, pivot), []))
            accounts = _shares(self.accounts.get((day, tag_value), []))
            for detail_value, detail_share in details:
                if self.cost_category:
                    service, usage_type = detail_value, ""
                else:
                    service, usage_type = pivot, detail_value
                category = pivot if self.cost_category else ""
                for account, account_share in accounts:
                    environment = tag_value
                    share = detail_share * account_share
                    key = (day, account, service, usage_type, category, environment)
                    bucket = totals.setdefault(key, [0.0, 0.0])
                    bucket[0] += amortized * share
                    bucket[1] += billed * share
        rows = []
        for (day, account, service, usage_type, category, environment), (amortized, billed) in sorted(totals.items()):
            if amortized == 0 and billed == 0:
                continue
            charge_type = "credit" if min(amortized, billed) < 0 else "usage"
            rows.append(CostRow(day, account, service, usage_type, category, environment, "", amortized, billed,
                                charge_type, day in self.estimated_days, SOURCE,
                                instance_type=instance_type_from_usage(usage_type)))
        return rows
