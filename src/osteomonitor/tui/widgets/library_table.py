"""The library's table: a `DataTable` whose column widths come from the data, never
from measuring rendered cells.

Textual's `DataTable` measures every new row once the event loop is idle: each cell is
formatted into a Rich renderable and measured on the console (≈ 0.15 ms a cell, so a
1000-row library of 9 columns held the event loop ≈ 160 ms, more under load; and a
narrower value in `update_cell(update_width=True)` re-measures its whole column). Here
the widths are the cells' plain-text cell lengths (`cell_width`), counted once when the
rows are built, and the idle-time measuring is skipped (`_update_dimensions`): the
table only sets its virtual size. Rendering stays DataTable's (only the visible lines
are rendered, cached per update), as do the cursor, header clicks and row selection.

Rows are fixed at one line (the library's cells are single-line plain text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, DuplicateKey, Row, RowKey


def cell_width(value: object) -> int:
    """Terminal cells `value` takes in one line (the longest line of its plain text;
    what DataTable's measuring returns for the library's Text and str cells)."""
    text = value.plain if isinstance(value, Text) else str(value)
    if "\n" in text:
        return max(cell_len(line) for line in text.split("\n"))
    return cell_len(text)


class LibraryTable(DataTable[Any]):
    """A DataTable filled whole by `fill` and changed by `set_cell`, with column widths
    taken from the data (see the module docstring)."""

    #: Rendered cells kept (a screen of 60 rows × 9 columns, with cursor variants).
    RENDERED_CELLS = 2048

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rendered: LRUCache[tuple[Any, ...], tuple[Any, SegmentLines]] = LRUCache(
            self.RENDERED_CELLS
        )
        self._lines: LRUCache[
            tuple[Any, ...], tuple[tuple[Any, ...], tuple[SegmentLines, SegmentLines]]
        ] = LRUCache(self.RENDERED_CELLS // 8)

    def fill(
        self,
        columns: Sequence[tuple[str, str | Text]],
        rows: Iterable[tuple[str, Sequence[Any], Sequence[int]]],
    ) -> None:
        """Replace everything: `columns` (key, header) and `rows` (key, cells, the cells'
        widths from `cell_width`), in order."""
        self.clear(columns=True)
        self._rendered.clear()
        self._lines.clear()
        for key, label in columns:
            self.add_column(label, key=key)  # content width = the header's
        ordered = self.ordered_columns
        keys = [c.key for c in ordered]
        widths = [c.content_width for c in ordered]
        # What `add_row` does per row, without its per-row cursor reactive, column
        # ordering and idle check (≈ 0.3 ms a row): the same tables, filled once.
        locations, data, table_rows = self._row_locations, self._data, self.rows
        for index, (key, cells, cell_widths) in enumerate(rows):
            row_key = RowKey(key)
            if row_key in locations:
                raise DuplicateKey(f"two library rows have the key {key!r}")
            if len(cells) != len(keys):
                raise ValueError(f"row {key!r}: {len(cells)} cells for {len(keys)} columns")
            locations[row_key] = index
            data[row_key] = dict(zip(keys, cells, strict=True))
            table_rows[row_key] = Row(row_key, 1)
            for k, w in enumerate(cell_widths):
                if w > widths[k]:
                    widths[k] = w
        for column, width in zip(ordered, widths, strict=True):
            column.content_width = width
        self._update_count += 1
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate  # clamped to the rows
        if table_rows and keys and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()  # as add_row does for the first row
        self.check_idle()
        self.refresh()

    def set_cell(self, row_key: str, column_key: str, value: Any) -> None:
        """Change one cell; its column widens when `value` needs it (never narrows
        while the rows stay: `fill` measures afresh)."""
        column = self.columns[ColumnKey(column_key)]
        width = cell_width(value)
        self.update_cell(row_key, column_key, value, update_width=False)
        if width > column.content_width:
            column.content_width = width
            self._require_update_dimensions = True
            self.check_idle()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """DataTable's cell rendering, kept per cell while its value is the same object.

        DataTable keys its render caches on a table-wide update counter: one
        `update_cell` re-renders every visible cell (≈ 0.3 ms each, 100+ ms a batch of
        analysed rows). Values are replaced, never mutated (`set_cell`), so the value's
        identity tells a changed cell."""
        if column_index < 0:  # row labels (none here)
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        column_key = self._column_locations.get_key(column_index)
        row_key: Any
        if row_index < 0:  # the header: its label is the value
            row_key = self._header_row_key
            value: Any = self.columns[column_key].label  # type: ignore[index]
        else:
            row_key = self._row_locations.get_key(row_index)
            value = self._data[row_key][column_key]  # type: ignore[index]
        key = (
            row_key,
            column_key,
            row_index,
            base_style,
            width,
            cursor,
            hover,
            self._show_hover_cursor,
            self._pseudo_class_state,
        )
        hit = self._rendered.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        self._rendered.set(key, (value, lines))
        return lines

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[SegmentLines, SegmentLines]:
        """DataTable's line of a row, kept while the row's values (by identity), the
        column widths and whether the cursor or hover is on it stay the same (DataTable
        keys it on the table-wide update counter, as `_render_cell`)."""
        header = row_key is self._header_row_key
        index = -1 if header else self._row_locations.get(row_key)
        values: tuple[Any, ...] = (
            tuple(c.label for c in self.ordered_columns)
            if header
            else tuple(self._data[row_key].values())
        )
        if self.cursor_type == "row":
            where: tuple[Any, ...] = (cursor_location.row == index, hover_location.row == index)
        else:
            where = (cursor_location, hover_location)
        key = (
            row_key,
            line_no,
            index,
            base_style,
            where,
            self.cursor_type,
            self.show_cursor,
            self._show_hover_cursor,
            self._pseudo_class_state,
            tuple(c.get_render_width(self) for c in self.ordered_columns),
        )
        hit = self._lines.get(key)
        if (
            hit is not None
            and len(hit[0]) == len(values)
            and all(a is b for a, b in zip(hit[0], values, strict=True))
        ):
            return hit[1]
        lines = super()._render_line_in_row(
            row_key, line_no, base_style, cursor_location, hover_location
        )
        self._lines.set(key, (values, lines))
        return lines

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """The virtual size only: column widths are kept by `fill` / `set_cell`."""
        data_width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            data_width + self._row_label_column_width, self._total_row_height + header
        )
