"""The fast path for large FOCUS CSV files: pyarrow's CSV reader and numpy, when pyarrow is installed.

Parsing is most of an import's time: pyarrow parses CSV in C++, and each
record batch is summed per day with numpy, so no Python code runs per row.
Dimension columns arrive dictionary-encoded; each distinct combination of
them (a few thousand, not millions) goes through the same mapping as the
csv-module path, and each distinct ChargePeriodStart through the same day.
Sums are added in row order, as the csv-module path adds them. Any problem (a
malformed value, a ragged line, an amount out of bounds) abandons the fast
path; the caller then re-reads the file with the csv module, which names the
exact file and line.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from finops_tui.sources.focus import FocusFile, FocusMapper, Progress

MIN_BYTES = 4 << 20  # below this, importing pyarrow costs more than it saves
BLOCK_BYTES = 1 << 20  # small blocks: pyarrow's reader holds on to memory in proportion to its block size
AMOUNTS = ("BilledCost", "EffectiveCost", "ConsumedQuantity")


class FastPathUnavailable(Exception):
    """pyarrow is missing, or the file needs the careful path."""


def read_csv_fast(path: Path, header: list[str], result: FocusFile, mapper: FocusMapper, progress: Progress | None,
                  *, gzipped: bool) -> None:
    from finops_tui.sources.focus import CHUNK_ROWS, COLUMNS, CurrencyError, _RowError

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
    types = {name: pa.string() if name in AMOUNTS else pa.dictionary(pa.int32(), pa.string()) for name in present}
    source = gzip.open(path, "rb") if gzipped else path.open("rb")
    count = 0
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, encoding="utf8", use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(include_columns=present, column_types=types,
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
        chunk = _Chunk()
        for batch in reader:
            if batch.num_rows:
                chunk.add(batch)
                if chunk.rows >= CHUNK_ROWS:
                    chunk.sum_into(result, mapper)
                    chunk = _Chunk()
            count += batch.num_rows
            if progress is not None:
                progress(str(path), count)
        if chunk.rows:
            chunk.sum_into(result, mapper)
    except (_RowError, CurrencyError, ValueError, pa.ArrowException, OSError, EOFError) as error:
        result.restart()
        raise FastPathUnavailable(str(error)) from None
    finally:
        source.close()
    result.source_rows = count


class _Chunk:
    """Record batches gathered until a chunk is full: small batches keep memory low, a big chunk sums well.

    Per row it keeps two codes and three amounts: the row's ChargePeriodStart
    and its combination of dimension values, each a number into the chunk's
    own list of distinct ones.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.start_of: dict[str, int] = {}  # raw ChargePeriodStart -> its code
        self.combo_of: dict[tuple, int] = {}  # raw dimension values (DIMENSIONS order) -> its code
        self.parts: list[list[Any]] = [[], [], [], [], []]  # start codes, combination codes, billed, effective, quantity

    def add(self, batch: Any) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from finops_tui.bounds import MONEY_LIMIT
        from finops_tui.sources.focus import DIMENSIONS, _RowError

        rows, names = batch.num_rows, batch.schema.names
        numbers = []
        for name in AMOUNTS:
            if name not in names:
                numbers.append(np.zeros(rows))
                continue
            column = batch.column(name)
            if name == "ConsumedQuantity":  # empty is 0; not finite is 0 (see focus._quantity)
                column = pc.replace_substring_regex(column, pattern="^$", replacement="0")
            numbers.append(_numbers(pc.cast(column, pa.float64()), np.float64))
        billed, effective, quantity = numbers
        if not (np.all(np.abs(billed) <= MONEY_LIMIT) and np.all(np.abs(effective) <= MONEY_LIMIT)):  # NaN fails too
            raise _RowError("an amount is out of bounds")

        def encoded(name: str) -> tuple[Any, list]:
            if name not in names:  # a column the export lacks reads '', as in the csv-module path
                return np.zeros(rows, dtype=np.int64), [""]
            column = batch.column(name)
            return _numbers(column.indices, np.int32).astype(np.int64), column.dictionary.to_pylist()

        start_codes, start_values = encoded("ChargePeriodStart")
        start_of = self.start_of
        starts = np.array([start_of.setdefault(value, len(start_of)) for value in start_values], dtype=np.int32)[start_codes]

        # This batch's distinct combinations of dimension values: mixed radix, compacted before it could overflow.
        columns = [encoded(name) for name in DIMENSIONS]
        combined, span = np.zeros(rows, dtype=np.int64), 1
        for codes, values in columns:
            if len(values) <= 1:
                continue
            if span * len(values) >= 1 << 62:
                _, combined = np.unique(combined, return_inverse=True)
                combined = combined.reshape(-1)
                span = int(combined.max()) + 1
            combined = combined * len(values) + codes
            span *= len(values)
        _, first_row, local = np.unique(combined, return_index=True, return_inverse=True)
        picks = [[values[code] for code in codes[first_row].tolist()] for codes, values in columns]
        combo_of = self.combo_of
        combos = np.array([combo_of.setdefault(rest, len(combo_of)) for rest in zip(*picks, strict=True)],
                          dtype=np.int32)[local.reshape(-1)]
        for part, values in zip(self.parts, (starts, combos, billed, effective, np.where(np.isfinite(quantity), quantity, 0.0)),
                                strict=True):
            part.append(values)
        self.rows += rows

    def sum_into(self, result: FocusFile, mapper: FocusMapper) -> None:
        """Sum the chunk's rows per (day, dimensions), in row order, and hand the sums to the file's sink."""
        import numpy as np

        from finops_tui.sources.focus import CHARGE_AT, SLICE_AT

        start_codes, combo, billed, effective, quantity = (np.concatenate(part) for part in self.parts)
        self.parts = []
        start_values = list(self.start_of)
        day_number: dict[str, int] = {}
        days = [mapper.days_cache.get(value) or mapper.day(value) for value in start_values]
        day_of_start = np.array([day_number.setdefault(day, len(day_number)) for day in days], dtype=np.int64)
        day_names = list(day_number)
        dims_cache = mapper.dims_cache
        dims_list = [dims_cache.get(rest) or mapper.dims(rest) for rest in self.combo_of]

        # An adjustment that gives money back is a refund, row by row (see focus._add).
        adjustment = np.array([dims[CHARGE_AT] == "adjustment" for dims in dims_list])
        refund = adjustment[combo] & ((billed < 0) | (effective < 0))
        number = result.sink.number
        numbers = np.array([number(dims) for dims in dims_list] + [
            number((*dims[:CHARGE_AT], "refund", *dims[CHARGE_AT + 1:])) if is_adjustment else -1
            for dims, is_adjustment in zip(dims_list, adjustment.tolist(), strict=True)], dtype=np.int64)
        width = 2 * len(dims_list)
        groups, group_of = np.unique(day_of_start[start_codes] * width + refund * len(dims_list) + combo, return_inverse=True)
        group_of = group_of.reshape(-1)
        sums = [np.bincount(group_of, weights=values, minlength=len(groups)).tolist() for values in (effective, billed, quantity)]
        result.sink.add(zip([day_names[index] for index in (groups // width).tolist()], numbers[groups % width].tolist(), *sums,
                            strict=True))

        refs = np.array([dims[SLICE_AT] for dims in dims_list], dtype=np.int64)
        ref_span = int(refs.max()) + 1
        for pair in np.unique(start_codes * ref_span + refs[combo]).tolist():
            result.starts.add((pair % ref_span, start_values[pair // ref_span]))
        result.flush()


def _numbers(array: Any, dtype: Any) -> Any:
    """A null-free pyarrow array of fixed-width numbers as numpy (``to_numpy`` would import pandas)."""
    import numpy as np

    if array.null_count:
        raise ValueError("a value is missing")
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * np.dtype(dtype).itemsize)
