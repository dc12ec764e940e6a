"""`finops-tui publish s3://bucket/prefix`: share one consistent snapshot with every console."""

from __future__ import annotations

import argparse

from finops_tui.context import Context


def register(subparsers: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        "publish", help="upload a snapshot of the cache to S3 for `--cache s3://...` readers",
        description="Upload a consistent snapshot of the cache (as `finops-tui snapshot` writes it) to "
        "s3://bucket/prefix/snapshots/<sha256>.db, an immutable content-addressed object, then move "
        "s3://bucket/prefix/latest.json to it with a conditional write (If-Match the pointer it read), so two "
        "publishers never overwrite each other silently: the one that loses reads the pointer again and retries. "
        "Needs s3:GetObject and s3:PutObject on the prefix and s3:ListBucket on the bucket.",
    )
    parser.add_argument("url", metavar="s3://bucket/prefix", help="where to publish")
    parser.add_argument("--profile", metavar="P", help="AWS profile (default: sync.profile, else the boto3 chain)")
    parser.set_defaults(handler=run)
    return [parser]


def run(args: argparse.Namespace, ctx: Context) -> int:
    from finops_tui.errors import CacheError
    from finops_tui.publish import parse_s3_url, publish, s3_client

    location = parse_s3_url(args.url)
    if ctx.remote_url is not None:
        raise CacheError("publish needs a local cache to publish from, not --cache s3://...",
                         "run it on the host that syncs, with its own --cache")
    if not ctx.cache_path.is_file():
        raise CacheError(f"no cache at {ctx.cache_path}", "run `finops-tui sync` first, or pass --cache")
    ctx.close()  # the snapshot reads the file through its own read-only connection
    s3 = s3_client(args.profile or ctx.settings.sync.profile)
    result = publish(ctx.cache_path, location, ctx.clock.now().replace(microsecond=0).isoformat(), s3=s3)
    what = "uploaded" if result.uploaded else "already there (same content), not uploaded again"
    print(f"Snapshot {result.sha256[:12]} ({result.size:,} bytes) {what}: s3://{location.bucket}/{result.key}")
    before = f"was {result.previous[:12]}" if result.previous else "first publication"
    print(f"{location.url}/latest.json now points to it ({before}).")
    if result.retries:
        print(f"Another publisher moved latest.json while this one was publishing: read it again and retried "
              f"({result.retries} time{'s' if result.retries != 1 else ''}).")
    return 0
