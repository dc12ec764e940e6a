"""One snapshot, many consoles: publish the cache to S3, pull the latest back.

Layout under ``s3://bucket/prefix/``::

    snapshots/<sha256>.db   immutable, content-addressed (created with If-None-Match: *)
    latest.json             the pointer: {"format", "snapshot", "sha256", "size", "published_at", "previous"}

A publisher uploads its snapshot, then moves ``latest.json`` with a conditional
write: ``If-Match`` the ETag it read (``If-None-Match: *`` when there is none
yet). When another publisher moved the pointer in between, S3 answers 412
PreconditionFailed; the publisher reads the pointer again, says so, and
retries, so two publishers never overwrite each other silently.

A reader keeps ``<cache dir>/s3/<bucket>/<prefix>/`` with the snapshots it
downloaded and ``pointer.json`` (the pointer and its ETag). Each check is one
``GetObject latest.json`` with ``If-None-Match`` (304 when unchanged); a new
snapshot is downloaded to a temporary name, its SHA-256 checked, then renamed
into place. When S3 cannot be reached, the last download is used, marked stale.
Only ``s3:GetObject``, ``s3:PutObject`` on the prefix and ``s3:ListBucket`` are needed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finops_tui.errors import InputError, SyncError

POINTER = "latest.json"
POINTER_FORMAT = "finops-tui-snapshot/1"
LOCAL_POINTER = "pointer.json"
PUBLISH_ATTEMPTS = 5
CHUNK = 1 << 20
S3_REGION = "us-east-1"


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # without a trailing slash; may be ''

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


def is_s3_url(text: str | None) -> bool:
    return bool(text) and str(text).startswith("s3://")


def parse_s3_url(text: str) -> S3Location:
    """``s3://bucket/prefix`` -> S3Location; anything else is one clear sentence."""
    if not is_s3_url(text):
        raise InputError(f"{text!r} is not an S3 URL (expected s3://bucket/prefix)")
    bucket, _, prefix = text[len("s3://"):].partition("/")
    if not _BUCKET.match(bucket):
        raise InputError(f"{text!r}: {bucket!r} is not an S3 bucket name")
    return S3Location(bucket, prefix.strip("/"))


def s3_client(profile: str | None = None, *, attempts: int = 3) -> Any:
    import boto3
    from botocore.config import Config

    session = boto3.Session(profile_name=profile)
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts}, connect_timeout=5, read_timeout=60,
                    user_agent_extra="finops-tui")
    return session.client("s3", region_name=os.environ.get("AWS_DEFAULT_REGION") or S3_REGION, config=config)


def _code(error: BaseException) -> str:
    return str((getattr(error, "response", None) or {}).get("Error", {}).get("Code", ""))


def _status(error: BaseException) -> int:
    return int((getattr(error, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


def _unreachable(error: BaseException) -> bool:
    import botocore.exceptions as bx

    return isinstance(error, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError,
                              bx.ConnectionClosedError)) or _status(error) in (500, 502, 503, 504)


def _s3_error(error: BaseException, location: S3Location, what: str) -> SyncError:
    from finops_tui.sources.aws import translate

    if _code(error) in ("NoSuchBucket",):
        return SyncError(f"{location.url}: the bucket {location.bucket} does not exist", "check the S3 URL")
    return translate(error, None, what)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Pointer:
    snapshot: str  # object key
    sha256: str
    size: int
    published_at: str
    previous: str | None
    etag: str = ""

    def body(self) -> bytes:
        return json.dumps({"format": POINTER_FORMAT, "snapshot": self.snapshot, "sha256": self.sha256, "size": self.size,
                           "published_at": self.published_at, "previous": self.previous}, indent=2).encode() + b"\n"


def parse_pointer(raw: bytes, etag: str, where: str) -> Pointer:
    try:
        data = json.loads(raw)
        if data.get("format") != POINTER_FORMAT:
            raise ValueError("not a finops-tui pointer")
        sha = str(data["sha256"])
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise ValueError("bad sha256")
        return Pointer(str(data["snapshot"]), sha, int(data["size"]), str(data.get("published_at", "")),
                       data.get("previous"), etag)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise SyncError(f"{where} is not a finops-tui snapshot pointer ({error})",
                        "publish again with `finops-tui publish`") from None


def read_pointer(s3: Any, location: S3Location) -> Pointer | None:
    """The current ``latest.json`` with its ETag, or None when nothing was published yet."""
    try:
        answer = s3.get_object(Bucket=location.bucket, Key=location.key(POINTER))
    except Exception as error:  # noqa: BLE001 - boto3 raises ClientError subclasses
        if _code(error) in ("NoSuchKey", "404"):
            return None
        raise
    return parse_pointer(answer["Body"].read(), answer.get("ETag", ""), f"{location.url}/{POINTER}")


# -- publish ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishResult:
    location: S3Location
    key: str
    sha256: str
    size: int
    uploaded: bool  # False: the same content was already there
    previous: str | None  # sha256 the pointer named before ours
    retries: int  # times another publisher moved the pointer first


def publish(cache_path: Path, location: S3Location, published_at: str, *, s3: Any | None = None,
            work_dir: Path | None = None) -> PublishResult:
    """Upload a consistent snapshot of the cache and move ``latest.json`` to it with a conditional write."""
    from finops_tui.store.snapshot import write_snapshot

    s3 = s3 or s3_client()
    with tempfile.TemporaryDirectory(prefix="finops-publish-", dir=work_dir) as folder:
        snapshot = write_snapshot(cache_path, Path(folder) / "snapshot.db", overwrite=True)
        sha = file_sha256(snapshot)
        size = snapshot.stat().st_size
        key = location.key(f"snapshots/{sha}.db")
        try:
            uploaded = _upload_once(s3, location, key, snapshot, sha)
            retries, previous = _move_pointer(s3, location, Pointer(key, sha, size, published_at, None))
        except SyncError:
            raise
        except Exception as error:  # noqa: BLE001
            raise _s3_error(error, location, "s3:PutObject") from None
    return PublishResult(location, key, sha, size, uploaded, previous, retries)


def _upload_once(s3: Any, location: S3Location, key: str, snapshot: Path, sha: str) -> bool:
    """Create the content-addressed object; an existing one is the same bytes and is left as it is."""
    try:
        with snapshot.open("rb") as body:
            s3.put_object(Bucket=location.bucket, Key=key, Body=body, IfNoneMatch="*",
                          ContentType="application/vnd.sqlite3", Metadata={"sha256": sha})
    except Exception as error:  # noqa: BLE001
        if _code(error) in ("PreconditionFailed", "ConditionalRequestConflict") or _status(error) == 412:
            return False
        raise
    return True


def _move_pointer(s3: Any, location: S3Location, ours: Pointer) -> tuple[int, str | None]:
    retries = 0
    for _attempt in range(PUBLISH_ATTEMPTS):
        current = read_pointer(s3, location)
        pointer = Pointer(ours.snapshot, ours.sha256, ours.size, ours.published_at,
                          current.sha256 if current else None)
        condition = {"IfMatch": current.etag} if current else {"IfNoneMatch": "*"}
        try:
            s3.put_object(Bucket=location.bucket, Key=location.key(POINTER), Body=pointer.body(),
                          ContentType="application/json", **condition)
            return retries, pointer.previous
        except Exception as error:  # noqa: BLE001
            if _code(error) in ("PreconditionFailed", "ConditionalRequestConflict") or _status(error) in (409, 412):
                retries += 1  # another publisher moved latest.json after we read it: read it again
                continue
            raise
    raise SyncError(f"{location.url}/{POINTER} kept moving: {PUBLISH_ATTEMPTS} conditional writes were refused",
                    "another publisher is publishing in a loop; the snapshot was uploaded but not made latest")


# -- pull ------------------------------------------------------------------------------------------


def local_folder(cache_dir: Path, location: S3Location) -> Path:
    safe = [part for part in location.prefix.split("/") if part and part not in (".", "..")]
    return cache_dir / "s3" / location.bucket / Path(*safe) if safe else cache_dir / "s3" / location.bucket


@dataclass
class RemoteCache:
    """The latest published snapshot, kept in a local folder and checked again on demand."""

    location: S3Location
    folder: Path
    s3: Any = None
    pointer: Pointer | None = None
    offline_reason: str | None = None  # set while S3 cannot be reached (the last download is used)

    @property
    def path(self) -> Path | None:
        if self.pointer is None:
            return None
        return self.folder / f"{self.pointer.sha256}.db"

    def _client(self) -> Any:
        if self.s3 is None:
            self.s3 = s3_client(attempts=2)
        return self.s3

    def _load_local(self) -> None:
        try:
            data = json.loads((self.folder / LOCAL_POINTER).read_text(encoding="utf-8"))
            pointer = parse_pointer(json.dumps(data["pointer"]).encode(), str(data.get("etag", "")), "local pointer")
        except (OSError, ValueError, KeyError, TypeError, SyncError):
            return
        if (self.folder / f"{pointer.sha256}.db").is_file():
            self.pointer = pointer

    def refresh(self) -> bool:
        """Check ``latest.json`` (If-None-Match the ETag we have); download a new snapshot. True when it changed."""
        if self.pointer is None:
            self._load_local()
        before = self.pointer.sha256 if self.pointer else None
        try:
            latest = self._fetch_pointer()
            if latest is not None and latest.sha256 != before:
                self._download(latest)
                self.pointer = latest
                self._save_local()
            elif latest is not None and self.pointer is not None and latest.etag != self.pointer.etag:
                self.pointer = latest  # same snapshot, pointer rewritten
                self._save_local()
            self.offline_reason = None
        except SyncError:
            raise
        except Exception as error:  # noqa: BLE001
            if not _unreachable(error):
                raise _s3_error(error, self.location, "s3:GetObject") from None
            if self.pointer is None:
                raise SyncError(f"cannot reach S3 for {self.location.url} and no snapshot of it was downloaded yet",
                                "check the network or AWS_ENDPOINT_URL, then try again") from None
            self.offline_reason = f"cannot reach S3 ({type(error).__name__}); showing the snapshot downloaded last"
        return (self.pointer.sha256 if self.pointer else None) != before

    def _fetch_pointer(self) -> Pointer | None:
        s3 = self._client()
        request: dict[str, Any] = {"Bucket": self.location.bucket, "Key": self.location.key(POINTER)}
        if self.pointer is not None and self.pointer.etag:
            request["IfNoneMatch"] = self.pointer.etag
        try:
            answer = s3.get_object(**request)
        except Exception as error:  # noqa: BLE001
            if _code(error) in ("304", "NotModified") or _status(error) == 304:
                return None
            if _code(error) in ("NoSuchKey", "404"):
                raise SyncError(f"nothing is published at {self.location.url} yet",
                                f"run `finops-tui publish {self.location.url}` on the syncing host") from None
            raise
        return parse_pointer(answer["Body"].read(), answer.get("ETag", ""), f"{self.location.url}/{POINTER}")

    def _download(self, pointer: Pointer) -> None:
        target = self.folder / f"{pointer.sha256}.db"
        if target.is_file() and file_sha256(target) == pointer.sha256:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=".download-", suffix=".partial", dir=self.folder)
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                body = self._client().get_object(Bucket=self.location.bucket, Key=pointer.snapshot)["Body"]
                while chunk := body.read(CHUNK):
                    out.write(chunk)
            got = file_sha256(temp)
            if got != pointer.sha256:
                raise SyncError(f"{self.location.url}: snapshot {pointer.snapshot} does not match its SHA-256 "
                                f"({got[:12]}... instead of {pointer.sha256[:12]}...)", "publish again")
            os.chmod(temp, 0o600)
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)

    def _save_local(self) -> None:
        assert self.pointer is not None
        data = {"url": self.location.url, "etag": self.pointer.etag, "pointer": json.loads(self.pointer.body())}
        handle, temp_name = tempfile.mkstemp(prefix=".pointer-", dir=self.folder)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
        os.replace(temp_name, self.folder / LOCAL_POINTER)
        self._prune()

    def _prune(self, keep: int = 2) -> None:
        """Keep the current snapshot and the one before it (a console may still be reading it)."""
        current = self.path
        older = sorted((p for p in self.folder.glob("*.db") if p != current), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in older[keep - 1:]:
            stale.unlink(missing_ok=True)


def open_snapshot(remote: RemoteCache) -> Any:
    """The downloaded snapshot as a read-only store; a schema mismatch names the publisher's version."""
    from finops_tui.errors import CacheError
    from finops_tui.store.db import open_store

    assert remote.path is not None
    try:
        return open_store(remote.path, create=False, read_only=True)
    except CacheError as error:
        if "older finops-tui" in error.message or "newer finops-tui" in error.message:
            raise CacheError(f"the snapshot published at {remote.location.url} {error.message.split(' ', 1)[1]}",
                             "run the same finops-tui version on the publishing host and here") from None
        raise


def open_remote(url: str, cache_dir: Path, *, s3: Any | None = None) -> RemoteCache:
    """Pull the latest snapshot at ``url`` into ``cache_dir`` (or use the last download when S3 is unreachable)."""
    location = parse_s3_url(url)
    remote = RemoteCache(location, local_folder(cache_dir, location), s3)
    remote.refresh()
    return remote
