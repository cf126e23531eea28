"""HRmax, %HRR and gap-aware time in zones."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.intensity import (
    ZoneAccumulator,
    hrmax_predicted,
    hrr_pct,
    intensity_basis,
    time_in_zones,
)
from osteomonitor.analysis.signal import SignalError


def test_hrmax_equations_at_70() -> None:  # domain §3.1 worked values
    assert hrmax_predicted(70) == pytest.approx(159)
    assert hrmax_predicted(70, "gellish") == pytest.approx(158)
    assert hrmax_predicted(70, "fox") == pytest.approx(150)
    with pytest.raises(SignalError):
        hrmax_predicted(70, "astrand")


def test_constant_hr_of_known_hrr() -> None:
    # HRrest 60, HRmax 160: 110 bpm = 50 %HRR, inside the 40-60 zone for all 600 s
    t = np.arange(600.0)
    s = time_in_zones(t, np.full(600, 110.0), None, 60, 160, session_s=600)
    z = {zt.name: zt.seconds for zt in s.zones}
    assert z["40-60"] == pytest.approx(600)
    assert sum(z.values()) == pytest.approx(600)
    assert s.coverage == pytest.approx(1.0)
    assert s.target_s == pytest.approx(600) and s.longest_bout_s == pytest.approx(600)


def test_gap_is_unknown_not_zone_time() -> None:
    t = np.concatenate((np.arange(0, 100.0), np.arange(200.0, 300.0)))
    s = time_in_zones(t, np.full(t.size, 110.0), None, 60, 160, max_hold_s=5, session_s=300)
    assert s.valid_s == pytest.approx(200 - 1 + 5 - 1 + 1)  # 99 + 5 hold + 99 + 1 last
    assert s.unknown_s == pytest.approx(300 - s.valid_s)
    assert s.longest_bout_s < 110


def test_rpe_basis() -> None:
    assert intensity_basis(True, False) == "rpe"
    assert intensity_basis(True, True) == "hr"
    assert intensity_basis(False, False) == "hr"


@given(hr=st.lists(st.floats(30, 220), min_size=2, max_size=30))
def test_hrr_monotonic_in_hr(hr: list[float]) -> None:
    x = np.sort(np.asarray(hr))
    p = hrr_pct(x, 55, 170)
    assert np.all(np.diff(p) >= 0)


@settings(max_examples=60, deadline=None)
@given(
    dts=st.lists(st.floats(0.0, 30.0), min_size=1, max_size=60),
    valid=st.lists(st.booleans(), min_size=60, max_size=60),
    hold=st.floats(0.5, 10.0),
)
def test_no_zone_time_across_a_gap(dts: list[float], valid: list[bool], hold: float) -> None:
    t = np.cumsum(np.asarray(dts))
    ok = np.asarray(valid[: t.size])
    hr = np.linspace(70, 180, t.size)
    s = time_in_zones(t, hr, ok, 60, 180, max_hold_s=hold)
    # each valid sample credits at most min(hold, time to the next sample)
    nxt = np.append(np.diff(t), 1.0)
    bound = float(np.sum(np.minimum(hold, nxt)[ok]))
    assert sum(z.seconds for z in s.zones) <= bound + 1e-9
    assert s.valid_s <= bound + 1e-9
    assert s.longest_bout_s <= s.target_s + 1e-9


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(1, 50), min_size=1, max_size=20), seed=st.integers(0, 99))
def test_accumulator_streaming_equals_batch(cuts: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.exponential(1.5, 200))
    hr = rng.uniform(60, 180, 200)
    ok = rng.random(200) > 0.1
    batch = time_in_zones(t, hr, ok, 60, 180, session_s=float(t[-1] + 3))
    acc = ZoneAccumulator(60, 180)
    i = 0
    for c in cuts * 20:
        acc.feed(t[i : i + c], hr[i : i + c], ok[i : i + c])
        i += c
    acc.feed(t[i:], hr[i:], ok[i:])
    assert acc.summary(float(t[-1] + 3)) == batch
