"""Impact peaks, histograms, osteogenic index, DLS and the GRF estimate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.impacts import (
    ImpactCounter,
    band_counts,
    daily_load_stimulus,
    find_impact_peaks,
    grf_estimate_bw,
    impact_summary,
    osteogenic_index_session,
)
from osteomonitor.analysis.signal import SignalError
from osteomonitor.analysis.thresholds import BAND_SETS

from .synth import jumps_signal


def test_peaks_of_known_hops() -> None:
    acc, _ = jumps_signal(100.0, [0.3] * 5)
    peaks = find_impact_peaks(acc, 100.0, 8.0)
    big = [p for p in peaks if p.peak_g > 3.9]
    assert len(big) == 5
    s = impact_summary(peaks, "deere", placement="hip")
    assert s.n_above_4_2g == 5 and s.n_above_3_9g == 5
    assert sum(s.band_counts) == s.n_peaks == len(peaks)
    assert s.band_edges_g == BAND_SETS["deere"].edges_g


def test_worked_values() -> None:  # domain §2.3, §2.4
    assert osteogenic_index_session(3, 50) == pytest.approx(11.8, abs=0.05)
    assert osteogenic_index_session(1.2, 10_000) == pytest.approx(11.05, abs=0.05)
    assert grf_estimate_bw(1.5, 70, "walk") == pytest.approx(1.1, abs=0.02)
    assert grf_estimate_bw(3.0, 70, "run") == pytest.approx(2.2, abs=0.03)
    with pytest.raises(SignalError):
        grf_estimate_bw(5.0, 70, "jump")
    assert daily_load_stimulus([2.0] * 16) == pytest.approx(4.0)
    assert band_counts([0.2, 1.0, 4.0, 10.0], (0.3, 1.1, 3.9)) == (1, 0, 2)


@settings(max_examples=30, deadline=None)
@given(cuts=st.lists(st.integers(1, 300), min_size=1, max_size=30), seed=st.integers(0, 99))
def test_counter_streaming_equals_batch(cuts: list[int], seed: int) -> None:
    acc = np.random.default_rng(seed).normal(0, 0.8, (4000, 3)) + np.array([0.0, 0.0, 1.0])
    batch = find_impact_peaks(acc, 100.0, 4.0)
    c, got, i = ImpactCounter(100.0, 4.0), [], 0
    for k in cuts * 50:
        got += c.feed(acc[i : i + k])
        i += k
    got += c.feed(acc[i:]) + c.flush()
    assert got == batch


def test_osteogenic_is_counted_at_or_above_the_one_threshold() -> None:
    """A 3.9 g peak is in Vainionpää's 3.9-5.3 g band: osteogenic everywhere it is counted."""
    from osteomonitor.analysis.thresholds import OSTEOGENIC_PEAK_G, is_osteogenic
    from osteomonitor.model import Impact
    from osteomonitor.prescription.limits import THRESHOLDS

    assert THRESHOLDS["osteogenic_peak_g"].value == OSTEOGENIC_PEAK_G == 3.9
    assert is_osteogenic(3.9) and not is_osteogenic(3.8999)
    peaks = [Impact(t_s=float(i), peak_g=g, slope_g_s=50.0) for i, g in enumerate((3.9, 3.89))]
    s = impact_summary(peaks, "vainionpaa")
    assert s.n_above_3_9g == 1
    assert s.band_counts[BAND_SETS["vainionpaa"].edges_g.index(3.9)] == 1
