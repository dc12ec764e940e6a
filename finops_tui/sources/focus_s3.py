"""FOCUS straight from S3: find the newest delivery of each billing period of a Data Export and fetch its files.

A Data Export delivers to ``<prefix>/<export-name>/data/BILLING_PERIOD=YYYY-MM/`` (with "create new
export version", one sub-folder per execution) and writes
``<prefix>/<export-name>/metadata/BILLING_PERIOD=YYYY-MM/[...]<export-name>-Manifest.json`` whose
``dataFiles`` lists the S3 URIs of that delivery. For each billing period the newest manifest decides which
files to read; without one, the newest delivery folder does (files directly in the period folder are one
delivery, overwritten in place). Files are streamed to a temporary folder in 1 MB chunks (never held in
memory) and imported through the same path as local files, in one transaction.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from finops_tui.errors import InputError, SyncError

DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".snappy.parquet", ".gz.parquet")
_PERIOD = re.compile(r"(?:^|/)BILLING_PERIOD=(\d{4}-\d{2})(?:/|$)", re.IGNORECASE)
CHUNK = 1 << 20


@dataclass(frozen=True)
class S3File:
    key: str
    size: int
    modified: datetime

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Delivery:
    period: str  # YYYY-MM, or '' when the files carry no billing period folder
    files: list[S3File]
    how: str  # "manifest <key>" | "newest folder <prefix>" | "files"


def is_data_file(key: str) -> bool:
    lower = key.lower()
    return lower.endswith(DATA_SUFFIXES) and "/metadata/" not in f"/{lower}"


def period_of(key: str) -> str:
    match = _PERIOD.search(key)
    return match.group(1) if match else ""


def list_objects(s3: Any, bucket: str, prefix: str) -> list[S3File]:
    found: list[S3File] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found.append(S3File(item["Key"], int(item.get("Size", 0)), item["LastModified"]))
    return found


def _manifest_files(s3: Any, bucket: str, manifest: S3File, known: dict[str, S3File]) -> list[S3File]:
    try:
        data = json.loads(s3.get_object(Bucket=bucket, Key=manifest.key)["Body"].read())
        uris = [str(uri) for uri in data["dataFiles"]]
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"s3://{bucket}/{manifest.key}: not a Data Exports manifest ({error})") from None
    files = []
    for uri in uris:
        if not uri.startswith(f"s3://{bucket}/"):
            raise InputError(f"s3://{bucket}/{manifest.key} lists {uri}, outside the bucket")
        key = uri[len(f"s3://{bucket}/"):]
        if key not in known:
            raise InputError(f"s3://{bucket}/{manifest.key} lists {uri}, which is not in the bucket",
                             "the export may still be delivering; try again later")
        files.append(known[key])
    return files


def newest_deliveries(s3: Any, bucket: str, prefix: str) -> list[Delivery]:
    """The files to import: the newest delivery of each billing period under ``prefix``."""
    objects = list_objects(s3, bucket, prefix)
    known = {item.key: item for item in objects}
    data_by_period: dict[str, list[S3File]] = defaultdict(list)
    manifests_by_period: dict[str, list[S3File]] = defaultdict(list)
    for item in objects:
        if item.key.endswith("Manifest.json"):
            manifests_by_period[period_of(item.key)].append(item)
        elif is_data_file(item.key):
            data_by_period[period_of(item.key)].append(item)
    deliveries = []
    for period in sorted(set(data_by_period) | set(manifests_by_period)):
        manifests = manifests_by_period.get(period)
        if manifests:
            newest = max(manifests, key=lambda m: (m.modified, m.key))
            deliveries.append(Delivery(period, _manifest_files(s3, bucket, newest, known), f"manifest {newest.key}"))
            continue
        files = data_by_period[period]
        folders: dict[str, list[S3File]] = defaultdict(list)
        for item in files:
            folders[item.key.rsplit("/", 1)[0]].append(item)
        if len(folders) == 1:
            deliveries.append(Delivery(period, files, "files"))
            continue
        folder, chosen = max(folders.items(), key=lambda kv: (max(f.modified for f in kv[1]), kv[0]))
        deliveries.append(Delivery(period, chosen, f"newest folder {folder}/"))
    return [d for d in deliveries if d.files]


def download(s3: Any, bucket: str, item: S3File, folder: Path, index: int) -> Path:
    """Stream one object to ``folder`` (1 MB at a time); the file keeps its name so its type is recognised."""
    target = folder / f"{index:05d}-{item.name}"
    body = s3.get_object(Bucket=bucket, Key=item.key)["Body"]
    with target.open("wb") as out:
        while chunk := body.read(CHUNK):
            out.write(chunk)
    return target


def fetch_export(s3: Any, url: str, folder: Path) -> list[tuple[str, Path, Delivery]]:
    """(s3 URI, local temporary path, its delivery) for every file of the newest deliveries at ``url``."""
    from finops_tui.publish import parse_s3_url
    from finops_tui.sources.aws import translate

    location = parse_s3_url(url)
    prefix = f"{location.prefix}/" if location.prefix else ""
    try:
        deliveries = newest_deliveries(s3, location.bucket, prefix)
        if not deliveries:
            raise InputError(f"{url}: no FOCUS export files (.csv, .csv.gz, .parquet) found under it")
        fetched = []
        for delivery in deliveries:
            for item in sorted(delivery.files, key=lambda f: f.key):
                path = download(s3, location.bucket, item, folder, len(fetched))
                fetched.append((f"s3://{location.bucket}/{item.key}", path, delivery))
        return fetched
    except (InputError, SyncError):
        raise
    except Exception as error:  # noqa: BLE001
        code = str((getattr(error, "response", None) or {}).get("Error", {}).get("Code", ""))
        if code == "NoSuchBucket":
            raise InputError(f"{url}: the bucket {location.bucket} does not exist") from None
        raise translate(error, None, "s3:ListBucket/s3:GetObject") from None
