"""A firmware profile as data: the `Profile` tree (recognition, GATT streams, accelerometer
offers) and the vocabularies a profile file may use (protocols, placements, access, what
a stream carries, units).

Split from `profiles.py`, which parses the `firmware_profiles/*.toml` files strictly into
these classes, loads and matches them, and re-exports every public name here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from osteomonitor.errors import UsageError

#: Protocol decoders the devices layer has, by the name profiles use.
PROTOCOLS = ("hrs", "polar_pmd", "movesense_gsp", "metawear", "thingy52", "osteomonitor_imu")
#: Where a sensor can sit; g values are "<placement>-equivalent".
PLACEMENTS = ("chest", "hip", "lower-back", "upper-arm", "wrist", "thigh", "ankle")
#: GATT operations a stream can use.
ACCESS = ("notify", "indicate", "read", "write")
#: What a stream's bytes carry (the decoder dispatches on it).
CARRIES = (
    "hr",
    "acc",
    "hr+acc",
    "control",
    "command",
    "config",
    "battery",
    "body_location",
    "manufacturer",
    "model",
    "serial",
    "hardware",
    "firmware",
    "software",
)
ACC_UNITS = ("mG", "g", "m/s^2")

_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SIG_BASE = "-0000-1000-8000-00805f9b34fb"


def normalize_uuid(value: str) -> str:
    """A UUID as 128-bit lowercase text; 16/32-bit SIG short forms ("180D", "0x180d") expand.

    Raises:
        ValueError: not a UUID.
    """
    v = value.strip().lower()
    if v.startswith("0x"):
        v = v[2:]
    if re.fullmatch(r"[0-9a-f]{4}", v):
        v = "0000" + v
    if re.fullmatch(r"[0-9a-f]{8}", v):
        return v + _SIG_BASE
    if not _UUID_RE.fullmatch(v):
        raise ValueError(f"{value!r} is not a UUID")
    return v


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """One GATT characteristic a profile uses.

    Attributes:
        name: the stream name packets carry (`Packet.stream`).
        uuid: characteristic UUID, 128-bit lowercase.
        service: UUID of the service holding it.
        access: GATT operations used ("notify", "indicate", "read", "write").
        carries: what the bytes hold (one of `CARRIES`).
        optional: a device of this family may lack it.
        description: one line for people.
    """

    name: str
    uuid: str
    service: str
    access: tuple[str, ...]
    carries: str
    optional: bool = False
    description: str = ""

    @property
    def subscribed(self) -> bool:
        """The collector enables notifications or indications on it."""
        return "notify" in self.access or "indicate" in self.access


@dataclass(frozen=True, slots=True)
class Recognition:
    """How a scan result is recognised as this family.

    Attributes:
        advertised_services: any of these UUIDs in the advertisement matches.
        name_patterns: any of these regular expressions found in the advertised name matches.
        priority: tie-break between profiles that match equally well (higher wins).
    """

    advertised_services: tuple[str, ...] = ()
    name_patterns: tuple[str, ...] = ()
    priority: int = 0


@dataclass(frozen=True, slots=True)
class Profile:
    """A device family (one TOML file).

    Attributes:
        key: file stem and stable id ("polar-h10").
        display_name: for people ("Polar H10").
        protocol: the decoder that serves it (one of `PROTOCOLS`).
        vendor / description / models / sources: documentation.
        sensor_placement: default placement (chest for straps, hip for IMUs).
        recognition: advertised services and name patterns.
        streams: stream name → spec.
        rates_hz / ranges_g: accelerometer rates (Hz) and full-scale ranges (±g) offered.
        default_rate_hz / default_range_g: what the collector asks for by default.
        acc_unit: unit of the accelerometer integers or floats on the wire.
        resolution_bits: accelerometer word size on the wire, bits.
        options: protocol-specific settings (validated per protocol).
        path: where the profile was read from.
    """

    key: str
    display_name: str
    protocol: str
    sensor_placement: str
    recognition: Recognition
    streams: Mapping[str, StreamSpec]
    vendor: str = ""
    description: str = ""
    models: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    rates_hz: tuple[float, ...] = ()
    ranges_g: tuple[float, ...] = ()
    default_rate_hz: float | None = None
    default_range_g: float | None = None
    acc_unit: str | None = None
    resolution_bits: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    path: str = ""

    @property
    def advertised_services(self) -> tuple[str, ...]:
        """Shortcut to `recognition.advertised_services`."""
        return self.recognition.advertised_services

    @property
    def name_patterns(self) -> tuple[str, ...]:
        """Shortcut to `recognition.name_patterns`."""
        return self.recognition.name_patterns

    @property
    def has_acc(self) -> bool:
        """Some stream carries accelerometer data."""
        return any("acc" in s.carries for s in self.streams.values())

    @property
    def has_hr(self) -> bool:
        """Some stream carries heart rate."""
        return any(s.carries in ("hr", "hr+acc") for s in self.streams.values())

    def check_acc_request(self, rate_hz: float | None, range_g: float | None) -> None:
        """Refuse an accelerometer rate or range this family does not offer.

        Called before connecting, so a wrong `--rate`/`--range` never becomes a session
        recorded without its accelerometer. Families without an accelerometer ignore
        both (one `--rate` may serve an IMU and a heart-rate strap together).

        Raises:
            UsageError: naming the value and listing those offered.
        """
        if not self.rates_hz and not self.ranges_g:
            return
        for what, value, offered, unit, flag in (
            ("rate", rate_hz, self.rates_hz, "Hz", "--rate"),
            ("range", range_g, self.ranges_g, "g", "--range"),
        ):
            if value is None or any(abs(float(value) - o) < 1e-6 for o in offered):
                continue
            listed = ", ".join(f"{o:g}" for o in offered)
            shown = f"±{float(value):g}" if what == "range" else f"{float(value):g}"
            raise UsageError(
                f"{flag} {float(value):g}: {self.display_name} does not offer an accelerometer "
                f"{what} of {shown} {unit}; it offers {listed} {unit}"
            )

    def stream_for_uuid(self, uuid: str) -> StreamSpec | None:
        """The stream of a characteristic UUID (any UUID spelling), or None."""
        u = normalize_uuid(uuid)
        return next((s for s in self.streams.values() if s.uuid == u), None)
