"""An export read in chunks sums exactly as one read whole: days that span chunks, revisions, a late bad row.

Chunks are made tiny here (a few rows) so that small files cross several of
them, on both readers: the csv module and pyarrow's (its size threshold off).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from finops_tui.config import Settings
from finops_tui.errors import InputError
from finops_tui.importers import import_focus
from finops_tui.sources import focus, focus_arrow
from finops_tui.store import open_store
from tests.unit.test_focus_mapping import HEADER, row, write_csv

SLICE_HEADER = [*HEADER, "BillingAccountId", "BillingPeriodStart", "BillingPeriodEnd", "ProviderName"]
PERIOD = ["999", "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z", "AWS"]


@dataclass
class Reader:
    name: str
    fallbacks: list[str] = field(default_factory=list)  # why pyarrow's reader handed a file to the csv module

    def assert_used(self) -> None:
        assert not self.fallbacks, self.fallbacks


@pytest.fixture(params=["csv module", "pyarrow"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Reader:
    """Every test runs on both readers, with chunks of 4 rows (and pyarrow blocks of about two rows)."""
    used = Reader(request.param)
    monkeypatch.setattr(focus, "CHUNK_ROWS", 4)
    if request.param == "pyarrow":
        pytest.importorskip("pyarrow")
        monkeypatch.setattr(focus_arrow, "MIN_BYTES", 0)
        monkeypatch.setattr(focus_arrow, "BLOCK_BYTES", 400)
        fast = focus.read_csv_fast

        def witnessed(*args: object, **kwargs: object) -> None:
            try:
                fast(*args, **kwargs)
            except focus_arrow.FastPathUnavailable as error:
                used.fallbacks.append(str(error))
                raise

        monkeypatch.setattr(focus, "read_csv_fast", witnessed)
    else:
        monkeypatch.setattr(focus_arrow, "MIN_BYTES", 1 << 40)
    return used


def facts(cache: Path) -> list[tuple]:
    conn = sqlite3.connect(cache)
    try:
        return conn.execute(
            "SELECT day, resource_id, charge_type, ROUND(amortized, 6), ROUND(billed, 6), ROUND(usage_quantity, 6) "
            "FROM cost_daily ORDER BY day, resource_id, charge_type").fetchall()
    finally:
        conn.close()


def test_a_day_whose_hours_span_chunks_sums_to_one_row(tmp_path: Path, reader: Reader) -> None:
    # 24 hours of one resource at 0.25 billed / 0.125 effective, interleaved with a second resource:
    # 48 rows, a dozen chunks; each day must still be one row per resource.
    rows = []
    for hour in range(24):
        rows.append(row(f"2026-05-01T{hour:02d}:00:00Z", 0.25, 0.125, resource="i-a"))
        rows.append(row(f"2026-05-01T{hour:02d}:00:00Z", 1.0, 0.5, resource="i-b"))
    rows.append(row("2026-05-02T00:00:00Z", 2.0, 1.0, resource="i-a"))
    store = open_store(tmp_path / "c.db")
    [result] = import_focus(store, Settings(), [write_csv(tmp_path / "f.csv", rows)])
    assert (result.source_rows, result.rows_written) == (49, 3)
    assert facts(tmp_path / "c.db") == [
        ("2026-05-01", "i-a", "usage", 3.0, 6.0, 0.0),
        ("2026-05-01", "i-b", "usage", 12.0, 24.0, 0.0),
        ("2026-05-02", "i-a", "usage", 1.0, 2.0, 0.0),
    ]
    assert (result.first_day, result.last_day, result.billed, result.amortized) == ("2026-05-01", "2026-05-02", 32.0, 16.0)
    rollup = store.conn.execute("SELECT day, SUM(billed) FROM cost_rollup GROUP BY day ORDER BY day").fetchall()
    assert rollup == [("2026-05-01", 30.0), ("2026-05-02", 2.0)]
    reader.assert_used()


def test_adjustments_become_refunds_row_by_row_across_chunks(tmp_path: Path, reader: Reader) -> None:
    # One resource, one day: money back is a refund, a charge stays an adjustment, whichever chunk it is in.
    rows = [row(f"2026-05-03T{hour:02d}:00:00Z", amount, amount, category="Adjustment", resource="r-1")
            for hour, amount in enumerate([-1.5, 2.0, -0.5, 4.0, -3.0, 1.0, 0.25, -0.25, 8.0])]
    store = open_store(tmp_path / "c.db")
    import_focus(store, Settings(), [write_csv(tmp_path / "f.csv", rows)])
    assert facts(tmp_path / "c.db") == [
        ("2026-05-03", "r-1", "adjustment", 15.25, 15.25, 0.0),
        ("2026-05-03", "r-1", "refund", -5.25, -5.25, 0.0),
    ]
    reader.assert_used()


def test_usage_quantities_sum_across_chunks(tmp_path: Path, reader: Reader) -> None:
    header = [*HEADER, "ConsumedQuantity"]
    rows = [[*row(f"2026-05-01T{hour:02d}:00:00Z", 0.5), quantity] for hour, quantity in enumerate(["2", "", "3.5", "1", "", "0.5"])]
    import_focus(open_store(tmp_path / "c.db"), Settings(), [write_csv(tmp_path / "f.csv", rows, header)])
    assert facts(tmp_path / "c.db") == [("2026-05-01", "i-1", "usage", 3.0, 3.0, 7.0)]
    reader.assert_used()


def export(path: Path, through_day: int, amount: float) -> Path:
    """One billing period's export, a row per resource and day through May ``through_day``; the latest day comes last."""
    rows = [[*row(f"2026-05-{day:02d}T00:00:00Z", amount, resource=f"i-{n}"), *PERIOD]
            for day in range(1, through_day + 1) for n in range(3)]
    return write_csv(path, rows, SLICE_HEADER)


def test_a_revision_replaces_the_slice_and_an_older_one_is_refused_by_its_last_chunk(tmp_path: Path, reader: Reader) -> None:
    cache = tmp_path / "c.db"
    import_focus(open_store(cache), Settings(), [export(tmp_path / "may-10.csv", 10, 1.0)])
    [revised] = import_focus(open_store(cache), Settings(), [export(tmp_path / "may-20.csv", 20, 2.0)])
    assert revised.replaced and revised.rows_written == 60
    conn = sqlite3.connect(cache)
    assert conn.execute("SELECT COUNT(*), SUM(billed), MAX(day) FROM cost_daily").fetchone() == (60, 120.0, "2026-05-20")
    assert conn.execute("SELECT data_through FROM source_slices").fetchall() == [("2026-05-20T00:00:00+00:00",)]
    conn.close()
    # The older export's latest ChargePeriodStart is in its last chunk: it is still known to be older.
    with pytest.raises(InputError, match=r"an older export of AWS 999 2026-05 than the one loaded"):
        import_focus(open_store(cache), Settings(), [export(tmp_path / "may-15.csv", 15, 3.0)])
    assert facts(cache) == [(f"2026-05-{day:02d}", f"i-{n}", "usage", 2.0, 2.0, 0.0) for day in range(1, 21) for n in range(3)]
    reader.assert_used()


def test_a_bad_row_in_a_late_chunk_leaves_the_cache_unchanged(tmp_path: Path, reader: Reader) -> None:
    cache = tmp_path / "c.db"
    import_focus(open_store(cache), Settings(), [export(tmp_path / "may-10.csv", 10, 1.0)])
    before = facts(cache)
    rows = [[*row(f"2026-05-{day:02d}T00:00:00Z", 2.0, resource=f"i-{n}"), *PERIOD] for day in range(1, 21) for n in range(3)]
    rows[57][2] = "two dollars"  # line 59 of the file, fifteen chunks in
    bad = write_csv(tmp_path / "may-20.csv", rows, SLICE_HEADER)
    store = open_store(cache)
    with pytest.raises(InputError, match=r"may-20\.csv:59: BilledCost 'two dollars' is not a number"):
        import_focus(store, Settings(), [bad])
    assert facts(cache) == before
    assert store.conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 1
    # Nothing of the failed file is left behind on the connection either: the next import is clean.
    [good] = import_focus(store, Settings(), [export(tmp_path / "may-12.csv", 12, 4.0)])
    assert good.rows_written == 36 and facts(cache)[-1] == ("2026-05-12", "i-2", "usage", 4.0, 4.0, 0.0)
    # pyarrow gave the bad file to the csv module (which names the line) after reading part of it; the good ones it read.
    assert len(reader.fallbacks) == (1 if reader.name == "pyarrow" else 0)
