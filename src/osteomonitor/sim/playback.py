"""Virtual wearables that play a recording instead of the built-in session model.

A `Playback` holds one device's recorded notifications, stream by stream, with their
times relative to the first packet of the recording. A virtual wearable given a playback
sends recorded payload *i* of a stream at simulated second `t_i` (while the stream is on,
e.g. after the PMD start handshake): the bytes are exactly what the real device sent,
device timestamps included, so a replayed H10 session goes through the whole BLE path
again and decodes to the same samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from osteomonitor.errors import RecordingError, UsageError
from osteomonitor.store import RecordingReader

#: Virtual wearable kind → the firmware profile whose recordings it can play.
PROFILE_OF_KIND: dict[str, str] = {
    "h10": "polar-h10",
    "h10-delta": "polar-h10",
    "hr-strap": "hr-strap",
    "metamotion": "metamotion",
    "movesense": "movesense",
    "thingy52": "thingy52",
    "osteo-imu": "osteomonitor-imu",
}


@dataclass(frozen=True)
class RecordedStream:
    """One stream of a recorded device.

    Attributes:
        times_s: (n,) seconds of each payload after the recording's first packet.
        payloads: the n payloads, in arrival order.
    """

    times_s: np.ndarray
    payloads: tuple[bytes, ...]

    def from_time(self, t_s: float) -> int:
        """Index of the first payload at or after `t_s`."""
        return int(np.searchsorted(self.times_s, t_s, side="left"))


_EMPTY = RecordedStream(np.zeros(0), ())


class Playback:
    """The recorded streams of one device of a recording.

    Args:
        path: the recording.
        device: the device key inside it, or None for the only/first device of `profile`.
        profile: firmware profile key the device must have (when `device` is None).

    Raises:
        UsageError: no device of that key/profile in the recording.
        RecordingError: the file cannot be read.
    """

    def __init__(self, path: Path, device: str | None = None, profile: str | None = None) -> None:
        reader = RecordingReader(path)
        try:
            devices = reader.devices
            chosen = next(
                (
                    d
                    for d in devices
                    if (device is not None and d.key == device)
                    or (device is None and (profile is None or d.profile == profile))
                ),
                None,
            )
            if chosen is None:
                have = ", ".join(f"{d.key} ({d.profile})" for d in devices) or "none"
                want = f"device {device!r}" if device else f"{profile} device"
                raise UsageError(f"{path}: no {want} to play back (it has: {have})")
            t0: int | None = None
            times: dict[str, list[int]] = {}
            payloads: dict[str, list[bytes]] = {}
            for packet in reader.packets():
                if t0 is None:
                    t0 = packet.t_ns
                if packet.device != chosen.key:
                    continue
                times.setdefault(packet.stream, []).append(packet.t_ns - t0)
                payloads.setdefault(packet.stream, []).append(packet.payload)
        except RecordingError:
            raise
        finally:
            reader.close()
        self.path = path
        self.device = chosen
        self.streams = {
            name: RecordedStream(np.asarray(times[name], dtype=np.float64) / 1e9, tuple(p))
            for name, p in payloads.items()
        }

    def stream(self, name: str) -> RecordedStream:
        """The recorded stream (empty when the device never sent on it)."""
        return self.streams.get(name, _EMPTY)

    @classmethod
    def for_kind(cls, path: Path, kind: str) -> Playback:
        """The playback of the first device whose profile a virtual `kind` can play."""
        return cls(path, profile=PROFILE_OF_KIND[kind])
