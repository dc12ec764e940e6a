"""Two small Data Exports (CUR 2.0 and FOCUS 1.2) with figures worked out by hand in the comments.

Accounts: payer 111111111111; linked 222222222222 (production) and 333333333333 (staging).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.athena_support import CUR_TYPES, FOCUS_TYPES, write_export

PAYER, PROD, STAGE = "111111111111", "222222222222", "333333333333"
EC2 = {"product_name": "Amazon Elastic Compute Cloud"}
S3 = {"product_name": "Amazon Simple Storage Service"}


def cur(day: str, kind: str, cost: float, *, hour: int = 0, account: str = PROD, usage_type: str = "BoxUsage:m5.large",
        product: dict[str, str] | None = None, code: str = "AmazonEC2", amount: float = 0.0, resource: str = "",
        tags: dict[str, str] | None = None, instance: str = "", **extra: Any) -> dict[str, Any]:
    row = {name: None for name in CUR_TYPES}
    period = day[:7] + "-01T00:00:00"
    row.update({
        "bill_billing_period_start_date": period, "bill_payer_account_id": PAYER,
        "line_item_usage_start_date": f"{day}T{hour:02d}:00:00", "line_item_usage_end_date": f"{day}T{hour + 1:02d}:00:00",
        "line_item_usage_account_id": account, "line_item_product_code": code, "line_item_usage_type": usage_type,
        "line_item_line_item_type": kind, "line_item_unblended_cost": cost, "line_item_usage_amount": amount,
        "line_item_resource_id": resource, "product_instance_type": instance, "product_region_code": "us-east-1",
        "pricing_term": "OnDemand" if kind == "Usage" else "", "pricing_unit": "Hrs", "product": product or EC2,
        "resource_tags": tags or {}, "reservation_reservation_a_r_n": "",
    })
    row.update(extra)
    return row


def cur_export(root: Path, *, october_usage: float = 5.00, s3_usage: float = 0.25) -> Path:
    """2026-10: billed 30 + october_usage, amortized 4.25 + october_usage.
    2026-11: billed 12.30 + s3_usage, amortized 7.30 + s3_usage (12.55 and 7.55 as given)."""
    prod = {"user_Environment": "prod"}
    october = [
        cur("2026-10-15", "Usage", october_usage, amount=5, resource="i-0aaa", tags=prod, instance="m5.large"),
        # a reservation's monthly fee: billed 30.00; amortized = the unused part only, 1.00 + 2.00
        cur("2026-10-01", "RIFee", 30.00, usage_type="HeavyUsage:m5.large", resource="arn:aws:ec2:ri-1",
            reservation_unused_amortized_upfront_fee_for_billing_period=1.00, reservation_unused_recurring_fee=2.00),
        # the usage the reservation covers: billed 0.00, amortized its effective cost 1.25
        cur("2026-10-15", "DiscountedUsage", 0.00, amount=10, resource="i-0bbb", tags=prod, instance="m5.large",
            reservation_effective_cost=1.25),
    ]
    november = [
        # two hours of one instance on one day: one row, billed 1.00 + 2.00 = 3.00, 10 + 20 hours
        cur("2026-11-02", "Usage", 1.00, hour=3, amount=10, resource="i-0aaa", tags=prod, instance="m5.large"),
        cur("2026-11-02", "Usage", 2.00, hour=5, amount=20, resource="i-0aaa", tags=prod, instance="m5.large"),
        # Savings Plan covered usage: billed 4.00, amortized 2.50; its negation line: billed -4.00, amortized 0
        cur("2026-11-02", "SavingsPlanCoveredUsage", 4.00, account=STAGE, usage_type="BoxUsage:g5.xlarge", amount=4,
            resource="i-0ccc", tags={"user_Environment": "stg"}, instance="g5.xlarge",
            savings_plan_savings_plan_effective_cost=2.50),
        cur("2026-11-02", "SavingsPlanNegation", -4.00, account=STAGE, usage_type="BoxUsage:g5.xlarge", resource="i-0ccc",
            tags={"user_Environment": "stg"}, instance="g5.xlarge"),
        # the Savings Plan's fee: billed 10.00, amortized the unused commitment 10.00 - 7.50 = 2.50
        cur("2026-11-01", "SavingsPlanRecurringFee", 10.00, account=PAYER, usage_type="ComputeSP:1yrNoUpfront",
            code="ComputeSavingsPlans", product={"product_name": "Savings Plans for AWS Compute usage"},
            resource="arn:aws:savingsplans::sp-1", savings_plan_total_commitment_to_date=10.00,
            savings_plan_used_commitment=7.50),
        cur("2026-11-01", "Tax", 0.80, usage_type="", resource=""),
        cur("2026-11-03", "Credit", -1.50, usage_type="", resource=""),
        cur("2026-11-03", "Usage", s3_usage, code="AmazonS3", product=S3, usage_type="TimedStorage-ByteHrs", amount=12,
            resource="finops-logs"),
    ]
    return write_export(root, CUR_TYPES, {"2026-10": october, "2026-11": november})


def focus(day: str, category: str, frequency: str, billed: float, effective: float, *, hour: int = 0,
          account: str = PROD, service: str = "Amazon Elastic Compute Cloud", usage_type: str = "BoxUsage:g5.xlarge",
          tags: dict[str, str] | None = None, quantity: float = 0.0, **extra: Any) -> dict[str, Any]:
    row = {name: None for name in FOCUS_TYPES}
    row.update({
        "BillingAccountId": PAYER, "BillingPeriodStart": day[:7] + "-01T00:00:00",
        "ChargePeriodStart": f"{day}T{hour:02d}:00:00", "ChargePeriodEnd": f"{day}T{hour + 1:02d}:00:00",
        "SubAccountId": account, "ServiceName": service, "ServiceCategory": "Compute", "x_UsageType": usage_type,
        "SkuMeter": "Compute", "SkuPriceDetails": {"InstanceType": "g5.xlarge"} if usage_type.endswith("g5.xlarge") else {},
        "RegionId": "us-east-1", "ResourceId": "i-0ddd" if category == "Usage" else "", "ResourceName": "",
        "Tags": tags or {}, "ChargeCategory": category, "ChargeFrequency": frequency, "PricingCategory": "Standard",
        "ConsumedUnit": "Hours" if category == "Usage" else "", "ConsumedQuantity": quantity, "BilledCost": billed,
        "EffectiveCost": effective,
    })
    row.update(extra)
    return row


def focus_export(root: Path) -> Path:
    """2026-11: billed 5 + 100 + 10 + 1.2 - 0.5 - 2 = 113.70; effective 5 + 0 + 10 + 1.2 - 0.5 - 2 = 13.70."""
    prod = {"Environment": "prod", "team": "ml"}
    november = [
        focus("2026-11-02", "Usage", "Usage-Based", 2.00, 2.00, hour=10, tags=prod, quantity=1),
        focus("2026-11-02", "Usage", "Usage-Based", 3.00, 3.00, hour=14, tags=prod, quantity=1.5),
        focus("2026-11-01", "Purchase", "One-Time", 100.00, 0.00, usage_type="HeavyUsage:g5.xlarge"),
        focus("2026-11-01", "Purchase", "Recurring", 10.00, 10.00, usage_type="ComputeSP:1yrNoUpfront"),
        focus("2026-11-01", "Tax", "One-Time", 1.20, 1.20, usage_type=""),
        focus("2026-11-03", "Credit", "One-Time", -0.50, -0.50, usage_type=""),
        focus("2026-11-03", "Adjustment", "One-Time", -2.00, -2.00, usage_type=""),
    ]
    return write_export(root, FOCUS_TYPES, {"2026-11": november})
