"""Polar PMD data frames: raw and delta-compressed samples, per-sample timestamps.

Frame layout (`PmdDataFrame.kt`, online_measurement.pdf Table 6):

    byte 0      measurement type (& 0x3F)
    bytes 1-8   uint64 LE, ns since 2000-01-01T00:00:00 on the device clock, time of the
                LAST sample in the frame (polar-ble-sdk issue #149)
    byte 9      frame type: bit 7 = delta compressed, bits 0-6 = type
    bytes 10…   samples

Delta-compressed sample blocks are decoded and encoded in `pmd_delta.py`
(`decode_delta`, `encode_delta`, `signed_width`, re-exported here).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from osteomonitor.devices.pmd_control_point import PmdMeasurementType, type_name
from osteomonitor.devices.pmd_delta import decode_delta, encode_delta, signed_width
from osteomonitor.errors import DecodeError

__all__ = [
    "DELTA_LAYOUTS",
    "FRAME_HEADER_BYTES",
    "H10_ACC_MAX_SAMPLES_PER_FRAME",
    "H10_ATT_MTU",
    "H10_RESET_EPOCH_NS",
    "MAX_DEVICE_NS",
    "POLAR_EPOCH_UNIX_NS",
    "RAW_LAYOUTS",
    "PmdFrame",
    "PmdTimestamper",
    "decode_delta",
    "decode_frame",
    "device_to_unix_ns",
    "encode_acc_frame",
    "encode_delta",
    "encode_frame",
    "frame_factor_mg",
    "max_samples_per_frame",
    "signed_width",
]

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    AnyIntArray = npt.NDArray[np.integer]

#: Offset of the Polar device epoch (2000-01-01) from the Unix epoch, ns. The device
#: clock is local wall time when set with setLocalTime (TimeSystemExplained.md).
POLAR_EPOCH_UNIX_NS = 946_684_800 * 1_000_000_000
#: Where an H10 clock restarts after it has shut down: 2019-01-01T00:00:00, device ns.
H10_RESET_EPOCH_NS = 599_616_000_000_000_000
FRAME_HEADER_BYTES = 10
_ATT_NOTIFY_OVERHEAD = 3
#: ATT MTU an H10 negotiates (derived: 73-sample ECG frames need 10 + 219 = 229-byte
#: notifications, poml88/ecg-recorder-ios issue #5; the SDK's 36-sample ACC test frame
#: fits the same 229 bytes).
H10_ATT_MTU = 232


def max_samples_per_frame(mtu: int, bytes_per_sample: int) -> int:
    """Raw samples that fit one PMD notification at ATT MTU `mtu`."""
    return max(0, (mtu - _ATT_NOTIFY_OVERHEAD - FRAME_HEADER_BYTES) // bytes_per_sample)


#: int16 × 3 ACC samples per H10 notification at its MTU (= 36).
H10_ACC_MAX_SAMPLES_PER_FRAME = max_samples_per_frame(H10_ATT_MTU, 6)

_HEADER = struct.Struct("<BQB")
#: Largest device time we accept, ns: int64 holds 292 years after the 2000 epoch.
MAX_DEVICE_NS = (1 << 63) - 1


@dataclass(frozen=True, slots=True, eq=False)
class PmdFrame:
    """One decoded PMD data notification.

    Attributes:
        mtype: measurement type (`PmdMeasurementType`).
        timestamp_ns: device time of the last sample, ns since 2000-01-01 (device clock).
        frame_type: bits 0-6 of byte 9.
        compressed: bit 7 of byte 9 (delta frame).
        samples: (n, channels) integers as sent: mG for ACC types 1/0x81, µV for ECG;
            compressed type 0 ACC must be multiplied by factor × 1000 for mG. Raw
            frames give a read-only view of the payload (copy before writing).
    """

    mtype: int
    timestamp_ns: int
    frame_type: int
    compressed: bool
    samples: AnyIntArray

    def __len__(self) -> int:
        return int(self.samples.shape[0])


#: (measurement type, frame type) → (channels, bytes per value) of raw frames.
RAW_LAYOUTS: dict[tuple[int, int], tuple[int, int]] = {
    (PmdMeasurementType.ACC, 0): (3, 1),
    (PmdMeasurementType.ACC, 1): (3, 2),
    (PmdMeasurementType.ACC, 2): (3, 3),
    (PmdMeasurementType.ECG, 0): (1, 3),
    (PmdMeasurementType.GYRO, 0): (3, 2),
    (PmdMeasurementType.MAG, 0): (3, 2),
}
#: (measurement type, frame type) → (channels, resolution bits) of delta frames.
DELTA_LAYOUTS: dict[tuple[int, int], tuple[int, int]] = {
    (PmdMeasurementType.ACC, 0): (3, 16),
    (PmdMeasurementType.ACC, 1): (3, 16),
    (PmdMeasurementType.GYRO, 0): (3, 16),
    (PmdMeasurementType.MAG, 0): (3, 16),
}
_RAW_DTYPES: dict[int, np.dtype[Any]] = {1: np.dtype("<i1"), 2: np.dtype("<i2")}


def decode_frame(
    payload: bytes, channels: int | None = None, resolution_bits: int | None = None
) -> PmdFrame:
    """Decode one PMD Data notification.

    Args:
        payload: the notification bytes.
        channels / resolution_bits: override the delta layout (e.g. the 14-bit
            3-channel iOS test frame); raw frames use `RAW_LAYOUTS`.

    Raises:
        DecodeError: short header, unsupported type, or a payload that does not
            split into whole samples / delta blocks.
    """
    n = len(payload)
    if n < FRAME_HEADER_BYTES:
        raise DecodeError(f"PMD frame: {n} byte(s), shorter than the 10-byte header")
    b0, ts, ft = _HEADER.unpack_from(payload)
    if ts > MAX_DEVICE_NS:
        raise DecodeError(f"PMD frame: timestamp {ts} ns is beyond the int64 range (year 2292)")
    mtype = b0 & 0x3F
    ftype = ft & 0x7F
    compressed = bool(ft & 0x80)
    key = (mtype, ftype)
    if compressed:
        layout = DELTA_LAYOUTS.get(key)
        ch = channels or (layout[0] if layout else 0)
        res = resolution_bits or (layout[1] if layout else 0)
        if not ch or not res:
            raise DecodeError(
                f"PMD frame: no delta layout for {type_name(mtype)} frame type 0x{ft:02X}"
            )
        samples: AnyIntArray = decode_delta(memoryview(payload)[FRAME_HEADER_BYTES:], ch, res)
    else:
        raw = RAW_LAYOUTS.get(key)
        if raw is None:
            raise DecodeError(f"PMD frame: no raw layout for {type_name(mtype)} frame type {ftype}")
        ch, size = raw
        body = n - FRAME_HEADER_BYTES
        step = ch * size
        if body == 0 or body % step:
            raise DecodeError(
                f"PMD frame: {type_name(mtype)} type {ftype} payload of {body} B is not a "
                f"whole number of {step}-byte samples"
            )
        dtype = _RAW_DTYPES.get(size)
        if dtype is not None:
            samples = np.frombuffer(payload, dtype, offset=FRAME_HEADER_BYTES).reshape(-1, ch)
        else:
            samples = _int24(payload, FRAME_HEADER_BYTES).reshape(-1, ch)
    return PmdFrame(_known_type(mtype), ts, ftype, compressed, samples)


def _known_type(mtype: int) -> int:
    try:
        return PmdMeasurementType(mtype)
    except ValueError:
        return mtype


def _int24(payload: bytes, offset: int) -> IntArray:
    b = np.frombuffer(payload, np.uint8, offset=offset).reshape(-1, 3).astype(np.int32)
    v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
    return ((v ^ 0x800000) - 0x800000).astype(np.int64)


def encode_frame(
    mtype: int,
    timestamp_ns: int,
    samples: AnyIntArray,
    frame_type: int = 1,
    compressed: bool = False,
    resolution_bits: int | None = None,
) -> bytes:
    """Build a PMD data notification.

    Args:
        mtype: measurement type.
        timestamp_ns: device time of the last sample, ns since 2000-01-01.
        samples: (n, channels) integers as the frame carries them.
        frame_type: bits 0-6 of byte 9.
        compressed: write a delta frame (bit 7 set).
        resolution_bits: reference width of delta frames (default from `DELTA_LAYOUTS`).
    """
    if not 0 <= timestamp_ns < 1 << 64:
        raise ValueError(f"timestamp_ns {timestamp_ns} does not fit uint64")
    s = np.asarray(samples)
    header = _HEADER.pack(mtype, timestamp_ns, (0x80 if compressed else 0) | frame_type)
    if compressed:
        res = resolution_bits or DELTA_LAYOUTS.get((mtype, frame_type), (0, 16))[1]
        return header + encode_delta(s, res)
    layout = RAW_LAYOUTS.get((mtype, frame_type))
    if layout is None:
        raise ValueError(f"no raw layout for {type_name(mtype)} frame type {frame_type}")
    ch, size = layout
    if s.ndim != 2 or s.shape[1] != ch or s.shape[0] < 1:
        raise ValueError(f"samples must be (n ≥ 1, {ch}), got shape {s.shape}")
    lim = 1 << (8 * size - 1)
    if s.min() < -lim or s.max() >= lim:
        raise ValueError(f"samples outside the {8 * size}-bit range of frame type {frame_type}")
    if size in _RAW_DTYPES:
        return header + s.astype(_RAW_DTYPES[size]).tobytes()
    v = s.astype(np.int64).reshape(-1) & 0xFFFFFF
    b = np.stack([v & 0xFF, (v >> 8) & 0xFF, v >> 16], axis=1).astype(np.uint8)
    return header + b.tobytes()


def encode_acc_frame(
    timestamp_ns: int, samples_mg: AnyIntArray, compressed: bool = False, frame_type: int = 1
) -> bytes:
    """Build a PMD ACC notification from (n, 3) samples in mG (raw int16 type 1 by default)."""
    return encode_frame(PmdMeasurementType.ACC, timestamp_ns, samples_mg, frame_type, compressed)


class PmdTimestamper:
    """Per-sample device times as the Polar SDK computes them (`PmdTimeStampUtils.kt`).

    The previous frame timestamp is kept per (measurement type, frame type). First
    frame: samples spaced 1e9/fs ending at the frame timestamp. Later frames:
    dt = (ts − ts_prev)/n and sample i = ts_prev + dt·(i+1), rounded half to even.

    Args:
        tolerance: None reproduces the SDK exactly. A fraction (e.g. 0.1) restarts
            from the nominal spacing when the measured dt deviates from 1e9/fs by
            more than that (lost frames or a clock step; L0rek/polar_h10's rule);
            each restart is counted in `restarts`.
    """

    def __init__(self, tolerance: float | None = None) -> None:
        self.tolerance = tolerance
        self.restarts = 0
        self._prev: dict[tuple[int, int], int] = {}

    def reset(self) -> None:
        """Forget previous frames (after a reconnect or a stream restart)."""
        self._prev.clear()

    def timestamps(
        self, mtype: int, frame_type: int, timestamp_ns: int, n: int, sample_rate_hz: float
    ) -> IntArray:
        """(n,) int64 device times of a frame's samples, ns since 2000-01-01."""
        key = (int(mtype), frame_type & 0x7F)
        prev = self._prev.get(key)
        self._prev[key] = timestamp_ns
        idx = np.arange(n, dtype=np.float64)
        nominal = 1e9 / sample_rate_hz
        if prev is not None and n > 0:
            dt = (timestamp_ns - prev) / n
            ok = dt > 0 and (self.tolerance is None or abs(dt / nominal - 1.0) <= self.tolerance)
            if ok:
                return prev + np.rint(dt * (idx + 1.0)).astype(np.int64)
            if self.tolerance is not None:
                self.restarts += 1
        return timestamp_ns - np.rint(nominal * (n - 1 - idx)).astype(np.int64)


def device_to_unix_ns(device_ns: int | IntArray) -> int | IntArray:
    """Read a PMD device time as if it were UTC: add the 2000→1970 epoch offset."""
    return device_ns + POLAR_EPOCH_UNIX_NS


def frame_factor_mg(frame: PmdFrame, factor: float) -> float:
    """Multiplier from a frame's integers to mG (`AccData.kt`).

    Compressed type 0 is in G: × factor × 1000. Compressed type 1 is already mG unless
    the start response gave a factor ≠ 1. Raw frames are mG.
    """
    if frame.compressed and frame.frame_type == 0:
        return factor * 1000.0
    if frame.compressed and not math.isclose(factor, 1.0):
        return factor
    return 1.0
