"""The console on a given cache, exiting right after the first paint with every pane filled.

Run as a child process by bench/paint.py: `python bench/paint_app.py CACHE TODAY`.
Prints the wall-clock moment (time.time()) of that first paint, then the child's peak RSS (KiB).
"""

from __future__ import annotations

import resource
import sys
import time


def main() -> None:
    from finops_tui.context import build_context
    from finops_tui.tui.app import FinopsApp

    class FirstPaintApp(FinopsApp):
        painted_at: float | None = None

        def on_ready(self) -> None:
            self.set_interval(0.002, self._exit_when_filled)

        def _exit_when_filled(self) -> None:
            if self.loads and self.painted_at is None:
                self.painted_at = 0.0
                self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            self.painted_at = time.time()
            self.exit()

    ctx = build_context(sys.argv[1], None, sys.argv[2])
    app = FirstPaintApp(ctx.settings, ctx.store(), ctx.clock, offline=True, refresh_seconds=None, auto_sync=False)
    app.run(headless=True, size=(120, 40))
    assert app.loads >= 1 and app.snapshot is not None and app.snapshot.has_data, f"the panes were not filled ({app.loads})"
    print(app.painted_at)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


if __name__ == "__main__":
    main()
