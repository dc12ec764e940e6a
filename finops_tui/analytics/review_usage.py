"""What a usage type says: instance type and family, purchase type, data-transfer class. Pure functions.

Cost Explorer and FOCUS name usage as ``[REGION-]Kind[:detail]``, e.g.
``USE1-BoxUsage:m5.large``, ``InstanceUsage:db.r5.large``,
``USW2-NodeUsage:cache.m5.large``, ``USE1-USW2-AWS-Out-Bytes``. The review's
levers are defined on these names (see ``analytics/review.py``).
"""

from __future__ import annotations

import re

INSTANCE_KINDS = ("BoxUsage", "InstanceUsage", "Multi-AZUsage", "NodeUsage")
SIZES = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge",
         "16xlarge", "24xlarge", "32xlarge", "48xlarge")
TRANSFER_CLASSES = ("cross_az", "inter_region", "internet_out", "nat")
TRANSFER_NAMES = {"cross_az": "Cross-AZ", "inter_region": "Inter-region", "internet_out": "Internet out",
                  "nat": "NAT gateway processed"}
_INTER_REGION = re.compile(r"(^|:)[A-Z]{2,4}\d?-[A-Z]{2,4}\d?-AWS-(Out|In)-Bytes$", re.IGNORECASE)
_SIZE_NUMBER = re.compile(r"^(\d+)xlarge$")


def usage_kind(usage_type: str) -> str:
    """'s3_standard', 'instance', 'spot', 'fargate', 'lambda', a transfer class, or '' (not a review usage type)."""
    if "TimedStorage-ByteHrs" in usage_type:
        return "s3_standard"
    if "SpotUsage" in usage_type:
        return "spot"
    if any(kind in usage_type for kind in INSTANCE_KINDS):
        return "instance"
    if "Fargate-vCPU-Hours" in usage_type or "Fargate-GB-Hours" in usage_type:
        return "fargate"
    if "Lambda-GB-Second" in usage_type:
        return "lambda"
    return transfer_class(usage_type) or ""


def transfer_class(usage_type: str) -> str | None:
    if "NatGateway-Bytes" in usage_type:
        return "nat"
    if "DataTransfer-Regional-Bytes" in usage_type:
        return "cross_az"
    if _INTER_REGION.search(usage_type):
        return "inter_region"
    if "DataTransfer-Out-Bytes" in usage_type:
        return "internet_out"
    return None


def instance_type_of(usage_type: str, stored: str = "") -> str:
    """``m5.large`` from ``USE1-BoxUsage:m5.large`` (the stored instance type wins); '' when none."""
    if stored:
        return stored
    kind, _, detail = usage_type.partition(":")
    if not detail or not any(name in kind for name in (*INSTANCE_KINDS, "SpotUsage", "HeavyUsage")):
        return ""
    return detail.strip()


def family_and_size(instance_type: str) -> tuple[str, str]:
    """('db.r5', 'large') from 'db.r5.large'; ('m5', 'xlarge') from 'm5.xlarge'."""
    parts = instance_type.split(".")
    if len(parts) < 2:
        return instance_type, ""
    return ".".join(parts[:-1]), parts[-1]


def one_size_down(instance_type: str) -> str | None:
    """The next smaller size of the same family (``m5.xlarge`` -> ``m5.large``); None at the smallest or unknown."""
    family, size = family_and_size(instance_type)
    if size in SIZES:
        index = SIZES.index(size)
        return f"{family}.{SIZES[index - 1]}" if index > 0 else None
    number = _SIZE_NUMBER.match(size)
    if number:  # 3xlarge, 9xlarge, 18xlarge ...: the largest standard size below it
        smaller = [s for s in SIZES if _SIZE_NUMBER.match(s) and int(_SIZE_NUMBER.match(s).group(1)) < int(number.group(1))]
        return f"{family}.{smaller[-1] if smaller else 'xlarge'}"
    return None


def purchase_bucket(pricing: str, usage_type: str) -> str:
    """'spot', 'savings_plans', 'reservations', 'committed' (kind unknown), 'on_demand' or 'unknown'.

    ``pricing`` is FOCUS ``PricingCategory`` (Standard / Committed / Dynamic) or a
    Cost Explorer ``PURCHASE_TYPE`` (On Demand Instances, Spot Instances, Savings
    Plans, Standard Reserved Instances ...), as stored by the sources.
    """
    text = pricing.strip().lower()
    if "SpotUsage" in usage_type or text in ("dynamic", "spot", "spot instances") or "spot" in text:
        return "spot"
    if "savings plan" in text or text.endswith(":spend"):
        return "savings_plans"
    if "reserv" in text or text.endswith(":usage"):
        return "reservations"
    if text.startswith("committed"):
        return "committed"
    if text in ("standard", "on demand", "on demand instances", "on-demand", "ondemand"):
        return "on_demand"
    return "unknown" if not text else "on_demand"


def graviton_twin(instance_type: str, usage_type: str, mapping: dict[str, str]) -> str | None:
    """The arm64 family an x86 instance type could move to; None for GPU, metal, Windows or no twin."""
    family, size = family_and_size(instance_type)
    if not size or size.startswith("metal") or "windows" in usage_type.lower() or "windows" in instance_type.lower():
        return None
    return mapping.get(family)
