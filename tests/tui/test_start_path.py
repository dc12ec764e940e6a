"""The start path: what the console has done by its first frame, and what it does only after it.

Each test starts the real `finops-tui` command in a fresh interpreter (headless, so no terminal is
needed) and, at the end of the first frame with the panes filled, records which heavy modules are
imported (pydantic among them: it validates a config file only when its contents are new). Speed itself is
measured in bench/, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

HEAVY = ("pydantic", "plotext", "textual_plotext", "botocore", "boto3", "pandas", "sqlite_utils", "pyarrow")

PROBE = r"""
import gc, json, sys
from textual import on
import finops_tui.tui.app as console
from finops_tui.entry import main
from finops_tui.tui.messages import SnapshotLoaded

seen = {}

class Probe(console.FinopsApp):
    marked = False

    def load_first_snapshot(self):  # the first read, when it was done before the dashboard mounted
        seen["collector_on"] = gc.isenabled()  # off while the command starts (finops_tui/entry.py)
        super().load_first_snapshot()
        self._check_filled()

    @on(SnapshotLoaded)
    def _probe_loaded(self, message):  # or when a worker brings it
        self.call_later(self._check_filled)

    def _check_filled(self):
        if self.loads >= 1 and not self.marked:  # the first frame with the panes filled is the next one
            self.marked = True
            self.call_after_refresh(self._first_frame)

    def _first_frame(self):
        seen["loads"] = self.loads
        seen["budget"] = self.settings.budget.monthly_total
        seen["has_data"] = bool(self.snapshot and self.snapshot.has_data)
        seen["imported"] = sorted(m for m in HEAVY if m in sys.modules)
        self.call_after_refresh(self._later)

    def _later(self):
        self.set_interval(0.05, self._wait_for_plot)

    def _wait_for_plot(self):
        if self.query("PlotextPlot"):
            seen["after"] = sorted(m for m in HEAVY if m in sys.modules)
            seen["collector_on_after"] = gc.isenabled()
            # Written now: `q` (and exit) ends the process at once while a worker still waits on AWS.
            sys.__stdout__.write("PROBE " + json.dumps(seen) + "\n")
            sys.__stdout__.flush()
            self.exit()

console.FinopsApp = Probe
original_run = console.FinopsApp.run
console.FinopsApp.run = lambda self, **kw: original_run(self, headless=True, size=(120, 40))
main()  # the command's entry point, with this process's arguments
"""


def _first_frame(cache: Path, config: Path, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PYTHONPATH=str(REPO), FINOPS_TUI_CONFIG=str(config), AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=str(cache.with_name("no-aws-config")),
               AWS_SHARED_CREDENTIALS_FILE=str(cache.with_name("no-aws-credentials")))
    code = f"HEAVY = {HEAVY!r}\n" + PROBE
    done = subprocess.run([sys.executable, "-c", code, "--cache", str(cache), "--today", "2026-11-26", *args],
                          capture_output=True, text=True, env=env, cwd=cache.parent, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("PROBE ")]
    assert lines, f"no probe output (exit {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(lines[-1][len("PROBE "):])


def test_first_frame_needs_no_plot_no_aws_no_pandas_and_no_pydantic_for_defaults(demo_cache: Path, tmp_path: Path):
    empty_config = tmp_path / "finops.toml"
    empty_config.write_text("# defaults\n")

    seen = _first_frame(demo_cache, empty_config)  # not --offline: the AWS check is part of this start

    assert seen["loads"] == 1 and seen["has_data"]
    assert seen["imported"] == []  # the built-in defaults are constructed, not validated: no pydantic
    assert seen["collector_on"] is False and seen["collector_on_after"] is True  # no GC passes over the start
    assert "textual_plotext" in seen["after"] and "botocore" in seen["after"]  # they do come, after the frame


def test_a_config_file_is_validated_before_the_first_frame_once_per_contents(demo_cache: Path, tmp_path: Path):
    config = tmp_path / "finops.toml"
    config.write_text("[budget]\nmonthly_total = 80000\n")

    first = _first_frame(demo_cache, config, "--offline")
    again = _first_frame(demo_cache, config, "--offline")
    config.write_text("[budget]\nmonthly_total = 90000\n")
    edited = _first_frame(demo_cache, config, "--offline")

    assert first["imported"] == ["pydantic"]  # new contents: checked before they are shown
    assert again["imported"] == []  # the same bytes were validated before: no pydantic on the start path
    assert edited["imported"] == ["pydantic"]  # an edit is validated again
    assert [first["budget"], again["budget"], edited["budget"]] == [80000.0, 80000.0, 90000.0]
    assert "botocore" not in first["after"] + again["after"]  # --offline: never


def test_an_invalid_config_stops_the_console_before_it_opens(demo_cache: Path, tmp_path: Path):
    config = tmp_path / "finops.toml"
    config.write_text("[budget]\nmonthly_total = -5\n")
    env = dict(os.environ, PYTHONPATH=str(REPO), FINOPS_TUI_CONFIG=str(config))

    done = subprocess.run([sys.executable, "-m", "finops_tui", "--cache", str(demo_cache), "--today", "2026-11-26"],
                          capture_output=True, text=True, env=env, timeout=60)

    assert done.returncode == 2
    assert done.stderr.strip() == (f"finops-tui: {config}: budget.monthly_total: Input should be greater than or equal to 0")
