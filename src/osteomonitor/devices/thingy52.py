"""Nordic Thingy:52 Motion Service: raw-data notifications and the motion config.

Sources: Nordic-Thingy52-FW `include/ble_services/ble_tms.h`, `source/modules/m_motion.c`,
`documentation/firmware_architecture.html`. Raw data is 9 × int16 LE: accelerometer in g
as 6Q10 (÷1024), gyroscope in °/s as 11Q5 (÷32), compass in µT as 12Q4 (÷16); one sample
per notification, no timestamp. (Nordic's JS library divides by 64/2048/4096, which
disagrees with the firmware; the firmware wins.) The 9-byte config sets the motion
processing frequency, 5-200 Hz, default 10 Hz.
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

_BASE = "ef68{:04x}-9b35-4933-9b10-52ffa9740042"
MOTION_SERVICE_UUID = _BASE.format(0x0400)
MOTION_CONFIG_UUID = _BASE.format(0x0401)
RAW_DATA_UUID = _BASE.format(0x0406)
#: The Thingy configuration service (advertised).
CONFIG_SERVICE_UUID = _BASE.format(0x0100)

#: Fixed-point scales of the raw data: counts per unit (acc g, gyro °/s, compass µT).
ACC_COUNTS_PER_G = 1024.0
GYRO_COUNTS_PER_DPS = 32.0
MAG_COUNTS_PER_UT = 16.0
RAW_BYTES = 18
MOTION_HZ_RANGE = (5, 200)
_CONFIG = struct.Struct("<HHHHB")


@dataclass(frozen=True, slots=True)
class MotionConfig:
    """The 9-byte motion config (intervals in ms, frequency in Hz)."""

    pedometer_interval_ms: int = 1000
    temperature_comp_interval_ms: int = 500
    magnetometer_comp_interval_ms: int = 500
    motion_freq_hz: int = 10
    wake_on_motion: int = 1


def decode_raw(b: bytes) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(acc_g, gyro_dps, mag_ut), each (3,) float64, from one raw-data notification."""
    if len(b) != RAW_BYTES:
        raise DecodeError(f"Thingy:52 raw data: {len(b)} bytes, expected {RAW_BYTES}")
    v = np.frombuffer(b, "<i2").astype(np.float64)
    return v[0:3] / ACC_COUNTS_PER_G, v[3:6] / GYRO_COUNTS_PER_DPS, v[6:9] / MAG_COUNTS_PER_UT


def encode_raw(
    acc_g: FloatArray, gyro_dps: FloatArray | None = None, mag_ut: FloatArray | None = None
) -> bytes:
    """One raw-data notification (values clamped to int16 as the firmware does)."""
    z = np.zeros(3)
    parts = [
        np.asarray(acc_g, dtype=np.float64) * ACC_COUNTS_PER_G,
        (z if gyro_dps is None else np.asarray(gyro_dps, dtype=np.float64)) * GYRO_COUNTS_PER_DPS,
        (z if mag_ut is None else np.asarray(mag_ut, dtype=np.float64)) * MAG_COUNTS_PER_UT,
    ]
    counts = np.clip(np.rint(np.concatenate(parts)), -32768, 32767).astype("<i2")
    return counts.tobytes()


def parse_config(b: bytes) -> MotionConfig:
    """Decode the motion config characteristic."""
    if len(b) != _CONFIG.size:
        raise DecodeError(f"Thingy:52 motion config: {len(b)} bytes, expected {_CONFIG.size}")
    cfg = MotionConfig(*_CONFIG.unpack(b))
    lo, hi = MOTION_HZ_RANGE
    if not lo <= cfg.motion_freq_hz <= hi:
        raise DecodeError(f"Thingy:52 motion config: {cfg.motion_freq_hz} Hz outside {lo}-{hi} Hz")
    return cfg


def build_config(config: MotionConfig) -> bytes:
    """Encode the motion config (write it to set the rate)."""
    lo, hi = MOTION_HZ_RANGE
    if not lo <= config.motion_freq_hz <= hi:
        raise ValueError(f"motion frequency {config.motion_freq_hz} Hz outside {lo}-{hi} Hz")
    return _CONFIG.pack(
        config.pedometer_interval_ms,
        config.temperature_comp_interval_ms,
        config.magnetometer_comp_interval_ms,
        config.motion_freq_hz,
        config.wake_on_motion,
    )
