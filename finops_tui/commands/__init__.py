"""Subcommands. Each module has ``register(subparsers) -> [parsers]`` and sets ``handler``."""

from finops_tui.commands import config_cmd, demo_cmd, doctor_cmd, sync_cmd, tui_cmd

COMMAND_MODULES = [tui_cmd, demo_cmd, sync_cmd, doctor_cmd, config_cmd]
