"""Verdicts kept in the library index (`app/kept_reviews.py`) equal a fresh judgement,
and anything that could change the verdict judges again."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from osteomonitor.app import kept_reviews, session_review
from osteomonitor.app import library as app_library
from osteomonitor.app.review import ReviewCache, SessionReview, review_session, set_supervised
from osteomonitor.prescription import Alert
from osteomonitor.store import index as store_index
from osteomonitor.store.index import INDEX_NAME

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
#: A recording with several alerts of different severities, and one without.
NAMES = ("demo-P01-alerts-sim.omrec", "demo-P00-walk2-sim.omrec")


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    out = tmp_path / "lib"
    out.mkdir(mode=0o700)
    for name in NAMES:
        shutil.copy2(RECORDINGS / name, out / name)
    store_index.close_indexes()
    yield out
    store_index.close_indexes()


@pytest.fixture
def judgements(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The recordings judged by `evaluate_session` (not read back from the index)."""
    calls: list[Path] = []
    real = session_review.judge

    def counting(path: Path, *args: object, **kw: object) -> SessionReview:
        calls.append(path)
        return real(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(session_review, "judge", counting)
    return calls


def _fresh(path: Path) -> SessionReview:
    """An un-cached review: the session driver over the file, judged now."""
    return review_session(path, indexed=False)


def _same(kept: SessionReview | None, fresh: SessionReview) -> None:
    assert kept is not None
    assert kept.error is None and fresh.error is None
    assert (kept.path, kept.meta, kept.summary) == (fresh.path, fresh.meta, fresh.summary)
    assert kept.compliance == fresh.compliance
    assert kept.alerts == fresh.alerts


def _reopen() -> ReviewCache:
    """A new process's view: no index open, nothing in memory."""
    store_index.close_indexes()
    return ReviewCache()


def test_a_kept_verdict_equals_a_fresh_judgement(folder: Path, judgements: list[Path]) -> None:
    paths = sorted(folder.glob("*.omrec"))
    for p in paths:
        _same(ReviewCache().review(p), _fresh(p))  # analysed, judged, kept
    assert any(_fresh(p).alerts for p in paths), "the demo must have alerts to compare"
    judgements.clear()
    cache = _reopen()
    for p in paths:
        _same(cache.kept(p), _fresh(p))
    assert sum(1 for p in judgements if p in paths) == len(paths)  # the two fresh ones only
    judgements.clear()
    cache = _reopen()
    kept = [cache.kept(p) for p in paths]
    assert judgements == [], "the kept verdicts are read back, not judged again"
    assert all(k is not None and k.compliance is not None for k in kept)


def test_a_changed_prescription_judges_again(
    folder: Path, judgements: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = folder / NAMES[0]
    ReviewCache().review(path)
    real = app_library._snapshot_rx

    def stricter(toml: str, where: str) -> object:
        rx = real(toml, where)
        assert rx is not None
        return replace(rx, template=(rx.template or "") + "-changed")

    monkeypatch.setattr(app_library, "_snapshot_rx", stricter)
    judgements.clear()
    kept = _reopen().kept(path)
    assert judgements == [path], "another prescription is judged again"
    assert kept is not None and kept.prescription is not None
    assert (kept.prescription.template or "").endswith("-changed")
    assert kept.meta is not None and kept.summary is not None
    fresh = session_review.reviewed(path, kept.meta, kept.summary, kept.prescription, _live(path))
    _same(kept, fresh)


def _live(path: Path) -> tuple[Alert, ...]:
    found = app_library.kept_analysis(path)
    assert found is not None
    return found[3]


def test_a_changed_supervision_flag_judges_again(folder: Path, judgements: list[Path]) -> None:
    path = folder / NAMES[0]
    ReviewCache().review(path)
    set_supervised(path, True)
    judgements.clear()
    kept = _reopen().kept(path)
    assert judgements == [path]
    assert kept is not None and kept.compliance is not None and kept.compliance.supervised
    _same(kept, _fresh(path))


def test_a_changed_file_analyses_and_judges_again(folder: Path, judgements: list[Path]) -> None:
    path = folder / NAMES[0]
    ReviewCache().review(path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    cache = _reopen()
    assert cache.kept(path) is None, "a changed file takes an analysis"
    judgements.clear()
    _same(cache.review(path), _fresh(path))
    assert path in judgements


def test_a_new_analysis_or_rules_version_judges_again(
    folder: Path, judgements: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = folder / NAMES[0]
    ReviewCache().review(path)
    with pytest.MonkeyPatch.context() as rules:
        rules.setattr(kept_reviews, "VERDICT_VERSION", "other rules")
        kept_reviews.rules_fingerprint.cache_clear()
        judgements.clear()
        _same(_reopen().kept(path), _fresh(path))
        assert judgements.count(path) == 2, "new rules: the kept one is judged again"
    kept_reviews.rules_fingerprint.cache_clear()
    monkeypatch.setattr(app_library, "ANALYSIS_VERSION", "another analysis")
    cache = _reopen()
    assert cache.kept(path) is None
    judgements.clear()
    _same(cache.review(path), _fresh(path))
    assert path in judgements


@pytest.mark.parametrize(
    ("table", "column", "garbage"),
    [
        ("verdict", "verdict", "{not json"),
        ("verdict", "verdict", '{"compliance": 3, "alerts": []}'),
        ("analysis", "summary", '{"summary": {"start_t_ns": "x"}}'),
        ("analysis", "meta", "[]"),
    ],
)
def test_a_corrupt_row_is_recomputed_without_a_traceback(
    folder: Path, table: str, column: str, garbage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = folder / NAMES[0]
    ReviewCache().review(path)
    store_index.close_indexes()
    with sqlite3.connect(folder / INDEX_NAME) as db:
        assert db.execute(f"UPDATE {table} SET {column} = ?", (garbage,)).rowcount >= 1
    db.close()
    cache = ReviewCache()
    kept = cache.kept(path)
    if kept is None:  # the analysis row did not decode: analysed again
        kept = cache.review(path)
    _same(kept, _fresh(path))
    assert "Traceback" not in capsys.readouterr().err


def test_an_index_from_before_verdicts_still_works(folder: Path) -> None:
    paths = sorted(folder.glob("*.omrec"))
    for p in paths:
        ReviewCache().review(p)
    store_index.close_indexes()
    with sqlite3.connect(folder / INDEX_NAME) as db:
        db.execute("DROP TABLE verdict")  # the layout of the previous release
    db.close()
    cache = ReviewCache()
    for p in paths:
        _same(cache.kept(p), _fresh(p))  # analyses still kept; verdicts judged, kept
    store_index.close_indexes()
    with sqlite3.connect(folder / INDEX_NAME) as db:
        assert db.execute("SELECT count(*) FROM verdict").fetchone()[0] == len(paths)
        assert db.execute("SELECT count(*) FROM analysis").fetchone()[0] == len(paths)
    db.close()


def test_the_cache_key_sees_the_side_file_and_resolves_the_folder(
    folder: Path, tmp_path: Path
) -> None:
    path = folder / NAMES[0]
    link = tmp_path / "via-link"
    link.symlink_to(folder)
    assert session_review.file_key(link / NAMES[0])[0] == str(path.resolve())
    before = session_review.file_key(path)
    set_supervised(path, False)
    assert session_review.file_key(path) != before
    assert session_review.file_key(path, path.stat()) == session_review.file_key(path)
