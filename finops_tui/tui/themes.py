"""The console's default themes: Textual's own, with an accent that differs from the warning colour.

In ``textual-dark`` and ``textual-light`` accent and warning are the same orange, so a new spike (warning)
and a sparkline or a focused pane (accent) would look alike. Every other built-in theme keeps its colours.
"""

from __future__ import annotations

from dataclasses import replace

from textual.theme import BUILTIN_THEMES, Theme

DARK = "finops-dark"
LIGHT = "finops-light"


def console_themes() -> list[Theme]:
    return [
        replace(BUILTIN_THEMES["textual-dark"], name=DARK, accent="#3FB8D8"),
        replace(BUILTIN_THEMES["textual-light"], name=LIGHT, accent="#00749E"),
    ]
