"""Waste scan (EC2, ELBv2, optionally RDS) and leads from CloudWatch. Describe/Get calls only.

Monthly costs are estimates from ``settings.waste`` (a small price table the
user can override for their region and contract), not from billing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from finops_tui.allocation.environments import EnvironmentMapper
from finops_tui.config import Settings
from finops_tui.sources.aws import AwsSession


@dataclass(slots=True)
class WasteItem:
    resource_id: str
    kind: str  # ebs_unattached | eip_unassociated | instance_stopped | lb_no_targets | snapshot_old | rds_stopped
    region: str
    account: str
    name: str
    environment: str
    monthly_cost: float
    detail: str


def _tags(raw: list[dict[str, str]] | None) -> dict[str, str]:
    return {tag.get("Key", ""): tag.get("Value", "") for tag in raw or []}


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


class WasteScanner:
    def __init__(self, aws: AwsSession, settings: Settings, now: datetime) -> None:
        self.aws = aws
        self.prices = settings.waste
        self.scan_rds = settings.sync.scan_rds
        self.mapper = EnvironmentMapper(settings.environments)
        self.now = now

    def _item(self, resource_id: str, kind: str, region: str, tags: dict[str, str], cost: float, detail: str,
              account: str = "") -> WasteItem:
        return WasteItem(resource_id, kind, region, account, tags.get("Name", ""), self.mapper.from_tags(tags, account),
                         round(cost, 4), detail)

    def _volume_cost(self, volume: dict[str, Any]) -> float:
        price = self.prices.ebs_gb_month.get(volume.get("VolumeType", ""), self.prices.ebs_gb_month.get("gp2", 0.10))
        return float(volume.get("Size", 0)) * price

    def scan(self, region: str) -> list[WasteItem]:
        items = self._scan_ec2(region) + self._scan_load_balancers(region)
        if self.scan_rds:
            items += self._scan_rds(region)
        return items

    def _scan_ec2(self, region: str) -> list[WasteItem]:
        ec2 = self.aws.client("ec2", region)
        items: list[WasteItem] = []
        volumes = list(_paginate(ec2, "describe_volumes", "Volumes"))
        by_instance: dict[str, list[dict[str, Any]]] = {}
        for volume in volumes:
            tags = _tags(volume.get("Tags"))
            if volume.get("State") == "available":
                items.append(self._item(volume["VolumeId"], "ebs_unattached", region, tags, self._volume_cost(volume),
                                        f"{volume.get('Size', 0)} GiB {volume.get('VolumeType', '')}, not attached"))
            for attachment in volume.get("Attachments", []):
                by_instance.setdefault(attachment.get("InstanceId", ""), []).append(volume)
        for reservation in _paginate(ec2, "describe_instances", "Reservations",
                                     Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}]):
            account = reservation.get("OwnerId", "")
            for instance in reservation.get("Instances", []):
                attached = by_instance.get(instance["InstanceId"], [])
                cost = sum(self._volume_cost(volume) for volume in attached)
                size = sum(int(volume.get("Size", 0)) for volume in attached)
                items.append(self._item(instance["InstanceId"], "instance_stopped", region, _tags(instance.get("Tags")), cost,
                                        f"{instance.get('InstanceType', '')} stopped, {size} GiB of volumes still billed", account))
        for address in ec2.describe_addresses().get("Addresses", []):
            if address.get("AssociationId") or address.get("InstanceId") or address.get("NetworkInterfaceId"):
                continue
            resource_id = address.get("AllocationId") or address.get("PublicIp", "")
            items.append(self._item(resource_id, "eip_unassociated", region, _tags(address.get("Tags")),
                                    self.prices.elastic_ip_month, f"{address.get('PublicIp', '')} not associated"))
        cutoff = self.now - timedelta(days=self.prices.snapshot_age_days)
        for snapshot in _paginate(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"]):
            started = snapshot.get("StartTime")
            if not isinstance(started, datetime):
                continue
            if started.tzinfo is None:
                started = started.replace(tzinfo=UTC)
            if started >= cutoff:
                continue
            age = (self.now - started).days
            items.append(self._item(snapshot["SnapshotId"], "snapshot_old", region, _tags(snapshot.get("Tags")),
                                    float(snapshot.get("VolumeSize", 0)) * self.prices.snapshot_gb_month,
                                    f"{snapshot.get('VolumeSize', 0)} GiB, {age} days old", snapshot.get("OwnerId", "")))
        return items

    def _scan_load_balancers(self, region: str) -> list[WasteItem]:
        elb = self.aws.client("elbv2", region)
        balancers = list(_paginate(elb, "describe_load_balancers", "LoadBalancers"))
        if not balancers:
            return []
        tags_by_arn: dict[str, dict[str, str]] = {}
        arns = [balancer["LoadBalancerArn"] for balancer in balancers]
        for start in range(0, len(arns), 20):  # DescribeTags takes at most 20 ARNs
            for description in elb.describe_tags(ResourceArns=arns[start:start + 20]).get("TagDescriptions", []):
                tags_by_arn[description["ResourceArn"]] = _tags(description.get("Tags"))
        items = []
        for balancer in balancers:
            arn = balancer["LoadBalancerArn"]
            healthy = 0
            for group in _paginate(elb, "describe_target_groups", "TargetGroups", LoadBalancerArn=arn):
                health = elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
                healthy += sum(1 for target in health.get("TargetHealthDescriptions", [])
                               if target.get("TargetHealth", {}).get("State") == "healthy")
            if healthy:
                continue
            tags = tags_by_arn.get(arn, {})
            tags.setdefault("Name", balancer.get("LoadBalancerName", ""))
            items.append(self._item(arn, "lb_no_targets", region, tags, self.prices.load_balancer_month,
                                    f"{balancer.get('Type', 'application')} load balancer with no healthy targets"))
        return items

    def _scan_rds(self, region: str) -> list[WasteItem]:
        rds = self.aws.client("rds", region)
        items = []
        for instance in _paginate(rds, "describe_db_instances", "DBInstances"):
            if instance.get("DBInstanceStatus") != "stopped":
                continue
            tags = _tags(instance.get("TagList"))
            tags.setdefault("Name", instance.get("DBInstanceIdentifier", ""))
            gib = float(instance.get("AllocatedStorage", 0))
            price = self.prices.ebs_gb_month.get(instance.get("StorageType", ""), self.prices.ebs_gb_month.get("gp2", 0.10))
            items.append(self._item(instance["DBInstanceArn"], "rds_stopped", region, tags, gib * price,
                                    f"{instance.get('DBInstanceClass', '')} stopped, {gib:g} GiB storage still billed"))
        return items


def fetch_leads(aws: AwsSession, settings: Settings, start: date, end: date) -> dict[str, int]:
    """Leads per UTC day from CloudWatch GetMetricData; a metric that does not exist gives {}."""
    source = settings.leads.cloudwatch
    region = source.region or settings.sync.regions[0]
    cloudwatch = aws.client("cloudwatch", region)
    query = {
        "Id": "leads",
        "MetricStat": {
            "Metric": {
                "Namespace": source.namespace, "MetricName": source.metric,
                "Dimensions": [{"Name": name, "Value": value} for name, value in sorted(source.dimensions.items())],
            },
            "Period": 86400,
            "Stat": source.statistic,
        },
        "ReturnData": True,
    }
    leads: dict[str, int] = {}
    kwargs: dict[str, Any] = {
        "MetricDataQueries": [query],
        "StartTime": datetime.combine(start, time(0), tzinfo=UTC),
        "EndTime": datetime.combine(end, time(0), tzinfo=UTC),
        "ScanBy": "TimestampAscending",
    }
    while True:
        page = cloudwatch.get_metric_data(**kwargs)
        for result in page.get("MetricDataResults", []):
            for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                day = stamp.astimezone(UTC).date().isoformat() if stamp.tzinfo else stamp.date().isoformat()
                leads[day] = leads.get(day, 0) + max(0, round(value))
        token = page.get("NextToken")
        if not token:
            return leads
        kwargs["NextToken"] = token
