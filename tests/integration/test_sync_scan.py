"""Waste scan and CloudWatch leads against resources created in moto through boto3."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3

from tests.helpers import run_cli
from tests.integration.conftest import MotoServer

REGION = "us-east-1"


def tags(**pairs: str) -> list[dict]:
    return [{"Key": key, "Value": value} for key, value in pairs.items()]


def build_idle_resources() -> dict[str, str]:
    ec2 = boto3.client("ec2", region_name=REGION)
    ids: dict[str, str] = {}
    ids["volume"] = ec2.create_volume(
        AvailabilityZone=f"{REGION}a", Size=100, VolumeType="gp3",
        TagSpecifications=[{"ResourceType": "volume", "Tags": tags(Environment="prod", Name="old-data")}],
    )["VolumeId"]
    ids["snapshot"] = ec2.create_snapshot(VolumeId=ids["volume"])["SnapshotId"]
    ids["address"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
    instance = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="g5.xlarge",
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags(Environment="rnd")}],
    )["Instances"][0]
    ids["instance"] = instance["InstanceId"]
    data_volume = ec2.create_volume(AvailabilityZone=instance["Placement"]["AvailabilityZone"], Size=50, VolumeType="gp2")
    ec2.attach_volume(VolumeId=data_volume["VolumeId"], InstanceId=ids["instance"], Device="/dev/sdf")
    ec2.stop_instances(InstanceIds=[ids["instance"]])
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
               for n, zone in enumerate("ab")]
    elb = boto3.client("elbv2", region_name=REGION)
    balancer = elb.create_load_balancer(Name="idle-web", Subnets=subnets, Tags=tags(Environment="stg"))["LoadBalancers"][0]
    group = elb.create_target_group(Name="idle-targets", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
    ids["balancer"] = balancer["LoadBalancerArn"]
    return ids


def waste(cache: Path) -> dict[str, tuple]:
    with sqlite3.connect(cache) as conn:
        rows = conn.execute("SELECT kind, resource_id, environment, monthly_cost, name FROM waste_items ORDER BY kind").fetchall()
    return {kind: (resource_id, environment, monthly_cost, name) for kind, resource_id, environment, monthly_cost, name in rows}


def test_waste_scan_finds_each_kind_with_a_price(moto: MotoServer, tmp_path: Path) -> None:
    ids = build_idle_resources()
    cache = tmp_path / "finops.db"
    config = tmp_path / "finops.toml"
    config.write_text("[waste]\nsnapshot_age_days = 1\n")
    taken = boto3.client("ec2", region_name=REGION).describe_snapshots(SnapshotIds=[ids["snapshot"]])["Snapshots"][0]["StartTime"]
    three_days_on = taken.date() + timedelta(days=3)  # AWS's own stamp of the snapshot, not the test's clock

    done = run_cli("sync", "--cache", str(cache), "--config", str(config), "--today", three_days_on.isoformat())

    assert done.returncode == 0, done.stderr
    found = waste(cache)
    assert found["ebs_unattached"] == (ids["volume"], "production", 8.0, "old-data")  # 100 GiB gp3 at $0.08
    assert found["eip_unassociated"] == (ids["address"], "unallocated", 3.6, "")
    assert found["snapshot_old"][:3] == (ids["snapshot"], "unallocated", 5.0)  # 100 GiB at $0.05
    stopped = found["instance_stopped"]
    assert stopped[:2] == (ids["instance"], "rnd") and stopped[2] >= 5.0  # the 50 GiB gp2 data volume and the root volume
    assert found["lb_no_targets"] == (ids["balancer"], "staging", 16.43, "idle-web")
    assert "5 waste items" in done.stdout


def test_a_resource_gone_from_aws_leaves_the_waste_list(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    ec2 = boto3.client("ec2", region_name=REGION)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    assert run_cli("sync", "--cache", str(cache)).returncode == 0
    assert list(waste(cache)) == ["eip_unassociated"]

    ec2.release_address(AllocationId=allocation)
    assert run_cli("sync", "--cache", str(cache)).returncode == 0

    assert waste(cache) == {}


def put_leads(points: list[tuple[str, float]]) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    cloudwatch.put_metric_data(Namespace="Leads", MetricData=[
        {"MetricName": "Distributed", "Timestamp": datetime.fromisoformat(stamp).replace(tzinfo=UTC), "Value": value}
        for stamp, value in points
    ])


def test_leads_are_summed_per_utc_day_and_hand_counts_win(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"
    today = date(2026, 11, 26)
    day = lambda back: (today - timedelta(days=back)).isoformat()  # noqa: E731
    put_leads([(f"{day(2)}T01:00:00", 100), (f"{day(2)}T23:00:00", 50), (f"{day(1)}T12:00:00", 80), (f"{day(3)}T12:00:00", 7)])
    with sqlite3.connect(cache) as conn:
        from finops_tui.store.db import open_store

        open_store(cache).close()
        conn.execute("INSERT INTO leads (day, leads, label, source) VALUES (?, 999, 'counted by hand', 'manual')", (day(3),))
        conn.commit()

    done = run_cli("sync", "--cache", str(cache), "--today", today.isoformat())

    assert done.returncode == 0, done.stderr
    with sqlite3.connect(cache) as conn:
        leads = conn.execute("SELECT day, leads, source FROM leads ORDER BY day").fetchall()
    assert leads == [(day(3), 999, "manual"), (day(2), 150, "cloudwatch"), (day(1), 80, "cloudwatch")]


def test_no_leads_metric_means_no_leads_not_an_error(moto: MotoServer, tmp_path: Path) -> None:
    cache = tmp_path / "finops.db"

    done = run_cli("sync", "--cache", str(cache))

    assert done.returncode == 0, done.stderr
    assert "0 days of leads" in done.stdout
    with sqlite3.connect(cache) as conn:
        assert conn.execute("SELECT COUNT(*) FROM leads").fetchone()[0] == 0
