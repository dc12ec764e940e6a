"""The yardstick: a bare Textual app (Header + Footer) on the terminal it is given, exiting after its first frame.

Run by bench/paint.py on a pseudo-terminal: ``python bench/bare_app.py MARK_FILE``. Writes the
``time.monotonic()`` of the end of its first frame to MARK_FILE.
"""

import sys
import time

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        with open(sys.argv[1], "w", encoding="utf-8") as mark:
            mark.write(repr(time.monotonic()))
        self.exit()


if __name__ == "__main__":
    BareApp().run()
