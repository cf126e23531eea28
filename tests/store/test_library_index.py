"""The library index: rows and analyses computed once per file version, never fatal."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from osteomonitor.app import library as app_library
from osteomonitor.model import SessionMeta, SessionSummary
from osteomonitor.session import analyze_recording
from osteomonitor.store import index as store_index
from osteomonitor.store import library as store_library
from osteomonitor.store import summary_codec
from osteomonitor.store.index import INDEX_NAME, LibraryIndex, index_for
from osteomonitor.store.library import list_recordings

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "lib"
    out.mkdir(mode=0o700)
    for p in sorted(RECORDINGS.glob("demo-*.omrec"))[:3]:
        shutil.copy2(p, out / p.name)
    store_index.close_indexes()  # a fresh process's view
    return out


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: object) -> object:
        raise AssertionError(f"{path} was read although the index knows it")

    monkeypatch.setattr(store_library, "recording_info", refuse)


def test_listing_rows_are_kept_private_and_read_back(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = list_recordings(folder)
    index = folder / INDEX_NAME
    assert index.exists() and stat.S_IMODE(index.stat().st_mode) == 0o600
    store_index.close_indexes()
    _no_reading(monkeypatch)
    assert list_recordings(folder) == first


def test_a_changed_file_is_read_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = list_recordings(folder)
    victim = first[0].path
    shutil.copy2(RECORDINGS / sorted(p.name for p in RECORDINGS.glob("demo-*.omrec"))[-1], victim)
    calls: list[Path] = []
    real = store_library.recording_info

    def counting(path: Path) -> object:
        calls.append(Path(path))
        return real(path)

    monkeypatch.setattr(store_library, "recording_info", counting)
    again = list_recordings(folder)
    assert calls == [victim]
    assert {i.path for i in again} == {i.path for i in first}


@pytest.mark.parametrize("garbage", [b"not a database at all" * 100, b""])
def test_a_corrupt_index_is_rebuilt(folder: Path, garbage: bytes) -> None:
    want = list_recordings(folder)
    store_index.close_indexes()
    (folder / INDEX_NAME).write_bytes(garbage)
    assert list_recordings(folder) == want
    idx = index_for(folder)
    assert idx.path is not None, idx.note
    assert len(idx.infos()) == len(want)


def test_a_locked_index_falls_back_to_memory(folder: Path) -> None:
    want = list_recordings(folder)
    store_index.close_indexes()
    holder = sqlite3.connect(folder / INDEX_NAME)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert list_recordings(folder) == want
        idx = index_for(folder)
        assert idx.path is None and "memory" in idx.note
    finally:
        holder.rollback()
        holder.close()


def test_an_unwritable_folder_still_lists(folder: Path) -> None:
    idx = LibraryIndex(folder, persist=False)
    assert idx.path is None
    assert not (folder / INDEX_NAME).exists()


def test_analysis_is_kept_per_version_and_prescription(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sorted(folder.glob("*.omrec"))[0]
    meta, summary, rx, _alerts = app_library.indexed_analysis(path)
    _m, want = analyze_recording(path)
    assert summary == want
    runs: list[Path] = []
    real = app_library.process_recording

    def counting(p: Path, prescription: object = None) -> object:
        runs.append(p)
        return real(p, prescription)  # type: ignore[arg-type]

    monkeypatch.setattr(app_library, "process_recording", counting)
    store_index.close_indexes()
    meta2, summary2, rx2, _alerts2 = app_library.indexed_analysis(path)
    assert (meta2, summary2) == (meta, summary) and runs == []
    assert (rx2 is None) == (rx is None)
    monkeypatch.setattr(app_library, "ANALYSIS_VERSION", "another analysis")
    assert app_library.indexed_analysis(path)[1] == summary
    assert runs == [path], "a new analysis version analyses again"
    if rx is not None:  # another prescription is another entry
        from dataclasses import replace

        other = replace(rx, template=(rx.template or "") + "-other")
        app_library.indexed_analysis(path, other)
        assert runs == [path, path]


def test_summary_codec_round_trips_every_demo_recording() -> None:
    for path in sorted(RECORDINGS.glob("*.omrec")):
        meta, summary = analyze_recording(path)
        assert summary_codec.decode(SessionSummary, summary_codec.encode(summary)) == summary
        assert summary_codec.decode(SessionMeta, summary_codec.encode(meta)) == meta


@pytest.mark.parametrize(
    "text", ["{", "[]", '{"start_t_ns": "x"}', '{"start_t_ns": 1, "end_t_ns": true}']
)
def test_summary_codec_refuses_what_is_not_a_summary(text: str) -> None:
    with pytest.raises(ValueError):
        summary_codec.decode(SessionSummary, text)
    assert store_index.decode_or_none(SessionSummary, text) is None
