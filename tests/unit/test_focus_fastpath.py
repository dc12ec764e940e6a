"""Large CSV exports go through pyarrow's reader when it is installed; same sums, same errors as the csv module."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_tui.config import Settings
from finops_tui.errors import InputError
from finops_tui.importers import import_focus
from finops_tui.sources import focus_arrow
from finops_tui.store import open_store
from tests.helpers import REPO

pytest.importorskip("pyarrow")
SAMPLE = REPO / "tests" / "data" / "focus" / "focus-1.2_aws_1000.csv"
COPIES = 6  # about 5.4 MB: above the fast path's threshold


def big_export(tmp_path: Path, replace_line: tuple[int, str, str] | None = None) -> Path:
    header, *rows = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [header] + rows * COPIES
    if replace_line:
        number, old, new = replace_line
        assert old in lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path = tmp_path / "big.csv"
    path.write_text("".join(lines), encoding="utf-8")
    assert path.stat().st_size > focus_arrow.MIN_BYTES
    return path


def daily_rows(cache: Path) -> list[tuple]:
    store = open_store(cache)
    return store.conn.execute(
        "SELECT day, account, service, usage_type, category, environment, resource_id, charge_type, "
        "ROUND(amortized, 6), ROUND(billed, 6) FROM cost_daily JOIN dim_allocation USING (dim_id) ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"
    ).fetchall()


def test_fast_path_sums_equal_the_csv_module_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = big_export(tmp_path)
    reported: list[int] = []
    fast = import_focus(open_store(tmp_path / "fast.db"), Settings(), [export], progress=lambda _p, n: reported.append(n))
    assert reported and reported[-1] == 1000 * COPIES  # pyarrow reports per batch; the csv path only every 100,000 rows
    monkeypatch.setattr(focus_arrow, "MIN_BYTES", 1 << 40)
    slow = import_focus(open_store(tmp_path / "slow.db"), Settings(), [export])
    assert fast[0].source_rows == slow[0].source_rows == 1000 * COPIES
    assert daily_rows(tmp_path / "fast.db") == daily_rows(tmp_path / "slow.db")
    assert round(fast[0].billed, 2) == round(67941.200509 * COPIES, 2)


def test_a_bad_row_in_a_big_file_still_names_its_line(tmp_path: Path) -> None:
    export = big_export(tmp_path, (5500, ",Usage,", ",Discount,"))
    store = open_store(tmp_path / "c.db")
    with pytest.raises(InputError, match=r"big\.csv:5500: ChargeCategory 'Discount' is not one of"):
        import_focus(store, Settings(), [export])
    assert store.conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()[0] == 0
