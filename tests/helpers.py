"""Helpers shared by tests (import as ``from tests.helpers import ...``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `finops-tui` entry point in a subprocess, as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", *args], cwd=cwd, env=full_env, input=input,
        capture_output=True, text=True, timeout=timeout,
    )


def run_main(*args: str) -> subprocess.CompletedProcess[str]:
    """The `finops-tui` entry point in this process (fast), with what it printed and its exit code."""
    import contextlib
    import io

    from finops_tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


@contextmanager
def read_only_bind_mount(file: Path, under: Path, name: str | None = None) -> Iterator[Path]:
    """A copy of ``file`` (named ``name``, default its own) on a read-only bind mount below ``under``: its path
    (skipped where this process cannot mount). ``file`` should be checkpointed (one file, as `snapshot` makes)."""
    import pytest

    def mount(*args: str) -> bool:
        return subprocess.run(["mount", *args], capture_output=True).returncode == 0

    source, target = under / "ro-source", under / "ro"
    source.mkdir()
    target.mkdir()
    name = name or file.name
    shutil.copy(file, source / name)
    if not mount("--bind", str(source), str(target)):
        pytest.skip("cannot bind-mount here (needs root and mount privileges)")
    try:
        if not mount("-o", "remount,ro,bind", str(target)):
            pytest.skip("cannot remount read-only here")
        yield target / name
    finally:
        if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)  # a test failed with the file open


def cli_on(tmp_path: Path, config_text: str):
    """``call(*args, today=...)``: the CLI in-process on a cache and config of its own under ``tmp_path``;
    it asserts the command succeeded and returns its result."""
    cache, config = tmp_path / "cache.db", tmp_path / "finops.toml"
    config.write_text(config_text)

    def call(*args: str, today: str) -> subprocess.CompletedProcess[str]:
        result = run_main("--cache", str(cache), "--config", str(config), "--today", today, *args)
        assert result.returncode == 0, result.stderr
        return result

    return call
