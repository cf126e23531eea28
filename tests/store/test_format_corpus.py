"""Old files open forever: the format corpus reads as it did when it was written.

`tests/data/format-corpus/` holds recordings written by format version 1 (several
device kinds, events, a prescription snapshot, a crashed recording whose data is in
its -wal) and, beside each, what that version said of it (`tools/make_format_corpus.py`).
Every later version must open, analyse and replay them with the same results. A
failure here means old recordings now read differently: fix the reader, never the
expected files.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "format-corpus"
FILES = sorted(CORPUS.glob("*.omrec"))
#: Numbers may differ in their last bits with another numpy; nothing more.
REL_TOL = 1e-9


#: The sentences of an alert: its wording belongs to the rules, like a verdict's evidence.
_ALERT_PROSE = ("_message", ".message", ".source")


def _verdict_prose(where: str) -> bool:
    """The rules engine's evidence wording of a compliance element: what the file holds
    and what was measured must read the same forever, but the sentence explaining a
    verdict belongs to the rules (issue 13 taught it METs from cadence and step
    evidence); the element's value and status are still compared. Alerts likewise: their
    rule, severity, time, value, limit and count are compared, their sentences and the
    citation's wording are not (issue 16 wrote times as m:ss, "at 0:18" for "at 0:18.3
    min", and cites published sources instead of files outside the repository)."""
    if ".compliance.modalities[" in where and where.endswith(".evidence"):
        return True
    return ".alerts[" in where and where.endswith(_ALERT_PROSE)


def _same(got: Any, want: Any, where: str = "") -> list[str]:
    """Differences between two JSON values (floats within REL_TOL)."""
    if isinstance(want, float) or isinstance(got, float):
        numbers = isinstance(got, int | float) and isinstance(want, int | float)
        if numbers and math.isclose(got, want, rel_tol=REL_TOL, abs_tol=1e-12):
            return []
        return [f"{where}: {got!r} != {want!r}"]
    if isinstance(want, dict) and isinstance(got, dict):
        out = [f"{where}.{k}: missing" for k in want if k not in got]
        for k in want:
            if k in got and not _verdict_prose(f"{where}.{k}"):
                out += _same(got[k], want[k], f"{where}.{k}")
        return out
    if isinstance(want, list) and isinstance(got, list):
        if len(got) != len(want):
            return [f"{where}: {len(got)} items != {len(want)}"]
        return [
            d
            for i, (g, w) in enumerate(zip(got, want, strict=True))
            for d in _same(g, w, f"{where}[{i}]")
        ]
    return [] if got == want else [f"{where}: {got!r} != {want!r}"]


def test_corpus_is_present_and_small() -> None:
    assert len(FILES) >= 5
    assert any(CORPUS.glob("*.omrec-wal")), "the crashed recording's -wal is missing"
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 600_000


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_old_recording_reads_as_it_did(path: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    try:
        from make_format_corpus import expected
    finally:
        sys.path.pop(0)
    # a copy: reading a crashed file makes SQLite put a -shm beside it
    for extra in ("", "-wal"):
        src = path.with_name(path.name + extra)
        if src.exists():
            shutil.copy(src, tmp_path / src.name)
    copy = tmp_path / path.name
    want = json.loads(path.with_name(path.stem + ".expected.json").read_text())
    got = expected(copy)
    diffs = _same(got, want)
    assert not diffs, "\n".join(diffs[:20])
