"""Polar Measurement Data (PMD) settings: the setting types (`PmdSetting`), the bytes per
value of each, the orders a start request writes them in, and the TLV settings block
parsed and encoded.

Source: polarofficial/polar-ble-sdk @ 8fb5311c8f63 `PmdSetting.kt`,
`technical_documentation/online_measurement.pdf` (v1.0, 2024) fig. 3; summary in
`reference/protocols.md` §2.3. The control point that carries these blocks is
`pmd_control_point.py`.

    settings: [setting_type][count][count × value]    (little-endian; FACTOR float32)
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Mapping, Sequence

from osteomonitor.errors import DecodeError


class PmdSetting(enum.IntEnum):
    """Setting types of the TLV settings block (`PmdSetting.kt`)."""

    SAMPLE_RATE = 0
    RESOLUTION = 1
    RANGE = 2
    RANGE_MILLIUNIT = 3
    CHANNELS = 4
    FACTOR = 5
    SECURITY = 6


#: Bytes per value of each setting type (`PmdSetting.kt` mapTypeToFieldSize; FACTOR is float32).
SETTING_FIELD_SIZE: dict[PmdSetting, int] = {
    PmdSetting.SAMPLE_RATE: 2,
    PmdSetting.RESOLUTION: 2,
    PmdSetting.RANGE: 2,
    PmdSetting.RANGE_MILLIUNIT: 4,
    PmdSetting.CHANNELS: 1,
    PmdSetting.FACTOR: 4,
    PmdSetting.SECURITY: 16,
}

#: Order `build_start` writes settings in by default: the order of the H10 ACC start
#: request in online_measurement.pdf fig. 3 (range, sample rate, resolution).
PDF_SETTING_ORDER: tuple[PmdSetting, ...] = (
    PmdSetting.RANGE,
    PmdSetting.SAMPLE_RATE,
    PmdSetting.RESOLUTION,
    PmdSetting.RANGE_MILLIUNIT,
    PmdSetting.CHANNELS,
    PmdSetting.SECURITY,
)
#: The SDK's order (an EnumMap, i.e. ascending type), as in the Verity start of fig. 3.
SDK_SETTING_ORDER: tuple[PmdSetting, ...] = tuple(s for s in PmdSetting if s != PmdSetting.FACTOR)

SettingsValues = dict[str, list[int | float]]


def _name(member: enum.IntEnum) -> str:
    return member.name.lower()


def _setting(key: PmdSetting | str | int) -> PmdSetting:
    try:
        if isinstance(key, str):
            return PmdSetting[key.upper()]
        return PmdSetting(key)
    except (KeyError, ValueError):
        names = ", ".join(_name(s) for s in PmdSetting)
        raise ValueError(f"unknown PMD setting {key!r}; expected one of {names}") from None


def parse_settings(params: bytes) -> SettingsValues:
    """Parse a settings TLV block into {setting name: [values]}.

    FACTOR values are floats (float32 LE); everything else is an unsigned integer.

    Raises:
        DecodeError: unknown setting type, zero count, or a value running past the end.
    """
    out: SettingsValues = {}
    pos = 0
    n = len(params)
    while pos < n:
        if n - pos < 2:
            raise DecodeError(f"PMD settings: dangling byte at offset {pos} (need type and count)")
        code, count = params[pos], params[pos + 1]
        try:
            setting = PmdSetting(code)
        except ValueError:
            raise DecodeError(
                f"PMD settings: unknown setting type {code} at offset {pos}"
            ) from None
        size = SETTING_FIELD_SIZE[setting]
        end = pos + 2 + size * count
        if count == 0 or end > n:
            raise DecodeError(
                f"PMD settings: {_name(setting)} at offset {pos} announces {count} value(s) of "
                f"{size} B but {n - pos - 2} B remain"
            )
        values: list[int | float] = []
        for i in range(count):
            start = pos + 2 + i * size
            chunk = params[start : start + size]
            if setting == PmdSetting.FACTOR:
                values.append(struct.unpack("<f", chunk)[0])
            else:
                values.append(int.from_bytes(chunk, "little"))
        out.setdefault(_name(setting), []).extend(values)
        pos = end
    return out


def encode_settings(
    settings: Mapping[PmdSetting | str, Sequence[int | float] | int | float],
    order: Sequence[PmdSetting] | None = None,
) -> bytes:
    """Encode {setting: value or [values]} as a settings TLV block.

    Args:
        settings: keys are `PmdSetting` members or their lowercase names.
        order: write order; None keeps the mapping's order.
    """
    items = [(_setting(k), v) for k, v in settings.items()]
    if order is not None:
        rank = {s: i for i, s in enumerate(order)}
        items.sort(key=lambda kv: rank.get(kv[0], len(rank) + int(kv[0])))
    out = bytearray()
    for setting, value in items:
        values = list(value) if isinstance(value, Sequence) else [value]
        if not 1 <= len(values) <= 255:
            raise ValueError(f"PMD setting {_name(setting)}: {len(values)} values (1-255 allowed)")
        out += bytes([setting, len(values)])
        size = SETTING_FIELD_SIZE[setting]
        for v in values:
            if setting == PmdSetting.FACTOR:
                out += struct.pack("<f", float(v))
            else:
                if not isinstance(v, int) or not 0 <= v < 1 << (8 * size):
                    raise ValueError(f"PMD setting {_name(setting)}: {v!r} does not fit {size} B")
                out += v.to_bytes(size, "little")
    return bytes(out)
