"""The data side never imports Textual or Rich (one direction: data -> front ends)."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import REPO

DATA_MODULES = [
    "finops_tui.config",
    "finops_tui.store",
    "finops_tui.store.queries",
    "finops_tui.analytics.snapshot",
    "finops_tui.analytics.categories",
    "finops_tui.analytics.environments",
    "finops_tui.sources.demo",
]


def test_data_side_does_not_import_textual_or_rich() -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in DATA_MODULES) + (
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\nprint(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == ""


def test_cli_start_does_not_import_pandas_or_boto3() -> None:
    code = "import sys\nimport finops_tui.cli, finops_tui.analytics.snapshot\nprint(','.join(m for m in ('pandas', 'boto3') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == ""
