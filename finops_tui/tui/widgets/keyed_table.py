"""A DataTable that takes whole row sets and changes only what changed (by row key)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

Cell = Text | str


class KeyedTable(DataTable):
    """Rows are identified by a stable key; a refresh updates cells in place (no flicker).

    Cells should be ``rich.text.Text`` (plain strings are read as markup by DataTable).
    """

    DEFAULT_CSS = """
    KeyedTable { height: 1fr; }
    """

    def __init__(self, columns: Sequence[tuple[str, str]], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self._column_spec = list(columns)
        self._shown: dict[str, tuple[Cell, ...]] = {}
        self._order: list[str] = []

    def on_mount(self) -> None:
        for key, label in self._column_spec:
            self.add_column(label, key=key)

    @property
    def row_keys_in_order(self) -> list[str]:
        return list(self._order)

    def show_rows(self, rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        """Show exactly ``rows`` (key, cells) in that order."""
        keys = [key for key, _ in rows]
        if keys != self._order:
            selected = self.selected_key
            self.clear()
            for key, cells in rows:
                self.add_row(*cells, key=key)
            self._order = keys
            self._shown = {key: tuple(cells) for key, cells in rows}
            if selected in self._shown:
                self.move_cursor(row=keys.index(selected))
            return
        column_keys = [key for key, _ in self._column_spec]
        for key, cells in rows:
            before = self._shown.get(key, ())
            for index, cell in enumerate(cells):
                if index >= len(before) or before[index] != cell:
                    self.update_cell(key, column_keys[index], cell)
            self._shown[key] = tuple(cells)

    @property
    def selected_key(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= len(self._order):
            return None
        return self._order[self.cursor_row]
