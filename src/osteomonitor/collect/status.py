"""Snapshots of a collection session for people: the status line and the dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from osteomonitor import timefmt
from osteomonitor.model import DeviceInfo
from osteomonitor.session import DeviceCount

if TYPE_CHECKING:  # the link imports bleak; a status is plain data
    from osteomonitor.collect.link import DeviceLink


@dataclass(frozen=True)
class DeviceStatus:
    """One device at one moment.

    Attributes:
        key / name / address / profile: who it is.
        state: "connecting", "starting", "streaming", "reconnecting", "stopping",
            "stopped" or "failed"; detail: a refinement ("waiting for ACC").
        connected: the link is up.
        battery_pct: last battery level read, %.
        hr_bpm / contact: last heart rate and skin contact decoded.
        packets: notifications arrived; packets_by_stream: the same per stream.
        recorded: packets handed to the recording.
        dropped: notifications lost because the queue was full (shown, never silent).
        decode_errors: packets whose bytes did not decode, or decoded to frames that
            cannot be true (set aside); all kept in the recording.
        link_losses / reconnects: links lost and restored.
        outage_s: seconds since the link was lost, while reconnecting.
        last_error: the last device error, for people.
        settings: accelerometer settings in force.
    """

    key: str
    name: str
    address: str
    profile: str
    state: str
    detail: str = ""
    connected: bool = False
    battery_pct: int | None = None
    hr_bpm: int | None = None
    contact: bool | None = None
    packets: int = 0
    packets_by_stream: Mapping[str, int] = field(default_factory=dict)
    recorded: int = 0
    dropped: int = 0
    decode_errors: int = 0
    link_losses: int = 0
    reconnects: int = 0
    outage_s: float | None = None
    last_error: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        """A compact one-line summary, e.g. "h10 streaming HR 96 ♥ bat 87% 1203 pkt"."""
        parts = [self.key]
        if self.outage_s is not None:
            parts.append(f"LINK LOST {self.outage_s:.0f}s, reconnecting")
        else:
            parts.append(self.detail or self.state)
        if self.hr_bpm is not None:
            parts.append(f"HR {self.hr_bpm}")
        if self.contact is False:
            parts.append("NO CONTACT")
        rate = self.settings.get("sample_rate")
        if rate:
            parts.append(f"ACC {rate:g}Hz")
        if self.battery_pct is not None:
            parts.append(f"bat {self.battery_pct}%")
        parts.append(f"{self.packets} pkt")
        if self.dropped:
            parts.append(f"{self.dropped} DROPPED")
        if self.decode_errors:
            parts.append(f"{self.decode_errors} bad")
        if self.link_losses:
            parts.append(timefmt.plural(self.link_losses, "drop"))
        return " ".join(parts)


@dataclass(frozen=True)
class CollectorStatus:
    """The whole session at one moment.

    Attributes:
        devices: one status per device.
        elapsed_s: session seconds since start.
        queued: packets waiting in the callback→consumer queue.
        recorded: packets handed to the recording writer; committed: durably written.
        subscriber_dropped: items live subscribers could not take (the recording is complete).
        recording_error: the writer's error, if it failed (e.g. disk full).
    """

    devices: tuple[DeviceStatus, ...]
    elapsed_s: float = 0.0
    queued: int = 0
    recorded: int = 0
    committed: int = 0
    subscriber_dropped: int = 0
    recording_error: str | None = None

    def line(self) -> str:
        """The one-line live status of `osteomonitor record`."""
        head = f"{timefmt.clock(int(self.elapsed_s))} rec {self.recorded}"
        if self.recording_error:
            head += " RECORDING FAILED"
        return " | ".join([head, *(d.line() for d in self.devices)])


def device_status(
    link: DeviceLink, record: DeviceInfo, decoded: DeviceCount, *, recorded: int, now_s: float
) -> DeviceStatus:
    """One device's status: link state and counters from its link, heart rate, contact and
    decode errors from the session driver's decoder (`decoded`), settings as recorded.

    Args:
        link: the device's link.
        record: the device as the recording stores it.
        decoded: the decoder's counters for it.
        recorded: packets handed to the recording.
        now_s: the session clock now, s (for the outage length).
    """
    c = link.counters
    return DeviceStatus(
        key=record.key,
        name=link.name,
        address=link.device.address,
        profile=record.profile,
        state=str(link.state),
        detail=c.detail,
        connected=link.connected,
        battery_pct=link.battery_pct,
        hr_bpm=decoded.hr_bpm,
        contact=decoded.contact,
        packets=sum(c.packets.values()),
        packets_by_stream=dict(c.packets),
        recorded=recorded,
        dropped=c.dropped,
        decode_errors=decoded.decode_errors + decoded.set_aside,
        link_losses=c.link_losses,
        reconnects=c.reconnects,
        outage_s=None if c.lost_at_s is None else now_s - c.lost_at_s,
        last_error=c.last_error,
        settings=dict(record.settings),
    )
