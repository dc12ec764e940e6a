"""Decision rules, category allocation and environment mapping, with hand-picked boundaries."""

from __future__ import annotations

import pytest

from finops_tui.analytics.categories import CategoryRules
from finops_tui.analytics.environments import EnvironmentMapper
from finops_tui.analytics.rules import approval_tier, budget_level, is_spike
from finops_tui.config import Approval, Environments, Settings, Spikes, Thresholds, parse_settings


@pytest.mark.parametrize(("monthly", "tier"), [
    (0.0, "team_lead"), (499.99, "team_lead"), (499.994, "team_lead"), (500.0, "vp_engineering"),
    (2500.0, "vp_engineering"), (5000.0, "vp_engineering"), (5000.004, "vp_engineering"),
    (5000.01, "cto_cfo"), (1e6, "cto_cfo"),
])
def test_approval_tiers(monthly: float, tier: str) -> None:
    assert approval_tier(monthly, Approval()) == tier


@pytest.mark.parametrize(("amount", "level"), [
    (79.99, "ok"), (80.0, "warning"), (99.99, "warning"), (100.0, "critical"), (119.99, "critical"), (120.0, "hard_limit"),
])
def test_budget_level_against_100(amount: float, level: str) -> None:
    assert budget_level(amount, 100.0, Thresholds()) == level


def test_budget_level_of_nothing_and_of_a_zero_budget() -> None:
    assert budget_level(None, 100.0, Thresholds()) is None
    assert budget_level(0.0, 0.0, Thresholds()) == "ok"
    assert budget_level(0.01, 0.0, Thresholds()) == "hard_limit"


@pytest.mark.parametrize(("previous", "current", "spike"), [
    (100.0, 120.0, False), (100.0, 120.01, True), (0.0, 50.0, False), (-10.0, 50.0, False),
    (0.004, 50.0, True),  # any positive day before counts, even one under a cent
    (0.004, 0.004, False),
    (1000.0, 1200.0, False), (1000.0, 1200.01, True), (100.0, 90.0, False),
])
def test_is_spike(previous: float, current: float, spike: bool) -> None:
    assert is_spike(previous, current, Spikes()) is spike


def test_is_spike_min_delta_is_inclusive() -> None:
    rule = Spikes(min_delta=30)
    assert is_spike(100.0, 130.0, rule) is True
    assert is_spike(100.0, 129.99, rule) is False


# -- categories -------------------------------------------------------------------

RULES = CategoryRules(Settings().categories.rules)
EC2 = "Amazon Elastic Compute Cloud - Compute"


@pytest.mark.parametrize(("charge", "category"), [
    ({"service": EC2, "instance_type": "m6i.large"}, "Compute"),
    ({"service": EC2, "instance_type": "g5.xlarge"}, "AI/ML"),
    ({"service": EC2, "instance_type": "p4d.24xlarge"}, "AI/ML"),
    ({"service": EC2, "instance_type": "inf2.xlarge"}, "AI/ML"),
    ({"service": EC2, "instance_type": "trn1.32xlarge"}, "AI/ML"),
    ({"service": EC2, "instance_type": "dl1.24xlarge"}, "AI/ML"),
    ({"service": EC2, "usage_type": "USE2-BoxUsage:g4dn.xlarge"}, "AI/ML"),  # instance type read from the usage type
    ({"service": EC2, "usage_type": "SpotUsage:p3.2xlarge"}, "AI/ML"),
    ({"service": EC2, "usage_type": "BoxUsage:c7g.large"}, "Compute"),
    ({"service": "EC2 - Other", "usage_type": "EBS:VolumeUsage.gp3"}, "Storage"),
    ({"service": "EC2 - Other", "usage_type": "USE1-EBS:SnapshotUsage"}, "Storage"),
    ({"service": "EC2 - Other", "usage_type": "USE1-NatGateway-Hours"}, "Networking"),
    ({"service": EC2, "usage_type": "USE1-DataTransfer-Regional-Bytes"}, "Networking"),
    ({"service": "AWS Data Transfer"}, "Networking"),
    ({"service": "Elastic Load Balancing"}, "Networking"),
    ({"service": "Amazon SageMaker"}, "AI/ML"),
    ({"service": "Amazon Relational Database Service"}, "Database"),
    ({"service": "Amazon ElastiCache"}, "Database"),
    ({"service": "Amazon Simple Storage Service"}, "Storage"),
    ({"service": "AWS Lambda"}, "Compute"),
    ({"service": "Amazon Elastic Container Service for Kubernetes"}, "Compute"),
    ({"service": EC2, "instance_type": "r6i.2xlarge", "resource": "i-0abc/qdrant-node-1"}, "AI/ML"),
    ({"service": EC2, "instance_type": "m6i.large", "tags": {"app": "Qdrant"}}, "AI/ML"),
    ({"service": EC2, "instance_type": "m6i.large", "tags": {"Name": "minio-0"}}, "Storage"),
    ({"service": EC2, "resource": "arn:aws:ec2:volume/minio-data"}, "Storage"),
    ({"service": "AmazonEC2", "service_category": "Compute"}, "Compute"),
    ({"service": "Some Marketplace DB", "service_category": "Databases"}, "Database"),
    ({"service": "Some Vector Service", "service_category": "AI and Machine Learning"}, "AI/ML"),
    ({"service": "AWS Glue", "service_category": "Analytics"}, "Other"),
    ({"service": "AWS Support (Enterprise)"}, "Other"),
])
def test_default_category_rules(charge: dict, category: str) -> None:
    assert RULES.category_of(**charge) == category


def test_first_matching_rule_wins_and_rules_are_configurable() -> None:
    settings = parse_settings({"categories": {"rules": [
        {"category": "Database", "tags": {"team": ["data*"]}},
        {"category": "Compute", "services": ["*EC2*"]},
    ]}})
    rules = CategoryRules(settings.categories.rules)
    assert rules.category_of(service="AmazonEC2", tags={"Team": "data-eng"}) == "Database"
    assert rules.category_of(service="AmazonEC2", tags={"team": "web"}) == "Compute"
    assert rules.category_of(service="AmazonS3") == "Other"


# -- environments -----------------------------------------------------------------

@pytest.mark.parametrize(("value", "environment"), [
    ("production", "production"), ("prod", "production"), ("PRD", "production"), (" Prod ", "production"),
    ("stage", "staging"), ("stg", "staging"), ("QA", "staging"), ("staging", "staging"),
    ("dev", "development"), ("Sandbox", "development"), ("development", "development"),
    ("r&d", "rnd"), ("R&D", "rnd"), ("research", "rnd"), ("experiment", "rnd"), ("Experiments", "rnd"), ("rnd", "rnd"),
    ("preprod", "unallocated"), ("", "unallocated"), (None, "unallocated"),
])
def test_environment_aliases(value: str | None, environment: str) -> None:
    assert EnvironmentMapper(Environments()).from_value(value) == environment


def test_environment_tag_key_is_case_insensitive_and_configurable() -> None:
    mapper = EnvironmentMapper(Environments())
    assert mapper.from_tags({"environment": "prod"}) == "production"
    assert mapper.from_tags({"Env": "prod"}) == "unallocated"
    assert mapper.from_tags({}) == "unallocated"
    custom = EnvironmentMapper(Environments(tag_key="Stage"))
    assert custom.from_tags({"stage": "qa", "Environment": "prod"}) == "staging"


def test_account_map_overrides_the_tag() -> None:
    mapper = EnvironmentMapper(Environments(accounts={"222222222222": "rnd"}))
    assert mapper.from_tags({"Environment": "prod"}, account="222222222222") == "rnd"
    assert mapper.from_tags({}, account="222222222222") == "rnd"
    assert mapper.from_tags({"Environment": "prod"}, account="111111111111") == "production"
