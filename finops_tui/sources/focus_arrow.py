"""The fast path for large FOCUS CSV files: pyarrow's CSV reader, when pyarrow is installed.

Parsing is most of an import's time and pyarrow parses CSV in C++, several
times faster than the csv module. Every value is read as a string and goes
through the same mapping as the csv-module path. Any problem (a malformed row,
a ragged line) abandons the fast path; the caller then re-reads the file with
the csv module, which names the exact file and line.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finops_tui.sources.focus import FocusFile, FocusMapper, Progress

MIN_BYTES = 4 << 20  # below this, importing pyarrow costs more than it saves
BLOCK_BYTES = 8 << 20


class FastPathUnavailable(Exception):
    """pyarrow is missing, or the file needs the careful path."""


def read_csv_fast(path: Path, header: list[str], result: FocusFile, mapper: FocusMapper, progress: Progress | None,
                  *, gzipped: bool) -> None:
    from finops_tui.bounds import MONEY_LIMIT
    from finops_tui.sources.focus import COLUMNS, SLICE_AT, CurrencyError, _add, _money, _quantity, _RowError

    if path.stat().st_size < MIN_BYTES:
        raise FastPathUnavailable("small file")
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:
        raise FastPathUnavailable("no pyarrow") from None
    present = [name for name in COLUMNS if name in header]
    if len(set(header)) != len(header):
        raise FastPathUnavailable("duplicate column names")
    source = gzip.open(path, "rb") if gzipped else path.open("rb")
    daily, days, dims_cache, seen_starts = result.daily, mapper.days_cache, mapper.dims_cache, result.starts
    count = 0
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, encoding="utf8"),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(include_columns=present, column_types={n: pa.string() for n in present},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
        for batch in reader:
            blank = [""] * batch.num_rows
            columns = {name: batch.column(name).to_pylist() for name in present}
            starts, billeds, effectives, quantities, *rest_columns = (columns.get(name, blank) for name in COLUMNS)
            for start, billed_text, effective_text, quantity, rest in zip(
                    starts, billeds, effectives, quantities, zip(*rest_columns), strict=True):
                day = days.get(start) or mapper.day(start)
                billed = float(billed_text)
                effective = float(effective_text)
                if not (-MONEY_LIMIT <= billed <= MONEY_LIMIT and -MONEY_LIMIT <= effective <= MONEY_LIMIT):  # NaN fails too
                    _money(billed_text, "BilledCost"), _money(effective_text, "EffectiveCost")
                dims = dims_cache.get(rest) or mapper.dims(rest)
                _add(daily, day, dims, billed, effective, _quantity(quantity) if quantity else 0.0)
                seen_starts.add((dims[SLICE_AT], start))
            count += batch.num_rows
            if progress is not None:
                progress(str(path), count)
    except (_RowError, CurrencyError, ValueError, pa.ArrowException, OSError, EOFError) as error:
        result.daily.clear()
        result.starts.clear()
        raise FastPathUnavailable(str(error)) from None
    finally:
        source.close()
    result.source_rows = count
