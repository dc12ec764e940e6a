"""The command line: help for every subcommand, one-line errors, global options anywhere."""

from __future__ import annotations

import argparse

import pytest

from finops_tui.cli import build_parser, main
from tests.helpers import run_cli


def _subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    return sorted(action.choices)


def test_expected_subcommands_exist() -> None:
    assert {"tui", "demo", "config"} <= set(_subcommands())


def test_every_command_is_known_by_name_when_the_console_builds_only_its_own() -> None:
    assert build_parser(only="tui").get_default("command_names") == set(_subcommands())  # mistypes still checked
    assert build_parser().get_default("command_names") == set(_subcommands())  # the list names every module


@pytest.mark.parametrize("argv", [["--offline"], ["tui", "--offline"]])
def test_console_options_parse_with_the_console_parser_alone(argv: list[str]) -> None:
    args = build_parser(only="tui").parse_args(["tui", *argv] if argv[0] != "tui" else argv)
    assert args.command == "tui" and args.offline and not args.demo


@pytest.mark.parametrize("command", _subcommands())
def test_help_of_every_subcommand(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: finops-tui {command}")
    assert "--cache PATH" in out and "--today YYYY-MM-DD" in out


def test_top_level_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in _subcommands():
        assert command in out


def test_bad_today_is_a_usage_error_in_one_line() -> None:
    result = run_cli("config", "--today", "26/11/2026")
    assert result.returncode == 2
    assert result.stderr == "finops-tui: --today '26/11/2026' is not a date in the form YYYY-MM-DD\n"


def test_unknown_command_is_a_usage_error() -> None:
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_global_options_before_or_after_subcommand(tmp_path) -> None:
    before = run_cli("--today", "2026-02-03", "config")
    after = run_cli("config", "--today", "2026-02-03")
    assert "# today: 2026-02-03 (fixed)" in before.stdout
    assert before.stdout == after.stdout


def test_today_from_environment() -> None:
    result = run_cli("config", env={"FINOPS_TUI_TODAY": "2025-12-31"})
    assert "# today: 2025-12-31 (fixed)" in result.stdout


def test_debug_shows_traceback(tmp_path) -> None:
    bad = tmp_path / "x.db"
    bad.write_text("not sqlite")
    result = run_cli("--debug", "--cache", str(bad), "demo")
    assert result.returncode == 1
    assert "Traceback" in result.stderr


@pytest.mark.parametrize(("typed", "line"), [
    ("stauts", "finops-tui: unknown command 'stauts'; did you mean `finops-tui status`? (see `finops-tui --help`)\n"),
    ("snapshto", "finops-tui: unknown command 'snapshto'; did you mean `finops-tui snapshot`? (see `finops-tui --help`)\n"),
    ("frobnicate", "finops-tui: unknown command 'frobnicate' (see `finops-tui --help`)\n"),
])
def test_a_mistyped_command_names_the_nearest_one(typed: str, line: str, tmp_path) -> None:
    result = run_cli("--cache", str(tmp_path / "c.db"), typed, "--json")
    assert result.returncode == 2
    assert result.stderr == line
    assert not (tmp_path / "c.db").exists()


def test_bad_today_from_the_environment_is_a_usage_error_too() -> None:
    result = run_cli("config", env={"FINOPS_TUI_TODAY": "tomorrow"})
    assert result.returncode == 2
    assert result.stderr == "finops-tui: $FINOPS_TUI_TODAY 'tomorrow' is not a date in the form YYYY-MM-DD\n"
