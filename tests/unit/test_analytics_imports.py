"""Reports, importers and the new analytics stay on the data side: no Textual, Rich or pandas."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import REPO

MODULES = ["finops_tui.reports", "finops_tui.importers", "finops_tui.sources.focus", "finops_tui.analytics.monthly",
           "finops_tui.analytics.health", "finops_tui.commands.status_cmd", "finops_tui.commands.report_cmd"]


def test_data_side_modules_import_no_ui_or_pandas() -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in MODULES) + (
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'pandas'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == ""
