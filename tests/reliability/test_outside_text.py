"""Outside text never escapes: control characters from tags and names are shown escaped; secrets never leak."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integration.conftest import MotoServer
from tests.reliability.support import cli, focus_row, write_focus

pytestmark = pytest.mark.reliability

TODAY = "2026-11-26"
HOSTILE_ID = "i-\x1b]0;pwned\x07\x1b[2J\x9bevil"
HOSTILE_SERVICE = "Amazon\x1b[31mEC2\x07"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    rows = [focus_row(f"2026-11-{day:02d}", "40", ResourceId=HOSTILE_ID, ServiceName=HOSTILE_SERVICE) for day in range(1, 26)]
    assert cli("--cache", str(path), "--today", TODAY, "import-focus", "--no-alerts", str(write_focus(tmp_path / "f.csv", rows))).code == 0
    return path


@pytest.mark.parametrize("args", [("waste",), ("waste", "--format", "csv"), ("report", "--month", "2026-11"),
                                  ("report", "--month", "2026-11", "--format", "csv"), ("status",)])
def test_terminal_and_markdown_output_shows_control_characters_escaped(cache: Path, args: tuple[str, ...]) -> None:
    outcome = cli("--cache", str(cache), "--today", TODAY, *args)
    assert outcome.code in (0, 1, 2, 3) and outcome.err == ""
    raw_controls = [ch for ch in outcome.out if (ord(ch) < 32 and ch not in "\n\t") or 0x7f <= ord(ch) <= 0x9f]
    assert raw_controls == []
    if args[0] == "waste":
        assert "i-\\x1b]0;pwned\\x07\\x1b[2J\\x9bevil" in outcome.out  # shown literally, escaped
    if args[0] == "report":
        assert "Amazon\\x1b[31mEC2\\x07" in outcome.out


def test_a_report_file_is_escaped_too(cache: Path, tmp_path: Path) -> None:
    target = tmp_path / "waste.md"
    assert cli("--cache", str(cache), "--today", TODAY, "waste", "-o", str(target)).code == 0
    text = target.read_text()
    assert "\x1b" not in text and "\x07" not in text and "i-\\x1b]0;pwned" in text


def test_json_keeps_the_exact_value(cache: Path) -> None:
    outcome = cli("--cache", str(cache), "--today", TODAY, "waste", "--format", "json")
    assert not any((ord(ch) < 32 and ch not in "\n") or 0x7f <= ord(ch) <= 0x9f for ch in outcome.out)
    item = json.loads(outcome.out)["items"][0]
    assert (item["resource_id"], item["name"]) == (HOSTILE_ID, HOSTILE_SERVICE)  # the exact values, safely encoded


def test_an_aws_key_in_an_aws_error_is_redacted_everywhere(tmp_path: Path, moto: MotoServer) -> None:
    key = "AKIAIOSFODNN7EXAMPLE"
    moto.fail("GetCostAndUsage", status=400, code=key)
    cache = tmp_path / "c.db"
    outcome = cli("--cache", str(cache), "--today", TODAY, "sync", "--no-alerts")
    assert outcome.code == 1
    assert key not in outcome.err and "<redacted AWS key>" in outcome.err
    conn = sqlite3.connect(cache)
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    assert key not in dump and "<redacted AWS key>" in dump
    assert key not in cli("--cache", str(cache), "--today", TODAY, "status", "--json").out
