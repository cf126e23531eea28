"""`_valid_points` (the summary's `hr_points`) makes its pairs with the cyclic garbage
collector paused (`session.gc_pause`, tested in test_gc_pause.py); the pairs are those
of the plain form, and far fewer collections run."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from osteomonitor.analysis.heart_rate import HrSeries
from osteomonitor.session.heart import _valid_points


def _series(n: int, seed: int) -> HrSeries:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.3, 1.2, n))
    hr = rng.uniform(40, 190, n)
    hr[rng.random(n) < 0.1] = np.nan
    return HrSeries(t, hr, rng.random(n) < 0.8, rng.random(n) < 0.5)


@pytest.mark.parametrize("n", [0, 1, 5, 20_000])
def test_points_equal_the_plain_pairs(n: int) -> None:
    s = _series(n, n)
    want = tuple(
        (float(a), float(b)) for a, b, ok in zip(s.t_s, s.hr_bpm, s.valid, strict=True) if ok
    )
    got = _valid_points(s)
    assert type(got) is tuple and all(type(p) is tuple and len(p) == 2 for p in got)
    assert np.array_equal(
        np.asarray(got).reshape(-1, 2), np.asarray(want).reshape(-1, 2), equal_nan=True
    )
    assert all(type(v) is float for p in got[:50] for v in p)
    assert gc.isenabled()


def test_fewer_collections_for_many_points() -> None:
    """The reason for the pause: 20 000 pairs made with the collector running set off
    many collections; paused, at most the one after the block."""
    s = _series(20_000, 3)
    counts: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            counts.append(info["generation"])

    gc.collect()
    gc.callbacks.append(count)
    try:
        _valid_points(s)
        paused = len(counts)
        counts.clear()
        keep = s.valid
        tuple(zip(s.t_s[keep].tolist(), s.hr_bpm[keep].tolist(), strict=True))
        plain = len(counts)
    finally:
        gc.callbacks.remove(count)
    assert paused <= 1 < plain
