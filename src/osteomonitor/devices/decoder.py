"""`DeviceDecoder`: the one entry point that turns any device's packets into samples.

`session.py` (live, replay and batch alike) keeps one DeviceDecoder per device and
feeds it every `Packet` in arrival order. Generic streams (HR measurement, battery,
body location, Device Information) are handled here for every profile; everything
else goes to the profile's protocol decoder (`stream_decoders`, `imu_decoders`).
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from osteomonitor.devices import hrs
from osteomonitor.devices.plausibility import SetAside, check_acc, check_block_time
from osteomonitor.devices.stream_decoders import DecoderConfig, ProtocolDecoder, Sample
from osteomonitor.errors import DecodeError
from osteomonitor.model import AccBlock, Packet

if TYPE_CHECKING:
    from osteomonitor.devices.clock import ClockMapper, Gap
    from osteomonitor.devices.profiles import Profile

#: Protocol name (as in profiles) → the module and class of its stateful decoder. A
#: protocol's module is imported when a device speaking it is decoded: a Polar file
#: never loads the IMU decoders and their wire formats (`protocol_decoder`).
PROTOCOL_DECODERS: dict[str, tuple[str, str]] = {
    "hrs": ("stream_decoders", "HrsDecoder"),
    "polar_pmd": ("stream_decoders", "PmdDecoder"),
    "movesense_gsp": ("imu_decoders", "MovesenseDecoder"),
    "metawear": ("imu_decoders", "MetaWearDecoder"),
    "thingy52": ("imu_decoders", "ThingyDecoder"),
    "osteomonitor_imu": ("imu_decoders", "OsteoImuDecoder"),
}
_INFO_FIELDS = frozenset(hrs.DIS_STRING_UUIDS)


def protocol_decoder(protocol: str) -> type[ProtocolDecoder]:
    """The stateful decoder class of a profile's protocol (its module imported now).

    Raises:
        KeyError: no such protocol (profiles are validated against `PROTOCOLS`).
    """
    module, name = PROTOCOL_DECODERS[protocol]
    cls = getattr(importlib.import_module(f"osteomonitor.devices.{module}"), name)
    assert isinstance(cls, type) and issubclass(cls, ProtocolDecoder)
    return cls


def _number(settings: Mapping[str, Any], key: str, default: float | None) -> float | None:
    value = settings.get(key, default)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise DecodeError(f"device setting {key}={value!r} is not a number") from None


class DeviceDecoder:
    """Decode every packet of one device.

    Args:
        profile: the device's firmware profile.
        settings: what the collector chose: `sample_rate` (Hz) and `range_g` (±g),
            plus protocol extras (`chip` for MetaWear). Missing values fall back to
            the profile defaults.

    Attributes:
        battery_pct / body_location / info: last values read from the generic streams.
        set_aside: frames set aside by the plausibility gates, per (stream, reason).
    """

    def __init__(self, profile: Profile, settings: Mapping[str, Any] | None = None) -> None:
        self.profile = profile
        self.settings: dict[str, Any] = dict(settings or {})
        self.config = DecoderConfig(
            profile=profile,
            rate_hz=_number(self.settings, "sample_rate", profile.default_rate_hz),
            range_g=_number(self.settings, "range_g", profile.default_range_g),
            settings=self.settings,
        )
        self.protocol: ProtocolDecoder = protocol_decoder(profile.protocol)(self.config)
        self.battery_pct: int | None = None
        self.body_location: str | None = None
        self.info: dict[str, str] = {}
        self.set_aside: Counter[tuple[str, str]] = Counter()

    @property
    def clock(self) -> ClockMapper | None:
        """The device→host clock mapping (None for devices without timed streams)."""
        return self.protocol.clock

    @property
    def gaps(self) -> list[Gap]:
        """Lost frames detected so far."""
        return self.protocol.gaps

    def reset(self) -> None:
        """Call after a reconnect: per-stream state restarts, the clock fit is kept."""
        self.protocol.reset()

    def feed(self, packet: Packet) -> list[Sample]:
        """Decode one packet into HrSample / AccBlock values (control streams give []).

        Decoded frames pass the plausibility gates (`plausibility`); one that fails is
        counted in `set_aside` and none of its samples are returned.

        Raises:
            SetAside: the frame decoded but cannot be true (counted here; the caller
                skips it like a lost frame).
            DecodeError: malformed bytes or a stream the profile does not have; the
                caller counts and skips it, and the decoder stays usable.
        """
        try:
            samples = self._decode(packet)
            for s in samples:
                if isinstance(s, AccBlock):
                    check_acc(s)
                    check_block_time(s, packet.t_ns)
        except SetAside as exc:
            self.set_aside[(packet.stream, exc.reason)] += 1
            raise
        return samples

    def _decode(self, packet: Packet) -> list[Sample]:
        spec = self.profile.streams.get(packet.stream)
        if spec is None:
            raise DecodeError(
                f"{self.profile.key}: no stream named {packet.stream!r} "
                f"(profile streams: {', '.join(self.profile.streams)})"
            )
        carries = spec.carries
        if carries == "hr":
            return [hrs.decode_hr(packet.payload, packet.t_ns)]
        if carries == "battery":
            self.battery_pct = hrs.decode_battery_level(packet.payload)
            return []
        if carries == "body_location":
            self.body_location = hrs.decode_body_sensor_location(packet.payload)
            return []
        if carries in _INFO_FIELDS:
            self.info[carries] = hrs.decode_dis_string(packet.payload)
            return []
        return self.protocol.feed(packet, spec)
