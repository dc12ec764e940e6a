"""A hand-built month for the FinOps review: every figure of test_review.py is computed from these rows by hand.

October 2026 (31 days), every row usage-based unless said otherwise:

=====================================  ===========  ==========================  ==============
usage type                             environment  per day                     month
=====================================  ===========  ==========================  ==============
USE1-TimedStorage-ByteHrs (S3 Std)     production   10                          310
USE1-TimedStorage-SIA-ByteHrs          production   5 (not Standard)            155
USE1-BoxUsage:m5.xlarge                production   20, but 8 on Oct 10         608
USE1-BoxUsage:m5.large                 staging      4 (always on)               124
USE1-BoxUsage:p3.2xlarge               rnd          30 on Oct 1-15 only         450
USE1-InstanceUsage:db.r5.large         production   6                           186
USE1-Lambda-GB-Second                  production   1                           31
USE1-SpotUsage:m5.large                development  2                           62
USE1-DataTransfer-Regional-Bytes       production   3 (Sep: 2 a day, 60)        93
USE1-USW2-AWS-Out-Bytes                staging      1                           31
USE1-DataTransfer-Out-Bytes            production   0.5                         15.5
USE1-NatGateway-Bytes                  production   2                           62
credit on BoxUsage:m5.xlarge           production   -50 once (not usage)        -
=====================================  ===========  ==========================  ==============

The raw dimensions the sources issue adds (purchase type, usage quantity) are
given by keyword; :func:`review_row` drops what this cache's schema lacks.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from finops_tui.store.db import CostRow
from tests.analytics_cache import Cache

EC2 = "Amazon Elastic Compute Cloud - Compute"
S3 = "Amazon Simple Storage Service"
RDS = "Amazon Relational Database Service"
LAMBDA = "AWS Lambda"
TRANSFER = "AWS Data Transfer"
ACCOUNTS = {"production": "111111111111", "staging": "222222222222", "development": "333333333333", "rnd": "444444444444"}


def review_row(day: date, usage_type: str, amount: float, *, environment: str = "production", service: str = EC2,
               charge_type: str = "usage", category: str = "Compute", resource_id: str = "", **raw: object) -> CostRow:
    """A cost row of the review month; ``raw`` (pricing_category, usage_quantity, ...) is set where the schema has it."""
    row = CostRow(day.isoformat(), ACCOUNTS[environment], service, usage_type, category, environment, resource_id, amount,
                  amount, charge_type, False, "test")
    for name, value in raw.items():
        if name in CostRow.__dataclass_fields__:
            setattr(row, name, value)
    return row


def october_rows() -> list[CostRow]:
    rows: list[CostRow] = []
    for offset in range(31):
        day = date(2026, 10, 1) + timedelta(days=offset)
        rows += [
            review_row(day, "USE1-TimedStorage-ByteHrs", 10.0, service=S3, category="Storage"),
            review_row(day, "USE1-TimedStorage-SIA-ByteHrs", 5.0, service=S3, category="Storage"),
            review_row(day, "USE1-BoxUsage:m5.xlarge", 8.0 if day.day == 10 else 20.0),
            review_row(day, "USE1-BoxUsage:m5.large", 4.0, environment="staging"),
            review_row(day, "USE1-InstanceUsage:db.r5.large", 6.0, service=RDS, category="Database"),
            review_row(day, "USE1-Lambda-GB-Second", 1.0, service=LAMBDA),
            review_row(day, "USE1-SpotUsage:m5.large", 2.0, environment="development"),
            review_row(day, "USE1-DataTransfer-Regional-Bytes", 3.0, service=TRANSFER, category="Networking"),
            review_row(day, "USE1-USW2-AWS-Out-Bytes", 1.0, environment="staging", service=TRANSFER, category="Networking"),
            review_row(day, "USE1-DataTransfer-Out-Bytes", 0.5, service=TRANSFER, category="Networking"),
            review_row(day, "USE1-NatGateway-Bytes", 2.0, service=EC2, category="Networking"),
        ]
        if day.day <= 15:
            rows.append(review_row(day, "USE1-BoxUsage:p3.2xlarge", 30.0, environment="rnd", category="AI/ML"))
    rows.append(review_row(date(2026, 10, 20), "USE1-BoxUsage:m5.xlarge", -50.0, charge_type="credit"))
    for offset in range(30):
        day = date(2026, 9, 1) + timedelta(days=offset)
        rows.append(review_row(day, "USE1-DataTransfer-Regional-Bytes", 2.0, service=TRANSFER, category="Networking"))
    return rows


def october_cache(path: Path) -> Cache:
    return Cache(path, synced_on=date(2026, 11, 2)).add(*october_rows())
