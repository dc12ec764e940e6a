"""Subcommands. Each module has ``register(subparsers) -> [parsers]`` and sets ``handler``.

Modules are imported when their subcommand is registered (``command_module``): the console's start
registers only ``tui`` and imports none of the others.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# In the order `finops-tui --help` lists them; `import-focus` is the module import_focus_cmd.
COMMAND_NAMES: tuple[str, ...] = (
    "tui",
    "demo",
    "sync",
    "import-focus",
    "leads",
    "sources",
    "status",
    "report",
    "review",
    "waste",
    "snapshot",
    "alerts",
    "approvals",
    "doctor",
    "config",
    "publish",
)


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"finops_tui.commands.{name.replace('-', '_')}_cmd")
