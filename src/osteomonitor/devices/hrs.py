"""Bluetooth SIG Heart Rate Service (0x180D), Battery (0x180F) and Device Information (0x180A).

Pure codecs for the Heart Rate Measurement characteristic (0x2A37) and the small
read-only characteristics a strap offers beside it. Layout (all fields little-endian,
source: Bluetooth SIG `org.bluetooth.characteristic.heart_rate_measurement.xml`):

    flags:u8 | hr:u8 or u16 (flags bit 0) | energy:u16 kJ (bit 3) | rr:u16 × k (bit 4)

Sensor contact is the 2-bit field in flags bits 1-2: 0/1 = not supported,
2 = supported but not detected, 3 = supported and detected. RR intervals are kept as
sent, in 1/1024 s, oldest first. HRS carries no timestamp (polar-ble-sdk issue #676),
so beat times are back-dated from the host arrival time (`rr_times_ns`).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from osteomonitor.errors import DecodeError
from osteomonitor.model import HrSample


def sig_uuid(short: int) -> str:
    """The 128-bit lowercase form of a 16-bit Bluetooth SIG UUID (e.g. 0x180D)."""
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


HR_SERVICE_UUID = sig_uuid(0x180D)
HR_MEASUREMENT_UUID = sig_uuid(0x2A37)
BODY_SENSOR_LOCATION_UUID = sig_uuid(0x2A38)
HR_CONTROL_POINT_UUID = sig_uuid(0x2A39)
BATTERY_SERVICE_UUID = sig_uuid(0x180F)
BATTERY_LEVEL_UUID = sig_uuid(0x2A19)
DEVICE_INFO_SERVICE_UUID = sig_uuid(0x180A)
SYSTEM_ID_UUID = sig_uuid(0x2A23)
MODEL_NUMBER_UUID = sig_uuid(0x2A24)
SERIAL_NUMBER_UUID = sig_uuid(0x2A25)
FIRMWARE_REVISION_UUID = sig_uuid(0x2A26)
HARDWARE_REVISION_UUID = sig_uuid(0x2A27)
SOFTWARE_REVISION_UUID = sig_uuid(0x2A28)
MANUFACTURER_NAME_UUID = sig_uuid(0x2A29)

#: Device Information characteristics read as UTF-8 strings, by the name we store them under.
DIS_STRING_UUIDS: dict[str, str] = {
    "manufacturer": MANUFACTURER_NAME_UUID,
    "model": MODEL_NUMBER_UUID,
    "serial": SERIAL_NUMBER_UUID,
    "hardware": HARDWARE_REVISION_UUID,
    "firmware": FIRMWARE_REVISION_UUID,
    "software": SOFTWARE_REVISION_UUID,
}

#: Body Sensor Location values (0x2A38); 7-255 are reserved.
BODY_SENSOR_LOCATIONS: dict[int, str] = {
    0: "other",
    1: "chest",
    2: "wrist",
    3: "finger",
    4: "hand",
    5: "ear lobe",
    6: "foot",
}

#: Heart Rate Control Point value 0x01 = "Reset Energy Expended" (the only defined value).
HR_CP_RESET_ENERGY = b"\x01"

_FLAG_UINT16 = 0x01
_FLAG_CONTACT_DETECTED = 0x02
_FLAG_CONTACT_SUPPORTED = 0x04
_FLAG_ENERGY = 0x08
_FLAG_RR = 0x10

#: RR resolution: one unit is 1/1024 s.
RR_UNITS_PER_S = 1024
#: Largest number of RR values that fit a default-MTU (23) notification with uint8 HR:
#: (20 − 2) / 2 = 9 (ST's hrs.c also sends at most 9).
MAX_RR_PER_NOTIFICATION = 9


def decode_hr(payload: bytes, t_ns: int) -> HrSample:
    """Decode one Heart Rate Measurement notification.

    Args:
        payload: the bytes of the notification.
        t_ns: host arrival time, ns since the Unix epoch.

    Returns:
        The sample, RR intervals raw in 1/1024 s, oldest first.

    Raises:
        DecodeError: the payload is shorter than its flags promise, or the RR flag is
            set with no (or half a) RR value.
    """
    n = len(payload)
    if n < 2:
        raise DecodeError(f"HR measurement: {n} byte(s), need flags and a heart rate (≥ 2)")
    flags = payload[0]
    pos = 1
    if flags & _FLAG_UINT16:
        if n < 3:
            raise DecodeError(
                f"HR measurement: flags 0x{flags:02X} announce a uint16 heart rate "
                f"but the payload has {n} bytes"
            )
        hr = payload[1] | (payload[2] << 8)
        pos = 3
    else:
        hr = payload[1]
        pos = 2
    supported = bool(flags & _FLAG_CONTACT_SUPPORTED)
    contact = bool(flags & _FLAG_CONTACT_DETECTED) if supported else None
    energy: int | None = None
    if flags & _FLAG_ENERGY:
        if n < pos + 2:
            raise DecodeError(
                f"HR measurement: flags 0x{flags:02X} announce energy expended at byte {pos} "
                f"but the payload has {n} bytes"
            )
        energy = payload[pos] | (payload[pos + 1] << 8)
        pos += 2
    rr: tuple[int, ...] = ()
    if flags & _FLAG_RR:
        rest = n - pos
        if rest == 0 or rest % 2:
            raise DecodeError(
                f"HR measurement: flags 0x{flags:02X} announce RR intervals but {rest} byte(s) "
                "follow (need a non-zero even count)"
            )
        rr = struct.unpack_from(f"<{rest // 2}H", payload, pos)
    elif n != pos:
        raise DecodeError(
            f"HR measurement: {n - pos} unexpected trailing byte(s) after byte {pos} "
            f"(flags 0x{flags:02X} announce no RR intervals)"
        )
    return HrSample(
        t_ns=t_ns,
        hr_bpm=hr,
        rr_1024=rr,
        contact_supported=supported,
        contact=contact,
        energy_kj=energy,
    )


def encode_hr(
    hr_bpm: int,
    rr_1024: Sequence[int] = (),
    contact: bool | None = None,
    energy_kj: int | None = None,
    uint16: bool = False,
) -> bytes:
    """Build a Heart Rate Measurement notification as a strap would send it.

    Args:
        hr_bpm: heart rate, bpm (0-255, or 0-65535 with `uint16`; > 255 forces uint16).
        rr_1024: RR intervals in 1/1024 s, oldest first (each 0-65535).
        contact: skin contact detected; None = the strap does not support contact.
        energy_kj: cumulative energy, kJ (0-65535), or None to leave it out.
        uint16: send the heart rate as uint16 even when it fits a byte.

    Raises:
        ValueError: a value does not fit its field (a programming error, not bad input).
    """
    if not 0 <= hr_bpm <= 0xFFFF:
        raise ValueError(f"hr_bpm {hr_bpm} does not fit uint16")
    wide = uint16 or hr_bpm > 0xFF
    flags = _FLAG_UINT16 if wide else 0
    if contact is not None:
        flags |= _FLAG_CONTACT_SUPPORTED | (_FLAG_CONTACT_DETECTED if contact else 0)
    out = bytearray([0])
    out += struct.pack("<H", hr_bpm) if wide else bytes([hr_bpm])
    if energy_kj is not None:
        if not 0 <= energy_kj <= 0xFFFF:
            raise ValueError(f"energy_kj {energy_kj} does not fit uint16")
        flags |= _FLAG_ENERGY
        out += struct.pack("<H", energy_kj)
    if rr_1024:
        if any(not 0 <= r <= 0xFFFF for r in rr_1024):
            raise ValueError(f"RR values {list(rr_1024)} must each fit uint16 (1/1024 s)")
        flags |= _FLAG_RR
        out += struct.pack(f"<{len(rr_1024)}H", *rr_1024)
    out[0] = flags
    return bytes(out)


def rr_times_ns(sample: HrSample) -> list[int]:
    """Host times of the beats that end each RR interval of a notification.

    HRS has no timestamp, so the newest beat is placed at the arrival time and each
    earlier beat is back-dated by the RR intervals that follow it (as bleakheart does).
    The arrival time (`sample.t_ns`) stays in the sample; this only derives beat times.

    Returns:
        One time per RR value, oldest first, ns since the Unix epoch.
    """
    times: list[int] = []
    t = sample.t_ns
    for rr in reversed(sample.rr_1024):
        times.append(t)
        t -= rr * 1_000_000_000 // RR_UNITS_PER_S
    times.reverse()
    return times


def rr_ms(rr_1024: int) -> float:
    """One RR interval in ms (exact; round only for display)."""
    return rr_1024 * 1000.0 / RR_UNITS_PER_S


def decode_body_sensor_location(payload: bytes) -> str:
    """Decode Body Sensor Location (0x2A38) to a name ("chest", "wrist", …, or "reserved-N")."""
    if len(payload) != 1:
        raise DecodeError(f"body sensor location: expected 1 byte, got {len(payload)}")
    return BODY_SENSOR_LOCATIONS.get(payload[0], f"reserved-{payload[0]}")


def decode_battery_level(payload: bytes) -> int:
    """Decode Battery Level (0x2A19), percent 0-100."""
    if len(payload) != 1:
        raise DecodeError(f"battery level: expected 1 byte, got {len(payload)}")
    if payload[0] > 100:
        raise DecodeError(f"battery level: {payload[0]} % is above 100 %")
    return payload[0]


def decode_dis_string(payload: bytes) -> str:
    """Decode a Device Information string characteristic (UTF-8, trailing NULs dropped)."""
    try:
        return payload.rstrip(b"\x00").decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise DecodeError(f"device information string is not UTF-8: {exc.reason}") from None
