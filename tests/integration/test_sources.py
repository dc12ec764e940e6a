"""One truth per day: revised exports replace their slice, Cost Explorer and exports never both count.

Figures are computed here from the sample CSV with Decimal, independently of the importer.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

from tests.helpers import REPO, run_cli
from tests.integration.conftest import MotoServer, ce_day, ce_group, ce_usage_group, ce_result

SAMPLE = REPO / "tests" / "data" / "focus" / "focus-1.2_aws_1000.csv"  # AWS, billing accounts ...01 and ...02, May 2026
TODAY = "2026-05-31"
COVERED = "200000000011"  # a sub account of the export
OUTSIDE = "999999999999"  # an account the export does not have
EC2 = "Amazon Elastic Compute Cloud - Compute"


def sample_rows() -> tuple[list[str], list[dict[str, str]]]:
    with SAMPLE.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_export(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def revised(rows: list[dict[str, str]], s3_factor: str) -> list[dict[str, str]]:
    """The export as AWS rewrites it later in the month: S3 costs revised by ``s3_factor``."""
    out = []
    for row in rows:
        row = dict(row)
        if row["ServiceName"] == "AmazonS3":
            for column in ("BilledCost", "EffectiveCost"):
                row[column] = str(Decimal(row[column]) * Decimal(s3_factor))
        out.append(row)
    return out


def effective(rows: list[dict[str, str]], skip: set[tuple[str, str]] = frozenset()) -> Decimal:  # type: ignore[assignment]
    return sum((Decimal(r["EffectiveCost"]) for r in rows if (r["SubAccountId"], r["ChargePeriodStart"][:10]) not in skip),
               Decimal(0))


def cents(value: Decimal | float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01")))


def status(cache: Path, *extra: str) -> dict:
    done = run_cli("--cache", str(cache), "--today", TODAY, *extra, "status", "--json")
    assert done.returncode in (0, 1, 2, 3), done.stderr
    return json.loads(done.stdout)


def digest(path: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT * FROM cost_daily ORDER BY id").fetchall() + conn.execute(
            "SELECT * FROM source_slices ORDER BY slice_id").fetchall()
    finally:
        conn.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_a_revised_export_replaces_its_billing_period(tmp_path: Path) -> None:
    header, rows = sample_rows()
    cache = tmp_path / "c.db"
    first = write_export(tmp_path / "export-may-10.csv", header, rows)
    second = write_export(tmp_path / "export-may-20.csv", header, revised(rows, "1.1"))

    assert run_cli("--cache", str(cache), "import-focus", str(first)).returncode == 0
    assert status(cache)["total"]["mtd"] == cents(effective(rows)) == 6049.01
    done = run_cli("--cache", str(cache), "import-focus", str(second))
    assert done.returncode == 0, done.stderr
    assert "replaced AWS 100000000001 2026-05 (was export-may-10.csv)" in done.stdout

    after = status(cache)
    assert after["total"]["mtd"] == cents(effective(revised(rows, "1.1"))) == 6272.76  # not 12,321.77
    [source] = after["sources"]
    assert source["kind"] == "focus" and source["label"] == "export-may-20.csv"
    assert source["billing_periods"] == ["2026-05"]
    assert source["amortized"] == 6272.76
    assert source["first_day"] == "2026-05-01" and source["last_day"] == "2026-05-28"
    assert sorted(source["accounts"]) == sorted({r["SubAccountId"] for r in rows})
    assert source["set_aside"] == {"rows": 0, "amortized": 0.0, "billed": 0.0}
    assert not any(reason.startswith("overlap") for reason in after["status"]["reasons"])


def test_an_older_export_is_refused_unless_forced(tmp_path: Path) -> None:
    header, rows = sample_rows()
    cache = tmp_path / "c.db"
    early = [r for r in rows if r["ChargePeriodStart"] < "2026-05-15"]  # the export as of mid-month
    full = write_export(tmp_path / "full.csv", header, rows)
    old = write_export(tmp_path / "old.csv", header, early)
    assert run_cli("--cache", str(cache), "import-focus", str(full)).returncode == 0
    before = digest(cache)

    refused = run_cli("--cache", str(cache), "import-focus", str(old))
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert f"{old}: an older export of AWS 1000000000" in refused.stderr and "--force" in refused.stderr
    assert digest(cache) == before

    forced = run_cli("--cache", str(cache), "import-focus", "--force", str(old))
    assert forced.returncode == 0, forced.stderr
    assert status(cache)["total"]["mtd"] == cents(effective(early))


def test_a_file_in_another_currency_is_refused(tmp_path: Path) -> None:
    header, rows = sample_rows()
    euros = write_export(tmp_path / "eur.csv", header, [dict(r, BillingCurrency="EUR") for r in rows])
    cache = tmp_path / "c.db"
    done = run_cli("--cache", str(cache), "import-focus", str(euros))
    assert done.returncode == 1
    assert f"{euros}: billed in EUR, but this cache holds USD" in done.stderr
    assert done.stderr.count("\n") == 1
    assert status(cache)["total"]["mtd"] == 0.0


def queue_cost_explorer(moto: MotoServer) -> None:
    """Cost Explorer for May: $500 on the 10th for an account the export covers, $70 for one it does not,
    and $40 on the 30th for the covered account (a day the export has not reached)."""
    moto.queue_ce(
        ce_result(ce_day("2026-05-10", [ce_group("Environment$prod", EC2, 570.0)]),
                  ce_day("2026-05-30", [ce_group("Environment$prod", EC2, 40.0)])),
        ce_result(ce_day("2026-05-10", [ce_usage_group(EC2, "BoxUsage:m5.large", 570.0)]),
                  ce_day("2026-05-30", [ce_usage_group(EC2, "BoxUsage:m5.large", 40.0)])),
        ce_result(ce_day("2026-05-10", [ce_group(COVERED, "Environment$prod", 500.0), ce_group(OUTSIDE, "Environment$prod", 70.0)]),
                  ce_day("2026-05-30", [ce_group(COVERED, "Environment$prod", 40.0)])),
    )


def test_cost_explorer_and_an_export_never_both_count(moto: MotoServer, tmp_path: Path) -> None:
    header, rows = sample_rows()
    cache = tmp_path / "c.db"
    queue_cost_explorer(moto)
    synced = run_cli("--cache", str(cache), "--today", TODAY, "sync")
    assert synced.returncode == 0, synced.stderr
    assert status(cache)["total"]["mtd"] == 610.0

    export = write_export(tmp_path / "may.csv", header, rows)
    assert run_cli("--cache", str(cache), "import-focus", str(export)).returncode == 0

    # Default precedence: the export wins for its accounts through the last day it reached (the 28th);
    # Cost Explorer fills the account it lacks and the 30th.
    picture = status(cache)
    assert picture["total"]["mtd"] == cents(effective(rows) + Decimal("70") + Decimal("40"))
    by_kind = {s["kind"]: s for s in picture["sources"]}
    assert by_kind["ce"]["amortized"] == 610.0
    assert by_kind["ce"]["set_aside"] == {"rows": 1, "amortized": 500.0, "billed": 500.0}
    assert by_kind["focus"]["set_aside"]["rows"] == 0
    overlap = [r for r in picture["status"]["reasons"] if r.startswith("overlap")]
    assert overlap and "$500.00 set aside" in overlap[0]
    listing = run_cli("--cache", str(cache), "--today", TODAY, "sources")
    assert listing.returncode == 0 and "set aside: 1 rows, amortized $500.00" in listing.stdout

    # Reversed: Cost Explorer wins where it has the (account, day); no refetch, no re-import.
    config = tmp_path / "ce-first.toml"
    config.write_text('[sources]\nprecedence = "ce"\n')
    reversed_picture = status(cache, "--config", str(config))
    covered_by_ce = {(COVERED, "2026-05-10"), (COVERED, "2026-05-30")}
    assert reversed_picture["total"]["mtd"] == cents(effective(rows, covered_by_ce) + Decimal("610"))
    assert {s["kind"]: s["set_aside"]["rows"] for s in reversed_picture["sources"]}["ce"] == 0

    # Removing the import brings every Cost Explorer row back.
    focus_id = by_kind["focus"]["id"]
    removed = run_cli("--cache", str(cache), "sources", "remove", focus_id[:14])
    assert removed.returncode == 0, removed.stderr
    assert status(cache)["total"]["mtd"] == 610.0
    assert [s["kind"] for s in status(cache)["sources"]] == ["ce"]


def test_removing_an_unknown_source_is_one_line(tmp_path: Path) -> None:
    cache = tmp_path / "c.db"
    header, rows = sample_rows()
    assert run_cli("--cache", str(cache), "import-focus", str(write_export(tmp_path / "m.csv", header, rows))).returncode == 0
    done = run_cli("--cache", str(cache), "sources", "remove", "focus:nope")
    assert done.returncode != 0 and done.stderr.count("\n") == 1 and "no source 'focus:nope'" in done.stderr
