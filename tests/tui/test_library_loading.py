"""The review library loads in one worker: rows and analyses from the folder's index,
new files analysed in a separate process with progress on the status line, the same
cells either way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Label
from tui_support import RECORDINGS, SIZE, wait_for

from osteomonitor.app import library as app_library
from osteomonitor.store.index import INDEX_NAME, close_indexes
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.screens.library import LibraryScreen
from osteomonitor.tui.widgets.library_table import LibraryTable


def _cells(screen: LibraryScreen) -> dict[str, list[str]]:
    table = screen.query_one(LibraryTable)
    return {
        Path(key).name: [table.cell_text(r, c.key) for c in table.columns[:8]]
        for r, key in enumerate(table.row_keys)
    }


async def _load(folder: Path, seen: list[str] | None = None) -> dict[str, list[str]]:
    close_indexes()  # a new process's view of the index
    app = OsteomonitorApp(lambda: LibraryScreen(folder))
    async with app.run_test(size=SIZE) as pilot:

        def loaded() -> bool:
            screen = app.screen
            if seen is not None and isinstance(screen, LibraryScreen):
                seen.append(str(screen.query_one("#library-status", Label).content))
            return isinstance(screen, LibraryScreen) and screen.loaded

        await wait_for(pilot, loaded, what="the library to load")
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert screen.progress == ""
        return _cells(screen)


async def test_new_files_are_analysed_with_progress_then_read_from_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "lib"
    folder.mkdir(mode=0o700)
    for p in sorted(RECORDINGS.glob("demo-*.omrec")):
        shutil.copy2(p, folder / p.name)

    def refuse(path: Path, prescription: object = None) -> object:
        raise AssertionError(f"{path} was analysed in the interface's process")

    monkeypatch.setattr(app_library, "process_recording", refuse)
    seen: list[str] = []
    cold = await _load(folder, seen)  # new files: analysed in a separate process
    assert (folder / INDEX_NAME).exists()
    assert all(cells[4] != "..." for cells in cold.values()), "every row analysed"
    assert any("analysing" in s or "reading" in s for s in seen), seen

    warm = await _load(folder)  # (still refused: read back from the index)
    assert warm == cold
