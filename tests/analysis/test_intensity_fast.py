"""`ZoneAccumulator.feed`'s array path (issue 15) against the accumulator as it was
(`ref_intensity`), bit for bit: any chunking (one-by-one and array feeds mixed), gaps
beyond the hold, invalid and NaN samples, other zones and target bands, no target, a
start time, bad times mid-array; and the real HR series of the bench's one-hour file."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.intensity import VECTOR_MIN_SAMPLES, ZoneAccumulator
from osteomonitor.analysis.signal import SignalError

from . import ref_intensity

_SETUPS: list[dict[str, Any]] = [
    {},
    {"target": None},
    {"zones": (), "target": None},
    {"zones": ((-math.inf, 50.0), (50.0, 70.0), (70.0, math.inf)), "target": (40.0, 80.0)},
    {"start_s": 12.5, "max_hold_s": 2.0},
    {"start_s": 0.0, "target": (55.0, 60.0), "max_hold_s": 30.0},
]


def _series(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    dt = rng.choice([0.0, 0.4, 1.0, 1.0, 1.0, 2.5, 7.0], n) * rng.uniform(0.5, 1.5, n)
    t = np.cumsum(dt)
    hr = rng.uniform(55, 185, n)
    hr[rng.random(n) < 0.05] = math.nan
    ok = rng.random(n) > 0.08
    return t, hr, ok


def _both(setup: dict[str, Any]) -> tuple[ZoneAccumulator, ref_intensity.ZoneAccumulator]:
    return ZoneAccumulator(60, 180, **setup), ref_intensity.ZoneAccumulator(60, 180, **setup)


@settings(max_examples=60, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 150), min_size=1, max_size=12),
    seed=st.integers(0, 10_000),
    setup=st.sampled_from(range(len(_SETUPS))),
)
def test_array_feed_equals_the_old_loop(cuts: list[int], seed: int, setup: int) -> None:
    t, hr, ok = _series(seed, 1500)
    new, old = _both(_SETUPS[setup])
    i = 0
    for c in cuts * 200:
        if i >= t.size:
            break
        new.feed(t[i : i + c], hr[i : i + c], ok[i : i + c])
        old.feed(t[i : i + c], hr[i : i + c], ok[i : i + c])
        assert new.summary() == old.summary()
        i += c
    assert new.summary(float(t[-1]) + 2.0) == old.summary(float(t[-1]) + 2.0)
    assert new.summary(float(t[-1]) + 30.0) == old.summary(float(t[-1]) + 30.0)


@pytest.mark.parametrize("setup", range(len(_SETUPS)))
@pytest.mark.parametrize("seed", range(5))
def test_one_array_feed_equals_the_old_loop(setup: int, seed: int) -> None:
    t, hr, ok = _series(seed, 5000)
    new, old = _both(_SETUPS[setup])
    new.feed(t, hr, ok)
    old.feed(t, hr, ok)
    assert new.summary() == old.summary()
    assert new.longest_bout_s == old.longest_bout_s
    assert new._bout == old._bout


@pytest.mark.parametrize("bad", ["nan", "back"])
@pytest.mark.parametrize("at", [0, 1, 40, 99])
def test_bad_time_mid_array_takes_the_same_samples_first(bad: str, at: int) -> None:
    t, hr, ok = _series(3, 100)
    t = t.copy()
    t[at] = math.nan if bad == "nan" else t[at] - 50.0
    new, old = _both({})
    errs = []
    for acc in (new, old):
        acc.feed(np.array([-20.0]), np.array([100.0]), np.array([True]))  # a sample before
        with pytest.raises(SignalError) as e:
            acc.feed(t, hr, ok)
        errs.append(str(e.value))
    assert errs[0] == errs[1]
    assert new.summary() == old.summary()
    assert t.size >= VECTOR_MIN_SAMPLES  # the array path was the one tested


def test_bench_hour_series_equals_the_old_loop(tmp_path: Path) -> None:
    """The HR series `heart_zones` integrates for the bench's one-hour H10 file (RR
    corrected, 1 Hz and beat-by-beat samples), with real zones and target."""
    bench = Path(__file__).resolve().parents[2] / "bench"
    sys.path.insert(0, str(bench))
    try:
        from recording_files import h10_recording
    finally:
        sys.path.remove(str(bench))
    from osteomonitor.session.batch import process_recording_batch

    path = tmp_path / "h.osr"
    h10_recording(path, 0.25, seed=3)
    captured: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    real = ZoneAccumulator.feed

    def spy(self, t_s, hr_bpm, valid=None):  # type: ignore[no-untyped-def]
        captured.append((np.array(t_s), np.array(hr_bpm), np.array(valid)))
        return real(self, t_s, hr_bpm, valid)

    ZoneAccumulator.feed = spy  # type: ignore[method-assign]
    try:
        process_recording_batch(path)[1].summary()
    finally:
        ZoneAccumulator.feed = real  # type: ignore[method-assign]
    assert captured and max(c[0].size for c in captured) > VECTOR_MIN_SAMPLES
    for t, hr, ok in captured:
        for setup in ({"start_s": 0.0}, {"start_s": 0.0, "target": (30.0, 45.0)}):
            new = ZoneAccumulator(58, 172, **setup)
            old = ref_intensity.ZoneAccumulator(58, 172, **setup)
            new.feed(t, hr, ok)
            old.feed(t, hr, ok)
            assert new.summary() == old.summary()
