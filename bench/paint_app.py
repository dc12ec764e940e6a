"""The real console (``finops-tui`` with the user's arguments), exiting after the first frame with all five panes filled.

Run by bench/paint.py on a pseudo-terminal: ``python bench/paint_app.py MARK_FILE finops-tui-args...``.
The command line, the config, the cache and everything the console starts are the real ones, in the real
order (the cache is opened and read on a thread while Textual is imported); the only addition is that once
the first snapshot is on screen the console writes ``time.monotonic()`` to MARK_FILE and exits, so the run
ends. The time itself is taken from what the terminal received (bench/paint.py).
"""

from __future__ import annotations

import sys
import time


def main() -> int:
    mark_file, argv = sys.argv[1], sys.argv[2:]
    import finops_tui.first_read as first_read
    from finops_tui.entry import main as command

    def install() -> None:
        """The console with a mark, made where the command makes it (Textual is imported by then)."""
        import finops_tui.tui.app as console
        from textual import on

        from finops_tui.tui.messages import SnapshotLoaded

        class FirstFrame(console.FinopsApp):
            marked = False

            def load_first_snapshot(self) -> None:  # the first read, when it was done before the dashboard mounted
                super().load_first_snapshot()
                self._check_filled()

            @on(SnapshotLoaded)
            def _bench_loaded(self, message: SnapshotLoaded) -> None:  # in case a worker brings the first snapshot
                self.call_later(self._check_filled)

            def _check_filled(self) -> None:
                if self.loads >= 1 and not self.marked:
                    if not (self.snapshot is not None and self.snapshot.has_data):
                        raise SystemExit("bench: the cache has no costs, the panes would be empty")
                    self.marked = True
                    self.call_after_refresh(self._painted)

            def _painted(self) -> None:
                with open(mark_file, "w", encoding="utf-8") as mark:
                    mark.write(repr(time.monotonic()))
                self.exit()

        console.FinopsApp = FirstFrame  # make_app builds the console through this name

    original_store = first_read.FirstRead.store

    def store(self: first_read.FirstRead):  # build_console asks for the store after importing the console
        install()
        return original_store(self)

    first_read.FirstRead.store = store  # type: ignore[method-assign]
    sys.argv = [sys.argv[0], *argv]
    return command()  # the `finops-tui` entry point itself


if __name__ == "__main__":
    sys.exit(main())
