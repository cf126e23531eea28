"""Polar Measurement Data (PMD) control point: requests, responses, settings, features.

Sources (polarofficial/polar-ble-sdk @ 8fb5311c8f63): `PmdControlPointCommand.kt`,
`PmdControlPointResponse.kt`, `PmdMeasurementType.kt`, `PmdSetting.kt`,
`technical_documentation/online_measurement.pdf` (v1.0, 2024). Summary in
`reference/protocols.md` §2.3.

    request:  [op][type_byte = (offline << 7) | measurement_type][settings…]
    response: F0 [op][type][status][more][params…]   (indication on the CP)
    stopped:  01 [type][type]…                       (device-initiated)
    features: 0F [16-bit bitmap, bit k = measurement type k][…]   (read of the CP)
    settings: [setting_type][count][count × value]    (little-endian)

The settings block itself (`PmdSetting`, `parse_settings`, `encode_settings`) is in
`pmd_settings.py`; its names are re-exported here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from osteomonitor.devices.pmd_settings import (
    PDF_SETTING_ORDER,
    SDK_SETTING_ORDER,
    SETTING_FIELD_SIZE,
    PmdSetting,
    SettingsValues,
    encode_settings,
    parse_settings,
)
from osteomonitor.errors import DecodeError

__all__ = [
    "CP_FEATURES_CODE",
    "CP_RESPONSE_CODE",
    "CP_RESPONSE_HEADER",
    "CP_STOPPED_CODE",
    "PDF_SETTING_ORDER",
    "PMD_CP_UUID",
    "PMD_DATA_UUID",
    "PMD_SERVICE_UUID",
    "PSFTP_SERVICE_UUID",
    "SDK_SETTING_ORDER",
    "SETTING_FIELD_SIZE",
    "CpRequest",
    "CpResponse",
    "MeasurementStopped",
    "PmdMeasurementType",
    "PmdOp",
    "PmdSetting",
    "PmdStatus",
    "SettingsValues",
    "build_get_settings",
    "build_start",
    "build_stop",
    "encode_cp_response",
    "encode_features",
    "encode_settings",
    "encode_stopped",
    "merge_cp_responses",
    "parse_cp_message",
    "parse_cp_request",
    "parse_cp_response",
    "parse_features",
    "parse_settings",
    "type_name",
]

PMD_SERVICE_UUID = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CP_UUID = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA_UUID = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"
#: Polar's PS-FTP service (needed only to set the device clock; not used here).
PSFTP_SERVICE_UUID = "0000feee-0000-1000-8000-00805f9b34fb"

#: First byte of every control-point response indication.
CP_RESPONSE_CODE = 0xF0
#: First byte of a control-point read (the feature bitmap).
CP_FEATURES_CODE = 0x0F
#: First byte of the device-initiated "online measurement stopped" message.
CP_STOPPED_CODE = 0x01
#: Length of a response header: F0 op type status more.
CP_RESPONSE_HEADER = 5


class PmdMeasurementType(enum.IntEnum):
    """PMD measurement types (`PmdMeasurementType.kt`); in data frames `byte0 & 0x3F`."""

    ECG = 0
    PPG = 1
    ACC = 2
    PPI = 3
    GYRO = 5
    MAG = 6
    SKIN_TEMP = 7
    SDK_MODE = 9
    LOCATION = 10
    PRESSURE = 11
    TEMPERATURE = 12
    OFFLINE_RECORDING = 13
    OFFLINE_HR = 14


class PmdOp(enum.IntEnum):
    """Control-point op codes."""

    GET_MEASUREMENT_SETTINGS = 1
    REQUEST_MEASUREMENT_START = 2
    STOP_MEASUREMENT = 3
    GET_SDK_MODE_MEASUREMENT_SETTINGS = 4
    GET_MEASUREMENT_STATUS = 5
    GET_SDK_MODE_STATUS = 6
    GET_OFFLINE_RECORDING_TRIGGER_STATUS = 7
    SET_OFFLINE_RECORDING_TRIGGER_MODE = 8
    SET_OFFLINE_RECORDING_TRIGGER_SETTINGS = 9


class PmdStatus(enum.IntEnum):
    """Control-point response status codes (0 = success)."""

    SUCCESS = 0
    INVALID_OP_CODE = 1
    INVALID_MEASUREMENT_TYPE = 2
    NOT_SUPPORTED = 3
    INVALID_LENGTH = 4
    INVALID_PARAMETER = 5
    ALREADY_IN_STATE = 6
    INVALID_RESOLUTION = 7
    INVALID_SAMPLE_RATE = 8
    INVALID_RANGE = 9
    INVALID_MTU = 10
    INVALID_NUMBER_OF_CHANNELS = 11
    INVALID_STATE = 12
    DEVICE_IN_CHARGER = 13
    DISK_FULL = 14


def _type_name(mtype: int) -> str:
    try:
        return PmdMeasurementType(mtype).name
    except ValueError:
        return f"type {mtype}"


def _type_byte(mtype: int, offline: bool) -> int:
    if not 0 <= mtype <= 0x3F:
        raise ValueError(f"PMD measurement type {mtype} out of range 0-63")
    return (0x80 if offline else 0) | mtype


def build_get_settings(mtype: int, offline: bool = False) -> bytes:
    """`01 <type>`: ask which settings a measurement supports."""
    return bytes([PmdOp.GET_MEASUREMENT_SETTINGS, _type_byte(mtype, offline)])


def build_start(
    mtype: int,
    settings: Mapping[PmdSetting | str, int],
    offline: bool = False,
    order: Sequence[PmdSetting] = PDF_SETTING_ORDER,
) -> bytes:
    """`02 <type> <settings>`: start a measurement with one value per setting.

    Example: `build_start(ACC, {"sample_rate": 200, "resolution": 16, "range": 8})`
    gives `02 02 02 01 08 00 00 01 C8 00 01 01 10 00` (pdf fig. 3). Pass
    `order=SDK_SETTING_ORDER` for the SDK's ascending order (the device accepts both).
    """
    return bytes([PmdOp.REQUEST_MEASUREMENT_START, _type_byte(mtype, offline)]) + encode_settings(
        settings, order
    )


def build_stop(mtype: int, offline: bool = False) -> bytes:
    """`03 <type>`: stop a measurement."""
    return bytes([PmdOp.STOP_MEASUREMENT, _type_byte(mtype, offline)])


@dataclass(frozen=True, slots=True)
class CpRequest:
    """A control-point write as the device sees it (what the simulator parses).

    Attributes:
        op: `PmdOp` (or the raw code when unknown).
        mtype: measurement type (`PmdMeasurementType` or raw code).
        offline: recording type bit (bit 7 of the type byte).
        settings: parsed settings TLVs (empty unless the op carries some).
    """

    op: int
    mtype: int
    offline: bool
    settings: SettingsValues


def parse_cp_request(b: bytes) -> CpRequest:
    """Parse a control-point write `[op][type_byte][settings…]`.

    Raises:
        DecodeError: shorter than 2 bytes, or malformed settings.
    """
    if len(b) < 2:
        raise DecodeError(f"PMD request: {len(b)} byte(s), need op and type")
    op = _known(PmdOp, b[0])
    mtype = _known(PmdMeasurementType, b[1] & 0x7F)
    return CpRequest(op=op, mtype=mtype, offline=bool(b[1] & 0x80), settings=parse_settings(b[2:]))


def _known(enum_cls: type[enum.IntEnum], value: int) -> int:
    try:
        return enum_cls(value)
    except ValueError:
        return value


@dataclass(frozen=True, slots=True)
class CpResponse:
    """A control-point response indication `F0 op type status more params`.

    Attributes:
        op: echoed op code (`PmdOp` when known).
        mtype: measurement type (`PmdMeasurementType` when known).
        status: `PmdStatus` when known, else the raw code.
        more: non-zero when further indications continue the params.
        params: the bytes after the 5-byte header.
    """

    op: int
    mtype: int
    status: int
    more: int
    params: bytes

    @property
    def ok(self) -> bool:
        """The device accepted the request (status SUCCESS)."""
        return self.status == PmdStatus.SUCCESS

    @property
    def status_name(self) -> str:
        """Status as a readable name ("INVALID_RESOLUTION"), or "STATUS_<n>" when unknown."""
        return self.status.name if isinstance(self.status, PmdStatus) else f"STATUS_{self.status}"

    def settings(self) -> SettingsValues:
        """The params parsed as settings (GET settings / start responses).

        A start response may carry one reserved byte instead of a settings block
        (pdf fig. 3 `F0 02 02 00 00 01`); it is skipped when the params do not parse.
        """
        try:
            return parse_settings(self.params)
        except DecodeError:
            if self.op != PmdOp.REQUEST_MEASUREMENT_START or not self.params:
                raise
            return parse_settings(self.params[1:])


@dataclass(frozen=True, slots=True)
class MeasurementStopped:
    """Device-initiated `01 <types>`: online measurements the device has closed."""

    types: tuple[int, ...]


def parse_cp_response(b: bytes) -> CpResponse:
    """Parse a control-point response indication.

    Raises:
        DecodeError: not starting with F0 or shorter than its 5-byte header (a bare
            `F0 op type status` is accepted with more = 0).
    """
    if len(b) < 4 or b[0] != CP_RESPONSE_CODE:
        raise DecodeError(
            f"PMD response: expected F0 op type status [more], got {b[:8].hex(' ') or 'nothing'}"
        )
    return CpResponse(
        op=_known(PmdOp, b[1]),
        mtype=_known(PmdMeasurementType, b[2] & 0x7F),
        status=_known(PmdStatus, b[3]),
        more=b[4] if len(b) > 4 else 0,
        params=bytes(b[5:]),
    )


def parse_cp_message(b: bytes) -> CpResponse | MeasurementStopped:
    """Parse anything the control point indicates: a response or a "stopped" message."""
    if b[:1] == bytes([CP_STOPPED_CODE]):
        if len(b) < 2:
            raise DecodeError("PMD 'measurement stopped' message lists no measurement type")
        return MeasurementStopped(tuple(_known(PmdMeasurementType, t & 0x3F) for t in b[1:]))
    return parse_cp_response(b)


def encode_cp_response(
    op: int, mtype: int, status: int, params: bytes = b"", more: int = 0
) -> bytes:
    """Build a response indication `F0 op type status more params` (for simulated devices)."""
    for what, v in (("op", op), ("type", mtype), ("status", status), ("more", more)):
        if not 0 <= v <= 0xFF:
            raise ValueError(f"PMD response {what} {v} does not fit a byte")
    return bytes([CP_RESPONSE_CODE, op, mtype, status, more]) + bytes(params)


def encode_stopped(types: Iterable[int]) -> bytes:
    """Build the device-initiated `01 <types>` message."""
    return bytes([CP_STOPPED_CODE, *types])


def merge_cp_responses(parts: Sequence[CpResponse]) -> CpResponse:
    """Join a response split over several indications (`more` ≠ 0) into one.

    The SDK concatenates the params of each part after its 5-byte header.
    """
    if not parts:
        raise DecodeError("PMD response: no parts to merge")
    first = parts[0]
    return CpResponse(first.op, first.mtype, first.status, 0, b"".join(p.params for p in parts))


def parse_features(b: bytes) -> frozenset[int]:
    """Measurement types a device offers, from a read of the control point.

    Byte 0 is 0x0F; bytes 1-2 are a little-endian bitmap where bit k = type k
    (`PmdMeasurementType.fromByteArray`). Unknown bits come back as plain ints.
    """
    if len(b) < 2 or b[0] != CP_FEATURES_CODE:
        raise DecodeError(
            f"PMD features: expected 0F and a bitmap, got {b[:4].hex(' ') or 'nothing'}"
        )
    bits = b[1] | ((b[2] << 8) if len(b) > 2 else 0)
    return frozenset(_known(PmdMeasurementType, k) for k in range(16) if bits >> k & 1)


def encode_features(types: Iterable[int], length: int = 17) -> bytes:
    """The control-point read value announcing `types` (17 bytes like the H10's)."""
    bits = 0
    for t in types:
        if not 0 <= t < 16:
            raise ValueError(f"PMD feature bitmap holds types 0-15, not {t}")
        bits |= 1 << t
    out = bytes([CP_FEATURES_CODE, bits & 0xFF, bits >> 8])
    return out + bytes(max(0, length - len(out)))


def type_name(mtype: int) -> str:
    """Readable name of a measurement type ("ACC", or "type 4" when unknown)."""
    return _type_name(mtype)
