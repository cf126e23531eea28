"""LibraryTable: filled in one pass with widths from the data, it must show what a stock
DataTable shows with the same rows (same widths, cells, cursor, rendered lines), and
set_cell must widen a column only when the new value needs it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from osteomonitor.tui.widgets.library_table import LibraryTable, cell_width

COLUMNS = [("date", "date ↓"), ("patient", "patient"), ("alerts", "alerts"), ("file", "file")]


def _rows(n: int) -> list[tuple[str, list[Any]]]:
    return [
        (
            f"/r/{k:04d}.omrec",
            [
                f"2026-01-{k % 28 + 1:02d} 09:00",
                Text(f"P{k % 7:02d}" + (" (sim)" if k % 3 else "")),
                Text("1 stop, 2 warning" if k % 5 == 0 else "none", "red"),
                Text(f"{k:04d}-[bold]x[/].omrec"),  # markup-looking text stays plain
            ],
        )
        for k in range(n)
    ]


class Pair(App[None]):
    def compose(self) -> ComposeResult:
        yield LibraryTable(id="ours", cursor_type="row")
        yield DataTable(id="stock", cursor_type="row")


def _lines(table: DataTable[Any]) -> list[str]:
    return ["".join(seg.text for seg in table.render_line(y)) for y in range(table.size.height)]


async def test_fill_shows_what_a_stock_datatable_shows() -> None:
    rows = _rows(120)
    app = Pair()
    async with app.run_test(size=(100, 30)) as pilot:
        ours = app.query_one("#ours", LibraryTable)
        stock = app.query_one("#stock", DataTable)
        ours.fill(COLUMNS, ((k, cells, [cell_width(c) for c in cells]) for k, cells in rows))
        for key, label in COLUMNS:
            stock.add_column(label, key=key)
        for key, cells in rows:
            stock.add_row(*cells, key=key)
        await pilot.pause()
        assert ours.row_count == stock.row_count == 120
        assert [c.get_render_width(ours) for c in ours.ordered_columns] == [
            c.get_render_width(stock) for c in stock.ordered_columns
        ]
        assert ours.virtual_size == stock.virtual_size
        assert ours.get_row_at(57) == stock.get_row_at(57)
        assert ours.coordinate_to_cell_key((3, 0)) == stock.coordinate_to_cell_key((3, 0))
        assert _lines(ours) == _lines(stock)
        ours.move_cursor(row=100)
        stock.move_cursor(row=100)
        await pilot.pause()
        assert ours.scroll_y == stock.scroll_y > 0
        assert _lines(ours) == _lines(stock)


async def test_set_cell_widens_only_when_needed() -> None:
    app = Pair()
    async with app.run_test(size=(100, 30)) as pilot:
        ours = app.query_one("#ours", LibraryTable)
        rows = _rows(10)
        ours.fill(COLUMNS, ((k, cells, [cell_width(c) for c in cells]) for k, cells in rows))
        await pilot.pause()
        alerts = ours.columns[ours.ordered_columns[2].key]
        before = alerts.content_width
        ours.set_cell(rows[1][0], "alerts", Text("-"))
        assert alerts.content_width == before  # narrower: kept
        ours.set_cell(rows[1][0], "alerts", Text("3 stop, 4 warning, 5 info"))
        await pilot.pause()
        assert alerts.content_width == len("3 stop, 4 warning, 5 info")
        assert ours.virtual_size.width == sum(
            c.get_render_width(ours) for c in ours.ordered_columns
        )
        assert str(ours.get_cell(rows[1][0], "alerts")) == "3 stop, 4 warning, 5 info"
        # rendered cells are kept per value: the changed cell shows its new value
        assert any("3 stop, 4 warning, 5 info" in line for line in _lines(ours))
        ours.set_cell(rows[1][0], "alerts", Text("none"))
        await pilot.pause()
        assert not any("3 stop" in line for line in _lines(ours))


async def test_refill_replaces_rows_and_keeps_no_duplicates() -> None:
    app = Pair()
    async with app.run_test(size=(100, 30)) as pilot:
        ours = app.query_one("#ours", LibraryTable)
        rows = _rows(30)
        entries = [(k, cells, [cell_width(c) for c in cells]) for k, cells in rows]
        ours.fill(COLUMNS, entries)
        ours.fill(COLUMNS, list(reversed(entries))[:5])
        await pilot.pause()
        assert ours.row_count == 5
        assert ours.coordinate_to_cell_key((0, 0)).row_key.value == rows[-1][0]
        try:
            ours.fill(COLUMNS, [entries[0], entries[0]])
        except Exception as exc:  # DuplicateKey names the key
            assert rows[0][0] in str(exc)
        else:
            raise AssertionError("a duplicate row key was accepted")
