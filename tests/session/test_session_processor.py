"""SessionProcessor: one path for live, replay and batch, validated on simulated sessions."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.model import Event, EventKind, Packet, SessionMeta, SessionSummary
from osteomonitor.session import AnalysisParams, SessionProcessor, analyze_recording
from osteomonitor.sim.session_model import SessionModel
from osteomonitor.store import RecordingWriter

from .packets import H10, T0_NS, h10_packets

PARAMS = AnalysisParams(hrrest_bpm=62, hrrest_method="given", hrmax_bpm=158, hrmax_method="tanaka")
META = SessionMeta("P00", "impact", "2026-11-21T10:00:00+00:00", "UTC", "test", simulated=True)


@pytest.fixture(scope="module")
def model() -> SessionModel:
    return SessionModel(seed=3, duration_s=300)


@pytest.fixture(scope="module")
def packets(model: SessionModel) -> list[Packet]:
    return h10_packets(model)


def _run(items: Iterable[Packet | Event], params: AnalysisParams = PARAMS) -> SessionSummary:
    p = SessionProcessor([H10], META, params=params)
    p.feed_many(items)
    return p.summary()


def test_jumps_steps_and_hr_match_the_simulated_truth(
    model: SessionModel, packets: list[Packet]
) -> None:
    s = _run(packets)
    truth = model.jumps()
    assert len(s.jumps) == len(truth) > 0
    # landing within ±100 ms of the simulated touchdown (session time starts at the first packet)
    first_s = (packets[0].t_ns - T0_NS) / 1e9
    for j, t in zip(s.jumps, truth, strict=True):
        assert abs(j.landing_s + first_s - t.landing_s) <= 0.1
        assert j.flight_s == pytest.approx(t.flight_s, abs=0.04)
    assert s.gait.steps == pytest.approx(model.steps(), rel=0.05)
    assert s.gait.walking_s == pytest.approx(model.walking_s(), rel=0.05)
    assert s.decode_errors == 0
    assert s.heart.coverage > 0.95
    assert sum(z.seconds for z in s.heart.zones) == pytest.approx(s.heart.valid_s, rel=1e-6)
    assert s.heart.valid_s <= s.duration_s
    assert s.impacts.n_peaks >= len(truth)


def test_state_at_the_end_agrees_with_the_summary(packets: list[Packet]) -> None:
    p = SessionProcessor([H10], META, params=PARAMS)
    p.feed_many(packets)
    st_ = p.state()
    s = p.summary()
    assert st_.heart == s.heart
    assert st_.elapsed_s == pytest.approx(s.duration_s)
    assert st_.jumps <= len(s.jumps)  # jumps are confirmed a few seconds after landing
    assert st_.hr_valid and st_.hr_bpm is not None and st_.hrr_pct is not None


@settings(max_examples=5, deadline=None)
@given(st.lists(st.integers(1, 600), min_size=1, max_size=12))
def test_result_does_not_depend_on_chunking(packets: list[Packet], sizes: list[int]) -> None:
    reference = _run(packets)
    p = SessionProcessor([H10], META, params=PARAMS)
    i = k = 0
    while i < len(packets):
        n = sizes[k % len(sizes)]
        p.feed_many(packets[i : i + n])
        if k % 25 == 0:
            p.state()  # live snapshots in between must not change the outcome
        i += n
        k += 1
    assert p.summary() == reference


def test_recording_replays_to_the_same_numbers(tmp_path: Path, packets: list[Packet]) -> None:
    path = tmp_path / "s.omrec"
    events = [
        Event(packets[50].t_ns, EventKind.RPE, {"rpe": 13}),
        Event(packets[400].t_ns + 1, EventKind.MARKER, {"text": "jumps"}),
    ]
    with RecordingWriter.create(path, META) as w:
        w.add_device(H10)
        w.write_packets(packets)
        for e in events:
            w.write_event(e)
    _, from_file = analyze_recording(path)
    p = SessionProcessor([H10], META)
    both: list[Packet | Event] = [*packets, *events]
    merged = sorted(both, key=lambda x: (x.t_ns, isinstance(x, Event)))
    p.feed_many(merged)
    assert from_file == p.summary()
    assert [e.kind for e in from_file.events] == ["rpe", "marker"]


def test_malformed_packets_are_counted_and_nothing_else_is_lost(packets: list[Packet]) -> None:
    rng = random.Random(5)
    bad = list(packets)
    for k in range(0, len(bad), 50):
        p = bad[k]
        bad.insert(k, dataclasses.replace(p, payload=bytes(rng.randrange(256) for _ in range(3))))
    clean = _run(packets)
    dirty = _run(bad)
    assert dirty.decode_errors >= len(packets) // 50 - 2
    assert dirty.jumps == clean.jumps
    assert dirty.heart.zones == clean.heart.zones


def test_link_gap_is_unknown_time_and_splits_analysis(
    model: SessionModel, packets: list[Packet]
) -> None:
    gap = (T0_NS + 100 * 10**9, T0_NS + 130 * 10**9)  # a 30 s link loss
    kept = [p for p in packets if not gap[0] <= p.t_ns < gap[1]]
    full = _run(packets)
    s = _run(kept)
    assert s.heart.unknown_s >= 30.0 - 5.0 - 1.0  # the last value before a gap holds ≤ 5 s
    assert s.heart.valid_s <= full.heart.valid_s - 24.0
    assert s.acc_s <= full.acc_s - 29.0
    for j in s.jumps:  # no jump straddles the gap
        t0 = (gap[0] - packets[0].t_ns) / 1e9
        t1 = (gap[1] - packets[0].t_ns) / 1e9
        assert not (j.takeoff_s < t1 and j.landing_s > t0)


def test_rest_segment_gives_resting_hr(packets: list[Packet]) -> None:
    start, end = packets[0].t_ns, packets[0].t_ns + 90 * 10**9
    marked: list[Packet | Event] = [
        *packets,
        Event(start, EventKind.REST_START),
        Event(end, EventKind.REST_END),
    ]
    items = sorted(marked, key=lambda x: x.t_ns)
    s = _run(items, AnalysisParams(hrmax_bpm=158, hrmax_method="tanaka"))
    assert s.heart.hrrest_method == "marked-rest-segment"
    assert 50 < (s.heart.hrrest_bpm or 0) < 120
    assert s.heart.zones and sum(z.seconds for z in s.heart.zones) > 0


def test_without_hrmax_zones_are_empty_but_hr_is_reported(packets: list[Packet]) -> None:
    s = _run(packets, AnalysisParams())
    assert s.heart.zones == ()
    assert s.heart.hr_mean_bpm and s.heart.coverage > 0.9
    assert np.isfinite(s.heart.hr_max_bpm or np.nan)


def test_hr_points_cover_the_whole_session_not_the_live_window() -> None:
    from osteomonitor.devices.hrs import encode_hr
    from osteomonitor.model import DeviceInfo

    strap = DeviceInfo("strap", "C0:FF:EE:00:00:02", "HR strap", "hr-strap")
    n = 1800  # 30 min at 1 Hz, one RR each: twice the live plot's window
    items = [
        Packet(T0_NS + i * 1_000_000_000, "strap", "hr", encode_hr(90, (683,), True))
        for i in range(n)
    ]
    items[600] = Packet(items[600].t_ns, "strap", "hr", encode_hr(90, (683,), False))
    p = SessionProcessor([strap], META, params=PARAMS)
    p.feed_many(items)
    pts = p.hr_points()
    assert len(p.state().hr_series) < len(pts)  # the live window is the recent part only
    ts = [t for t, _ in pts]
    assert ts == sorted(ts)
    assert ts[0] < 2.0 and ts[-1] > n - 2.0
    assert all(abs(b - 90.0) < 1.0 for _, b in pts)
    assert n - 3 <= len(pts) < n  # the contact-lost report is not a valid value
    assert p.summary().heart.valid_s > 1790


def test_hops_are_not_credited_as_walking() -> None:
    from osteomonitor.model import Jump
    from osteomonitor.session.acc_track import _steps_outside_jumps, _walking_inside_jumps

    # 20 s of a steady 0.5 s impact rhythm: walking until 10 s, then hopping (each
    # impact a detected jump landing); the step counter sees one regular train
    steps = [0.5 * k for k in range(41)]
    jumps = [Jump(t - 0.3, t, 0.3, 0.1, 3.0, 0.0) for t in steps if t >= 10.5]
    inside = _walking_inside_jumps(steps, jumps)
    # intervals ending from 9.9 s on (the margin before the first take-off) are hops
    assert inside == pytest.approx(0.5 * sum(1 for t in steps if t >= 10.5 - 0.3 - 0.6))
    assert _steps_outside_jumps(steps, jumps) == sum(1 for t in steps if t < 10.5 - 0.3 - 0.6)
    assert _walking_inside_jumps(steps, []) == 0.0
