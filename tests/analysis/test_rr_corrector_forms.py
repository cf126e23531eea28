"""Short cuts inside the RR corrector equal the forms they replace, bit for bit.

- `rr._correct` returns the moved beats as they are when nothing was inserted or
  removed and they are still in order (no stable sort); the full form sorts.
- The corrector keeps artifact kinds as int8 codes and makes the strings once.
(`test_rr_fast.py` proves the whole correction equals the reference.)
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.rr import _NAMES, ARTIFACT_KINDS, RrCorrector, _correct, correct_rr
from osteomonitor.analysis.rr_classify import Artifacts

from .rr_reference import correct_rr as reference_correct_rr
from .test_rr_fast import noisy_rr


def _correct_sorting(peaks: np.ndarray, art: Artifacts) -> tuple[np.ndarray, np.ndarray]:
    """`rr._correct` before the short cut: always the stable sort."""
    p = peaks.copy()
    n = p.size
    mis = sorted({j for j in art["ectopic"] + art["longshort"] if 1 <= j < n - 1})
    if mis:
        idx = np.asarray(mis)
        p[idx] = (p[idx - 1] + p[idx + 1]) / 2.0
    missed = sorted({j for j in art["missed"] if 1 <= j < n})
    extra = {j for j in art["extra"] if 1 <= j < n - 1}
    inserts = (p[np.asarray(missed)] + p[np.asarray(missed) - 1]) / 2.0 if missed else np.empty(0)
    keep = np.ones(n, dtype=bool)
    keep[list(extra)] = False
    joined = np.concatenate((p[keep], inserts))
    order = np.argsort(joined, kind="mergesort")
    source = np.concatenate((np.flatnonzero(keep), np.full(inserts.size, -1)))
    return joined[order], source[order]


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(4, 60),
    moved=st.lists(st.integers(-2, 62), max_size=8),
    missed=st.lists(st.integers(-2, 62), max_size=2),
    extra=st.lists(st.integers(-2, 62), max_size=2),
    wild=st.booleans(),
)
def test_correct_with_and_without_the_sort_agree(
    seed: int, n: int, moved: list[int], missed: list[int], extra: list[int], wild: bool
) -> None:
    """Beats moved to their neighbours' midpoint, adjacent ones too (which can put them
    out of order on a wild series: then the sort runs), ties, ends, inserts, removals."""
    rng = np.random.default_rng(seed)
    rr = rng.uniform(300, 2000, n) if wild else np.round(rng.normal(800, 40, n))
    if n > 6:
        rr[rng.integers(0, n, 2)] = rr[0]  # equal intervals: ties after moving
    peaks = np.concatenate(([0.0], np.cumsum(rr)))
    half = len(moved) // 2
    art: Artifacts = {
        "ectopic": moved[:half],
        "longshort": moved[half:],
        "missed": missed,
        "extra": extra,
    }
    got, want = _correct(peaks, art), _correct_sorting(peaks, art)
    assert got[0].tobytes() == want[0].tobytes()
    assert got[1].tolist() == want[1].tolist()


def test_beats_out_of_order_still_sort() -> None:
    """From beat times in order, moved beats stay in order (a midpoint lies between its
    neighbours); beats out of order anyway (never from the corrector) take the sort."""
    peaks = np.array([0.0, 100.0, 50.0, 1010.0, 30.0, 2000.0, 2100.0])
    for moved in ([], [2], [2, 3], [4]):
        art: Artifacts = {"ectopic": moved, "longshort": [], "missed": [], "extra": []}
        got, want = _correct(peaks, art), _correct_sorting(peaks, art)
        assert want[1].tolist() != list(range(peaks.size))  # the sort reordered
        assert got[0].tobytes() == want[0].tobytes()
        assert got[1].tolist() == want[1].tolist()


def test_kind_codes_name_the_kinds() -> None:
    assert _NAMES.dtype == np.dtype("<U11")
    assert _NAMES.tolist() == ["", *ARTIFACT_KINDS]


def test_kinds_from_codes_equal_the_reference_streaming_and_batch() -> None:
    """Every kind, implausible ones included, as strings: the batch result's array and
    the live corrector's lists (fed in uneven chunks) equal the reference's."""
    x = noisy_rr(1500, 11, rate=0.08, quantised=True)
    x[[5, 600, 601, 1400]] = [np.nan, 100.0, 5000.0, -1.0]
    want = reference_correct_rr(x)
    got = correct_rr(x)
    assert got.kinds.dtype == want.kinds.dtype
    assert got.kinds.tolist() == want.kinds.tolist()
    assert set(got.kinds.tolist()) >= {"", "implausible", "ectopic"}
    c = RrCorrector()
    kinds: list[str] = []
    for a, b in ((0, 1), (1, 333), (333, 334), (334, 1500)):
        kinds += c.feed(x[a:b])[1]
    kinds += c.flush()[1]
    assert kinds == want.kinds.tolist()
    assert all(type(k) is str for k in kinds)


def _geometry_with_old_layout(reuse: object, old_sizes: np.ndarray, width: int) -> np.ndarray:
    """`_Reuse._same_geometry` as it was: reading the old pass's whole `_Layout`."""
    from osteomonitor.analysis.rr_classify import _Layout

    old = _Layout(old_sizes)
    new, q = reuse.new, reuse._q  # type: ignore[attr-defined]
    lo, hi = (new.lo, new.hi) if width == 91 else (new.lo11, new.hi11)
    olo, ohi = (old.lo, old.hi) if width == 91 else (old.lo11, old.hi11)
    p = np.arange(new.n)
    got = (reuse._cont[hi] == reuse._cont[lo + 1]) & reuse._mapped  # type: ignore[attr-defined]
    got &= (olo[q] == q - (p - lo)) & (ohi[q] == q + (hi - p))
    return np.asarray(got)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    sizes=st.lists(st.integers(0, 400), min_size=1, max_size=6),
    rate=st.sampled_from([0.02, 0.1, 0.3]),
    some_none=st.booleans(),
)
def test_reuse_geometry_without_the_old_layout(
    seed: int, sizes: list[int], rate: float, some_none: bool
) -> None:
    """The later pass's window geometry (which windows sit in the old pass as now) from
    each window's old bounds alone equals reading the old pass's whole layout: windows
    corrected (beats moved, inserted, removed), some without a prior, short ones."""
    from osteomonitor.analysis.rr_classify import _Layout, _Reuse, classify_many

    windows = [
        np.concatenate(([0.0], np.cumsum(noisy_rr(m, seed + i, rate, quantised=bool(i % 2)))))
        for i, m in enumerate(sizes)
    ]
    arts, memos = classify_many(windows)
    priors = []
    fixed = []
    for i, (w, art, memo) in enumerate(zip(windows, arts, memos, strict=True)):
        f, source = _correct(w, art)
        fixed.append(f)
        priors.append(None if memo is None or (some_none and i % 3 == 1) else (memo, source))
    use = [b for b, f in enumerate(fixed) if f.size >= 4]
    if not use:
        return
    lay = _Layout(np.asarray([fixed[b].size for b in use]))
    pri = [priors[b] for b in use]
    reuse = _Reuse(lay, pri)
    if not reuse.any:
        return
    old_sizes = np.asarray([0 if pr is None else pr[0].vals.shape[1] for pr in pri])
    for width in (91, 11):
        want = _geometry_with_old_layout(reuse, old_sizes, width)
        assert reuse._same_geometry(width).tolist() == want.tolist()
