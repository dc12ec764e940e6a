"""The install is reproducible: every dependency make installs is pinned with hashes in requirements.lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) from requirements.lock."""
    locked: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = _canonical(match.group(1))
            locked[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = locked[current]
            locked[current] = (version, hashes + 1)
        elif line.strip() and not line.startswith((" ", "#")):
            pytest.fail(f"requirements.lock line is not an exact pin: {line!r}")
    return locked


def _requirement_names(requirements: list[str]) -> set[str]:
    return {_canonical(re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]) for requirement in requirements}


def test_every_declared_dependency_is_locked_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _requirement_names(project["dependencies"])
    for extra in ("test", "parquet"):
        declared |= _requirement_names(project["optional-dependencies"][extra])
    declared |= _requirement_names(tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"])
    locked = _locked()
    missing = sorted(declared - locked.keys())
    assert not missing, f"run `make lock`: not in requirements.lock: {missing}"
    unhashed = sorted(name for name, (_, hashes) in locked.items() if hashes == 0)
    assert not unhashed, f"pinned without a hash: {unhashed}"


def test_snapshot_and_aws_fakes_are_pinned_exactly() -> None:
    locked = _locked()
    assert locked["textual"][0] == "8.2.8"  # the SVG snapshots were recorded with this version
    assert re.fullmatch(r"\d+\.\d+\.\d+", locked["moto"][0])


def test_make_installs_only_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line and "uv==" not in line]
    assert installs == [
        "$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock",
        "$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .",
    ]
