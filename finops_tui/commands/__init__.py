"""Subcommands. Each module has ``register(subparsers) -> [parsers]`` and sets ``handler``."""

from finops_tui.commands import config_cmd, demo_cmd, import_focus_cmd, leads_cmd, tui_cmd

COMMAND_MODULES = [tui_cmd, demo_cmd, config_cmd, import_focus_cmd, leads_cmd]
