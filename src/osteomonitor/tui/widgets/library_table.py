"""The library's table: a virtual table drawn one screen line at a time (Textual's Line
API), so a 1000-row library costs what the ~40 rows on screen cost.

Textual's `DataTable` formats every cell into a Rich renderable and renders it through
the console (≈ 0.3 ms a cell: ≈ 100 ms for the first screen of a 140×40 terminal, more
under load), keys its render caches on a table-wide counter (one changed cell renders
every visible cell again) and measures new rows when the loop is idle. Here:

- a cell is plain data (`views.library_cells.Cell`: runs of (text, style name)), built
  anywhere (the loading worker too) from text never read as markup;
- a row (`views.library_cells.TableRow`) carries its cells and their widths, counted
  once when built; the column widths are the widest cell (or header) and only widen
  while the rows stay;
- `render_line(y)` draws one line: the header, or the row at `scroll_y + y - 1`, as
  Segments, kept per row while that row object, the column widths, the cursor on it and
  the widget's styles stay the same (a changed row draws itself alone again).

It looks like the `DataTable` it replaces (same padding, zebra stripes, header and row
cursor styles: the component classes copy DataTable's CSS) and keeps its keys: up/down,
page up/down, ctrl+home/end, home/end and left/right scroll, enter selects; a click on a
header posts `HeaderSelected`, a click on the cursor row `RowSelected`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from osteomonitor.pseudonym import printable
from osteomonitor.tui.views.library_cells import Cell, TableRow, cell_text

#: Spaces each side of a cell (DataTable's `cell_padding`).
PADDING = 1


@dataclass(frozen=True, slots=True)
class Column:
    """A column: key, header label (plain text) and content width in cells."""

    key: str
    label: str
    width: int

    @property
    def render_width(self) -> int:
        """Width on screen, padding included."""
        return self.width + 2 * PADDING


class LibraryTable(ScrollView, can_focus=True):
    """Rows of plain-text cells under a header, one row cursor (see the module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "first", "Top", show=False),
        Binding("ctrl+end", "last", "Bottom", show=False),
        Binding("home", "scroll_home", "Home", show=False),
        Binding("end", "scroll_end", "End", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "library-table--cursor",
        "library-table--header",
        "library-table--even-row",
        "library-table--odd-row",
    }
    # DataTable's look (its DEFAULT_CSS for these component classes).
    DEFAULT_CSS = """
    LibraryTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .library-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .library-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark {
            & > .library-table--even-row {
                background: $surface-darken-1 40%;
            }
        }
        & > .library-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .library-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .library-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .library-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """
    #: Rows drawn and kept (a tall terminal's screen, scrolled back and forth).
    KEPT_ROWS = 512

    class HeaderSelected(Message):
        """A column header was clicked."""

        def __init__(self, table: LibraryTable, column_key: str) -> None:
            super().__init__()
            self.table = table
            self.column_key = column_key

        @property
        def control(self) -> LibraryTable:
            return self.table

    class RowSelected(Message):
        """Enter on a row, or a click on the cursor row."""

        def __init__(self, table: LibraryTable, row_key: str, row_index: int) -> None:
            super().__init__()
            self.table = table
            self.row_key = row_key
            self.row_index = row_index

        @property
        def control(self) -> LibraryTable:
            return self.table

    def __init__(
        self,
        *,
        zebra_stripes: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.zebra_stripes = zebra_stripes
        self._columns: tuple[Column, ...] = ()
        self._rows: list[TableRow] = []
        self._index: dict[str, int] = {}
        self._cursor = 0
        self._drawn: LRUCache[tuple[object, ...], tuple[TableRow | None, Strip]] = LRUCache(
            self.KEPT_ROWS
        )
        self._styles_key: tuple[object, ...] = ()
        self._styles: tuple[Style, ...] = ()

    # -- what it holds ------------------------------------------------------------------
    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns, left to right."""
        return self._columns

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def row_keys(self) -> list[str]:
        """The rows' keys, top to bottom."""
        return [row.key for row in self._rows]

    @property
    def cursor_row(self) -> int:
        """The cursor's row index (0 when the table is empty)."""
        return self._cursor

    def row_at(self, index: int) -> TableRow:
        return self._rows[index]

    def column_index(self, key: str) -> int:
        """The column's index. Raises KeyError naming the key when there is none."""
        for k, column in enumerate(self._columns):
            if column.key == key:
                return k
        raise KeyError(f"the table has no column {key!r}")

    def cell_text(self, row: int, column_key: str) -> str:
        """The plain text of the cell at row index `row`, column `column_key`."""
        return cell_text(self._rows[row].cells[self.column_index(column_key)])

    # -- filling ------------------------------------------------------------------------
    def fill(self, columns: Sequence[tuple[str, str]], rows: Iterable[TableRow]) -> None:
        """Replace everything: `columns` (key, header label) and `rows`, in order. The
        cursor stays at its index (within the rows). Raises ValueError naming a key that
        comes twice or a row with the wrong number of cells."""
        kept = list(rows)
        index: dict[str, int] = {}
        n = len(columns)
        labels = [(key, printable(label)) for key, label in columns]
        widths = [cell_len(label) for _, label in labels]
        for k, row in enumerate(kept):
            if row.key in index:
                raise ValueError(f"two table rows have the key {row.key!r}")
            if len(row.widths) != n:
                raise ValueError(f"row {row.key!r}: {len(row.widths)} cells for {n} columns")
            index[row.key] = k
        if kept:  # the widest cell of each column (every row has n widths: checked above)
            by_column = zip(*(row.widths for row in kept), strict=True)
            widths = [max(w, *col) for w, col in zip(widths, by_column, strict=True)]
        self._columns = tuple(
            Column(key, label, width) for (key, label), width in zip(labels, widths, strict=True)
        )
        self._rows, self._index = kept, index
        self._drawn.clear()
        self._cursor = max(0, min(self._cursor, len(kept) - 1))
        self._resize()
        if self.scroll_y > self.max_scroll_y:  # fewer rows: no blank screen below them
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)
        self.refresh()

    def update_row(self, row: TableRow) -> None:
        """Replace the row with `row`'s key (nothing when there is none); a column widens
        when a new cell needs it (never narrows while the rows stay: `fill` counts
        afresh). Only that row is drawn again."""
        index = self._index.get(row.key)
        if index is None:
            return
        if len(row.widths) != len(self._columns):
            raise ValueError(
                f"row {row.key!r}: {len(row.widths)} cells for {len(self._columns)} columns"
            )
        self._rows[index] = row
        wider = [
            Column(c.key, c.label, max(c.width, w))
            for c, w in zip(self._columns, row.widths, strict=True)
        ]
        if any(new.width != old.width for new, old in zip(wider, self._columns, strict=True)):
            self._columns = tuple(wider)
            self._resize()
            self.refresh()
        else:
            self.refresh_line(index + 1)

    def _resize(self) -> None:
        self.virtual_size = Size(sum(c.render_width for c in self._columns), len(self._rows) + 1)

    # -- the cursor ---------------------------------------------------------------------
    def move_cursor(self, row: int, scroll: bool = True) -> None:
        """Put the cursor on row index `row` (clamped to the rows), scrolled into view."""
        new = max(0, min(row, len(self._rows) - 1))
        old, self._cursor = self._cursor, new
        if old != new:
            self.refresh_line(old + 1)
            self.refresh_line(new + 1)
        if scroll:
            self._scroll_cursor_into_view()

    def _page(self) -> int:
        """Rows on one screen (the header excluded)."""
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top, page = round(self.scroll_y), self._page()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, force=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._rows) - 1)

    def action_scroll_home(self) -> None:
        self.scroll_to(x=0, animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_to(x=self.max_scroll_x, animate=False)

    def action_select_cursor(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self._rows[self._cursor].key, self._cursor))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:  # the header
            x = offset.x + round(self.scroll_x)
            for column in self._columns:
                if x < column.render_width:
                    self.post_message(self.HeaderSelected(self, column.key))
                    break
                x -= column.render_width
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self._rows):
            again = index == self._cursor
            self.move_cursor(index)
            if again:
                self.action_select_cursor()
            event.stop()

    # -- drawing ------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles_key = ()  # a theme or CSS change: styles computed afresh

    def _current_styles(self) -> tuple[Style, ...]:
        """(base, header, even row, odd row, cursor, cursor's foreground) as DataTable
        computes them; recomputed when the pseudo classes (focus) or the CSS change."""
        key = (self.get_pseudo_class_state(), self.zebra_stripes)
        if key != self._styles_key:
            base = self.rich_style
            rows = [
                self.get_component_styles(f"library-table--{k}-row").rich_style
                if self.zebra_stripes
                else base
                for k in ("even", "odd")
            ]
            cursor = self.get_component_rich_style("library-table--cursor")
            self._styles = (
                base,
                self.get_component_styles("library-table--header").rich_style,
                *rows,
                cursor,
                Style.from_color(color=cursor.color),  # DataTable: foreground priority css
            )
            self._styles_key = key
        return self._styles

    def render_lines(self, crop: Region) -> list[Strip]:
        self._current_styles()  # once per drawing pass, not per line
        return super().render_lines(crop)

    def _draw_row(self, row: TableRow | None, index: int, styles: tuple[Style, ...]) -> Strip:
        """The whole row (or the header, `row` None) as one strip, the width of the
        widget or the table, whichever is wider."""
        _base, header, even, odd, cursor, cursor_fg = styles
        if row is None:
            pre, post, extend = header, Style(), header
            cells: Sequence[Cell] = [((c.label, ""),) for c in self._columns]
            widths: Sequence[int] = [cell_len(c.label) for c in self._columns]
        else:
            row_style = odd if index % 2 else even
            on_cursor = index == self._cursor
            pre = row_style + cursor if on_cursor else row_style
            post = cursor_fg if on_cursor else Style()
            extend = pre
            cells, widths = row.cells, row.widths
        pad = pre + post
        segments: list[Segment] = []
        parse = Style.parse
        for value, used, column in zip(cells, widths, self._columns, strict=True):
            segments.append(Segment(" " * PADDING, pad))
            for text, style in value:
                segments.append(Segment(text, (pre + parse(style) + post) if style else pad))
            segments.append(Segment(" " * (column.width - used + PADDING), pad))
        table_width = sum(c.render_width for c in self._columns)
        if self.size.width > table_width:
            segments.append(Segment(" " * (self.size.width - table_width), extend))
        return Strip(segments).simplify()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        styles = self._styles or self._current_styles()
        if y == 0:
            row: TableRow | None = None
            index = -1
        else:
            index = scroll_y + y - 1
            if index >= len(self._rows):
                return Strip.blank(width, styles[0])
            row = self._rows[index]
        key = (
            index,
            index == self._cursor,
            styles,
            self._columns,
            width,
        )
        hit = self._drawn.get(key)
        if hit is None or hit[0] is not row:
            hit = (row, self._draw_row(row, index, styles))
            self._drawn.set(key, hit)
        return hit[1].crop_extend(scroll_x, scroll_x + width, styles[0])
