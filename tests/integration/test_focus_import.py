"""`finops-tui import-focus` on the public FOCUS samples: reconciles to the cent, idempotent, atomic."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import sqlite3
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import REPO, run_cli

DATA = REPO / "tests" / "data" / "focus"
SAMPLES = ["focus-1.2_aws_1000.csv", "focus-1.3_aws_1000.csv"]
ALIASES = {"prod": "production", "staging": "staging", "dev": "development"}


def expected_sums(path: Path) -> dict[str, dict[str, Decimal]]:
    """Per environment and total, both metrics, summed independently of the importer (Decimal, no mapping code)."""
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: {"billed": Decimal(0), "amortized": Decimal(0)})
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            env = ALIASES.get(json.loads(row["Tags"] or "{}").get("Environment", ""), "unallocated")
            for key in (env, "total"):
                sums[key]["billed"] += Decimal(row["BilledCost"])
                sums[key]["amortized"] += Decimal(row["EffectiveCost"])
    return sums


def cache_sums(cache: Path) -> dict[str, dict[str, Decimal]]:
    conn = sqlite3.connect(cache)
    try:
        rows = conn.execute("SELECT environment, SUM(billed), SUM(amortized) FROM cost_daily JOIN dim_allocation USING (dim_id) GROUP BY environment").fetchall()
    finally:
        conn.close()
    sums = {env: {"billed": Decimal(str(b)), "amortized": Decimal(str(a))} for env, b, a in rows}
    sums["total"] = {m: sum((v[m] for v in sums.values()), Decimal(0)) for m in ("billed", "amortized")}
    return sums


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def assert_reconciles(cache: Path, sample: Path) -> None:
    want, got = expected_sums(sample), cache_sums(cache)
    assert set(got) == set(want)
    for env in want:
        for metric in ("billed", "amortized"):
            assert cents(got[env][metric]) == cents(want[env][metric]), (env, metric)


def table_digest(cache: Path) -> str:
    conn = sqlite3.connect(cache)
    try:
        rows = conn.execute("SELECT * FROM cost_daily ORDER BY id").fetchall()
        runs = conn.execute("SELECT COUNT(*) FROM sync_runs").fetchone()
    finally:
        conn.close()
    return hashlib.sha256(repr((rows, runs)).encode()).hexdigest()


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_reconciles_to_the_cent_per_environment(tmp_path: Path, name: str) -> None:
    cache = tmp_path / "c.db"
    result = run_cli("--cache", str(cache), "import-focus", str(DATA / name))
    assert result.returncode == 0, result.stderr
    assert "1,000 rows" in result.stdout and "2026-05-01 to 2026-05-28" in result.stdout
    assert_reconciles(cache, DATA / name)
    # The README's published totals, as a second witness.
    total = cache_sums(cache)["total"]
    published = {"focus-1.2_aws_1000.csv": ("67941.20", "6049.01"), "focus-1.3_aws_1000.csv": ("33773.23", "33773.23")}[name]
    assert (str(cents(total["billed"])), str(cents(total["amortized"]))) == published


def test_gzip_and_parquet_variants_reconcile(tmp_path: Path) -> None:
    pa_csv = pytest.importorskip("pyarrow.csv")
    pq = pytest.importorskip("pyarrow.parquet")
    source = DATA / SAMPLES[0]
    gz = tmp_path / "export.csv.gz"
    gz.write_bytes(gzip.compress(source.read_bytes()))
    parquet = tmp_path / "export.parquet"
    table = pa_csv.read_csv(source)  # typed columns: timestamps, doubles
    pq.write_table(table, parquet)
    for variant in (gz, parquet):
        cache = tmp_path / f"{variant.suffix}.db"
        result = run_cli("--cache", str(cache), "import-focus", str(variant))
        assert result.returncode == 0, result.stderr
        assert_reconciles(cache, source)


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    sample = DATA / SAMPLES[1]
    assert run_cli("--cache", str(cache), "import-focus", str(sample)).returncode == 0
    before = table_digest(cache)
    gz = tmp_path / "same.csv.gz"  # the same content, compressed and renamed, is the same file
    gz.write_bytes(gzip.compress(sample.read_bytes()))
    again = run_cli("--cache", str(cache), "import-focus", str(sample), str(gz))
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("already imported, skipped") == 2
    assert table_digest(cache) == before
    assert_reconciles(cache, sample)


def test_two_files_of_one_slice_in_one_run_are_refused_naming_both(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    first, second = (DATA / n for n in SAMPLES)  # both: AWS, billing accounts ...01 and ...02, May 2026
    result = run_cli("--cache", str(cache), "import-focus", str(first), str(second))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(first) in result.stderr and str(second) in result.stderr and "2026-05" in result.stderr
    conn = sqlite3.connect(cache)
    assert conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()[0] == 0
    conn.close()


def test_an_import_is_logged(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    result = run_cli("--cache", str(cache), "import-focus", str(DATA / SAMPLES[0]))
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(cache)
    runs = conn.execute("SELECT kind, status, rows_written FROM sync_runs").fetchall()
    written = conn.execute("SELECT COUNT(*) FROM cost_daily").fetchone()[0]
    conn.close()
    assert runs == [("import", "ok", written)]


def test_malformed_row_stops_with_file_and_line_and_leaves_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    assert run_cli("--cache", str(cache), "import-focus", str(DATA / SAMPLES[0])).returncode == 0
    before = table_digest(cache)
    lines = (DATA / SAMPLES[1]).read_text(encoding="utf-8").splitlines(keepends=True)
    fields = next(csv.reader([lines[56]]))
    header = next(csv.reader([lines[0]]))
    fields[header.index("BilledCost")] = "12,5x"
    buffer_line = _csv_line(fields)
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(lines[:56]) + buffer_line + "".join(lines[57:]), encoding="utf-8")
    result = run_cli("--cache", str(cache), "import-focus", str(bad))
    assert result.returncode == 1
    assert f"{bad}:57: BilledCost '12,5x' is not a number" in result.stderr
    assert "Traceback" not in result.stderr
    assert table_digest(cache) == before


def _csv_line(fields: list[str]) -> str:
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()


@pytest.mark.parametrize(("content", "message"), [
    ("a,b,c\n1,2,3\n", "not a FOCUS export: missing columns ChargePeriodStart, BilledCost"),
    ("", "the file is empty"),
])
def test_not_a_focus_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(content)
    result = run_cli("--cache", str(tmp_path / "c.db"), "import-focus", str(path))
    assert result.returncode == 1 and message in result.stderr


def test_missing_file(tmp_path: Path) -> None:
    result = run_cli("--cache", str(tmp_path / "c.db"), "import-focus", str(tmp_path / "nope.csv"))
    assert result.returncode == 1 and "nope.csv: no such file" in result.stderr


def test_a_missing_file_creates_no_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "finops.db"
    for args in (("import-focus", str(tmp_path / "nope.csv")), ("leads", "import", str(tmp_path / "nope.csv"))):
        done = run_cli(*args, "--cache", str(cache))
        assert done.returncode == 1
        assert done.stderr.strip() == f"finops-tui: {tmp_path / 'nope.csv'}: no such file"
        assert not cache.exists()
