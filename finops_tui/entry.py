"""The ``finops-tui`` command's entry point: the cyclic garbage collector stays off while the command starts.

Starting allocates a few hundred thousand objects (modules, settings, stylesheets, widgets) that all stay
alive; the collector would scan them again and again for nothing (over a tenth of the console's start).
It is switched back on by :func:`started` once the command is running: before a subcommand's handler, and
for the console once its first frame is on screen, with everything alive by then frozen out of later scans.
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from finops_tui.cli import main as cli_main

    try:
        return cli_main()
    finally:
        started()


def started() -> None:
    """The start is over: collect again (a no-op where :func:`main` did not switch the collector off)."""
    if not gc.isenabled():
        gc.freeze()  # what the start built lives as long as the command: never scan it again
        gc.enable()
