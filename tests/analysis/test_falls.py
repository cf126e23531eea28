"""Fall detector: synthetic falls and near-falls, any orientation and rate, streaming ==
batch, the stored model, SisFall trials."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.falls import (
    FEATURE_NAMES,
    FallDetector,
    default_model,
    detect_falls,
    model_from_json,
)
from osteomonitor.analysis.signal import SignalError

from .synth import jumps_signal, rotation, walking_signal
from .trunk_synth import transition_signal


@pytest.mark.parametrize("fs", [25.0, 50.0, 100.0, 200.0, 416.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_fall_is_a_fall_at_any_rate_and_orientation(fs: float, seed: int) -> None:
    acc, t_imp = transition_signal(fs, 90.0, seed=seed)
    falls = detect_falls(acc @ rotation(seed).T, fs)
    assert len(falls) == 1
    assert abs(falls[0].t_s - t_imp) < 0.15
    assert falls[0].tilt_deg == pytest.approx(90.0, abs=5.0)
    assert falls[0].confirmed_s == pytest.approx(falls[0].t_s + 2.5, abs=0.1)


@pytest.mark.parametrize("fs", [25.0, 100.0, 200.0])
def test_sideways_fall_is_a_fall(fs: float) -> None:
    acc, _ = transition_signal(fs, 85.0, axis="x", impact_g=3.0)
    assert len(detect_falls(acc @ rotation(7).T, fs)) == 1


@pytest.mark.parametrize("fs", [25.0, 100.0, 200.0])
def test_collapsing_into_a_chair_is_not_a_fall(fs: float) -> None:
    # SisFall D11: a hard sit, the pelvis tilts back ~20°, a 2.5 g impact, then still
    acc, _ = transition_signal(fs, 20.0, dip_g=0.6, impact_g=2.5, turn_s=0.5)
    assert detect_falls(acc @ rotation(3).T, fs) == []


@pytest.mark.parametrize("fs", [25.0, 100.0, 200.0])
def test_jump_landings_and_walking_are_not_falls(fs: float) -> None:
    hops, _ = jumps_signal(fs, [0.3, 0.35, 0.4, 0.3], gap_s=1.0)
    assert detect_falls(hops @ rotation(4).T, fs) == []
    assert detect_falls(walking_signal(fs, 110, 30.0) @ rotation(5).T, fs) == []


def test_lying_down_is_not_a_fall_when_already_lying() -> None:
    # rolling over while lying: the pre-impact gravity is 90° from upright
    fs = 100.0
    acc, _ = transition_signal(fs, 90.0)
    lying = acc @ np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]]).T  # body already on its back
    assert len(detect_falls(lying, fs)) == 1  # upright unknown: judged on the change alone
    assert detect_falls(lying, fs, upright_g=(0.0, 0.0, 1.0)) == []


@settings(max_examples=20, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 500), min_size=1, max_size=30), fs=st.sampled_from([50.0, 200.0])
)
def test_streaming_equals_batch(cuts: list[int], fs: float) -> None:
    a, _ = transition_signal(fs, 90.0, lead_s=12.0)
    b, _ = transition_signal(fs, 80.0, axis="x", seed=3, lead_s=8.0)
    acc = np.concatenate((walking_signal(fs, 100, 10.0), a, b)) @ rotation(len(cuts)).T
    batch = detect_falls(acc, fs)
    det, got, i = FallDetector(fs), [], 0
    for c in cuts * 200:
        if i >= len(acc):
            break
        got += det.feed(acc[i : i + c])
        i += c
    got += det.feed(acc[i:]) + det.flush()
    assert got == batch
    assert len(batch) == 2


def test_state_stays_bounded() -> None:
    fs = 100.0
    acc = walking_signal(fs, 110, 120.0)
    det = FallDetector(fs)
    sizes = []
    for k in range(0, len(acc), 20):
        det.feed(acc[k : k + 20])
        sizes.append(det._buf.shape[0])
    assert max(sizes) < fs * 10


def test_bad_input_raises_project_error() -> None:
    with pytest.raises(SignalError):
        FallDetector(10.0)
    with pytest.raises(SignalError):
        detect_falls(np.zeros((10, 2)), 100.0)


def test_shipped_model_is_valid_and_round_trips() -> None:
    m = default_model()
    assert m.features == FEATURE_NAMES
    assert 0.5 <= m.threshold < 1.0
    assert model_from_json(m.to_json()) == m
    with pytest.raises(SignalError):
        model_from_json(m.to_json().replace('"tilt_deg"', '"other"'))


SISFALL_FEW = [("SA02", "F01"), ("SA07", "F05"), ("SE06", "F09"), ("SA11", "F14")]


@pytest.mark.datasets
def test_sisfall_falls_detected_and_walking_quiet(datasets_dir: Path) -> None:
    d = datasets_dir / "sisfall"
    for subj, code in SISFALL_FEW:
        data = np.load(d / f"{subj}.npz")
        acc = data[f"{code}_{subj}_R01"][:, :3] * (32 / 8192)
        assert len(detect_falls(acc, 200.0)) == 1, (subj, code)
    for subj in ("SA03", "SE02"):
        data = np.load(d / f"{subj}.npz")
        for code in ("D01", "D03" if subj == "SA03" else "D02", "D19" if subj == "SA03" else "D11"):
            acc = data[f"{code}_{subj}_R01"][:, :3] * (32 / 8192)
            assert detect_falls(acc, 200.0) == [], (subj, code)


def test_upright_set_from_a_sample_applies_from_there_only() -> None:
    fs = 100.0
    acc, _ = transition_signal(fs, 90.0)
    lying = acc @ np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]]).T
    sig = np.concatenate((lying, lying))  # two "falls" from lying, 13.8 s apart
    det = FallDetector(fs)
    det.set_upright((0.0, 0.0, 1.0), from_sample=len(lying))
    falls = det.feed(sig) + det.flush()
    assert len(falls) == 1 and falls[0].t_s < len(lying) / fs


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), cuts=st.lists(st.integers(1, 4000), min_size=1, max_size=5))
def test_candidate_search_equals_one_sample_at_a_time(seed: int, cuts: list[int]) -> None:
    """The array candidate search (block of candidates at once) keeps exactly the samples
    the per-sample rule keeps: highest within ± r, ties to the earliest, NaN neighbours
    as one-at-a-time comparisons treat them, windows clipped to the buffer."""

    class OneAtATime(FallDetector):
        def _find_candidates(self, lo: int, hi: int) -> None:
            r, s0 = self._r, self._b0 + self._h
            x = self._sm
            for i in (
                np.flatnonzero(x[lo - s0 : hi - s0] >= self._p.candidate_min_g) + lo
            ).tolist():
                v = x[i - s0]
                before = x[max(0, i - r - s0) : i - s0]
                after = x[i + 1 - s0 : min(self._sm_end, i + r + 1) - s0]
                if (before.shape[0] and v <= before.max()) or (after.shape[0] and v < after.max()):
                    continue
                self._pending.append(i)

    rng = np.random.default_rng(seed)
    n, fs = 30_000, 100.0
    acc = rng.normal(0.0, 0.3, (n, 3)) + np.array([0.0, 0.0, 1.0])
    for _ in range(20):
        i = int(rng.integers(0, n - 50))
        acc[i : i + int(rng.integers(1, 40))] *= rng.uniform(1.0, 5.0)
    acc = np.round(acc, 1)  # plateaus: ties
    if seed % 2:  # a NaN sample: no local-maximum shortcut
        acc[int(rng.integers(0, n))] = np.nan
    a, b = OneAtATime(fs, keep_candidates=True), FallDetector(fs, keep_candidates=True)
    i, out_a, out_b = 0, [], []
    for c in cuts * 50:
        out_a += a.feed(acc[i : i + c])
        out_b += b.feed(acc[i : i + c])
        i += c
    out_a += a.feed(acc[i:]) + a.flush()
    out_b += b.feed(acc[i:]) + b.flush()
    assert out_a == out_b
    assert [f for f, _ in a.candidates] == [f for f, _ in b.candidates] or np.array_equal(
        np.array([f.vector() for f, _ in a.candidates]),
        np.array([f.vector() for f, _ in b.candidates]),
        equal_nan=True,
    )


class _OneByOne(FallDetector):
    """The reference: every candidate judged alone (`_judge`)."""

    _many = False


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    cuts=st.lists(st.integers(1, 5000), min_size=1, max_size=5),
    fs=st.sampled_from([25.0, 100.0, 200.0]),
)
def test_candidates_judged_together_equal_one_at_a_time(
    seed: int, cuts: list[int], fs: float
) -> None:
    """Judging the ready candidates together (gravity windows stacked and summed as
    arrays, angles from floats) gives every candidate's features, the lying test and
    the falls bit for bit as judging each alone, for any chunking; candidates near the
    start (clipped windows), a NaN sample and an upright reference included."""
    rng = np.random.default_rng(seed)
    fall, _ = transition_signal(fs, float(rng.uniform(20.0, 95.0)), seed=seed)
    n = int(120 * fs)
    noise = rng.normal(0.0, 0.3, (n, 3)) + np.array([0.0, 0.0, 1.0])
    for _ in range(25):
        i = int(rng.integers(0, n - 50))
        noise[i : i + int(rng.integers(1, 40))] *= rng.uniform(1.0, 5.0)
    acc = np.concatenate((noise[: int(2 * fs)] * 3.0, fall, noise, fall @ rotation(seed).T))
    if seed % 3 == 0:
        acc[int(rng.integers(0, acc.shape[0]))] = np.nan
    up = (0.0, 0.0, 1.0) if seed % 2 else None
    a = _OneByOne(fs, upright_g=up, keep_candidates=True)
    b = FallDetector(fs, upright_g=up, keep_candidates=True)
    if seed % 4 == 1:
        for d in (a, b):
            d.set_upright((0.1, 0.0, 1.0), from_sample=int(30 * fs))
    out_a, out_b, i = [], [], 0
    for c in cuts * 100:
        if i >= acc.shape[0]:
            break
        out_a += a.feed(acc[i : i + c])
        out_b += b.feed(acc[i : i + c])
        i += c
    out_a += a.feed(acc[i:]) + a.flush()
    out_b += b.feed(acc[i:]) + b.flush()
    assert len(a.candidates) > 5
    assert repr(b.candidates) == repr(a.candidates)
    assert repr(out_b) == repr(out_a)


@pytest.mark.parametrize("block", [1, 7, 256])
def test_window_means_equal_each_window_alone(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stacked window means (any block of candidates per array operation) are bit for bit
    `buf[s : s + n].sum(axis=0) / n` of each window, as the one-candidate form takes them."""
    from osteomonitor.analysis import fall_rows

    monkeypatch.setattr(fall_rows, "MEAN_BLOCK", block)
    rng = np.random.default_rng(block)
    buf = rng.normal(0.0, 1.0, (5000, 3)) * rng.uniform(0.1, 8.0, 3) + np.array([0.1, -0.2, 1.0])
    for n in (1, 3, 150, 300, 1040):
        starts = rng.integers(0, buf.shape[0] - n, 40).astype(np.intp)
        got = fall_rows.window_means(buf, starts, n)
        want = [(np.array(buf[s : s + n]).sum(axis=0) / n).tolist() for s in starts.tolist()]
        assert got == want
    a, b = rng.normal(size=3), rng.normal(size=3)
    assert fall_rows.angle3(a.tolist(), b.tolist()) == fall_rows.angle_deg(a, b)
