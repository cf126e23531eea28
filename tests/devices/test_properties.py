"""Hypothesis: decoders raise nothing but DecodeError; encode → decode round-trips."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from osteomonitor.devices import (
    hrs,
    metawear,
    movesense,
    osteomonitor_imu,
    polar_pmd,
    thingy52,
)
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.profiles import Profile, load_profiles
from osteomonitor.errors import DecodeError
from osteomonitor.model import AccBlock, Packet

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T0 = 1_700_000_000_000_000_000

#: Every pure decoder, called on arbitrary bytes.
DECODERS: dict[str, Callable[[bytes], object]] = {
    "hrs.decode_hr": lambda b: hrs.decode_hr(b, T0),
    "hrs.decode_battery_level": hrs.decode_battery_level,
    "hrs.decode_body_sensor_location": hrs.decode_body_sensor_location,
    "hrs.decode_dis_string": hrs.decode_dis_string,
    "pmd.parse_cp_message": polar_pmd.parse_cp_message,
    "pmd.parse_cp_request": polar_pmd.parse_cp_request,
    "pmd.parse_features": polar_pmd.parse_features,
    "pmd.parse_settings": polar_pmd.parse_settings,
    "pmd.response_settings": lambda b: polar_pmd.parse_cp_response(b).settings(),
    "pmd.decode_frame": polar_pmd.decode_frame,
    "pmd.decode_delta_14bit": lambda b: polar_pmd.decode_delta(b, 3, 14),
    "pmd.decode_delta_1ch_24bit": lambda b: polar_pmd.decode_delta(b, 1, 24),
    "metawear.decode_acc": lambda b: metawear.decode_acc(b, 8),
    "metawear.parse_acc_config": metawear.parse_acc_config,
    "metawear.parse_module_info": metawear.parse_module_info,
    "movesense.parse_message": movesense.parse_message,
    "movesense.parse_command": movesense.parse_command,
    "movesense.decode_acc": movesense.decode_acc,
    "movesense.decode_hr": movesense.decode_hr,
    "movesense.result_code": movesense.result_code,
    "thingy52.decode_raw": thingy52.decode_raw,
    "thingy52.parse_config": thingy52.parse_config,
    "osteomonitor_imu.decode_frame": osteomonitor_imu.decode_frame,
    "osteomonitor_imu.parse_command": osteomonitor_imu.parse_command,
}

#: Byte strings that look like real frames so the fuzzer reaches the deep paths.
PREFIXES = [
    b"",
    bytes.fromhex("02000000000000000001"),  # PMD ACC raw type 1 header
    bytes.fromhex("02000000000000000081"),  # PMD ACC delta type 1 header
    bytes.fromhex("02000000000000000080"),
    bytes.fromhex("00000000000000000000"),  # PMD ECG
    bytes.fromhex("F00102000000"),
    bytes.fromhex("0202"),
    bytes.fromhex("0F"),
    bytes.fromhex("0304"),
    bytes.fromhex("031C"),
    bytes.fromhex("0263"),
    bytes.fromhex("0363"),
    bytes.fromhex("0262"),
    bytes.fromhex("0110C800"),
    bytes([0x10]),
    bytes([0x1F]),
]
fuzz_bytes = st.builds(lambda p, b: p + b, st.sampled_from(PREFIXES), st.binary(max_size=300))


@pytest.mark.parametrize("name", sorted(DECODERS))
@FAST
@given(payload=fuzz_bytes)
def test_random_bytes_raise_only_decode_error(name: str, payload: bytes) -> None:
    try:
        DECODERS[name](payload)
    except DecodeError as exc:
        assert str(exc)


STREAMS = [(k, s) for k, p in sorted(load_profiles().items()) for s in p.streams]


@pytest.mark.parametrize(("key", "stream"), STREAMS, ids=[f"{k}:{s}" for k, s in STREAMS])
@settings(max_examples=40, deadline=None)
@given(payloads=st.lists(fuzz_bytes, min_size=1, max_size=6))
def test_device_decoder_on_random_packets_raises_only_decode_error(
    key: str, stream: str, payloads: list[bytes]
) -> None:
    dec = DeviceDecoder(load_profiles()[key])
    for i, p in enumerate(payloads):
        try:
            out = dec.feed(Packet(T0 + i * 10_000_000, "dev", stream, p))
        except DecodeError:
            continue
        for s in out:
            if isinstance(s, AccBlock):
                assert s.acc_g.shape == (len(s.t_ns), 3) and np.isfinite(s.acc_g).all()


# --- round trips -------------------------------------------------------------------------


@FAST
@given(
    hr=st.integers(0, 0xFFFF),
    rr=st.lists(st.integers(0, 0xFFFF), max_size=hrs.MAX_RR_PER_NOTIFICATION),
    contact=st.none() | st.booleans(),
    energy=st.none() | st.integers(0, 0xFFFF),
    uint16=st.booleans(),
)
def test_hr_round_trip(
    hr: int, rr: list[int], contact: bool | None, energy: int | None, uint16: bool
) -> None:
    s = hrs.decode_hr(hrs.encode_hr(hr, rr, contact, energy, uint16), T0)
    assert (s.hr_bpm, list(s.rr_1024), s.contact, s.energy_kj) == (hr, rr, contact, energy)
    assert s.contact_supported is (contact is not None)


setting_values = st.dictionaries(
    st.sampled_from(["sample_rate", "resolution", "range", "channels", "range_milliunit"]),
    st.integers(0, 255),
    min_size=1,
)


@FAST
@given(
    mtype=st.sampled_from(list(polar_pmd.PmdMeasurementType)),
    values=setting_values,
    offline=st.booleans(),
)
def test_pmd_start_request_round_trip(
    mtype: int, values: dict[polar_pmd.PmdSetting | str, int], offline: bool
) -> None:
    req = polar_pmd.parse_cp_request(polar_pmd.build_start(mtype, values, offline=offline))
    assert req.mtype == mtype and req.offline is offline
    assert {k: v[0] for k, v in req.settings.items()} == values


@FAST
@given(
    op=st.sampled_from(list(polar_pmd.PmdOp)),
    status=st.integers(0, 255),
    more=st.integers(0, 1),
    params=st.binary(max_size=40),
)
def test_pmd_response_round_trip(op: int, status: int, more: int, params: bytes) -> None:
    r = polar_pmd.parse_cp_response(polar_pmd.encode_cp_response(op, 2, status, params, more))
    assert (r.op, r.mtype, r.status, r.more, r.params) == (op, 2, status, more, params)


@FAST
@given(types=st.sets(st.sampled_from([t for t in polar_pmd.PmdMeasurementType if t < 16])))
def test_pmd_features_round_trip(types: set[int]) -> None:
    assert polar_pmd.parse_features(polar_pmd.encode_features(types)) == frozenset(types)


def _frames(bits: int) -> st.SearchStrategy[np.ndarray]:
    lim = 1 << (bits - 1)
    return hnp.arrays(
        np.int64, st.tuples(st.integers(1, 60), st.just(3)), elements=st.integers(-lim, lim - 1)
    )


@FAST
@given(
    ts=st.integers(0, 2**63 - 1),
    frame=st.sampled_from([(0, 8), (1, 16), (2, 24)]).flatmap(
        lambda fb: st.tuples(st.just(fb[0]), _frames(fb[1]))
    ),
)
def test_pmd_raw_frame_round_trip(ts: int, frame: tuple[int, np.ndarray]) -> None:
    ftype, samples = frame
    f = polar_pmd.decode_frame(polar_pmd.encode_acc_frame(ts, samples, frame_type=ftype))
    assert f.timestamp_ns == ts and f.frame_type == ftype and not f.compressed
    assert np.array_equal(f.samples, samples)


@FAST
@given(samples=_frames(16), ftype=st.sampled_from([0, 1]), block=st.integers(1, 255))
def test_pmd_delta_frame_round_trip(samples: np.ndarray, ftype: int, block: int) -> None:
    payload = polar_pmd.encode_delta(samples, 16, block_samples=block)
    assert np.array_equal(polar_pmd.decode_delta(payload, 3, 16), samples)
    f = polar_pmd.decode_frame(
        polar_pmd.encode_acc_frame(5, samples, compressed=True, frame_type=ftype)
    )
    assert f.compressed and np.array_equal(f.samples, samples)


# --- every profile and setting through DeviceDecoder -----------------------------------


def _packets(
    p: Profile, rate: float, rng_g: float, acc_g: np.ndarray, opts: dict[str, Any]
) -> list[Packet]:
    """The notifications a device of profile `p` would send for `acc_g`, one per sample chunk."""
    out: list[Packet] = []
    if p.protocol == "polar_pmd":
        mg = np.rint(acc_g * 1000).astype(np.int64)
        compressed = bool(p.options.get("acc_compressed"))
        for k in range(0, len(mg), 12):
            chunk = mg[k : k + 12]
            ts = 10**17 + round((k + len(chunk)) / rate * 1e9)
            raw = polar_pmd.encode_acc_frame(ts, chunk, compressed=compressed)
            out.append(Packet(T0 + ts, "d", "pmd_data", raw))
    elif p.protocol == "movesense_gsp":
        for k in range(0, len(acc_g), 8):
            chunk = acc_g[k : k + 8] * movesense.STANDARD_GRAVITY
            payload = movesense.encode_acc(round(k / rate * 1000), chunk)
            arrival = T0 + round((k + len(chunk)) / rate * 1e9)
            for part in movesense.split_parts(2, p.options["acc_ref"], payload):
                out.append(Packet(arrival, "d", "gsp_data", part))
    elif p.protocol == "metawear":
        for k in range(0, len(acc_g), 3):
            raw = metawear.encode_acc(acc_g[k : k + 3], rng_g, opts.get("chip", "bmi160"))
            out.append(Packet(T0 + round(k / rate * 1e9), "d", "mw_notify", raw))
    elif p.protocol == "thingy52":
        for k, row in enumerate(acc_g):
            out.append(
                Packet(T0 + round(k / rate * 1e9), "d", "raw_data", thingy52.encode_raw(row))
            )
    elif p.protocol == "osteomonitor_imu":
        for k in range(0, len(acc_g), 10):
            raw = osteomonitor_imu.encode_frame(
                round(k / rate * 1e6), k, acc_g[k : k + 10], int(rate), int(rng_g)
            )
            out.append(Packet(T0 + round(k / rate * 1e9), "d", "imu_data", raw))
    return out


#: Quantisation step of each protocol's wire format, g (for the range in use).
def _step(p: Profile, rng_g: float) -> float:
    return {
        "polar_pmd": 0.001,
        "movesense_gsp": 1e-6,
        "metawear": rng_g / 32768,
        "thingy52": 1 / 1024,
        "osteomonitor_imu": rng_g / 32768,
    }[p.protocol]


CASES = [
    (k, r, g, chip)
    for k, p in sorted(load_profiles().items())
    if p.has_acc
    for r in p.rates_hz
    for g in p.ranges_g
    for chip in (p.options.get("chips") or [None])
]


@pytest.mark.parametrize(("key", "rate", "rng_g", "chip"), CASES)
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_profile_and_setting_round_trips(
    key: str, rate: float, rng_g: float, chip: str | None, seed: int
) -> None:
    p = load_profiles()[key]
    opts = {"sample_rate": rate, "range_g": rng_g} | ({"chip": chip} if chip else {})
    acc = np.random.default_rng(seed).uniform(-rng_g * 0.99, rng_g * 0.99, size=(48, 3))
    dec = DeviceDecoder(p, opts)
    blocks = [
        s
        for pkt in _packets(p, rate, rng_g, acc, opts)
        for s in dec.feed(pkt)
        if isinstance(s, AccBlock)
    ]
    got = np.concatenate([b.acc_g for b in blocks])
    assert got.shape == acc.shape
    assert np.abs(got - acc).max() <= _step(p, rng_g) * 0.5 + 1e-9
    assert all(b.fs_hz == rate and b.range_g == rng_g for b in blocks)
    t = np.concatenate([b.t_ns for b in blocks])
    assert np.all(np.diff(t) > 0)


def test_timestamps_beyond_int64_are_rejected() -> None:
    raw = bytes.fromhex("02") + (2**63).to_bytes(8, "little") + bytes.fromhex("01000000000000")
    with pytest.raises(DecodeError, match="int64"):
        polar_pmd.decode_frame(raw)
