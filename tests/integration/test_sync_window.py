"""Which days a sync asks Cost Explorer for: backfill once, then the open window (and any gap)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from finops_tui.config import Settings
from finops_tui.errors import InputError
from finops_tui.store.db import open_store
from finops_tui.sync import FETCHED_UNTIL_KEY, plan_window


@pytest.fixture
def store(tmp_path: Path):
    store = open_store(tmp_path / "finops.db")
    yield store
    store.close()


def test_first_run_backfills_thirteen_months(store) -> None:
    window = plan_window(store, Settings(), date(2026, 11, 26))
    assert (window.start, window.end, window.backfill) == (date(2025, 11, 1), date(2026, 11, 27), True)


@pytest.mark.parametrize(("today", "fetched_until", "start"), [
    (date(2026, 11, 26), "2026-11-27", date(2026, 11, 23)),  # last 3 days
    (date(2026, 12, 5), "2026-12-05", date(2026, 11, 1)),  # previous month open until its 5th day after month end
    (date(2026, 12, 6), "2026-12-06", date(2026, 12, 3)),  # ... and closed on the 6th
    (date(2026, 11, 26), "2026-11-10", date(2026, 11, 7)),  # a gap since the last run is closed too
    (date(2026, 11, 26), "2024-01-01", date(2025, 11, 1)),  # never further back than the backfill
])
def test_later_runs_fetch_the_open_window(store, today: date, fetched_until: str, start: date) -> None:
    with store.transaction() as conn:
        store.set_meta(FETCHED_UNTIL_KEY, fetched_until, conn)
    window = plan_window(store, Settings(), today)
    assert (window.start, window.backfill) == (start, False)


def test_since_overrides_and_must_not_be_in_the_future(store) -> None:
    assert plan_window(store, Settings(), date(2026, 11, 26), since=date(2026, 6, 1)).start == date(2026, 6, 1)
    with pytest.raises(InputError, match="after today"):
        plan_window(store, Settings(), date(2026, 11, 26), since=date(2026, 12, 1))


def test_sync_side_imports_neither_textual_nor_boto3_at_import() -> None:
    import subprocess
    import sys

    from tests.helpers import REPO

    code = ("import sys\nimport finops_tui.sync, finops_tui.sources.aws, finops_tui.sources.aws_costs, "
            "finops_tui.sources.aws_scan, finops_tui.sources.aws_optional, finops_tui.commands.sync_cmd, "
            "finops_tui.commands.doctor_cmd\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'boto3', 'pandas'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == ""
