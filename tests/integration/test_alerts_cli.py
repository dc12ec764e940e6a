"""`finops-tui alerts ...` as a user runs it, against a local Slack-like server; the webhook URL never leaks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.alerts_support import SPIKE_KEY, build_cache, spike_rows
from tests.helpers import run_cli
from tests.slack_server import WEBHOOK_PATH, SlackServer

SECRET_TOKEN = WEBHOOK_PATH.rsplit("/", 1)[1]


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "alerts.db"
    build_cache(path, spike_rows()).close()
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "finops.toml"
    path.write_text("[alerts]\ntimeout_seconds = 1.5\n")  # the server hangs for 5 s when told to
    return path


def alerts(cache: Path, config: Path, *args: str, today: str = "2026-11-11", env: dict[str, str] | None = None):
    return run_cli("--cache", str(cache), "--config", str(config), "--today", today, "alerts", *args, env=env)


def test_run_sends_once_and_is_silent_for_cron(cache: Path, config: Path, slack: SlackServer) -> None:
    env = {"FINOPS_TUI_SLACK_WEBHOOK": slack.url}
    first = alerts(cache, config, "run", env=env)
    second = alerts(cache, config, "run", env=env)

    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    assert (second.returncode, second.stdout) == (0, "")
    assert len(slack.posts) == 1
    listed = alerts(cache, config, "list")
    assert f"{SPIKE_KEY}" in listed.stdout and "sent" in listed.stdout


def test_dry_run_prints_and_sends_nothing(cache: Path, config: Path, slack: SlackServer) -> None:
    result = alerts(cache, config, "run", "--dry-run", env={"FINOPS_TUI_SLACK_WEBHOOK": slack.url})

    assert result.returncode == 0, result.stderr
    assert "Dry run: would send to Slack webhook (new):" in result.stdout
    assert "Approval: VP Engineering ($900.00/month)" in result.stdout
    assert slack.posts == []
    assert alerts(cache, config, "list").stdout.strip() == "No alert events recorded."


def test_the_webhook_url_never_leaks(cache: Path, slack: SlackServer, tmp_path: Path) -> None:
    # Retry backoff follows the wall clock whatever --today says: keep it to a few milliseconds here.
    config = tmp_path / "quick-retry.toml"
    config.write_text("[alerts]\ntimeout_seconds = 1.5\nmax_backoff_minutes = 0.0001\n")
    env = {"FINOPS_TUI_SLACK_WEBHOOK": slack.url}
    outputs: list[str] = []

    def keep(result) -> None:  # noqa: ANN001
        outputs.extend([result.stdout, result.stderr])

    slack.answer(500)
    failed = alerts(cache, config, "run", env=env)
    keep(failed)
    assert failed.returncode == 1
    assert f"finops-tui: alert delivery failed: {SPIKE_KEY}: Slack webhook returned HTTP 500: internal_error" in failed.stderr

    slack.answer("hang")
    timed_out = alerts(cache, config, "run", today="2026-11-12", env=env)  # the retry is due (a few ms of backoff)
    keep(timed_out)
    assert "Slack webhook did not answer within 1.5 s" in timed_out.stderr

    closed = {"FINOPS_TUI_SLACK_WEBHOOK": f"http://127.0.0.1:9{WEBHOOK_PATH}"}
    unreachable = alerts(cache, config, "run", today="2026-11-13", env=closed)
    keep(unreachable)
    assert "Slack webhook could not be reached" in unreachable.stderr

    bad_scheme = alerts(cache, config, "run", today="2026-11-14", env={"FINOPS_TUI_SLACK_WEBHOOK": f"ftp://x{WEBHOOK_PATH}"})
    keep(bad_scheme)
    assert "Slack webhook URL is not an http(s) URL" in bad_scheme.stderr

    for args in (("list",), ("run", "--dry-run"), ("run", "--debug")):
        result = alerts(cache, config, *args, today="2026-11-20", env=env)
        keep(result)
    keep(run_cli("--config", str(config), "config", env=env))
    keep(run_cli("--config", str(config), "--debug", "alerts", "run", "--cache", str(tmp_path / "missing.db"), env=env))

    assert len(slack.delivered) == 1  # finally delivered, once
    for text in outputs:
        assert SECRET_TOKEN not in text and "/services/" not in text
    for file in cache.parent.glob(cache.name + "*"):  # the cache, its -wal and -shm
        assert SECRET_TOKEN.encode() not in file.read_bytes(), file.name


def test_snooze_list_and_unsnooze(cache: Path, config: Path, slack: SlackServer) -> None:
    env = {"FINOPS_TUI_SLACK_WEBHOOK": slack.url}
    snoozed = alerts(cache, config, "snooze", "Category:ai/ml", "--for", "2d")
    assert (snoozed.returncode, snoozed.stdout) == (0, "Snoozed category:AI/ML alerts until 2026-11-13T12:00:00+00:00.\n")
    assert alerts(cache, config, "snooze", "prod", "--until", "2026-12-01").stdout == (
        "Snoozed production alerts until 2026-12-01T00:00:00+00:00.\n")  # an alias of production

    listed = alerts(cache, config, "list").stdout
    assert "snoozed: category:AI/ML until 2026-11-13T12:00:00+00:00" in listed
    assert "snoozed: production until 2026-12-01T00:00:00+00:00" in listed
    assert "category:AI/ML" not in alerts(cache, config, "list", today="2026-11-14").stdout  # expired

    compute = alerts(cache, config, "snooze", "category:compute", "--for", "1w")
    assert compute.returncode == 0
    alerts(cache, config, "run", env=env)
    assert slack.posts == []
    assert f"{SPIKE_KEY:<44} snoozed" in alerts(cache, config, "list").stdout

    assert alerts(cache, config, "unsnooze", "production").stdout == "Alerts for production are no longer snoozed.\n"
    assert alerts(cache, config, "unsnooze", "production").stdout == "production was not snoozed.\n"


@pytest.mark.parametrize(("args", "message"), [
    (("snooze", "prodution", "--for", "1d"), "finops-tui: unknown alert scope 'prodution'; expected one of all, total, production"),
    (("snooze", "total", "--for", "soon"), "finops-tui: --for 'soon' is not a duration such as 30m, 6h, 3d or 2w"),
    (("snooze", "total", "--until", "2026-11-01"), "finops-tui: --until 2026-11-01 is not in the future"),
    (("snooze", "total", "--until", "someday"), "finops-tui: --until 'someday' is not a date (YYYY-MM-DD) or an ISO-8601 time"),
    (("snooze", "total"), "finops-tui: one of the arguments --until --for is required"),
    (("list", "--limit", "0"), "finops-tui: --limit must be at least 1, not 0"),
])
def test_bad_input_is_one_line(cache: Path, config: Path, args: tuple[str, ...], message: str) -> None:
    result = alerts(cache, config, *args)
    assert result.returncode != 0
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_run_without_a_cache_says_so(tmp_path: Path, config: Path) -> None:
    result = alerts(tmp_path / "none.db", config, "run")
    assert result.returncode == 1
    assert result.stderr.startswith("finops-tui: no cache at ")
    assert not (tmp_path / "none.db").exists()
