"""Movesense GATT SensorData Protocol (GSP): subscribe to resources, decode their data.

Sources: movesense.com/docs/esw/gatt_sensordata_protocol; device-lib
`samples/gatt_sensordata_app/GATTSensorDataClient.cpp`; `meas/acc.yaml`, `meas/hr.yaml`.

    command:  [cmd][client_ref ≠ 0][data]       HELLO 0, SUBSCRIBE 1 (ASCII path), UNSUBSCRIBE 2
    response: [type][ref][payload]              COMMAND_RESULT 1, DATA 2, DATA_PART2 3

A payload longer than 150 bytes is split: the first 150 bytes in DATA, the rest in
DATA_PART2 (`[3][ref][rest]`), joined by the client. `/Meas/Acc/<rate>` payloads are
`uint32 timestamp (ms since reset, of the FIRST sample)` + n × (x, y, z float32 m/s²);
`/Meas/HR` is `float32 average bpm` + uint16 RR in ms (field order from the yaml, not
verified on a device). No captured notification with known values exists: the data
vectors are constructed from this layout.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.errors import DecodeError

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

GSP_SERVICE_UUID = "34802252-7185-4d5d-b431-630e7050e8f0"
GSP_COMMAND_UUID = "34800001-7185-4d5d-b431-630e7050e8f0"
GSP_DATA_UUID = "34800002-7185-4d5d-b431-630e7050e8f0"
#: Payload bytes carried by a DATA packet before the rest goes to DATA_PART2.
PART_BYTES = 150
#: Standard gravity, m/s² per g.
STANDARD_GRAVITY = 9.80665
#: Accelerometer rates the firmware accepts in /Meas/Acc/<rate> (LSM6DS3 table).
ACC_RATES_HZ = (13, 26, 52, 104, 208, 416, 833, 1666)
_ACC_SAMPLE = 12


class GspCommand(enum.IntEnum):
    """Client → sensor command codes."""

    HELLO = 0
    SUBSCRIBE = 1
    UNSUBSCRIBE = 2
    FETCH_LOG = 3


class GspResponse(enum.IntEnum):
    """Sensor → client response codes."""

    COMMAND_RESULT = 1
    DATA = 2
    DATA_PART2 = 3
    DATA_PART3 = 4


@dataclass(frozen=True, slots=True)
class GspMessage:
    """One GSP notification: response type, client reference and payload."""

    kind: GspResponse
    ref: int
    body: bytes


def _ref(ref: int) -> int:
    if not 1 <= ref <= 255:
        raise ValueError(f"GSP client reference {ref} must be 1-255")
    return ref


def build_hello(ref: int) -> bytes:
    """`00 <ref>`: the sensor answers `01 <ref> "Hello"`."""
    return bytes([GspCommand.HELLO, _ref(ref)])


def build_subscribe(ref: int, path: str) -> bytes:
    """`01 <ref> <ASCII path>`, e.g. `build_subscribe(99, "/Meas/Acc/13")`."""
    try:
        return bytes([GspCommand.SUBSCRIBE, _ref(ref)]) + path.encode("ascii")
    except UnicodeEncodeError:
        raise ValueError(f"GSP resource path {path!r} must be ASCII") from None


def build_unsubscribe(ref: int) -> bytes:
    """`02 <ref>`: end the subscription made with that reference."""
    return bytes([GspCommand.UNSUBSCRIBE, _ref(ref)])


def acc_path(rate_hz: float, template: str = "/Meas/Acc/{rate}") -> str:
    """The accelerometer resource for a rate ("/Meas/Acc/104")."""
    rate = int(rate_hz)
    if rate not in ACC_RATES_HZ:
        raise ValueError(f"Movesense has no {rate_hz} Hz accelerometer rate; choose {ACC_RATES_HZ}")
    return template.format(rate=rate)


def parse_command(b: bytes) -> tuple[GspCommand, int, bytes]:
    """(command, ref, data) of a client command (what a simulated sensor receives)."""
    if len(b) < 2:
        raise DecodeError(f"GSP command: {len(b)} byte(s), need command and reference")
    try:
        cmd = GspCommand(b[0])
    except ValueError:
        raise DecodeError(f"GSP command: unknown command code {b[0]}") from None
    return cmd, b[1], bytes(b[2:])


def parse_message(b: bytes) -> GspMessage:
    """Split a GSP notification into type, reference and payload."""
    if len(b) < 2:
        raise DecodeError(f"GSP notification: {len(b)} byte(s), need type and reference")
    try:
        kind = GspResponse(b[0])
    except ValueError:
        raise DecodeError(f"GSP notification: unknown response type {b[0]}") from None
    return GspMessage(kind, b[1], bytes(b[2:]))


def result_code(body: bytes) -> int:
    """HTTP-style status of a COMMAND_RESULT (big-endian as the firmware writes it: 01 FB = 507)."""
    if len(body) != 2:
        raise DecodeError(f"GSP command result: {len(body)} bytes, expected a 2-byte status")
    return int.from_bytes(body, "big")


def split_parts(kind: int, ref: int, payload: bytes) -> list[bytes]:
    """The notifications that carry `payload`: DATA (≤ 150 B) then DATA_PART2 if needed."""
    head = bytes([kind, _ref(ref)]) + payload[:PART_BYTES]
    if len(payload) <= PART_BYTES:
        return [head]
    return [head, bytes([GspResponse.DATA_PART2, ref]) + payload[PART_BYTES:]]


def decode_acc(body: bytes) -> tuple[int, FloatArray]:
    """(timestamp_ms of the first sample, (n, 3) float64 m/s²) of a /Meas/Acc payload."""
    n = len(body)
    if n < 4 + _ACC_SAMPLE or (n - 4) % _ACC_SAMPLE:
        raise DecodeError(
            f"Movesense acc payload: {n} bytes is not a 4-byte timestamp plus whole 12-byte samples"
        )
    ts = struct.unpack_from("<I", body)[0]
    with np.errstate(invalid="ignore", over="ignore"):
        samples = np.frombuffer(body, "<f4", offset=4).reshape(-1, 3).astype(np.float64)
    if not np.isfinite(samples).all():
        raise DecodeError("Movesense acc payload: non-finite acceleration value")
    return ts, samples


def encode_acc(timestamp_ms: int, samples_m_s2: FloatArray) -> bytes:
    """A /Meas/Acc payload (join with `split_parts(GspResponse.DATA, ref, …)`)."""
    s = np.asarray(samples_m_s2, dtype="<f4").reshape(-1, 3)
    return struct.pack("<I", timestamp_ms & 0xFFFFFFFF) + s.tobytes()


def decode_hr(body: bytes) -> tuple[float, list[int]]:
    """(average_bpm, rr_ms) of a /Meas/HR payload."""
    n = len(body)
    if n < 4 or (n - 4) % 2:
        raise DecodeError(
            f"Movesense HR payload: {n} bytes is not float32 + whole uint16 RR values"
        )
    avg = struct.unpack_from("<f", body)[0]
    if not np.isfinite(avg) or not 0 <= avg < 1000:
        raise DecodeError(f"Movesense HR payload: average {avg!r} bpm is not a heart rate")
    rr = list(struct.unpack_from(f"<{(n - 4) // 2}H", body, 4))
    return avg, rr


def encode_hr(average_bpm: float, rr_ms: list[int] | tuple[int, ...] = ()) -> bytes:
    """A /Meas/HR payload."""
    return struct.pack(f"<f{len(rr_ms)}H", average_bpm, *rr_ms)


def rr_ms_to_1024(rr_ms: int) -> int:
    """An RR interval in ms as 1/1024 s units (rounded; the unit conversion HrSample needs)."""
    return round(rr_ms * 1.024)
