"""A bare Textual app (Header + Footer) that exits after its first paint: the yardstick.

Prints the wall-clock moment (time.time()) of its first paint.
"""

import time

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()

    painted_at = 0.0

    def on_mount(self) -> None:
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        self.painted_at = time.time()
        self.exit()


if __name__ == "__main__":
    app = BareApp()
    app.run(headless=True, size=(120, 40))
    print(app.painted_at)
