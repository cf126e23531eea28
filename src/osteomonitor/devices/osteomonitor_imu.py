"""The open `osteomonitor-imu` protocol for do-it-yourself IMU firmware.

Specified in `firmware_profiles/README.md` (format version 1). Data frame, little-endian:

    0  u8   format version (1)
    1  u8   full-scale range, ±g (2, 4, 8 or 16)
    2  u16  sample rate, Hz
    4  u32  sample count of the first sample since START (wraps at 2³²)
    8  u64  device time of the first sample, µs since device boot
    16 n × (x, y, z int16): acceleration, g = count × range / 32768

Control (write): `01 <rate u16> <range u8>` START, `02` STOP.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.errors import DecodeError

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

_BASE = "6f6d{:04x}-09d0-4358-b9be-08cb862961b3"
IMU_SERVICE_UUID = _BASE.format(1)
IMU_DATA_UUID = _BASE.format(2)
IMU_CONTROL_UUID = _BASE.format(3)
FORMAT_VERSION = 1
RANGES_G = (2, 4, 8, 16)
_HEADER = struct.Struct("<BBHIQ")
HEADER_BYTES = _HEADER.size
SAMPLE_BYTES = 6
#: Largest device time, µs, whose ns value fits int64 (292 years of uptime).
MAX_T_US = ((1 << 63) - 1) // 1000 - 10**9
OP_START = 0x01
OP_STOP = 0x02


@dataclass(frozen=True, slots=True, eq=False)
class ImuFrame:
    """One decoded data frame.

    Attributes:
        t_us: device time of the first sample, µs since boot.
        first_index: running count of the first sample (uint32).
        rate_hz: sample rate, Hz.
        range_g: full-scale range, ±g.
        acc_g: (n, 3) float64 acceleration, g.
    """

    t_us: int
    first_index: int
    rate_hz: int
    range_g: int
    acc_g: FloatArray


def decode_frame(b: bytes) -> ImuFrame:
    """Decode one data notification (raises DecodeError on any mismatch)."""
    n = len(b)
    if n < HEADER_BYTES + SAMPLE_BYTES or (n - HEADER_BYTES) % SAMPLE_BYTES:
        raise DecodeError(
            f"osteomonitor-imu frame: {n} bytes is not a 16-byte header plus whole 6-byte samples"
        )
    version, range_g, rate, first, t_us = _HEADER.unpack_from(b)
    if version != FORMAT_VERSION:
        raise DecodeError(f"osteomonitor-imu frame: format version {version}, this reader knows 1")
    if range_g not in RANGES_G or rate == 0:
        raise DecodeError(f"osteomonitor-imu frame: range ±{range_g} g / rate {rate} Hz not valid")
    if t_us > MAX_T_US:
        raise DecodeError(f"osteomonitor-imu frame: device time {t_us} µs overflows int64 ns")
    counts = np.frombuffer(b, "<i2", offset=HEADER_BYTES).reshape(-1, 3)
    return ImuFrame(t_us, first, rate, range_g, counts * (range_g / 32768.0))


def encode_frame(
    t_us: int, first_index: int, acc_g: FloatArray, rate_hz: int, range_g: int
) -> bytes:
    """Build one data notification; samples beyond the range saturate like a real sensor."""
    if range_g not in RANGES_G:
        raise ValueError(f"range ±{range_g} g not in {RANGES_G}")
    s = np.asarray(acc_g, dtype=np.float64).reshape(-1, 3)
    counts = np.clip(np.rint(s * (32768.0 / range_g)), -32768, 32767).astype("<i2")
    header = _HEADER.pack(FORMAT_VERSION, range_g, rate_hz, first_index & 0xFFFFFFFF, t_us)
    return header + counts.tobytes()


def build_start(rate_hz: int, range_g: int) -> bytes:
    """`01 <rate u16> <range u8>`."""
    if range_g not in RANGES_G or not 1 <= rate_hz <= 0xFFFF:
        raise ValueError(f"rate {rate_hz} Hz / range ±{range_g} g not valid")
    return struct.pack("<BHB", OP_START, rate_hz, range_g)


def build_stop() -> bytes:
    """`02`."""
    return bytes([OP_STOP])


def parse_command(b: bytes) -> tuple[str, int | None, int | None]:
    """("start", rate_hz, range_g) or ("stop", None, None) from a control write."""
    if b == bytes([OP_STOP]):
        return "stop", None, None
    if len(b) == 4 and b[0] == OP_START:
        _, rate, rng = struct.unpack("<BHB", b)
        if rng in RANGES_G and rate:
            return "start", rate, rng
    raise DecodeError(f"osteomonitor-imu control: {b.hex(' ') or 'empty'} is not START or STOP")
