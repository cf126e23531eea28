"""MbientLab MetaWear protocol: accelerometer commands and data (BMI160 and BMI270).

Every message is `[module][register][params]`; a read sets bit 7 of the register.
Accelerometer module 0x03 (MetaWear-SDK-Cpp `accelerometer_bosch_register.h`):
1 POWER_MODE, 2 DATA_INTERRUPT_ENABLE, 3 DATA_CONFIG, 4 DATA_INTERRUPT (one sample),
packed data (three samples) 0x1C on BMI160 and 0x05 on BMI270. Samples are int16 LE
x, y, z with 32768/range LSB per g. Streamed samples carry no device timestamp; the
three of a packed notification arrive together (`response_handler_packed_data`).
Byte vectors: mbientlab tests `test_accelerometer_bmi160.py`, `_bmi270.py`, `test_settings.py`.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.errors import DecodeError

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

MW_SERVICE_UUID = "326a9000-85cb-9195-d9dd-464cfbbae75a"
MW_COMMAND_UUID = "326a9001-85cb-9195-d9dd-464cfbbae75a"
MW_NOTIFY_UUID = "326a9006-85cb-9195-d9dd-464cfbbae75a"

ACC_MODULE = 0x03
REG_POWER_MODE = 0x01
REG_DATA_INTERRUPT_ENABLE = 0x02
REG_DATA_CONFIG = 0x03
REG_DATA = 0x04
REG_MODULE_INFO = 0x80
#: Packed-data register per accelerometer chip.
PACKED_REGISTER: dict[str, int] = {"bmi160": 0x1C, "bmi270": 0x05}
#: Module-info implementation byte → chip (`03 80 01 01` MetaMotion R, `03 80 04 00` S).
CHIP_BY_IMPLEMENTATION: dict[int, str] = {1: "bmi160", 4: "bmi270"}
#: Output data rates, Hz, by ODR code 1..12 (Bosch datasheets; test_settings.py bytes).
ODR_HZ: tuple[float, ...] = (
    0.78125,
    1.5625,
    3.125,
    6.25,
    12.5,
    25.0,
    50.0,
    100.0,
    200.0,
    400.0,
    800.0,
    1600.0,
)
#: ODR code of the first rate that is not undersampled (12.5 Hz).
_NORMAL_ODR_CODE = 5
#: Upper bits of the config byte: (below 12.5 Hz, from 12.5 Hz) per chip, as the tests send.
_ODR_FLAGS: dict[str, tuple[int, int]] = {"bmi160": (0x80, 0x20), "bmi270": (0x20, 0xA0)}
#: Range code per chip and ±g (`FSR_BITMASKS`, `BMI270_FSR_SCALE`).
RANGE_CODES: dict[str, dict[int, int]] = {
    "bmi160": {2: 0x03, 4: 0x05, 8: 0x08, 16: 0x0C},
    "bmi270": {2: 0, 4: 1, 8: 2, 16: 3},
}
SAMPLE_BYTES = 6


def lsb_per_g(range_g: float) -> float:
    """Counts per g at a full-scale range: 16384 at ±2 g … 2048 at ±16 g."""
    return 32768.0 / range_g


def _chip(chip: str) -> str:
    if chip not in RANGE_CODES:
        raise ValueError(f"unknown accelerometer chip {chip!r}; expected bmi160 or bmi270")
    return chip


def build_acc_config(odr_hz: float, range_g: int, chip: str = "bmi160") -> bytes:
    """`03 03 <odr byte> <range byte>`: set output data rate and range.

    Example: `build_acc_config(100, 2, "bmi160") == bytes.fromhex("03032803")`.
    """
    chip = _chip(chip)
    matches = [i for i, hz in enumerate(ODR_HZ) if abs(hz - odr_hz) < 1e-3]
    if not matches:
        raise ValueError(f"{odr_hz} Hz is not a Bosch ODR; choose from {ODR_HZ}")
    code = matches[0] + 1
    if range_g not in RANGE_CODES[chip]:
        raise ValueError(f"±{range_g} g is not a {chip} range; choose 2, 4, 8 or 16")
    low, normal = _ODR_FLAGS[chip]
    odr_byte = (normal if code >= _NORMAL_ODR_CODE else low) | code
    return bytes([ACC_MODULE, REG_DATA_CONFIG, odr_byte, RANGE_CODES[chip][range_g]])


def parse_acc_config(b: bytes, chip: str = "bmi160") -> tuple[float, int]:
    """(odr_hz, range_g) from a `03 03 odr range` command (what a simulator receives)."""
    chip = _chip(chip)
    if len(b) != 4 or b[0] != ACC_MODULE or b[1] != REG_DATA_CONFIG:
        raise DecodeError(f"MetaWear acc config: expected 03 03 odr range, got {b.hex(' ')}")
    code = b[2] & 0x0F
    ranges = {v: k for k, v in RANGE_CODES[chip].items()}
    if not 1 <= code <= len(ODR_HZ) or b[3] not in ranges:
        raise DecodeError(f"MetaWear acc config: unknown ODR or range byte in {b.hex(' ')}")
    return ODR_HZ[code - 1], ranges[b[3]]


def build_acc_subscribe(packed: bool = False, chip: str = "bmi160", enable: bool = True) -> bytes:
    """`03 04 01` (one sample per notification) or `03 1C 01` / `03 05 01` (packed)."""
    reg = PACKED_REGISTER[_chip(chip)] if packed else REG_DATA
    return bytes([ACC_MODULE, reg, 1 if enable else 0])


def build_acc_enable_sampling() -> bytes:
    """`03 02 01 00`: enable the data interrupt."""
    return bytes([ACC_MODULE, REG_DATA_INTERRUPT_ENABLE, 1, 0])


def build_acc_disable_sampling() -> bytes:
    """`03 02 00 01`: disable the data interrupt."""
    return bytes([ACC_MODULE, REG_DATA_INTERRUPT_ENABLE, 0, 1])


def build_acc_start() -> bytes:
    """`03 01 01`: switch the accelerometer to active mode."""
    return bytes([ACC_MODULE, REG_POWER_MODE, 1])


def build_acc_stop() -> bytes:
    """`03 01 00`: back to standby."""
    return bytes([ACC_MODULE, REG_POWER_MODE, 0])


def build_module_info_read(module: int = ACC_MODULE) -> bytes:
    """`<module> 80`: ask which implementation (chip) a module has."""
    return bytes([module, REG_MODULE_INFO])


def build_connection_parameters(
    min_interval_ms: float, max_interval_ms: float, latency: int, timeout_ms: int
) -> bytes:
    """`11 09 …`: request connection parameters (units 1.25 ms, 1.25 ms, events, 10 ms)."""
    return bytes([0x11, 0x09]) + struct.pack(
        "<HHHH",
        round(min_interval_ms / 1.25),
        round(max_interval_ms / 1.25),
        latency,
        timeout_ms // 10,
    )


def parse_module_info(b: bytes) -> str | None:
    """The accelerometer chip from a `03 80 <impl> <rev>` reply, None for other messages."""
    if len(b) >= 3 and b[0] == ACC_MODULE and b[1] == REG_MODULE_INFO:
        return CHIP_BY_IMPLEMENTATION.get(b[2])
    return None


def is_acc_data(b: bytes) -> bool:
    """The notification carries accelerometer samples (single or packed, either chip)."""
    return len(b) >= 2 and b[0] == ACC_MODULE and b[1] in (REG_DATA, *PACKED_REGISTER.values())


def decode_acc(b: bytes, range_g: float) -> FloatArray:
    """Accelerometer samples of one notification.

    Args:
        b: `03 04 x y z` (6 data bytes) or `03 1C|05` + 3 × 6 bytes.
        range_g: the configured full-scale range, ±g.

    Returns:
        (n, 3) float64 acceleration in g (n = 1 or 3).

    Raises:
        DecodeError: not accelerometer data, or the wrong length for its register.
    """
    if not is_acc_data(b):
        raise DecodeError(f"MetaWear: {b[:2].hex(' ') or 'empty'} is not accelerometer data")
    want = SAMPLE_BYTES if b[1] == REG_DATA else 3 * SAMPLE_BYTES
    if len(b) - 2 != want:
        raise DecodeError(
            f"MetaWear acc register 0x{b[1]:02X}: {len(b) - 2} data bytes, expected {want}"
        )
    counts = np.frombuffer(b, "<i2", offset=2).reshape(-1, 3)
    return counts / lsb_per_g(range_g)


def encode_acc(samples_g: FloatArray, range_g: float, chip: str = "bmi160") -> bytes:
    """A notification carrying 1 sample (`03 04`) or 3 samples (packed register of `chip`)."""
    s = np.asarray(samples_g, dtype=np.float64).reshape(-1, 3)
    if s.shape[0] not in (1, 3):
        raise ValueError(f"MetaWear sends 1 or 3 samples per notification, not {s.shape[0]}")
    reg = REG_DATA if s.shape[0] == 1 else PACKED_REGISTER[_chip(chip)]
    counts = np.clip(np.rint(s * lsb_per_g(range_g)), -32768, 32767).astype("<i2")
    return bytes([ACC_MODULE, reg]) + counts.tobytes()
