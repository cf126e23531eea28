"""Decoding from one byte buffer equals decoding each notification alone.

`hrs_batch.decode_hr_at` against `hrs.decode_hr` (random and malformed notifications,
the protocol vectors); `pmd_batch.decode_acc_frames_at` against `decode_frame` with
frames anywhere in a buffer (other bytes between them), of every width the array form
handles (int32 and int64 running sums, 32-bit and 64-bit windows), raw int8/int16/int24
frames; `devices.batch.decode_packets` against `DeviceDecoder.feed` on packets with
unknown streams splitting the ACC runs, and on the real Polar Sensor Logger export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from devices_vectors import EXTRA, VECTORS
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.devices import pmd_frames as pf
from osteomonitor.devices.batch import DeviceOut, Packets, decode_device, decode_packets
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.hrs import decode_hr, encode_hr
from osteomonitor.devices.hrs_batch import decode_hr_at
from osteomonitor.devices.pmd_batch import SLACK, decode_acc_frames_at
from osteomonitor.devices.pmd_control_point import PmdMeasurementType
from osteomonitor.devices.profiles import get_profile
from osteomonitor.errors import DecodeError
from osteomonitor.model import AccBlock, HrSample, Packet
from osteomonitor.store import RecordingReader
from osteomonitor.store.columns import packet_columns


def _buffer(payloads: list[bytes], gaps: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Payloads laid out with `gaps[i]` bytes of 0xA5 before each, then the slack."""
    parts, offs, at = [], [], 0
    for p, g in zip(payloads, gaps, strict=True):
        parts.append(b"\xa5" * g + p)
        offs.append(at + g)
        at += g + len(p)
    buf = np.frombuffer(b"".join(parts) + bytes(SLACK), dtype=np.uint8)
    return buf, np.array(offs, dtype=np.int64), np.array([len(p) for p in payloads], np.int64)


def _hr_one_by_one(payloads: list[bytes], t_ns: list[int]) -> tuple[list[HrSample], list[bool]]:
    got, ok = [], []
    for p, t in zip(payloads, t_ns, strict=True):
        try:
            got.append(decode_hr(p, t))
            ok.append(True)
        except DecodeError:
            ok.append(False)
    return got, ok


@settings(max_examples=60, deadline=None)
@given(
    payloads=st.lists(st.binary(min_size=0, max_size=14), min_size=1, max_size=40),
    gaps=st.lists(st.integers(0, 3), min_size=40, max_size=40),
)
def test_hr_notifications_decode_as_one_by_one(payloads: list[bytes], gaps: list[int]) -> None:
    t_ns = [1_700_000_000 * 10**9 + i * 10**9 for i in range(len(payloads))]
    buf, offs, lens = _buffer(payloads, gaps[: len(payloads)])
    got, ok = decode_hr_at(buf, offs, lens, np.array(t_ns, dtype=np.int64))
    want, want_ok = _hr_one_by_one(payloads, t_ns)
    assert ok.tolist() == want_ok
    assert got == want


def test_hr_vectors_and_every_layout_decode_as_one_by_one() -> None:
    payloads = [bytes.fromhex(v["hex"]) for v in VECTORS["heart_rate_measurement_0x2A37"]]
    for wide in (False, True):
        for contact in (None, False, True):
            for energy in (None, 0, 65535):
                for rr in ((), (1024,), (0, 65535, 800)):
                    payloads.append(encode_hr(70, rr, contact, energy, uint16=wide))
    payloads += [b"", b"\x10", b"\x11\x50", b"\x08\x50\x01", b"\x10\x50\x01", b"\x00\x50\x00"]
    t_ns = list(range(len(payloads)))
    buf, offs, lens = _buffer(payloads, [1] * len(payloads))
    got, ok = decode_hr_at(buf, offs, lens, np.array(t_ns, dtype=np.int64))
    want, want_ok = _hr_one_by_one(payloads, t_ns)
    assert ok.tolist() == want_ok and got == want
    assert sum(want_ok) >= 60 and not all(want_ok)


@pytest.mark.parametrize("contact", [None, False, True])
@pytest.mark.parametrize("energy", [None, 5])
def test_hr_runs_of_one_layout_decode_as_one_by_one(
    contact: bool | None, energy: int | None
) -> None:
    """Every notification alike (the usual strap: contact reported, no energy)."""
    rng = np.random.default_rng(7)
    payloads = [
        encode_hr(60 + i % 50, tuple(rng.integers(300, 1500, i % 4).tolist()), contact, energy)
        for i in range(50)
    ]
    t_ns = list(range(0, 50 * 10**9, 10**9))
    buf, offs, lens = _buffer(payloads, [0] * len(payloads))
    got, ok = decode_hr_at(buf, offs, lens, np.array(t_ns, dtype=np.int64))
    want, want_ok = _hr_one_by_one(payloads, t_ns)
    assert ok.all() and all(want_ok) and got == want


def _acc_frame(rng: np.random.Generator, i: int, kind: str, bits: int = 24) -> bytes:
    n = int(rng.choice([1, 4, 36, 50]))
    if kind == "delta-wide":  # deltas of 22-30 bits: int64 sums, 64-bit windows
        n = 255  # running sums beyond int32 when the deltas are wide
        step = rng.integers(2 ** (bits - 3), 2 ** (bits - 2), size=(n, 3))
        mg = np.cumsum(step * rng.choice([-1, 1], size=3), axis=0)
        mg[0] = rng.integers(-30000, 30000, 3)
        return pf.encode_acc_frame(10**15 + i, mg, compressed=True, frame_type=1)
    if kind == "delta":
        mg = np.cumsum(rng.integers(-60, 61, size=(n, 3)), axis=0)
        return pf.encode_acc_frame(10**15 + i, mg, compressed=True, frame_type=int(rng.integers(2)))
    ftype = {"raw8": 0, "raw16": 1, "raw24": 2}[kind]
    hi = {0: 127, 1: 32767, 2: 2**23 - 1}[ftype]
    return pf.encode_acc_frame(10**15 + i, rng.integers(-hi - 1, hi, size=(n, 3)), False, ftype)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    kinds=st.sampled_from(
        [
            ("delta",),
            ("delta-wide",),
            ("raw16",),
            ("raw8", "raw24"),
            ("delta", "raw16", "delta-wide"),
        ]
    ),
    gap=st.sampled_from([0, 1, 5]),
    bits=st.sampled_from([23, 24, 26, 27, 31]),
)
def test_acc_frames_anywhere_in_a_buffer(
    seed: int, kinds: tuple[str, ...], gap: int, bits: int
) -> None:
    rng = np.random.default_rng(seed)
    frames = [_acc_frame(rng, i, str(rng.choice(kinds)), bits) for i in range(30)]
    buf, offs, lens = _buffer(frames, [gap * int(rng.integers(0, 2)) for _ in frames])
    batch = decode_acc_frames_at(buf, offs, lens)
    assert batch is not None
    one = [pf.decode_frame(f) for f in frames]
    assert batch.counts.tolist() == [len(f) for f in one]
    assert np.array_equal(batch.samples, np.concatenate([f.samples for f in one]))
    assert batch.timestamp_ns.tolist() == [f.timestamp_ns for f in one]
    assert batch.frame_type.tolist() == [f.frame_type for f in one]


def test_equal_frames_take_the_row_gather_and_equal_the_vectors() -> None:
    vectors = [*VECTORS["polar_pmd"]["data_frames"], *EXTRA["polar_pmd_data_frames"]]
    frames = []
    for v in vectors:
        if "hex" not in v:
            continue
        raw = bytes.fromhex(v["hex"])
        try:
            if pf.decode_frame(raw).mtype == PmdMeasurementType.ACC:
                frames.append(raw)
        except DecodeError:
            continue  # a truncated printout
    assert frames
    for f in frames:  # one kind at a time: equal lengths, then with other bytes between
        for gaps in ([0] * 5, [3, 0, 7, 1, 2]):
            buf, offs, lens = _buffer([f] * 5, gaps)
            batch = decode_acc_frames_at(buf, offs, lens)
            assert batch is not None
            assert np.array_equal(batch.samples, np.concatenate([pf.decode_frame(f).samples] * 5))


Fed = tuple[DeviceDecoder, list[AccBlock], list[HrSample], list[str]]


def _feed(packets: list[Packet], profile: str, settings_: dict[str, Any]) -> Fed:
    dec = DeviceDecoder(get_profile(profile), settings_)
    acc: list[AccBlock] = []
    hr: list[HrSample] = []
    errors = []
    for p in packets:
        try:
            for s in dec.feed(p):
                if isinstance(s, HrSample):
                    hr.append(s)
                elif isinstance(s, AccBlock):
                    acc.append(s)
        except DecodeError as exc:
            errors.append(str(exc))
    return dec, acc, hr, errors


def _same(
    batch: DeviceDecoder,
    out: DeviceOut,
    one: DeviceDecoder,
    acc: list[AccBlock],
    hr: list[HrSample],
) -> None:
    assert np.array_equal(np.concatenate(out.acc.acc_g), np.concatenate([b.acc_g for b in acc]))
    assert np.concatenate(out.acc.first_ns).tolist() == [int(b.t_ns[0]) for b in acc]
    assert np.concatenate(out.acc.last_ns).tolist() == [int(b.t_ns[-1]) for b in acc]
    assert [s for _, s in sorted(out.hr, key=lambda v: v[0])] == hr
    assert batch.set_aside == one.set_aside
    assert one.clock is not None and batch.clock is not None
    assert (one.clock.offset_ns, one.clock.drift_ppm, one.clock.gaps) == (
        batch.clock.offset_ns,
        batch.clock.drift_ppm,
        batch.clock.gaps,
    )


def test_unknown_streams_split_the_runs_and_keep_their_errors() -> None:
    rng = np.random.default_rng(3)
    t0 = 1_700_000_000 * 10**9
    packets = []
    for i in range(300):
        mg = np.cumsum(rng.integers(-40, 41, size=(36, 3)), axis=0)
        f = pf.encode_acc_frame(10**15 + i * 180_000_000, mg, compressed=bool(i % 2))
        packets.append(Packet(t0 + i * 180_000_000 + 9_000_000, "h10", "pmd_data", f))
        if i % 50 == 7:
            packets.append(Packet(t0 + i * 180_000_000 + 9_500_000, "h10", "nope", b"\x01"))
        if i % 5 == 0:
            b = encode_hr(70 + i % 9, (800,), True) if i != 100 else b"\x10\x40"
            packets.append(Packet(t0 + i * 180_000_000 + 9_700_000, "h10", "hr", b))
    one, acc, hr, errors = _feed(packets, "polar-h10", {"sample_rate": 200, "range_g": 8})
    batch = DeviceDecoder(get_profile("polar-h10"), {"sample_rate": 200, "range_g": 8})
    out = decode_device(
        batch, "h10", np.arange(len(packets)), np.array([p.t_ns for p in packets]),
        [p.stream for p in packets], [p.payload for p in packets],
    )  # fmt: skip
    _same(batch, out, one, acc, hr)
    assert len(errors) == len(out.errors) == 7  # six unknown-stream packets, one bad HR
    assert [m.split(": ", 1)[1] for _, m in sorted(out.errors)] == errors


@pytest.mark.datasets
def test_real_polar_sensor_logger_export_decodes_as_one_by_one(
    datasets_dir: Path, tmp_path: Path
) -> None:
    from osteomonitor.importers.polar_sensor_logger import import_polar_sensor_logger

    psl = datasets_dir / "polar-sensor-logger"
    if not psl.is_dir():
        pytest.skip(f"Polar Sensor Logger example not found at {psl}")
    path = import_polar_sensor_logger(psl, tmp_path / "psl.omrec", patient="p01", timezone="UTC")
    with RecordingReader(path) as rd:
        (dev,) = rd.devices
        packets = list(rd.packets())
        cols = packet_columns(rd)
    assert cols is not None
    one, acc, hr, _ = _feed(packets, dev.profile, dict(dev.settings))
    assert len(acc) > 100 and len(hr) > 100
    # the columns as session.batch hands them over: the recording's buffer and offsets
    seq = np.concatenate([c.seq for c in cols])
    by = np.argsort(seq)
    names = tuple(c.stream for c in cols)
    col = np.repeat(np.arange(len(cols)), [c.seq.size for c in cols])[by]
    given = Packets(
        np.arange(seq.size, dtype=np.int64), np.concatenate([c.t_ns for c in cols])[by],
        col, names, cols[0].data, np.concatenate([c.offsets for c in cols])[by],
        np.concatenate([c.lengths for c in cols])[by],
    )  # fmt: skip
    batch = DeviceDecoder(get_profile(dev.profile), dict(dev.settings))
    _same(batch, decode_packets(batch, dev.key, given), one, acc, hr)


def test_hr_samples_equal_the_constructor() -> None:
    """`decode_hr_at` gives the `HrSample`s `HrSample(...)` gives (equal, same hash and
    text, frozen): a strap reporting contact, one without contact or RR but with energy."""
    payloads = [encode_hr(61, (800, 1024), True), encode_hr(200, (), None, 77, uint16=True)]
    buf, offs, lens = _buffer(payloads, [0, 2])
    got, ok = decode_hr_at(buf, offs, lens, np.array([5, 6], dtype=np.int64))
    want = [HrSample(5, 61, (800, 1024), True, True, None), HrSample(6, 200, (), False, None, 77)]
    assert ok.all() and got == want
    assert [hash(s) for s in got] == [hash(s) for s in want]
    assert [repr(s) for s in got] == [repr(s) for s in want]
    with pytest.raises(AttributeError):
        got[0].hr_bpm = 1  # type: ignore[misc]
