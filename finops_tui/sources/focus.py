"""FOCUS 1.0-1.3 cost exports (CSV, gzipped CSV, Parquet) -> daily cost rows.

Rows are streamed (csv module, pyarrow's CSV reader or Parquet record
batches) in chunks, mapped to the cache's dimensions and summed per day; each
chunk's sums go to the file's sink (``finops_tui.store.staging``), so no
more than a chunk is held. Nothing is written to the cache here:
``finops_tui.importers`` does that in one transaction.

Mapping (ARCHITECTURE.md semantics). Only raw dimensions are kept: category
and environment are derived from the config when figures are read
(:mod:`finops_tui.allocation`).
- day: the UTC calendar day of ``ChargePeriodStart`` (a monthly charge lands on
  the day its period starts);
- ``BilledCost`` -> billed, ``EffectiveCost`` -> amortized,
  ``ConsumedQuantity`` -> usage quantity (``ConsumedUnit``);
- ``ChargeCategory`` x ``ChargeFrequency`` -> charge_type (values in
  ``store/schema.py``): Usage -> usage (recurring when Recurring, fee when
  One-Time), Purchase -> purchase (recurring when Recurring), Tax -> tax,
  Credit -> credit, Adjustment -> refund when it is negative (money back,
  excluded with ``exclude_credits``) else adjustment;
- ``SubAccountId`` (else ``BillingAccountId``) -> account, ``ServiceName`` ->
  service, ``ResourceId``, ``ResourceName``, ``ServiceCategory``, ``RegionId``,
  ``PricingCategory``; usage type: ``x_UsageType`` when the export has it, else
  ``SkuMeter``; instance type: ``SkuPriceDetails.InstanceType``, else the one the
  usage type names;
- tags: the ``Tags`` JSON (``user:`` prefixes also under the bare key); the
  environment tag's raw value is kept too;
- slice: (``ProviderName``, ``BillingAccountId``, ``BillingPeriodStart``), else the
  calendar month of the charge; the export's own timestamp for a slice is the
  latest ``ChargePeriodStart`` it holds (a revised export reaches further);
- ``BillingCurrency`` must be the cache's ``currency``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from finops_tui.allocation import tags_json
from finops_tui.allocation.categories import instance_type_from_usage
from finops_tui.bounds import MONEY_LIMIT, day_problem, money_problem
from finops_tui.config import Settings
from finops_tui.errors import InputError
from finops_tui.sources.focus_arrow import FastPathUnavailable, read_csv_fast

REQUIRED = ("ChargePeriodStart", "BilledCost", "EffectiveCost", "ChargeCategory", "ServiceName")
# The loops read: ChargePeriodStart, BilledCost, EffectiveCost, ConsumedQuantity, then DIMENSIONS.
DIMENSIONS = ("ChargeCategory", "ServiceName", "ServiceCategory", "SubAccountId", "ResourceId", "ResourceName", "Tags",
              "SkuPriceDetails", "x_UsageType", "SkuMeter", "ChargeFrequency", "PricingCategory", "RegionId", "ConsumedUnit",
              "BillingAccountId", "BillingPeriodStart", "BillingPeriodEnd", "ProviderName", "BillingCurrency")
COLUMNS = ("ChargePeriodStart", "BilledCost", "EffectiveCost", "ConsumedQuantity") + DIMENSIONS
OPTIONAL = tuple(name for name in COLUMNS if name not in REQUIRED)
CHARGE_TYPES = {"usage": "usage", "purchase": "purchase", "tax": "tax", "credit": "credit", "adjustment": "adjustment"}
# Index of charge_type in a dims tuple (see FocusMapper.dims) and of the slice reference.
CHARGE_AT = 6
SLICE_AT = 14
PROGRESS_EVERY = 100_000
CHUNK_ROWS = 50_000  # source rows summed in memory before their sums go to the sink
PARQUET_BATCH_ROWS = 16_384
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"

# (day, dims); dims: (account, service, usage_type, cost_category, env_tag, resource_id, charge_type,
#  service_category, instance_type, region, resource_name, tags, pricing_category, usage_unit, slice reference)
#   -> [amortized, billed, usage quantity]
DailyKey = tuple
Progress = Callable[[str, int], None]


class DailySink(Protocol):
    """Where a file's chunks of daily sums go (``finops_tui.store.staging.DailyStage`` for an import)."""

    def number(self, dims: tuple) -> int:
        """A number for a dims tuple (see ``DailyKey``), the same for equal tuples."""

    def add(self, sums: Iterable[tuple[str, int, float, float, float]]) -> None:
        """Add one chunk's (day, dims number, amortized, billed, quantity) sums."""

    def discard(self) -> None:
        """Forget everything added (the file is being read again)."""


@dataclass(frozen=True)
class SliceRef:
    """What a row says about the billing export slice it belongs to (raw; resolved per day by the importer)."""

    provider: str
    billing_account: str
    period_start: str  # YYYY-MM-DD or '' (then the calendar month of the charge)
    period_end: str  # YYYY-MM-DD (exclusive) or ''


@dataclass
class FocusFile:
    """One export being read: the chunk in hand, and what the whole file said about its slices."""

    path: Path
    sha256: str
    sink: DailySink
    source_rows: int = 0
    daily: dict[DailyKey, list[float]] = field(default_factory=dict)  # the chunk in hand
    slice_refs: list[SliceRef] = field(default_factory=list)
    starts: set[tuple[int, Any]] = field(default_factory=set)  # the chunk's (slice reference, raw ChargePeriodStart)
    latest_start: dict[int, str] = field(default_factory=dict)  # slice reference -> latest ChargePeriodStart (UTC ISO)

    @property
    def source(self) -> str:
        return f"focus:{self.sha256}"

    def flush(self) -> None:
        """Hand the chunk's sums to the sink and fold its ChargePeriodStarts into ``latest_start``."""
        if self.daily:
            number = self.sink.number
            self.sink.add((day, number(dims), *sums) for (day, dims), sums in self.daily.items())
            self.daily.clear()
        latest = self.latest_start
        for ref, raw in self.starts:
            moment = utc_moment(raw) if raw else ""
            if moment > latest.get(ref, ""):
                latest[ref] = moment
        self.starts.clear()

    def restart(self) -> None:
        """Forget everything read so far (a reader starting the file over)."""
        self.daily.clear()
        self.starts.clear()
        self.latest_start.clear()
        self.source_rows = 0
        self.sink.discard()


class _RowError(Exception):
    """A malformed value; the reader adds file and line."""


class CurrencyError(Exception):
    """The export is billed in another currency than the cache's."""


class FocusMapper:
    """Maps FOCUS values to raw cache dimensions, memoising the expensive parts (JSON)."""

    def __init__(self, settings: Settings) -> None:
        self.tag_key = settings.environments.tag_key.lower()
        self.currency = settings.currency
        self.days_cache: dict[Any, str] = {}
        self.dims_cache: dict[tuple, tuple] = {}
        self._tags: dict[Any, dict[str, str]] = {}
        self._instance: dict[Any, str] = {}
        self._slices: dict[SliceRef, int] = {}
        self.slice_refs: list[SliceRef] = []

    def day(self, value: Any) -> str:
        cached = self.days_cache.get(value)
        if cached is None:
            cached = self.days_cache[value] = _utc_day(value)
        return cached

    def dims(self, rest: tuple) -> tuple:
        """The raw dimensions of a row's non-cost columns (``DIMENSIONS`` order); see ``DailyKey``."""
        cached = self.dims_cache.get(rest)
        if cached is None:
            (charge_category, service, service_category, account, resource_id, resource_name, tags_raw, sku_raw,
             x_usage_type, sku_meter, frequency, pricing_category, region, unit, billing_account, period_start,
             period_end, provider, currency) = rest
            service = _text(service)
            if not service:
                raise _RowError("ServiceName is empty")
            currency = _text(currency).upper()
            if currency and currency != self.currency:
                raise CurrencyError(currency)
            billing_account = _text(billing_account)
            account, resource_id = _text(account) or billing_account, _text(resource_id)
            usage_type = _text(x_usage_type) or _text(sku_meter)
            tags = dict(self.tags(tags_raw))
            env_tag = next((value for key, value in tags.items() if key.lower() == self.tag_key), "")
            instance_type = self.instance_type(sku_raw) or instance_type_from_usage(usage_type)
            ref = SliceRef(_text(provider), billing_account, _optional_day(period_start, "BillingPeriodStart"),
                           _optional_day(period_end, "BillingPeriodEnd"))
            slice_index = self._slices.get(ref)
            if slice_index is None:
                slice_index = self._slices[ref] = len(self.slice_refs)
                self.slice_refs.append(ref)
            cached = self.dims_cache[rest] = (
                account, service, usage_type, "", env_tag, resource_id, _charge_type(charge_category, frequency),
                _text(service_category), instance_type, _text(region), _text(resource_name), tags_json(tags),
                _text(pricing_category), _text(unit), slice_index,
            )
        return cached

    def tags(self, value: Any) -> dict[str, str]:
        key = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
        cached = self._tags.get(key)
        if cached is None:
            cached = self._tags[key] = _parse_tags(value)
        return cached

    def instance_type(self, value: Any) -> str:
        cached = self._instance.get(value) if isinstance(value, str) else None
        if cached is None:
            details = _parse_json_object(value, "SkuPriceDetails")
            cached = str(details.get("InstanceType") or "").strip().lower()
            if isinstance(value, str):
                self._instance[value] = cached
        return cached


def utc_moment(value: Any) -> str:
    """A ChargePeriodStart as comparable UTC ISO text ('' when unreadable)."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _utc_day(value: Any) -> str:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, datetime.min.time())
    else:
        text = str(value or "").strip()
        if not text:
            raise _RowError("ChargePeriodStart is empty")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise _RowError(f"ChargePeriodStart {text!r} is not an ISO-8601 date-time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    day = moment.date().isoformat()
    problem = day_problem(day)
    if problem is not None:
        raise _RowError(f"ChargePeriodStart {problem}")
    return day


def _optional_day(value: Any, column: str) -> str:
    text = _text(value)
    if not text:
        return ""
    try:
        return _utc_day(text)
    except _RowError:
        raise _RowError(f"{column} {text!r} is not an ISO-8601 date-time") from None


def _parse_json_object(value: Any, column: str) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, list):  # Parquet map columns arrive as (key, value) pairs
        return dict(value)
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        raise _RowError(f"{column} is not valid JSON: {str(value)[:60]!r}") from None
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise _RowError(f"{column} is not a JSON object")
    return parsed


def _parse_tags(value: Any) -> dict[str, str]:
    """Tags as strings. AWS exports prefix user-defined tag keys with ``user:``; the bare key is added too."""
    tags = {str(k): "" if v is None else str(v) for k, v in _parse_json_object(value, "Tags").items()}
    for key, tag_value in list(tags.items()):
        if key.lower().startswith("user:"):
            tags.setdefault(key[5:], tag_value)
    return tags


def _money(value: Any, column: str) -> float:
    if isinstance(value, (int, float)):
        amount = float(value)
    else:
        text = "" if value is None else str(value).strip()
        if not text:
            raise _RowError(f"{column} is empty")
        try:
            amount = float(text)
        except ValueError:
            raise _RowError(f"{column} {text!r} is not a number") from None
    problem = money_problem(amount)
    if problem is not None:
        raise _RowError(f"{column} {value!r} {problem}")
    return amount


def _charge_type(category: Any, frequency: Any = "") -> str:
    """The cache's charge type (``store/schema.py``); a negative adjustment becomes ``refund`` where the amounts are known."""
    charge_type = CHARGE_TYPES.get(str(category or "").strip().lower())
    if charge_type is None:
        raise _RowError(f"ChargeCategory {category!r} is not one of Usage, Purchase, Tax, Credit, Adjustment")
    how_often = str(frequency or "").strip().lower()
    if charge_type in ("usage", "purchase") and how_often == "recurring":
        return "recurring"
    if charge_type == "usage" and how_often == "one-time":
        return "fee"
    return charge_type


def _quantity(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    try:
        amount = float(value)
    except (TypeError, ValueError):
        raise _RowError(f"ConsumedQuantity {value!r} is not a number") from None
    return amount if math.isfinite(amount) else 0.0


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def accumulate(target: FocusFile, mapper: FocusMapper, values: tuple) -> None:
    """Add one export row (values in ``COLUMNS`` order) to the day's sums (the general, slower path)."""
    billed = _money(values[1], "BilledCost")
    effective = _money(values[2], "EffectiveCost")
    dims = mapper.dims(values[4:])
    _add(target.daily, mapper.day(values[0]), dims, billed, effective, _quantity(values[3]))
    target.starts.add((dims[SLICE_AT], values[0]))


def _add(daily: dict[DailyKey, list[float]], day: str, dims: tuple, billed: float, effective: float,
         quantity: float = 0.0) -> None:
    if dims[CHARGE_AT] == "adjustment" and (billed < 0 or effective < 0):
        dims = (*dims[:CHARGE_AT], "refund", *dims[CHARGE_AT + 1:])
    key = (day, dims)
    sums = daily.get(key)
    if sums is None:
        daily[key] = [effective, billed, quantity]
    else:
        sums[0] += effective
        sums[1] += billed
        sums[2] += quantity


def read_focus(path: Path, sha256: str, mapper: FocusMapper, sink: DailySink, progress: Progress | None = None) -> FocusFile:
    """Read one export in chunks, its daily sums going to ``sink``; ``InputError`` names the file and line of the first bad row.

    After an error the sink may hold part of the file: the caller discards it.
    """
    result = FocusFile(path, sha256, sink, slice_refs=mapper.slice_refs)
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == PARQUET_MAGIC or path.suffix.lower() == ".parquet":
        for where, values in _parquet_rows(path):
            if values is None:  # the end of a record batch
                result.flush()
                continue
            try:
                accumulate(result, mapper, values)
            except CurrencyError as error:
                raise _currency_refused(path, str(error), mapper.currency) from None
            except _RowError as error:
                raise InputError(f"{path}:{where}: {error}", "nothing was imported") from None
            result.source_rows += 1
            if progress is not None and result.source_rows % PROGRESS_EVERY == 0:
                progress(str(path), result.source_rows)
    else:
        _read_csv(path, result, mapper, progress, gzipped=magic[:2] == GZIP_MAGIC)
    result.flush()
    return result


def _currency_refused(path: Path, currency: str, cache_currency: str) -> InputError:
    return InputError(f"{path}: billed in {currency}, but this cache holds {cache_currency}; amounts are never mixed",
                      "import it into another cache, or set `currency` for a new one; nothing was imported")


def _missing_columns(path: Path, header: list[str]) -> None:
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InputError(f"{path}: not a FOCUS export: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")


def _read_csv(path: Path, result: FocusFile, mapper: FocusMapper, progress: Progress | None, *, gzipped: bool) -> None:
    """The hot loop: one pass, memoised dimensions, sums in a dict (see bench/focus_import.py)."""
    raw = gzip.open(path, "rb") if gzipped else path.open("rb")
    try:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        line = 0
        try:
            header = next(reader, None)
            if header is None:
                raise InputError(f"{path}: the file is empty")
            header = [name.strip() for name in header]
            _missing_columns(path, header)
            try:
                read_csv_fast(path, header, result, mapper, progress, gzipped=gzipped)
                return
            except FastPathUnavailable:
                pass  # the csv module below reads it, and names the line of a bad row
            width = len(header)
            pad = any(name not in header for name in COLUMNS)
            # Columns the export lacks read a trailing '' appended to each row.
            i_start, i_billed, i_effective, i_quantity, *rest_indexes = [
                header.index(n) if n in header else width for n in COLUMNS]
            dimensions_of = itemgetter(*rest_indexes)
            days, dims_cache, daily, starts = mapper.days_cache, mapper.dims_cache, result.daily, result.starts
            every, chunk_rows = PROGRESS_EVERY, CHUNK_ROWS
            count = 0
            line = reader.line_num
            for row in reader:
                if len(row) != width:
                    if not row:
                        line = reader.line_num
                        continue
                    raise _RowError(f"expected {width} fields, found {len(row)}")
                if pad:
                    row.append("")
                start = row[i_start]
                day = days.get(start) or mapper.day(start)
                try:
                    billed = float(row[i_billed])
                except ValueError:
                    billed = _money(row[i_billed], "BilledCost")
                try:
                    effective = float(row[i_effective])
                except ValueError:
                    effective = _money(row[i_effective], "EffectiveCost")
                if not (-MONEY_LIMIT <= billed <= MONEY_LIMIT and -MONEY_LIMIT <= effective <= MONEY_LIMIT):  # NaN fails too
                    _money(row[i_billed], "BilledCost"), _money(row[i_effective], "EffectiveCost")
                quantity = row[i_quantity]
                rest = dimensions_of(row)
                dims = dims_cache.get(rest) or mapper.dims(rest)
                _add(daily, day, dims, billed, effective, _quantity(quantity) if quantity else 0.0)
                starts.add((dims[SLICE_AT], start))
                count += 1
                if count % chunk_rows == 0:
                    result.flush()
                if progress is not None and count % every == 0:
                    progress(str(path), count)
                line = reader.line_num
            result.source_rows = count
        except CurrencyError as error:
            raise _currency_refused(path, str(error), mapper.currency) from None
        except _RowError as error:
            raise InputError(f"{path}:{line + 1}: {error}", "nothing was imported") from None
        except csv.Error as error:
            raise InputError(f"{path}:{reader.line_num}: malformed CSV: {error}", "nothing was imported") from None
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text", "nothing was imported") from None
        except (OSError, EOFError, zlib.error) as error:  # truncated or corrupt gzip
            raise InputError(f"{path}: cannot read: {error}", "nothing was imported") from None
    finally:
        raw.close()


def _hashable(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(dict(value) if isinstance(value, list) else value, sort_keys=True, default=str)
    return value


def _parquet_rows(path: Path) -> Iterator[tuple[str, tuple | None]]:
    """("row N", values in ``COLUMNS`` order) for each row, and (.., None) after each record batch."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: reading Parquet needs pyarrow", "pip install 'finops-tui[parquet]'") from None
    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise InputError(f"{path}: not a readable Parquet file: {error}") from None
    header = parquet.schema_arrow.names
    _missing_columns(path, header)
    present = [name for name in COLUMNS if name in header]
    row_number = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=present):
        columns = {name: batch.column(name).to_pylist() for name in present}
        blank = [None] * batch.num_rows
        ordered = [columns.get(name, blank) for name in COLUMNS]
        for values in zip(*ordered, strict=True):
            row_number += 1
            yield f"row {row_number}", tuple(_hashable(v) for v in values)
        del columns, ordered
        yield f"row {row_number}", None
