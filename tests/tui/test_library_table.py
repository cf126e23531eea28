"""LibraryTable: a virtual table that must look like the stock DataTable it replaced (the
same characters, colours and weights for the same rows, cursor included), draw only the
rows on screen, redraw only a replaced row, and keep DataTable's keys and clicks."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from osteomonitor.tui.views.library_cells import Cell, TableRow, cell, cell_text
from osteomonitor.tui.widgets.library_table import LibraryTable

COLUMNS = [("date", "date ↓"), ("patient", "patient"), ("alerts", "alerts"), ("file", "file")]


def _cells(k: int) -> list[Cell]:
    return [
        cell(f"2026-01-{k % 28 + 1:02d} 09:00"),
        cell(f"P{k % 7:02d}" + (" (sim)" if k % 3 else "")),
        (("1 stop, 2 warning", "bold red"),) if k % 5 == 0 else (("none", "dim"),),
        (("HRR✓", "green"), (" ", ""), (f"{k:04d}-[bold]x[/].omrec", "")),  # markup stays text
    ]


def _rows(n: int) -> list[TableRow]:
    return [TableRow.of(f"/r/{k:04d}.omrec", _cells(k)) for k in range(n)]


def _text(value: Cell) -> Text:
    out = Text()
    for piece, style in value:
        out.append(piece, style=style or None)
    return out


class Pair(App[None]):
    def compose(self) -> ComposeResult:
        yield LibraryTable(id="ours")
        yield DataTable(id="stock", cursor_type="row", zebra_stripes=True)


def _look(segments: list[Segment]) -> list[tuple[str, Any, Any, bool]]:
    """Per character: (char, colour, background, bold): what a person sees."""
    out = []
    for seg in segments:
        style = seg.style
        for ch in seg.text:
            out.append(
                (ch, style and style.color, style and style.bgcolor, bool(style and style.bold))
            )
    return out


def _screen(table: Any) -> list[list[tuple[str, Any, Any, bool]]]:
    return [_look(list(table.render_line(y))) for y in range(table.size.height)]


def _lines(table: LibraryTable) -> list[str]:
    return ["".join(s.text for s in table.render_line(y)) for y in range(table.size.height)]


async def test_it_looks_like_a_stock_datatable_with_the_same_rows() -> None:
    rows = _rows(120)
    app = Pair()
    async with app.run_test(size=(100, 40)) as pilot:
        ours = app.query_one("#ours", LibraryTable)
        stock = app.query_one("#stock", DataTable)
        ours.styles.height = stock.styles.height = 18
        app.set_focus(None)
        ours.fill(COLUMNS, rows)
        for key, label in COLUMNS:
            stock.add_column(label, key=key)
        for row in rows:
            stock.add_row(*(_text(c) for c in row.cells), key=row.key)
        await pilot.pause()
        assert ours.row_count == stock.row_count == 120
        assert [c.render_width for c in ours.columns] == [
            c.get_render_width(stock) for c in stock.ordered_columns
        ]
        assert ours.virtual_size == stock.virtual_size
        assert _screen(ours) == _screen(stock)
        ours.move_cursor(100)
        stock.move_cursor(row=100, animate=False)
        await pilot.pause()
        assert ours.scroll_y == stock.scroll_y > 0
        assert _screen(ours) == _screen(stock)
        ours.focus()  # focused: the cursor's own colours
        await pilot.pause()
        stock.focus()
        await pilot.pause()
        stock_focused = _screen(stock)
        ours.focus()
        await pilot.pause()
        assert _screen(ours) == stock_focused
        # markup-looking text is drawn as typed
        assert any("0100-[bold]x[/].omrec" in line for line in _lines(ours))


async def test_only_the_rows_on_screen_are_drawn() -> None:
    app = Pair()
    async with app.run_test(size=(100, 30)) as pilot:
        ours = app.query_one("#ours", LibraryTable)
        ours.styles.height = 12
        ours.fill(COLUMNS, _rows(1000))
        await pilot.pause()
        _lines(ours)
        assert 0 < len(ours._drawn) <= 12  # header + 11 rows, not 1000
        await pilot.press("ctrl+end")  # the last row: drawn when it comes on screen
        assert ours.cursor_row == 999
        assert "/r/0999" not in "".join(_lines(ours))  # keys are not shown
        assert "0999-[bold]x[/].omrec" in _lines(ours)[-1]


async def test_update_row_redraws_that_row_and_widens_only_when_needed() -> None:
    app = Pair()
    async with app.run_test(size=(100, 30)) as pilot:
        ours = app.query_one("#ours", LibraryTable)
        rows = _rows(10)
        ours.fill(COLUMNS, rows)
        await pilot.pause()
        before = [ours.render_line(y) for y in range(12)]
        width = ours.columns[2].width
        narrower = list(rows[1].cells)
        narrower[2] = cell("-")
        ours.update_row(TableRow.of(rows[1].key, narrower))
        assert ours.columns[2].width == width  # narrower: kept
        after = [ours.render_line(y) for y in range(12)]
        assert [a is b for a, b in zip(before, after, strict=True)].count(False) == 1
        line = "".join(s.text for s in after[2])  # row 1 is line 2
        assert " - " in line and "none" not in line
        wider = list(rows[1].cells)
        wider[2] = cell("3 stop, 4 warning, 5 info")
        ours.update_row(TableRow.of(rows[1].key, wider))
        await pilot.pause()
        assert ours.columns[2].width == len("3 stop, 4 warning, 5 info")
        assert ours.virtual_size.width == sum(c.render_width for c in ours.columns)
        assert ours.cell_text(1, "alerts") == "3 stop, 4 warning, 5 info"
        assert any("3 stop, 4 warning, 5 info" in line for line in _lines(ours))
        ours.update_row(TableRow.of("/no/such/row", wider))  # not shown: nothing happens
        assert ours.row_keys == [r.key for r in rows]


async def test_refill_replaces_rows_and_refuses_duplicates() -> None:
    app = Pair()
    async with app.run_test(size=(100, 30)) as pilot:
        ours = app.query_one("#ours", LibraryTable)
        rows = _rows(30)
        ours.fill(COLUMNS, rows)
        ours.move_cursor(25)
        ours.fill(COLUMNS, list(reversed(rows))[:5])
        await pilot.pause()
        assert ours.row_count == 5 and ours.cursor_row == 4  # clamped to the rows
        assert ours.row_keys[0] == rows[-1].key
        try:
            ours.fill(COLUMNS, [rows[0], rows[0]])
        except ValueError as exc:
            assert rows[0].key in str(exc)
        else:
            raise AssertionError("a duplicate row key was accepted")
        try:
            ours.fill(COLUMNS[:2], rows[:1])
        except ValueError as exc:
            assert "4 cells for 2 columns" in str(exc)
        else:
            raise AssertionError("a row with too many cells was accepted")


class One(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield LibraryTable(id="ours")

    def on_library_table_header_selected(self, event: LibraryTable.HeaderSelected) -> None:
        self.got.append(("header", event.column_key))

    def on_library_table_row_selected(self, event: LibraryTable.RowSelected) -> None:
        self.got.append(("row", event.row_key))


async def test_keys_and_clicks() -> None:
    app = One()
    async with app.run_test(size=(100, 12)) as pilot:
        ours = app.query_one(LibraryTable)
        ours.focus()
        rows = _rows(50)
        ours.fill(COLUMNS, rows)
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        assert app.got == [("row", rows[2].key)]
        await pilot.press("pagedown")
        assert ours.cursor_row == 2 + 11  # a screen of rows: 12 lines, the header excluded
        assert ours.scroll_y == ours.cursor_row - 11 + 1  # the cursor row at the bottom
        await pilot.press("ctrl+home")
        assert ours.cursor_row == 0 and ours.scroll_y == 0
        await pilot.press("up")  # stays on the first row
        assert ours.cursor_row == 0
        x = ours.columns[0].render_width + 2  # in the patient column
        await pilot.click(LibraryTable, offset=(x, 0))
        assert app.got[-1] == ("header", "patient")
        await pilot.click(LibraryTable, offset=(x, 4))  # the fourth row: cursor only
        assert ours.cursor_row == 3 and app.got[-1][0] == "header"
        await pilot.click(LibraryTable, offset=(x, 4))  # again: selected
        assert app.got[-1] == ("row", rows[3].key)


def test_cells_are_plain_text() -> None:
    hostile = cell("[red]P01[/]\x1b[31m\u202e")
    assert cell_text(hostile) == "[red]P01[/]\\x1b[31m\\u202e"
    row = TableRow.of("k", [hostile, (("ab", "bold"), ("✓", "green"))])
    assert row.widths == (len(cell_text(hostile)), 3)
