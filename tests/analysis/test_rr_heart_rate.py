"""RR artifact correction, HR validity and series, resting HR."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.heart_rate import (
    build_hr_series,
    estimate_resting_hr,
    hr_validity,
)
from osteomonitor.analysis.rr import RrCorrector, correct_rr
from osteomonitor.analysis.signal import SignalError


def smooth_rr(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (
        850
        + 40 * np.sin(np.arange(n) / 9)
        + np.convolve(rng.normal(0, 6, n), np.ones(5) / 5, "same")
    )


def test_missed_extra_and_implausible_beats_are_fixed() -> None:
    rr = smooth_rr(600)
    x = rr.copy()
    x[200] = rr[200] + rr[201]  # missed beat
    x = np.delete(x, 201)
    x = np.insert(x, 400, [x[400] * 0.4])  # extra beat splits an interval
    x[401] = x[401] * 0.6
    x[500] = 40_000  # strap error
    r = correct_rr(x)
    assert r.kinds[200] in ("missed", "longshort")
    assert {r.kinds[400], r.kinds[401]} & {"extra", "longshort", "ectopic"}
    assert r.kinds[500] == "implausible"
    assert 3 <= r.n_artifacts <= 12  # the three faults, plus their neighbours at most
    good = r.rr_ms_corrected
    assert good.max() < 2000 and good.size >= 595


@settings(max_examples=4, deadline=None)
@given(cuts=st.lists(st.integers(1, 300), min_size=1, max_size=10))
def test_corrector_streaming_equals_batch(cuts: list[int]) -> None:
    x = smooth_rr(600, 3)
    x[[100, 300, 450]] *= [0.5, 1.9, 0.7]
    batch = correct_rr(x)
    c, outs, kinds, i = RrCorrector(), [], [], 0
    for k in cuts * 10:
        o, kk = c.feed(x[i : i + k])
        outs.append(o)
        kinds += kk
        i += k
    o, kk = c.feed(x[i:])
    outs.append(o)
    kinds += kk
    o, kk = c.flush()
    outs.append(o)
    kinds += kk
    assert np.array_equal(np.concatenate(outs), batch.rr_ms_corrected)
    assert kinds == list(batch.kinds)


def test_validity_rules() -> None:
    t = np.arange(100.0)
    hr = np.full(100, 80.0) + np.arange(100) % 3
    hr[10] = 0  # dropout
    hr[20] = 250  # implausible
    contact = np.ones(100, np.int8)
    contact[30] = 0
    ok = hr_validity(t, hr, contact)
    assert not ok[10] and not ok[20] and not ok[30] and ok[40]
    flat = hr_validity(t, np.full(100, 80.0), moving=np.ones(100, bool))
    assert not flat.any()


def test_series_prefers_rr_and_resting_hr() -> None:
    t = np.arange(1.0, 400.0)
    hr = np.full(t.size, 70.0)
    rr = [[1024] for _ in t]  # one 1-s interval per notification → 60 bpm
    s = build_hr_series(t, hr, rr)
    assert s.from_rr.all() and np.allclose(s.hr_bpm, 60.0)
    assert estimate_resting_hr(s.t_s, s.hr_bpm, 0, 300, s.valid) == pytest.approx(60.0)
    with pytest.raises(SignalError):
        estimate_resting_hr(s.t_s, s.hr_bpm, 0, 30)


def _beats_one_by_one(
    t: np.ndarray, rr: list[tuple[int, ...]], lost: np.ndarray, earliest: float | None
) -> tuple[list[float], list[float]]:
    """The reference: each notification's intervals laid back from its arrival, newest
    last, one at a time, none before `earliest`."""
    beat_t: list[float] = []
    beat_rr: list[float] = []
    for i in range(t.size):
        if not rr[i] or lost[i]:
            continue
        ms = [1000.0 * v / 1024.0 for v in rr[i]]
        end = t[i]
        times = []
        for v in reversed(ms):
            if earliest is not None and end < earliest:
                break
            times.append(end)
            end -= v / 1000.0
        beat_t.extend(reversed(times))
        beat_rr.extend(ms[len(ms) - len(times) :])
    return beat_t, beat_rr


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    n=st.integers(0, 60),
    most=st.integers(1, 12),
    earliest=st.one_of(st.none(), st.floats(-3.0, 5.0)),
)
def test_beats_laid_as_arrays_equal_one_by_one(
    seed: int, n: int, most: int, earliest: float | None
) -> None:
    """`build_hr_series` lays beats with array passes; bit-identical to the loop."""
    from osteomonitor.analysis.heart_rate import _lay_beats

    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.2, 1.5, n)) - 1.0
    rr = [
        tuple(int(v) for v in rng.integers(150, 4000, int(rng.integers(0, most + 1))))
        for _ in range(n)
    ]
    lost = rng.random(n) < 0.2
    bt, br = _lay_beats(t, rr, lost, earliest)
    ref_t, ref_rr = _beats_one_by_one(t, rr, lost, earliest)
    assert bt.tolist() == ref_t
    assert br.tolist() == ref_rr
