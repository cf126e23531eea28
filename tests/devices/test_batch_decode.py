"""Batch decoding equals decoding one notification at a time, byte for byte and state for state.

`pmd_batch.decode_acc_frames` against `pmd_frames.decode_frame`; `ClockMapper.add_many`
against `add` frame by frame (gaps, a device clock reset, a host clock step);
`devices.batch.decode_device` against `DeviceDecoder.feed` (samples, set-aside counts,
decode errors, the decoder's clock and timestamps afterwards).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.devices import pmd_frames as pf
from osteomonitor.devices.batch import decode_device
from osteomonitor.devices.clock import ClockMapper
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.hrs import encode_hr
from osteomonitor.devices.pmd_batch import decode_acc_frames
from osteomonitor.devices.pmd_control_point import PmdMeasurementType
from osteomonitor.devices.profiles import get_profile
from osteomonitor.errors import DecodeError
from osteomonitor.model import AccBlock, HrSample, Packet

FRAME_NS = 180_000_000


def _frames(seed: int, n: int, sizes: tuple[int, ...] = (36,)) -> list[bytes]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        k = int(rng.choice(sizes))
        walk = np.cumsum(rng.integers(-40, 41, size=(k, 3)), axis=0)
        mg = rng.integers(-8000, 8000, size=(k, 3)) if i % 11 == 0 else walk
        out.append(pf.encode_acc_frame(10**15 + i * FRAME_NS, mg, compressed=bool(i % 3)))
    return out


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), sizes=st.sampled_from([(36,), (1, 5, 36, 70)]))
def test_frames_decode_as_one_by_one(seed: int, sizes: tuple[int, ...]) -> None:
    frames = _frames(seed, 60, sizes)
    batch = decode_acc_frames(frames)
    assert batch is not None
    one = [pf.decode_frame(f) for f in frames]
    assert batch.counts.tolist() == [len(f) for f in one]
    assert np.array_equal(batch.samples, np.concatenate([f.samples for f in one]))
    assert batch.timestamp_ns.tolist() == [f.timestamp_ns for f in one]
    assert batch.compressed.tolist() == [f.compressed for f in one]


def test_a_frame_the_array_form_does_not_cover_gives_none() -> None:
    good = _frames(1, 5)
    assert decode_acc_frames([*good, good[1][:13]]) is None  # a truncated delta block
    assert decode_acc_frames([*good, b"\x02\x00"]) is None  # shorter than the header
    ecg = pf.encode_frame(PmdMeasurementType.ECG, 5, np.zeros((3, 1), np.int64), 0, False)
    assert decode_acc_frames([*good, ecg]) is None  # another measurement type


def test_clock_add_many_equals_add_one_by_one() -> None:
    rng = np.random.default_rng(5)
    n = 6000  # 18 min of frames: the slope is re-solved several times
    device = 10**15 + np.arange(n, dtype=np.int64) * FRAME_NS
    arrival = 1_700_000_000 * 10**9 + (device - device[0]) * 1.00002
    arrival = arrival.astype(np.int64) + rng.integers(0, 45_000_000, n)
    device[3000:] -= 10**12  # the device clock was set back
    arrival[4500:] -= 5 * 10**9  # the host clock stepped back 5 s
    keep = np.ones(n, bool)
    keep[5000:5004] = False  # four frames lost
    device, arrival = device[keep], arrival[keep]
    one = ClockMapper()
    fits = []
    for d, a in zip(device.tolist(), arrival.tolist(), strict=True):
        one.add(d, a, FRAME_NS)
        fits.append((one.to_host(d), one.drift_ppm))
    many = ClockMapper()
    got = many.add_many(device, arrival, np.full(device.size, FRAME_NS))
    host = got.to_host(device, np.arange(device.size))
    assert host.tolist() == [h for h, _ in fits]
    assert (one.resets, one.gaps, one.drift_ppm, one.offset_ns) == (
        many.resets,
        many.gaps,
        many.drift_ppm,
        many.offset_ns,
    )
    assert one.resets == 2 and len(one.gaps) == 1


@pytest.mark.parametrize("seed", [1, 2])
def test_clock_add_many_equals_add_over_hours_with_glitches(seed: int) -> None:
    """Runs longer than the look-ahead (4096 frames, doubling), re-solves cutting them,
    device times that step back now and then (restarts inside a chunk) and gaps."""
    rng = np.random.default_rng(seed)
    n = 25_000  # 75 min of frames
    device = 10**15 + np.arange(n, dtype=np.int64) * FRAME_NS
    arrival = 1_700_000_000 * 10**9 + ((device - device[0]) * 0.99997).astype(np.int64)
    arrival += rng.integers(0, 45_000_000, n)
    for at in rng.integers(100, n, 4):  # the device clock set back a little
        device[at:] -= int(rng.integers(1, 5)) * FRAME_NS
    keep = rng.random(n) > 0.002  # frames lost here and there
    device, arrival = device[keep], arrival[keep]
    one = ClockMapper()
    want = []
    for d, a in zip(device.tolist(), arrival.tolist(), strict=True):
        one.add(d, a, FRAME_NS)
        want.append(one.to_host(d))
    many = ClockMapper()
    got = many.add_many(device, arrival, np.full(device.size, FRAME_NS))
    assert got.to_host(device, np.arange(device.size)).tolist() == want
    assert (one.resets, one.gaps, one.drift_ppm, one.offset_ns) == (
        many.resets,
        many.gaps,
        many.drift_ppm,
        many.offset_ns,
    )
    assert one.resets >= 1 and len(one.gaps) >= 10


def _packets(seed: int) -> list[Packet]:
    frames = _frames(seed, 400)
    rng = np.random.default_rng(seed)
    t0 = 1_700_000_000 * 10**9
    pk = [
        Packet(t0 + i * FRAME_NS + int(rng.integers(5_000_000, 40_000_000)), "h10", "pmd_data", f)
        for i, f in enumerate(frames)
    ]
    pk[50] = Packet(pk[50].t_ns, "h10", "pmd_data", pk[50].payload[:12])  # corrupt
    pk[90] = Packet(pk[90].t_ns, "h10", "pmd_data", pf.encode_acc_frame(1, np.full((36, 3), 30000)))
    for s in range(0, 70):
        pk.append(Packet(t0 + s * 10**9, "h10", "hr", encode_hr(80 + s % 7, (800, 810), True)))
    pk.append(Packet(t0 + 3 * 10**9, "h10", "hr", b"\x10"))  # malformed HR
    return sorted(pk, key=lambda p: p.t_ns)


def test_device_packets_decode_as_one_by_one() -> None:
    packets = _packets(7)
    profile = get_profile("polar-h10")
    settings_ = {"sample_rate": 200, "range_g": 8}
    one = DeviceDecoder(profile, settings_)
    blocks: list[AccBlock] = []
    hr: list[HrSample] = []
    errors = 0
    for p in packets:
        try:
            for s in one.feed(p):
                if isinstance(s, HrSample):
                    hr.append(s)
                else:
                    blocks.append(s)
        except DecodeError:
            errors += 1  # set-asides included: counted by the decoder too
    batch = DeviceDecoder(profile, settings_)
    out = decode_device(
        batch,
        "h10",
        np.arange(len(packets), dtype=np.int64),
        np.array([p.t_ns for p in packets], dtype=np.int64),
        [p.stream for p in packets],
        [p.payload for p in packets],
    )
    acc = out.acc
    assert np.array_equal(np.concatenate(acc.acc_g), np.concatenate([b.acc_g for b in blocks]))
    assert np.concatenate(acc.first_ns).tolist() == [int(b.t_ns[0]) for b in blocks]
    assert np.concatenate(acc.last_ns).tolist() == [int(b.t_ns[-1]) for b in blocks]
    assert [s for _, s in out.hr] == hr
    assert len(out.errors) + sum(batch.set_aside.values()) == errors
    assert batch.set_aside == one.set_aside and sum(one.set_aside.values()) == 1
    assert one.clock is not None and batch.clock is not None
    assert (one.clock.offset_ns, one.clock.drift_ppm) == (
        batch.clock.offset_ns,
        batch.clock.drift_ppm,
    )
    assert one.protocol.time_shifts == batch.protocol.time_shifts
