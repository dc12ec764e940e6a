"""Cost Explorer queries and how their answers become daily cost rows.

GetCostAndUsage allows two GroupBy keys, but a cost row needs environment x
service x usage type (for the GPU and EBS rules) x linked account x charge
kind. We ask four DAILY questions over the same window, each with both metrics
(one call, both amounts stored):

``facts``     [TAG:<env key>, SERVICE]            exact spend per day x environment tag x service
``detail``    [SERVICE, USAGE_TYPE]               how each service's day splits into usage types,
                                                  with ``UsageQuantity`` (hours, GB) as a third metric
``accounts``  [LINKED_ACCOUNT, TAG:<env key>]     how each environment tag's day splits into accounts
``records``   [USAGE_TYPE, RECORD_TYPE]           how each usage type's day splits into record types
                                                  (Usage, Credit, Tax, SavingsPlanUpfrontFee, RIFee ...)

Every ``facts`` amount is split over the usage types of its service that day, and
over the accounts of its tag value that day, in proportion to their absolute
amounts. Totals per day x environment x service are therefore exact; only the
cross of usage type with environment (and of account with service) is an
estimate, which is what Cost Explorer can give for four requests instead of one
request per service. Usage type decides the category (EC2 "BoxUsage:g5.xlarge" is
AI/ML, "EBS:VolumeUsage.gp3" is Storage), so category totals per day are exact.
A usage type's quantity is split like its amount.

Charge kinds: a record type other than usage (``record_charge_type``) is carved
out of its usage type's amount (exactly, per day x service x usage type). Cost
Explorer reports such charges without resource tags, so they are taken from the
service's untagged group first, then from the tags of the same sign in proportion
to what they still hold. What remains of each tag's amount is usage. A usage type
the ``records`` answer does not mention keeps the old rule: negative is a credit.

With ``categories.aws_cost_category`` set, the account's own Cost Category is
used: ``facts`` is [COST_CATEGORY:<name>, TAG:<env key>], ``detail`` is
[COST_CATEGORY:<name>, SERVICE] (no usage types are needed then, nor quantities:
a service's units do not add up) and ``records`` is [SERVICE, RECORD_TYPE].
"""

from __future__ import annotations

import math
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
QUANTITY = "UsageQuantity"  # rides along in the usage-type query: no extra request

# Cost Explorer RECORD_TYPE values (letters only, lower case) -> the cache's charge type (store/schema.py).
# The same mapping as CUR line item types (sources/athena.py); anything else is a one-time ``fee``.
RECORD_CHARGE_TYPES = {
    "usage": "usage", "discountedusage": "usage", "savingsplancoveredusage": "usage", "savingsplannegation": "usage",
    "rifee": "recurring", "savingsplanrecurringfee": "recurring",
    "savingsplanupfrontfee": "purchase", "fee": "fee", "support": "fee", "tax": "tax", "refund": "refund",
    "credit": "credit",
}


def record_charge_type(record_type: str) -> str:
    """The cache's charge type of a Cost Explorer record type ("SavingsPlanUpfrontFee" -> "purchase")."""
    key = "".join(ch for ch in record_type.lower() if ch.isalpha())
    if key in RECORD_CHARGE_TYPES:
        return RECORD_CHARGE_TYPES[key]
    return "credit" if "discount" in key else "fee"  # EDP, bundled, private-rate ... discounts are credits


@dataclass(frozen=True)
class CostQuery:
    name: str
    group_by: tuple[tuple[str, str], ...]  # (Type, Key)
    metrics: tuple[str, ...] = METRICS

    def request(self, start: date, end: date) -> dict[str, Any]:
        """The GetCostAndUsage arguments for days ``start`` .. ``end`` (exclusive)."""
        return {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Granularity": "DAILY",
            "Metrics": list(self.metrics),
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
        detail = CostQuery("detail", (("DIMENSION", "SERVICE"), ("DIMENSION", "USAGE_TYPE")), (*METRICS, QUANTITY))
    accounts = CostQuery("accounts", (("DIMENSION", "LINKED_ACCOUNT"), ("TAG", tag)))
    records = CostQuery("records", (detail.group_by[1], ("DIMENSION", "RECORD_TYPE")))
    return [facts, detail, accounts, records]


Amounts = tuple[float, float]  # (amortized, billed)


def _shares(parts: list[tuple[str, Amounts]]) -> list[tuple[str, float]]:
    """Weights that add up to 1, by absolute amortized (else billed) amount; [('', 1)] when nothing splits."""
    for index in (0, 1):
        total = sum(abs(amounts[index]) for _, amounts in parts)
        if total > 0:
            return [(value, abs(amounts[index]) / total) for value, amounts in parts if amounts[index]]
    return [("", 1.0)]


@dataclass
class _Piece:
    """One part of a day x service (or Cost Category) amount: a usage type's usage, or one of its other charges."""

    value: str  # the usage type (the service with a Cost Category)
    charge_type: str | None  # None: the records answer did not mention this usage type (negative = credit)
    amounts: list[float]  # [amortized, billed]
    quantity: float = 0.0
    unit: str = ""


def _same_sign(a: float, b: float) -> bool:
    return (a > 0 and b > 0) or (a < 0 and b < 0)


def _take_from_tags(room: dict[str, float], amount: float) -> dict[str, float]:
    """How much of a charge (one metric) each tag holds: the untagged group first, then the tags of the same sign.

    ``room`` (what each tag's amount still holds) is reduced by what is taken. What no tag can hold goes to the
    untagged group when there is one, else to every tag in proportion to its size.
    """
    taken: dict[str, float] = defaultdict(float)
    left = amount
    if "" in room and _same_sign(room[""], left):
        part = left if abs(room[""]) >= abs(left) else room[""]
        taken[""] += part
        room[""] -= part
        left -= part
    same = {tag: held for tag, held in room.items() if tag and _same_sign(held, left)}
    holding = sum(abs(held) for held in same.values())
    if left and holding > 0:
        fraction = min(1.0, abs(left) / holding)
        for tag, held in same.items():
            taken[tag] += held * fraction
            room[tag] -= held * fraction
        left -= math.copysign(min(abs(left), holding), left)
    if abs(left) > 1e-9:
        if "" in room or not room:
            taken[""] += left
        else:
            size = sum(abs(held) for held in room.values()) or float(len(room))
            for tag, held in room.items():
                taken[tag] += left * ((abs(held) / size) if size else 1.0 / len(room))
    return taken


class CostAssembler:
    """Collects the pages of the four queries and turns them into :class:`CostRow`s."""

    def __init__(self, settings: Settings) -> None:
        self.cost_category = settings.categories.aws_cost_category
        self.facts: dict[tuple[str, str, str], Amounts] = {}  # (day, tag value, service or cost category)
        self.detail: dict[tuple[str, str], list[tuple[str, Amounts, float, str]]] = defaultdict(list)
        self.accounts: dict[tuple[str, str], list[tuple[str, Amounts]]] = defaultdict(list)
        self.records: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(dict)  # (day, usage type) -> charges
        self.estimated_days: set[str] = set()
        self.days: set[str] = set()

    def add_pages(self, query: CostQuery, pages: Iterable[dict[str, Any]]) -> None:
        for page in pages:
            for period in page.get("ResultsByTime", []):
                day = period["TimePeriod"]["Start"]
                self.days.add(day)
                if period.get("Estimated"):
                    self.estimated_days.add(day)
                if query.name == "detail" and QUANTITY in query.metrics:
                    self._add_detail(day, period.get("Groups", []))
            if query.name == "detail" and QUANTITY in query.metrics:
                continue
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
                    self.detail[(day, strip_key_prefix(first))].append((second, pair, 0.0, ""))
                elif query.name == "accounts":
                    self.accounts[(day, strip_key_prefix(second))].append((first, pair))
                elif query.name == "records":
                    charge = record_charge_type(second)
                    bucket = self.records[(day, first)].setdefault(charge, [0.0, 0.0])
                    bucket[0] += pair[0]
                    bucket[1] += pair[1]

    def _add_detail(self, day: str, groups: list[dict[str, Any]]) -> None:
        """[SERVICE, USAGE_TYPE] groups with their usage quantity (checked by ``ce_answers`` before this)."""
        from finops_tui.sources.aws import group_amount

        for group in groups:
            keys = group.get("Keys", [])
            if len(keys) != 2:
                continue
            pair = (group_amount(group, METRICS[0], day), group_amount(group, METRICS[1], day))
            quantity = group.get("Metrics", {}).get(QUANTITY, {})
            unit = str(quantity.get("Unit") or "")
            self.detail[(day, strip_key_prefix(keys[0]))].append(
                (keys[1], pair, float(quantity.get("Amount") or 0.0), "" if unit == "N/A" else unit[:40]))

    def _pieces(self, day: str, pivot: str, spread: dict[tuple[str, str], list[float]]) -> list[_Piece]:
        """The day's usage-type parts of one service: usage, and each other charge kind the records answer names."""
        pieces: list[_Piece] = []
        for value, amounts, quantity, unit in self.detail.get((day, pivot), []):
            charges = self.records.get((day, value))
            if not charges:
                pieces.append(_Piece(value, None, list(amounts), quantity, unit))
                continue
            totals = spread[(day, value)]  # a usage type several services share splits by their amounts
            shares = [abs(amounts[i]) / totals[i] if totals[i] else 1.0 for i in (0, 1)]
            usage = list(amounts)
            others = []
            for charge, charged in sorted(charges.items()):
                if charge == "usage":
                    continue
                part = [charged[i] * shares[i] for i in (0, 1)]
                others.append(_Piece(value, charge, part))
                usage = [usage[i] - part[i] for i in (0, 1)]
            usage = [0.0 if abs(amount) < 1e-9 else amount for amount in usage]
            if "usage" in charges or any(usage):
                pieces.append(_Piece(value, "usage", usage, quantity, unit))
            elif others:  # a usage type with no usage (an RI fee's reserved hours): its quantity goes with the charge
                biggest = max(others, key=lambda piece: abs(piece.amounts[1]) + abs(piece.amounts[0]))
                biggest.quantity, biggest.unit = quantity, unit
            pieces += others
        return pieces

    def rows(self) -> list[CostRow]:
        """Daily rows: day x account x service x usage type x (AWS Cost Category value) x raw environment tag value
        x charge type, with the usage quantity of usage rows.

        Category and environment are not decided here: the config allocates these
        raw dimensions when figures are read. With ``categories.aws_cost_category``
        the account's own Cost Category value is kept as the row's category.
        """
        spread: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for (day, _pivot), entries in self.detail.items():
            for value, amounts, _quantity, _unit in entries:
                spread[(day, value)][0] += abs(amounts[0])
                spread[(day, value)][1] += abs(amounts[1])
        by_pivot: dict[tuple[str, str], dict[str, Amounts]] = defaultdict(dict)
        for (day, tag_value, pivot), amounts in self.facts.items():
            by_pivot[(day, pivot)][tag_value] = amounts
        totals: dict[tuple[str, str, str, str, str, str, str | None], list[Any]] = {}

        def add(day: str, account: str, pivot: str, value: str, tag: str, charge: str | None, amounts: list[float],
                quantity: float, unit: str) -> None:
            service, usage_type = (value, "") if self.cost_category else (pivot, value)
            category = pivot if self.cost_category else ""
            key = (day, account, service, usage_type, category, tag, charge)
            bucket = totals.setdefault(key, [0.0, 0.0, 0.0, unit])
            bucket[0] += amounts[0]
            bucket[1] += amounts[1]
            bucket[2] += quantity
            bucket[3] = bucket[3] or unit

        for (day, pivot), tags in by_pivot.items():
            pieces = self._pieces(day, pivot, spread)
            others = [piece for piece in pieces if piece.charge_type not in (None, "usage")]
            usage = [piece for piece in pieces if piece.charge_type in (None, "usage")]
            # Charges other than usage, tag by tag (one metric at a time); what each tag keeps is its usage.
            kept = {tag: list(amounts) for tag, amounts in tags.items()}
            given: list[tuple[_Piece, dict[str, list[float]]]] = []
            for piece in others:
                split: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
                for index in (0, 1):
                    room = {tag: amounts[index] for tag, amounts in kept.items()}
                    for tag, part in _take_from_tags(room, piece.amounts[index]).items():
                        split[tag][index] += part
                        if tag in kept:
                            kept[tag][index] -= part
                given.append((piece, split))
            usage_shares = _shares([(str(i), (p.amounts[0], p.amounts[1])) for i, p in enumerate(usage)])
            usage_weight = sum(abs(amounts[0]) or abs(amounts[1]) for amounts in kept.values()) or 1.0
            for tag, amounts in kept.items():
                amounts = [0.0 if abs(amount) < 1e-9 else amount for amount in amounts]
                if not any(amounts):
                    continue
                tag_share = (abs(amounts[0]) or abs(amounts[1])) / usage_weight
                for account, account_share in _shares(self.accounts.get((day, tag), [])):
                    for index, share in usage_shares:
                        piece = usage[int(index)] if index else _Piece("", None, [0.0, 0.0])
                        add(day, account, pivot, piece.value, tag, piece.charge_type,
                            [amounts[0] * share * account_share, amounts[1] * share * account_share],
                            piece.quantity * tag_share * account_share, piece.unit)
            for piece, split in given:
                size = sum(abs(part[0]) + abs(part[1]) for part in split.values()) or 1.0
                for tag, part in split.items():
                    for account, account_share in _shares(self.accounts.get((day, tag), [])):
                        add(day, account, pivot, piece.value, tag, piece.charge_type,
                            [part[0] * account_share, part[1] * account_share],
                            piece.quantity * (abs(part[0]) + abs(part[1])) / size * account_share, piece.unit)
        merged: dict[tuple[str, ...], list[Any]] = {}
        for (day, account, service, usage_type, category, environment, charge), values in totals.items():
            amortized, billed = values[0], values[1]
            if amortized == 0 and billed == 0:
                continue
            if charge is None:  # a usage type the records answer did not name
                charge = "credit" if min(amortized, billed) < 0 else "usage"
            bucket = merged.setdefault((day, account, service, usage_type, category, environment, charge),
                                       [0.0, 0.0, 0.0, values[3]])
            for index in (0, 1, 2):
                bucket[index] += values[index]
        rows = []
        for (day, account, service, usage_type, category, environment, charge), values in sorted(merged.items()):
            amortized, billed, quantity, unit = values
            rows.append(CostRow(day, account, service, usage_type, category, environment, "", amortized, billed,
                                charge, day in self.estimated_days, SOURCE,
                                instance_type=instance_type_from_usage(usage_type),
                                usage_quantity=quantity,
                                usage_unit=unit if quantity else ""))
        return rows
