"""Shared fixtures. Tests never read the user's real config, cache or AWS profile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

DEMO_TODAY = date(2026, 11, 26)
# The suite must pass with the wall clock at any moment: `make test` runs it again with the
# wall clock moved (time-machine, ticking from there) to the first minute of a month and to
# 23:59:59 UTC of a month's last day. Set it by hand with --wall-clock or this variable.
WALL_CLOCK_ENV = "FINOPS_TUI_TEST_WALL_CLOCK"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--wall-clock", default=os.environ.get(WALL_CLOCK_ENV) or None, metavar="ISO-8601",
                     help=f"run the whole session with the wall clock moved to this moment (or ${WALL_CLOCK_ENV})")


def pytest_report_header(config: pytest.Config) -> str | None:
    moment = config.getoption("--wall-clock")
    return f"wall clock moved to {moment} (time-machine)" if moment else None


@pytest.fixture(scope="session", autouse=True)
def moved_wall_clock(request: pytest.FixtureRequest) -> Iterator[datetime | None]:
    """The real clock, or the moment given by --wall-clock for the whole session (the clock keeps ticking)."""
    text = request.config.getoption("--wall-clock")
    if not text:
        yield None
        return
    import time_machine

    moment = datetime.fromisoformat(text)
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    config = home / "finops.toml"
    config.write_text("# test defaults\n")
    for name in list(os.environ):
        if name.startswith(("AWS_", "FINOPS_TUI_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FINOPS_TUI_CONFIG", str(config))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))  # remembered config files (settings_schema)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def demo_cache_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo snapshot for 2026-11-26 with default settings, built once per session."""
    from finops_tui.config import Settings
    from finops_tui.sources.demo import write_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    write_demo(path, Settings(), DEMO_TODAY)
    return path


@pytest.fixture
def demo_cache(demo_cache_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo snapshot that a test may change."""
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_cache_template.read_bytes())
    return copy
