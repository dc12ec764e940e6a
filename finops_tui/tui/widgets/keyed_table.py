"""A DataTable that takes whole row sets and changes only what changed (by row key).

Every console table also has the keys people bring from k9s, lazygit and htop: ``j``/``k``/``g``/``G`` move,
``/`` filters the rows by text, ``o`` sorts by the next column (``O`` reverses), ``y`` copies the selected
row's resource id or name. Filter and sort survive every refresh; the cursor stays on its row key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import DataTable, Input

Cell = Text | str
_MONEY = re.compile(r"^[+-]?\$?-?[\d,]+(\.\d+)?%?$")
# The column that gives way when a table is wider than its pane: the first of these a table has (names
# truncate with an ellipsis; amounts, dates and states never), else its first column.
NAME_COLUMNS = ("resource", "scope", "service", "usage_type", "category", "title", "item", "name", "note", "detail")
MIN_NAME_WIDTH = 8


def cell_width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))


def truncate(cell: Cell, width: int) -> Cell:
    """``cell`` cut to ``width`` terminal cells with an ellipsis (styles kept), or as it is when it fits."""
    if cell_width(cell) <= width:
        return cell
    text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
    text.truncate(width, overflow="ellipsis")
    return text


def cell_look(cell: Cell) -> tuple:
    """What a user sees of a cell: its text *and* its style. (``Text.__eq__`` ignores the base style, so an
    acknowledged spike or a new theme would never be repainted if cells were compared with ``==``.)"""
    if isinstance(cell, Text):
        return (cell.plain, str(cell.style), tuple((s.start, s.end, str(s.style)) for s in cell.spans), cell.justify)
    return (cell,)


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def sort_value(cell: Cell) -> tuple[int, float, str]:
    """Amounts and percentages sort as numbers (largest first), anything else as text."""
    text = _plain(cell).strip()
    if _MONEY.match(text):
        return (0, -float(text.replace("$", "").replace(",", "").replace("%", "")), "")
    return (1, 0.0, text.lower())


class TableFilter(Input):
    """The ``/`` line under a table: typing filters its rows; enter keeps the filter, escape clears it."""

    DEFAULT_CSS = """
    TableFilter { dock: bottom; height: 1; border: none; padding: 0 1; background: $boost; }
    """
    BINDINGS = [Binding("escape", "clear_filter", "Clear filter", show=False)]

    def __init__(self, table: KeyedTable) -> None:
        super().__init__(value=table.filter_text, placeholder="filter rows…", classes="table-filter")
        self.table = table

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value)

    @on(Input.Submitted)
    def _kept(self, event: Input.Submitted) -> None:
        """Enter: back to the table; the line stays, showing the filter in force."""
        event.stop()
        self.table.focus()
        if not event.value:
            self.remove()

    def action_clear_filter(self) -> None:
        self.table.set_filter("")
        self.table.focus()
        self.remove()


class KeyedTable(DataTable):
    """Rows are identified by a stable key; a refresh updates cells in place (no flicker).

    Cells should be ``rich.text.Text`` (plain strings are read as markup by DataTable).
    """

    HELP_WHERE = "any table"
    #: The column that gives way when the table is wider than its pane (default: the first of NAME_COLUMNS).
    SHRINK: str | None = None
    DEFAULT_CSS = """
    KeyedTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, tooltip="Move down one row"),
        Binding("k", "cursor_up", "Up", show=False, tooltip="Move up one row"),
        Binding("g", "scroll_top", "Top", show=False, tooltip="Go to the first row"),
        Binding("G", "scroll_bottom", "Bottom", show=False, tooltip="Go to the last row"),
        Binding("slash", "filter", "Filter", key_display="/", tooltip="Filter the rows of this table by text"),
        Binding("o", "sort_next", "Sort", tooltip="Sort by the next column (amounts largest first)"),
        Binding("O", "sort_reverse", "Reverse", show=False, tooltip="Reverse the sort order"),
        Binding("y", "copy_row", "Copy", tooltip="Copy the selected row's resource id or name"),
    ]

    def __init__(self, columns: Sequence[tuple[str, str]], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self._column_spec = list(columns)
        self._shown: dict[str, tuple[Cell, ...]] = {}
        self._order: list[str] = []
        self._all_rows: list[tuple[str, tuple[Cell, ...]]] = []
        self.filter_text = ""
        self.sort_column: int | None = None  # None: the order the figures came in
        self.sort_reversed = False
        keys = [key for key, _ in self._column_spec]
        wanted = (self.SHRINK,) if self.SHRINK in keys else NAME_COLUMNS
        self._name_column = next((keys.index(key) for key in wanted if key in keys), 0)
        self._name_limit: int | None = None  # the name column's width when the table had to shrink

    def on_mount(self) -> None:
        for key, label in self._column_spec:
            self.add_column(label, key=key)

    @property
    def row_keys_in_order(self) -> list[str]:
        return list(self._order)

    def show_rows(self, rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        """Show ``rows`` (key, cells) in that order, after the user's filter and sort."""
        self._all_rows = [(key, tuple(cells)) for key, cells in rows]
        self._paint(self._visible_rows())

    def _visible_rows(self) -> list[tuple[str, tuple[Cell, ...]]]:
        rows = self._all_rows
        needle = self.filter_text.casefold()
        if needle:
            rows = [(key, cells) for key, cells in rows if any(needle in _plain(cell).casefold() for cell in cells)]
        if self.sort_column is not None:
            column = self.sort_column
            rows = sorted(rows, key=lambda row: sort_value(row[1][column]) if column < len(row[1]) else (2, 0.0, ""))
        if self.sort_reversed:
            rows = list(reversed(rows))
        return rows

    def on_resize(self) -> None:
        if self._all_rows:
            self._paint(self._visible_rows())

    def _fit(self, rows: Sequence[tuple[str, tuple[Cell, ...]]]) -> Sequence[tuple[str, tuple[Cell, ...]]]:
        """The rows with the name column truncated so the table is no wider than its pane (no horizontal
        scrollbar): every other column keeps its full width."""
        available = self.content_region.width
        if rows and len(rows) + 1 > self.content_region.height:  # a vertical scrollbar will take its share
            available -= self.styles.scrollbar_size_vertical
        limit = None
        if available > 0 and rows:
            widths = [cell_len(label) for _, label in self._column_spec]
            for _, cells in rows:
                for index, cell in enumerate(cells[:len(widths)]):
                    widths[index] = max(widths[index], cell_width(cell))
            overflow = sum(width + 2 * self.cell_padding for width in widths) - available
            if overflow > 0:
                limit = max(MIN_NAME_WIDTH, widths[self._name_column] - overflow)
        if limit != self._name_limit:
            self._name_limit = limit
            self._order = []  # the column widths change: paint every row again
        if limit is None:
            return rows
        at = self._name_column
        return [(key, (*cells[:at], truncate(cells[at], limit), *cells[at + 1:])) for key, cells in rows]

    def _paint(self, rows: Sequence[tuple[str, tuple[Cell, ...]]]) -> None:
        rows = self._fit(rows)
        keys = [key for key, _ in rows]
        if keys != self._order:
            selected = self.selected_key
            self.clear()
            for key, cells in rows:
                self.add_row(*cells, key=key)
            self._settle_column_widths(rows)
            self._order = keys
            self._shown = {key: tuple(cells) for key, cells in rows}
            if selected in self._shown:
                self.move_cursor(row=keys.index(selected))
            return
        column_keys = [key for key, _ in self._column_spec]
        for key, cells in rows:
            before = self._shown.get(key, ())
            for index, cell in enumerate(cells):
                if index >= len(before) or cell_look(before[index]) != cell_look(cell):
                    self.update_cell(key, column_keys[index], cell)
            self._shown[key] = tuple(cells)

    def _settle_column_widths(self, rows: Sequence[tuple[str, tuple[Cell, ...]]]) -> None:
        """Each column exactly as wide as its label and these rows, now. DataTable only measures new rows when
        it is next idle and never narrows a column: a frame drawn before that would keep label-wide cells in
        its render cache, and a name column cut to fit a narrower pane would keep its old width."""
        for index, column in enumerate(self.ordered_columns):
            widest = max((cell_width(cells[index]) for _, cells in rows if index < len(cells)), default=0)
            column.content_width = max(column.label.cell_len, widest)

    @property
    def selected_key(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= len(self._order):
            return None
        return self._order[self.cursor_row]

    # -- filter, sort, copy --------------------------------------------------
    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self._paint(self._visible_rows())

    def action_filter(self) -> None:
        parent = self.parent
        if parent is None:
            return
        existing = parent.query(TableFilter)
        if existing:
            existing.first().focus()
            return
        bar = TableFilter(self)
        parent.mount(bar)
        bar.focus()

    def action_sort_next(self) -> None:
        columns = len(self._column_spec)
        self.sort_column = 0 if self.sort_column is None else (self.sort_column + 1) % columns
        self.sort_reversed = False
        self._paint(self._visible_rows())
        self.notify(f"Sorted by {self._column_spec[self.sort_column][1].strip() or 'marker'}", timeout=2)

    def action_sort_reverse(self) -> None:
        self.sort_reversed = not self.sort_reversed
        self._paint(self._visible_rows())

    def copy_value(self, key: str) -> str:
        """What ``y`` copies for the row ``key`` (its name by default; tables of resources copy the id)."""
        return key

    def action_copy_row(self) -> None:
        key = self.selected_key
        if key is None:
            self.notify("No row selected.", severity="warning", timeout=2)
            return
        value = self.copy_value(key)
        self.app.copy_to_clipboard(value)
        self.notify(f"Copied {value}", timeout=3, markup=False)
