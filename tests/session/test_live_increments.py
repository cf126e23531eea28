"""Live snapshots grow with the session, not with its length: and still equal the batch.

`HeartTrack` (the RR-corrected series grown block by block), `ImpactTally` (running
impact counters) and the step/jump overlap kept as jumps are confirmed must give what
the whole-session functions give over the same data, at any moment.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.heart_rate import CONTACT_LOST, CONTACT_OK, HrSeries, build_hr_series
from osteomonitor.analysis.impacts import impact_summary
from osteomonitor.analysis.intensity import MAX_HOLD_S
from osteomonitor.model import Impact, Jump
from osteomonitor.session import SessionProcessor
from osteomonitor.session.acc_track import _StepOverlap, _steps_outside_jumps, _walking_inside_jumps
from osteomonitor.session.heart import HeartTrack
from osteomonitor.session.impact_tally import ImpactTally

from .packets import H10, h10_packets
from .test_session_processor import META, PARAMS


def _notifications(seed: int, n: int) -> list[tuple[float, float, int, tuple[int, ...]]]:
    """1-Hz HR notifications with RR, and the faults a strap makes: lost contact, no RR,
    artifacts, a flatline of the HR field, an overlong notification."""
    rng = random.Random(seed)
    out = []
    t = 0.3
    hr = 70.0
    for i in range(n):
        hr = min(180.0, max(45.0, hr + rng.uniform(-3, 3)))
        contact = CONTACT_LOST if rng.random() < 0.03 else CONTACT_OK
        rr_ms = 60000.0 / hr
        k = rng.choice((0, 1, 1, 1, 2)) if rng.random() < 0.9 else 0
        rr = [round((rr_ms + rng.gauss(0, 15)) * 1.024) for _ in range(k)]
        if rng.random() < 0.02 and rr:
            rr[0] = round(rr[0] * rng.choice((0.4, 1.9, 3.0)))  # ectopic / missed / extra
        if rng.random() < 0.005:
            rr = [800] * 40  # overlong: laid back 32 s, behind what was frozen
        bpm = 72.0 if 200 <= i < 290 else round(hr)  # a 90-s flatline of the field
        out.append((t, bpm, contact, tuple(rr)))
        t += rng.uniform(0.9, 1.1)
    return out


def _same_series(a: HrSeries, b: HrSeries) -> None:
    np.testing.assert_array_equal(a.t_s, b.t_s)
    np.testing.assert_array_equal(a.hr_bpm, b.hr_bpm)
    np.testing.assert_array_equal(a.valid, b.valid)
    np.testing.assert_array_equal(a.from_rr, b.from_rr)
    assert (a.rr_count, a.rr_artifacts) == (b.rr_count, b.rr_artifacts)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000))
def test_heart_track_equals_the_batch_series_at_any_moment(seed: int) -> None:
    notes = _notifications(seed, 900)
    track = HeartTrack(earliest_s=-MAX_HOLD_S)
    checks = [*sorted(random.Random(seed).sample(range(len(notes)), 6)), len(notes) - 1]
    for i, (t, bpm, contact, rr) in enumerate(notes):
        track.add(t, bpm, contact, rr)
        if i in checks:
            want = build_hr_series(
                np.asarray([n[0] for n in notes[: i + 1]]),
                np.asarray([n[1] for n in notes[: i + 1]]),
                rr_1024=[n[3] for n in notes[: i + 1]],
                contact=np.asarray([n[2] for n in notes[: i + 1]], dtype=np.int8),
                earliest_s=-MAX_HOLD_S,
            )
            _same_series(track.series(), want)
            _same_series(track.batch(), want)
            recent = track.recent(50)
            assert recent == list(
                zip(want.t_s[-50:].tolist(), want.hr_bpm[-50:].tolist(), strict=True)
            )


def test_heart_track_freezes_most_of_a_long_session() -> None:
    """The open tail stays about one RR block however long the session runs."""
    track = HeartTrack(earliest_s=-MAX_HOLD_S)
    for t, bpm, _c, rr in _notifications(7, 3000):
        if len(rr) < 10:  # (no overlong notification here)
            track.add(t, bpm, CONTACT_OK, rr)
    tail, _ = track._open_tail()
    assert track.series().t_s.size > 3000
    assert tail.t.size < 600, "the open tail is bounded (one block and its context)"


def test_live_state_equals_the_summary_at_the_end_and_counts_agree_on_the_way() -> None:
    from osteomonitor.sim.session_model import SessionModel

    packets = h10_packets(SessionModel(seed=3, duration_s=300))
    live = SessionProcessor([H10], META, params=PARAMS)
    for k, p in enumerate(packets):
        live.feed(p)
        if k % 97 == 0:
            state = live.state()
            track = live._acc.get("h10")
            if track is None:
                continue
            exact = impact_summary(track.peaks, PARAMS.band_set, track.placement)
            got = state.impacts
            assert (got.band_counts, got.n_peaks, got.peak_max_g) == (
                exact.band_counts,
                exact.n_peaks,
                exact.peak_max_g,
            )
            assert got.osteogenic_index == pytest.approx(exact.osteogenic_index, rel=1e-12)
            assert got.daily_load_stimulus == pytest.approx(exact.daily_load_stimulus, rel=1e-12)
            g_exact = track.gait(exact=True)
            assert state.gait.steps == g_exact.steps
            assert state.gait.walking_s == pytest.approx(g_exact.walking_s, abs=1e-9)
    state = live.state()
    summary = live.summary()
    assert state.heart == summary.heart
    assert summary.jumps and summary.gait.steps > 0


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0.3, 1.2), min_size=3, max_size=80),
    st.lists(st.tuples(st.integers(0, 79), st.floats(0.1, 0.6)), max_size=10),
)
def test_step_overlap_follows_the_batch_rule(
    gaps: list[float], hops: list[tuple[int, float]]
) -> None:
    steps = np.cumsum(gaps).tolist()
    jumps = [
        Jump(steps[min(i, len(steps) - 1)] - f, steps[min(i, len(steps) - 1)], f, 0.1, 3.0, 0.0)
        for i, f in hops
    ]
    jumps.sort(key=lambda j: j.takeoff_s)
    ov = _StepOverlap()
    times: list[float] = []
    # interleave: a jump is confirmed 2 s after its landing
    pending = list(jumps)
    for t in steps:
        while pending and pending[0].landing_s + 2.0 <= t:
            ov.jump(times, pending.pop(0))
        times.append(t)
        ov.step(times)
    for j in pending:
        ov.jump(times, j)
    assert len(times) - ov.n_inside == _steps_outside_jumps(times, jumps)
    assert ov.walking_inside_s == pytest.approx(_walking_inside_jumps(times, jumps), abs=1e-9)


def test_impact_tally_equals_impact_summary() -> None:
    rng = random.Random(3)
    peaks = [
        Impact(i * 0.3, rng.uniform(1.0, 9.0), rng.uniform(0, 300), rng.random() < 0.1)
        for i in range(2000)
    ]
    tally = ImpactTally("vainionpaa", "hip")
    tally.add(peaks)
    got, want = tally.summary(), impact_summary(peaks, "vainionpaa", "hip")
    assert got.osteogenic_index == pytest.approx(want.osteogenic_index, rel=1e-12)
    assert got.daily_load_stimulus == pytest.approx(want.daily_load_stimulus, rel=1e-12)
    from dataclasses import replace

    assert replace(got, osteogenic_index=0, daily_load_stimulus=0) == replace(
        want, osteogenic_index=0, daily_load_stimulus=0
    )
