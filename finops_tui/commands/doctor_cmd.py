"""`finops-tui doctor`: credentials, each permission the sync uses, cache health, the IAM policy."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from finops_tui.config import Settings
from finops_tui.context import Context
from finops_tui.money import CE_REQUEST_USD, usd
from finops_tui.store import queries

CE_ACTIONS = [
    "ce:GetCostAndUsage", "ce:GetCostForecast", "ce:GetAnomalies", "ce:GetSavingsPlansCoverage",
    "ce:GetReservationCoverage", "ce:ListCostCategoryDefinitions",
]
SCAN_ACTIONS = [
    "ec2:DescribeVolumes", "ec2:DescribeInstances", "ec2:DescribeAddresses", "ec2:DescribeSnapshots",
    "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
]


def iam_policy(settings: Settings) -> dict[str, Any]:
    """The smallest read-only policy the sync needs (Get/Describe/List only)."""
    actions = CE_ACTIONS + SCAN_ACTIONS
    if settings.sync.scan_rds:
        actions.append("rds:DescribeDBInstances")
    if settings.leads.cloudwatch.enabled:
        actions.append("cloudwatch:GetMetricData")
    return {"Version": "2012-10-17",
            "Statement": [{"Sid": "FinopsTuiReadOnly", "Effect": "Allow", "Action": actions, "Resource": "*"}]}


def athena_policy(settings: Settings) -> dict[str, Any]:
    """What `sync --source athena` needs beyond the policy above: run queries, read the table and the export, write results."""
    athena = settings.athena
    database, table = athena.database or "DATABASE", athena.table or "TABLE"
    results = athena.output_location.removeprefix("s3://").rstrip("/") or "ATHENA-RESULTS-BUCKET/PREFIX"
    results_bucket = results.split("/", 1)[0]
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "FinopsTuiAthenaQueries", "Effect": "Allow",
         "Action": ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
                    "athena:StopQueryExecution"],
         "Resource": f"arn:aws:athena:{athena.region}:*:workgroup/{athena.workgroup}"},
        {"Sid": "FinopsTuiGlueTable", "Effect": "Allow",
         "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
         "Resource": [f"arn:aws:glue:{athena.region}:*:catalog", f"arn:aws:glue:{athena.region}:*:database/{database}",
                      f"arn:aws:glue:{athena.region}:*:table/{database}/{table}"]},
        {"Sid": "FinopsTuiReadExport", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": ["arn:aws:s3:::EXPORT-BUCKET", "arn:aws:s3:::EXPORT-BUCKET/EXPORT-PREFIX/*"]},
        {"Sid": "FinopsTuiQueryResults", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:AbortMultipartUpload"],
         "Resource": [f"arn:aws:s3:::{results_bucket}", f"arn:aws:s3:::{results}/*"]},
    ]}


def snapshot_policy(url: str | None, *, publisher: bool) -> dict[str, Any]:
    """The shared snapshot: readers need s3:GetObject on the prefix and s3:ListBucket; the publisher also s3:PutObject.

    s3:ListBucket lets S3 answer "no such key" (nothing published yet) instead of "access denied".
    """
    from finops_tui.publish import parse_s3_url

    location = parse_s3_url(url) if url else None
    bucket = location.bucket if location else "BUCKET"
    prefix = (location.prefix if location else "PREFIX")
    objects = f"arn:aws:s3:::{bucket}/{prefix}/*" if prefix else f"arn:aws:s3:::{bucket}/*"
    actions = ["s3:GetObject", "s3:PutObject"] if publisher else ["s3:GetObject"]
    listing: dict[str, Any] = {"Sid": "FinopsTuiListSnapshots", "Effect": "Allow", "Action": ["s3:ListBucket"],
                               "Resource": f"arn:aws:s3:::{bucket}"}
    if prefix:
        listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}/*"]}}
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "FinopsTuiPublishSnapshots" if publisher else "FinopsTuiReadSnapshots", "Effect": "Allow",
         "Action": actions, "Resource": objects},
        listing,
    ]}


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "doctor", help="check AWS credentials, permissions and the cache; print the IAM policy",
        description="Check that AWS credentials resolve, that each permission the sync uses is granted (one small call "
        "each; the Cost Explorer check is one request, $0.01, counted against the daily cap), and that the cache is "
        "healthy. Prints the minimal read-only IAM policy. Exit 0 when everything is fine, else 1.",
    )
    parser.add_argument("--profile", metavar="P", help="AWS profile (default: sync.profile, else the boto3 chain)")
    parser.add_argument("--policy-only", action="store_true", help="print only the IAM policy of the sync, make no request")
    parser.add_argument("--s3", metavar="s3://bucket/prefix",
                        help="the shared snapshot location to write into the S3 policies (default: --cache s3://..., "
                        "else placeholders)")
    parser.set_defaults(handler=run)
    return [parser]


def _line(ok: bool | None, text: str) -> str:
    mark = {True: "ok  ", False: "FAIL", None: "--  "}[ok]
    return f"{mark}  {text}"


def _aws_checks(ctx: Context, profile: str | None, out: list[str]) -> tuple[bool, Any]:
    from finops_tui.errors import SyncError
    from finops_tui.sources.aws import CE_REGION, AwsSession, RequestMeter, aws_message, classify, profile_label, translate
    from finops_tui.sync import ce_requests_today

    settings = ctx.settings
    meter = RequestMeter()
    try:
        aws = AwsSession(profile, meter)
    except SyncError as error:
        out.append(_line(False, str(error)))
        return False, meter
    try:
        identity = aws.client("sts", settings.sync.regions[0]).get_caller_identity()
    except Exception as error:  # noqa: BLE001 - shown as one line
        out.append(_line(False, f"credentials: {translate(error, profile)}"))
        return False, meter
    out.append(_line(True, f"credentials: {profile_label(profile)} is account {identity.get('Account', '?')} "
                           f"({identity.get('Arn', '').rsplit(':', 1)[-1]})"))
    healthy = True
    today = ctx.clock.today
    checks: list[tuple[str, Callable[[], Any]]] = []
    store = ctx.store()
    if ce_requests_today(store, ctx.clock.wall_today().isoformat()) < settings.sync.daily_request_cap:
        ce = aws.client("ce", CE_REGION)
        checks.append(("ce:GetCostAndUsage", lambda: ce.get_cost_and_usage(
            TimePeriod={"Start": (today - timedelta(days=1)).isoformat(), "End": today.isoformat()},
            Granularity="DAILY", Metrics=["UnblendedCost"])))
    else:
        out.append(_line(None, "ce:GetCostAndUsage: not checked, today's Cost Explorer request cap is used up"))
    for region in settings.sync.regions:
        ec2 = aws.client("ec2", region)
        elb = aws.client("elbv2", region)
        checks += [
            (f"ec2:DescribeVolumes ({region})", lambda ec2=ec2: ec2.describe_volumes(MaxResults=5)),
            (f"ec2:DescribeInstances ({region})", lambda ec2=ec2: ec2.describe_instances(MaxResults=5)),
            (f"ec2:DescribeAddresses ({region})", lambda ec2=ec2: ec2.describe_addresses()),
            (f"ec2:DescribeSnapshots ({region})", lambda ec2=ec2: ec2.describe_snapshots(OwnerIds=["self"], MaxResults=5)),
            (f"elasticloadbalancing:DescribeLoadBalancers ({region})", lambda elb=elb: elb.describe_load_balancers(PageSize=1)),
        ]
        if settings.sync.scan_rds:
            rds = aws.client("rds", region)
            checks.append((f"rds:DescribeDBInstances ({region})", lambda rds=rds: rds.describe_db_instances(MaxRecords=20)))
    if settings.leads.cloudwatch.enabled:
        from finops_tui.sources.aws_scan import fetch_leads

        checks.append(("cloudwatch:GetMetricData", lambda: fetch_leads(aws, settings, today - timedelta(days=1), today)))
    for name, call in checks:
        try:
            call()
            out.append(_line(True, name))
        except Exception as error:  # noqa: BLE001 - shown as one line
            kind = classify(error)
            if kind in ("credentials", "unreachable"):
                out.append(_line(False, f"{name}: {translate(error, profile)}"))
                return False, meter
            healthy = False
            out.append(_line(False, f"{name}: {'access denied' if kind == 'denied' else kind}: {aws_message(error)}"))
    for name, status, message in store.conn.execute("SELECT name, status, message FROM source_status ORDER BY name"):
        out.append(_line(None if status != "ok" else True, f"optional source {name}: {status.replace('_', ' ')}"
                         + (f" ({message})" if message and status != "ok" else "")))
    return healthy, meter


def _cache_checks(ctx: Context, out: list[str]) -> bool:
    from finops_tui.errors import CacheError
    from finops_tui.store.schema import SCHEMA_VERSION

    try:
        store = ctx.store()
    except CacheError as error:
        out.append(_line(False, f"cache: {error}"))
        return False
    quick = store.conn.execute("PRAGMA quick_check").fetchone()[0]
    rows, first, last = store.conn.execute("SELECT COUNT(*), MIN(day), MAX(day) FROM cost_daily").fetchone()
    out.append(_line(quick == "ok", f"cache: {ctx.cache_path}, schema {store.schema_version} of {SCHEMA_VERSION}, "
                                    f"integrity {quick}, {rows:,} cost rows" + (f" from {first} to {last}" if rows else "")))
    run = store.conn.execute("SELECT finished_at, status, error FROM sync_runs WHERE kind = 'sync' ORDER BY id DESC LIMIT 1").fetchone()
    if run:
        out.append(_line(run[1] == "ok", f"last sync: {run[1]} at {run[0] or 'unfinished'}" + (f": {run[2]}" if run[2] else "")))
    else:
        out.append(_line(None, "last sync: never"))
    month = ctx.clock.today.isoformat()[:7]
    spent = queries.ce_requests_in_month(store.conn, month)
    out.append(_line(None, f"Cost Explorer requests in {month}: {spent} ({usd(spent * CE_REQUEST_USD)})"))
    return quick == "ok"


def run(args: argparse.Namespace, ctx: Context) -> int:
    policy = json.dumps(iam_policy(ctx.settings), indent=2)
    if args.policy_only:
        print(policy)
        return 0
    profile = args.profile or ctx.settings.sync.profile
    out: list[str] = []
    cache_ok = _cache_checks(ctx, out)
    aws_ok, meter = _aws_checks(ctx, profile, out) if cache_ok else (False, None)
    if meter is not None and meter.requests:
        from finops_tui.sync import record_outside_requests

        record_outside_requests(ctx.store(), meter.ce_requests, ctx.clock)
        out.append(_line(None, f"doctor made {meter.requests} AWS requests, {meter.ce_requests} to Cost Explorer "
                               f"({usd(meter.ce_requests * CE_REQUEST_USD)}, counted against today's cap)"))
    print("\n".join(out))
    print("\nMinimal read-only IAM policy for the sync:")
    print(policy)
    url = args.s3 or getattr(ctx, "remote_url", None)
    if ctx.settings.athena.database or ctx.settings.athena.table:
        print("\nIAM policy for `sync --source athena` (the syncing host, with the policy above; "
              "EXPORT-BUCKET/EXPORT-PREFIX: where the Data Export is delivered):")
        print(json.dumps(athena_policy(ctx.settings), indent=2))
    print(f"\nIAM policy of the publisher (the syncing host: `finops-tui publish {url or 's3://BUCKET/PREFIX'}`):")
    print(json.dumps(snapshot_policy(url, publisher=True), indent=2))
    print(f"\nIAM policy of every reader (`finops-tui --cache {url or 's3://BUCKET/PREFIX'}`; nothing else is needed):")
    print(json.dumps(snapshot_policy(url, publisher=False), indent=2))
    return 0 if cache_ok and aws_ok else 1
