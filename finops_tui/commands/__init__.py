"""Subcommands. Each module has ``register(subparsers) -> [parsers]`` and sets ``handler``."""

from finops_tui.commands import alerts_cmd, config_cmd, demo_cmd, tui_cmd

COMMAND_MODULES = [tui_cmd, demo_cmd, config_cmd, alerts_cmd]
