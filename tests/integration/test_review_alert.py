"""`alerts run` on the first Monday of a month sends the FinOps review, once, to the alert channels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.review_cache import october_cache
from tests.slack_server import SlackServer

# Levers of October by hand (tests/review_cache.py): low 31 + 273.6 + 288.3 + 183.6 + 62 = 838.50;
# high 93 + 547.2 + 576.6 + 275.4 + 62 (serverless is open-ended: its low end) = 1,554.20.
HEADLINE = "FinOps review: October 2026: $838.50 - $1,554.20 a month in levers"


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


def alerts_run(cache: Path, today: str, slack: SlackServer):
    return run_cli("--cache", str(cache), "--today", today, "alerts", "run", env={"FINOPS_TUI_SLACK_WEBHOOK": slack.url})


def test_first_monday_sends_the_review_once(tmp_path: Path, slack: SlackServer) -> None:
    cache = october_cache(tmp_path / "finops.db").path

    sunday = alerts_run(cache, "2026-11-01", slack)
    first = alerts_run(cache, "2026-11-02", slack)  # the first Monday of November 2026
    again = alerts_run(cache, "2026-11-02", slack)
    next_monday = alerts_run(cache, "2026-11-09", slack)

    assert [r.returncode for r in (sunday, first, again, next_monday)] == [0, 0, 0, 0], first.stderr
    reviews = [post.json for post in slack.delivered if post.json["text"].startswith("FinOps review")]
    assert len(reviews) == 1
    message = reviews[0]
    assert message["text"] == HEADLINE
    assert message["blocks"][0]["text"]["text"] == HEADLINE
    bullets = message["blocks"][2]["text"]["text"].splitlines()
    assert bullets[:3] == [
        "• RI / Savings Plans: $288.30 - $576.60 a month on a base of $961.00 (Team Lead)",
        "• Instance Right-sizing: $273.60 - $547.20 a month on a base of $1,368.00 (Team Lead)",
        "• Moving to Graviton (ARM): $183.60 - $275.40 a month on a base of $918.00 (Team Lead)",
    ]
    assert "• Spot: $344.40 a month on $574.00 of non-production on-demand EC2." in bullets
    assert "• Data transfer: $201.50 (Cross-AZ $93.00, Inter-region $31.00, Internet out $15.50, NAT gateway processed $62.00)." in bullets
    listed = run_cli("--cache", str(cache), "--today", "2026-11-02", "alerts", "list")
    assert "review:2026-10" in listed.stdout


def test_the_next_first_monday_reviews_the_next_month(tmp_path: Path, slack: SlackServer) -> None:
    cache = october_cache(tmp_path / "finops.db").path

    assert alerts_run(cache, "2026-11-02", slack).returncode == 0
    december = alerts_run(cache, "2026-12-07", slack)  # first Monday of December: November is reviewed

    assert december.returncode == 0, december.stderr
    texts = [post.json["text"] for post in slack.delivered if post.json["text"].startswith("FinOps review")]
    assert texts == [HEADLINE, "FinOps review: November 2026: $0.00 - $0.00 a month in levers"]


def test_stdout_channel_prints_the_review(tmp_path: Path) -> None:
    cache = october_cache(tmp_path / "finops.db").path

    done = run_cli("--cache", str(cache), "--today", "2026-11-02", "alerts", "run")

    assert done.returncode == 0, done.stderr
    assert f"[finops-tui] {HEADLINE}" in done.stdout
    assert "  The meeting document: finops-tui review --month 2026-10" in done.stdout
