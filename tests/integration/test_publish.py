"""publish / --cache s3://: one snapshot shared through moto's S3 (conditional writes are real S3 semantics there)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import boto3
import pytest

from finops_tui.clock import Clock
from finops_tui.config import Settings
from finops_tui.publish import open_remote, parse_s3_url, publish
from finops_tui.store.db import CostRow, open_store
from tests.athena_support import AthenaMoto, athena_moto, athena_server  # noqa: F401 - fixtures
from tests.conftest import DEMO_TODAY

URL = "s3://finops-share/prod"


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    from finops_tui.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def share(athena_moto: AthenaMoto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="finops-share")
    monkeypatch.setenv("FINOPS_TUI_CACHE_DIR", str(tmp_path / "reader-cache"))
    return s3


def add_spend(cache: Path, amount: float) -> None:
    """A publisher's later sync: one more day of spend today (test set-up, straight into the cache)."""
    store = open_store(cache)
    with store.transaction() as conn:
        store.insert_costs(conn, [CostRow("2026-11-25", "222222222222", "Amazon Elastic Compute Cloud", "BoxUsage:m5.large",
                                          "Compute", "production", "i-0new", amount, amount, source="ce")])
    store.close()


def pointer(s3) -> dict:
    return json.loads(s3.get_object(Bucket="finops-share", Key="prod/latest.json")["Body"].read())


def test_publish_uploads_a_content_addressed_snapshot_and_moves_the_pointer(share, demo_cache: Path, run_cli) -> None:
    code, out, err = run_cli("publish", URL, "--cache", str(demo_cache), "--today", "2026-11-26")
    assert code == 0, err
    latest = pointer(share)
    body = share.get_object(Bucket="finops-share", Key=latest["snapshot"])["Body"].read()
    sha = hashlib.sha256(body).hexdigest()
    assert latest["snapshot"] == f"prod/snapshots/{sha}.db" and latest["sha256"] == sha and latest["size"] == len(body)
    assert latest["previous"] is None and latest["published_at"] == "2026-11-26T12:00:00+00:00"
    assert body.startswith(b"SQLite format 3\x00")
    assert f"s3://finops-share/prod/snapshots/{sha}.db" in out and "(first publication)" in out

    again = run_cli("publish", URL, "--cache", str(demo_cache), "--today", "2026-11-26")
    assert again[0] == 0
    assert "already there (same content), not uploaded again" in again[1]
    assert pointer(share)["previous"] == sha


def test_two_publishers_racing_never_overwrite_each_other_silently(share, demo_cache: Path, tmp_path: Path) -> None:
    first_cache = demo_cache
    second_cache = tmp_path / "second.db"
    second_cache.write_bytes(demo_cache.read_bytes())
    add_spend(second_cache, 500.0)
    location = parse_s3_url(URL)
    racer = boto3.client("s3", region_name="us-east-1")
    raced: list[str] = []

    def the_other_publisher_gets_there_first(params: dict, **_: object) -> None:
        if params.get("Key") == "prod/latest.json" and not raced:
            raced.append("raced")
            other = publish(second_cache, location, "2026-11-26T12:00:00+00:00", s3=racer)
            raced.append(other.sha256)

    ours = boto3.client("s3", region_name="us-east-1")
    ours.meta.events.register("provide-client-params.s3.PutObject", the_other_publisher_gets_there_first)
    result = publish(first_cache, location, "2026-11-26T12:00:01+00:00", s3=ours)

    assert result.retries == 1  # our first conditional write was refused: the pointer had moved
    latest = pointer(share)
    assert latest["sha256"] == result.sha256
    assert latest["previous"] == raced[1]  # the other publisher's snapshot is named, not silently lost
    keys = {item["Key"] for item in share.list_objects_v2(Bucket="finops-share", Prefix="prod/snapshots/")["Contents"]}
    assert keys == {f"prod/snapshots/{result.sha256}.db", f"prod/snapshots/{raced[1]}.db"}


def test_s3_refuses_a_stale_if_match(share) -> None:
    """The precondition the publisher relies on, as S3 (and moto) enforce it."""
    import botocore.exceptions

    share.put_object(Bucket="finops-share", Key="prod/latest.json", Body=b"{}", IfNoneMatch="*")
    stale = share.head_object(Bucket="finops-share", Key="prod/latest.json")["ETag"]
    share.put_object(Bucket="finops-share", Key="prod/latest.json", Body=b'{"a": 1}', IfMatch=stale)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        share.put_object(Bucket="finops-share", Key="prod/latest.json", Body=b'{"b": 2}', IfMatch=stale)
    assert caught.value.response["Error"]["Code"] == "PreconditionFailed"
    with pytest.raises(botocore.exceptions.ClientError):
        share.put_object(Bucket="finops-share", Key="prod/latest.json", Body=b"{}", IfNoneMatch="*")


def test_readers_see_the_published_figures_read_only(share, demo_cache: Path, run_cli, tmp_path: Path) -> None:
    expected = json.loads(run_cli("status", "--json", "--cache", str(demo_cache), "--today", "2026-11-26")[1])
    assert run_cli("publish", URL, "--cache", str(demo_cache), "--today", "2026-11-26")[0] == 0
    code, out, err = run_cli("status", "--json", "--cache", URL, "--today", "2026-11-26")
    assert err == "", err
    seen = json.loads(out)
    assert seen["total"] == expected["total"] and seen["categories"] == expected["categories"]
    download = tmp_path / "reader-cache" / "s3" / "finops-share" / "prod" / f"{pointer(share)['sha256']}.db"
    assert hashlib.sha256(download.read_bytes()).hexdigest() == pointer(share)["sha256"]  # never written to
    code, out, err = run_cli("leads", "set", "2026-11-20", "5", "--cache", URL)
    assert code != 0 and "read-only" in err and "Traceback" not in err


def test_offline_readers_use_the_last_download(share, demo_cache: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_cli("publish", URL, "--cache", str(demo_cache), "--today", "2026-11-26")[0] == 0
    online = json.loads(run_cli("status", "--json", "--cache", URL, "--today", "2026-11-26")[1])
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there: S3 is unreachable
    code, out, err = run_cli("status", "--json", "--cache", URL, "--today", "2026-11-26")
    assert json.loads(out)["total"] == online["total"]
    assert "cannot reach S3" in err and "showing the snapshot downloaded last" in err


def test_nothing_published_yet_is_one_line(share, run_cli) -> None:
    code, out, err = run_cli("status", "--cache", URL)
    assert code == 1
    assert err == ("finops-tui: nothing is published at s3://finops-share/prod yet "
                   "(run `finops-tui publish s3://finops-share/prod` on the syncing host)\n")


async def test_the_console_picks_up_a_new_snapshot_and_survives_s3_going_away(share, demo_cache: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from finops_tui.publish import open_snapshot
    from finops_tui.tui.app import make_app
    from finops_tui.tui.widgets.status_header import header_content

    location = parse_s3_url(URL)
    publish(demo_cache, location, "2026-11-26T06:00:00+00:00", s3=share)
    remote = open_remote(URL, tmp_path / "console-cache")
    app = make_app(Settings(), open_snapshot(remote), Clock(DEMO_TODAY, fixed=True), refresh_seconds=None,
                   auto_sync=False, remote=remote)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        before = app.snapshot.total.mtd
        add_spend(demo_cache, 1234.56)
        publish(demo_cache, location, "2026-11-26T12:00:00+00:00", s3=share)
        app.action_reload()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.snapshot.total.mtd == round(before + 1234.56, 2)
        assert "STALE" not in header_content(app.snapshot, app.header_state()).plain

        import boto3 as b3

        remote.s3 = b3.client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")  # S3 goes away
        app.action_reload()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.snapshot.total.mtd == round(before + 1234.56, 2)  # the last download, still shown
        assert "STALE" in header_content(app.snapshot, app.header_state()).plain


def test_an_unchanged_pointer_is_one_conditional_get(share, demo_cache: Path, tmp_path: Path) -> None:
    publish(demo_cache, parse_s3_url(URL), "2026-11-26T12:00:00+00:00", s3=share)
    remote = open_remote(URL, tmp_path / "c")
    sent: list[dict] = []
    remote.s3.meta.events.register("provide-client-params.s3.GetObject", lambda params, **_: sent.append(dict(params)))
    assert remote.refresh() is False
    assert sent == [{"Bucket": "finops-share", "Key": "prod/latest.json", "IfNoneMatch": remote.pointer.etag}]
    assert remote.offline_reason is None


def test_s3_dropping_mid_download_keeps_the_last_snapshot(share, demo_cache: Path, tmp_path: Path) -> None:
    import botocore.exceptions

    location = parse_s3_url(URL)
    first = publish(demo_cache, location, "2026-11-26T06:00:00+00:00", s3=share)
    remote = open_remote(URL, tmp_path / "c")
    add_spend(demo_cache, 99.0)
    second = publish(demo_cache, location, "2026-11-26T12:00:00+00:00", s3=share)

    def drop(request, **_: object) -> None:
        if "/snapshots/" in request.url:  # latest.json answered; the network goes while fetching the snapshot
            raise botocore.exceptions.EndpointConnectionError(endpoint_url=request.url)

    remote.s3.meta.events.register("before-send.s3.GetObject", drop)
    assert remote.refresh() is False
    assert remote.pointer.sha256 == first.sha256 != second.sha256
    assert remote.offline_reason is not None and "cannot reach S3" in remote.offline_reason
    folder = tmp_path / "c" / "s3" / "finops-share" / "prod"
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{first.sha256}.db", "pointer.json"])  # no partial file
    remote.s3.meta.events.unregister("before-send.s3.GetObject", drop)
    assert remote.refresh() is True and remote.pointer.sha256 == second.sha256
