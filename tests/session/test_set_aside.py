"""Plausibility gates (issue 11 items 4-5): one bad frame is set aside, the rest is analysed.

Each session is built from the real encoders playing the simulator's session model; the
damaged one differs from the clean one by a single frame, so the clean session with that
frame removed is the answer.
"""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.devices import movesense, osteomonitor_imu
from osteomonitor.devices import polar_pmd as pmd
from osteomonitor.devices.pmd_control_point import PmdOp, encode_cp_response, encode_settings
from osteomonitor.devices.profiles import get_profile
from osteomonitor.model import DeviceInfo, Packet, SessionSummary, SetAsideFrames
from osteomonitor.session import SessionProcessor
from osteomonitor.sim.session_model import SessionModel

from .packets import H10, T0_NS, h10_packets

NS = 1_000_000_000
IMU = DeviceInfo(
    "hip",
    "C0:00:00:00:00:20",
    "OsteoIMU 1",
    "osteomonitor-imu",
    settings={"sample_rate": 200, "range_g": 16},
)
MOVESENSE = DeviceInfo(
    "ms",
    "C0:00:00:00:00:30",
    "Movesense 1",
    "movesense",
    settings={"sample_rate": 104, "range_g": 8},
)


@pytest.fixture(scope="module")
def model() -> SessionModel:
    return SessionModel(seed=3, duration_s=300.0)


def _summary(devices: list[DeviceInfo], packets: list[Packet]) -> SessionSummary:
    proc = SessionProcessor(devices)
    proc.feed_many(packets)
    return proc.summary()


def _imu_packets(model: SessionModel, per: int = 38, fs: int = 200) -> list[Packet]:
    n = int(model.duration_s * fs) // per * per
    t = np.arange(n) / fs
    acc = model.acc_g(t)
    return [
        Packet(
            T0_NS + round(t[k + per - 1] * NS) + 20_000_000,
            "hip",
            "imu_data",
            osteomonitor_imu.encode_frame(round(t[k] * 1e6), k, acc[k : k + per], fs, 16),
        )
        for k in range(0, n, per)
    ]


def _movesense_packets(model: SessionModel, per: int = 8, fs: int = 104) -> list[Packet]:
    ref = int(get_profile("movesense").options["acc_ref"])
    n = int(model.duration_s * fs) // per * per
    t = np.arange(n) / fs
    acc = model.acc_g(t) * movesense.STANDARD_GRAVITY
    out = []
    for k in range(0, n, per):
        body = movesense.encode_acc(round(t[k] * 1000), acc[k : k + per])
        (msg,) = movesense.split_parts(movesense.GspResponse.DATA, ref, body)
        out.append(Packet(T0_NS + round(t[k + per - 1] * NS) + 20_000_000, "ms", "gsp_data", msg))
    return out


def _same_analysis(a: SessionSummary, b: SessionSummary) -> None:
    assert [(j.takeoff_s, j.landing_s) for j in a.jumps] == [
        (j.takeoff_s, j.landing_s) for j in b.jumps
    ]
    assert a.impacts == b.impacts and a.gait == b.gait and a.duration_s == b.duration_s


def test_an_imu_frame_with_a_corrupted_rate_is_set_aside_and_the_rest_analysed(
    model: SessionModel,
) -> None:
    packets = _imu_packets(model)
    bad = bytearray(packets[100].payload)
    bad[2:4] = struct.pack("<H", 7368)  # the rate field, as found in issue 11
    damaged = [*packets[:100], Packet(packets[100].t_ns, "hip", "imu_data", bytes(bad))]
    damaged += packets[101:]
    s = _summary([IMU], damaged)  # aborted with "sample rate 7368.0 Hz is outside …" before
    assert s.set_aside == (
        SetAsideFrames("hip", "imu_data", "rate differs from the stream's 200 Hz", 1),
    )
    assert len(s.jumps) > 0
    _same_analysis(s, _summary([IMU], packets[:100] + packets[101:]))


def test_a_movesense_value_of_1e30_never_reaches_a_landing_peak(model: SessionModel) -> None:
    packets = _movesense_packets(model)
    ref = int(get_profile("movesense").options["acc_ref"])
    k = len(packets) // 2
    ts_ms, acc = movesense.decode_acc(movesense.parse_message(packets[k].payload).body)
    acc[3, 2] = 1e30
    (msg,) = movesense.split_parts(
        movesense.GspResponse.DATA, ref, movesense.encode_acc(ts_ms, acc)
    )
    damaged = [*packets[:k], Packet(packets[k].t_ns, "ms", "gsp_data", msg), *packets[k + 1 :]]
    s = _summary([MOVESENSE], damaged)
    assert s.set_aside == (SetAsideFrames("ms", "gsp_data", "value outside ±8 g", 1),)
    peaks = [j.peak_g for j in s.jumps]
    assert s.jumps and all(math.isfinite(p) and p <= 8 * 1.25 for p in peaks)
    assert s.impacts.peak_max_g is not None and s.impacts.peak_max_g <= 8 * 1.25
    _same_analysis(s, _summary([MOVESENSE], packets[:k] + packets[k + 1 :]))


def _start_response(factor: float) -> bytes:
    params = encode_settings({"factor": [factor]})
    return encode_cp_response(PmdOp.REQUEST_MEASUREMENT_START, pmd.ACC, 0, params)


def test_a_bad_pmd_factor_does_not_turn_later_compressed_frames_into_nan(
    model: SessionModel,
) -> None:
    raw = [p for p in h10_packets(model) if p.stream == "pmd_data"]
    frames = [pmd.decode_frame(p.payload) for p in raw]
    compressed = [
        Packet(
            p.t_ns,
            "h10",
            "pmd_data",
            pmd.encode_acc_frame(f.timestamp_ns, f.samples, compressed=True, frame_type=1),
        )
        for p, f in zip(raw, frames, strict=True)
    ]
    good = Packet(raw[0].t_ns - 10_000_000, "h10", "pmd_cp", _start_response(1.0))
    corrupt = Packet(raw[0].t_ns - 5_000_000, "h10", "pmd_cp", _start_response(math.nan))
    s = _summary([H10], [good, corrupt, *compressed])
    assert s.set_aside == (
        SetAsideFrames("h10", "pmd_cp", "scale factor not a positive number", 1),
    )
    assert s.jumps and all(math.isfinite(j.peak_g) for j in s.jumps)
    _same_analysis(s, _summary([H10], [good, *compressed]))


def test_one_absurd_timestamp_does_not_stretch_the_session(model: SessionModel) -> None:
    packets = h10_packets(model)
    k = len(packets) // 3
    hours = 2_078_439
    bad = Packet(packets[k].t_ns + hours * 3600 * NS, "h10", packets[k].stream, packets[k].payload)
    s = _summary([H10], [*packets[:k], bad, *packets[k + 1 :]])
    assert s.duration_s < model.duration_s + 5  # was 2,078,439 h with "accelerometer 0 %"
    assert s.acc_coverage > 0.95
    (aside,) = s.set_aside
    assert aside.reason == "time jumps hours ahead" and aside.frames == 1
    early = Packet(1_000, "h10", packets[k].stream, packets[k].payload)
    s = _summary([H10], [early, *packets[:k], *packets[k + 1 :]])
    assert s.duration_s < model.duration_s + 5


def test_an_absurd_first_timestamp_is_caught_by_the_recorded_start(model: SessionModel) -> None:
    from osteomonitor.model import SessionMeta

    packets = h10_packets(model)
    start = "2026-09-21T14:13:20+00:00"  # T0_NS
    meta = SessionMeta("P00", "impact", start, "UTC", "test")
    bad = Packet(packets[0].t_ns + 10**18, "h10", packets[0].stream, packets[0].payload)
    proc = SessionProcessor([H10], meta)
    proc.feed_many([bad, *packets[1:]])
    s = proc.summary()
    assert s.duration_s < model.duration_s + 5
    assert s.set_aside[0].reason == "time far from the recorded start"


@settings(max_examples=8, deadline=None)
@given(
    damage=st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(["rate", "range", "time"])),
        min_size=1,
        max_size=6,
    ),
    every=st.integers(1, 40),
)
def test_streaming_equals_batch_with_damaged_frames(
    damage: list[tuple[int, str]], every: int
) -> None:
    """Live (a snapshot every few packets) and batch set aside the same frames and
    give the same summary, whatever the damage."""
    packets = list(_SHORT_IMU)
    for index, kind in damage:
        i = index % len(packets)
        p = packets[i]
        b = bytearray(p.payload)
        t = p.t_ns
        if kind == "rate":
            b[2:4] = struct.pack("<H", 7368)
        elif kind == "range":
            b[1] = 2
        else:
            t += 10**18
        packets[i] = Packet(t, p.device, p.stream, bytes(b))
    batch = SessionProcessor([IMU])
    batch.feed_many(packets)
    live = SessionProcessor([IMU])
    for k in range(0, len(packets), every):
        live.feed_many(packets[k : k + every])
        live.state()
    whole, chunked = batch.summary(), live.summary()
    assert whole.set_aside == chunked.set_aside and whole.set_aside
    assert whole == chunked


_SHORT_IMU = _imu_packets(SessionModel(seed=4, duration_s=8.0))
