"""`virtual_world`: virtual wearables on a virtual radio, ready for the unchanged collector.

    async with virtual_world(["h10", "hr-strap"], speed=10) as world:
        collector = Collector(world.device_specs(), writer, world.stack)
        await collector.start()
        ...

`world.stack` carries bleak's `backend=` arguments (the bumble scanner and client
backends) and the simulated session clock, so every packet timestamp is on the
simulated time base whatever the speed. `world.devices` are the virtual wearables, whose
`sent` logs and `violations` tests compare with the recording.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from osteomonitor.collect.device_spec import DeviceSpec
from osteomonitor.collect.stack import BleStack
from osteomonitor.errors import UsageError
from osteomonitor.sim.bleak_client import BumbleClient
from osteomonitor.sim.bleak_scanner import BumbleScanner
from osteomonitor.sim.clock import SimClock
from osteomonitor.sim.faults import Faults
from osteomonitor.sim.hr_strap import VirtualHrStrap
from osteomonitor.sim.imu_wearables import (
    VirtualImu,
    VirtualMetaMotion,
    VirtualOsteoImu,
    VirtualThingy,
)
from osteomonitor.sim.movesense_wearable import VirtualMovesense
from osteomonitor.sim.peripheral import VirtualPeripheral
from osteomonitor.sim.playback import Playback
from osteomonitor.sim.polar_h10 import VirtualPolarH10
from osteomonitor.sim.radio import VirtualRadio
from osteomonitor.sim.session_model import SessionModel

#: Kinds of virtual wearable `virtual_world` can build, with a one-line description.
KINDS: dict[str, str] = {
    "h10": "Polar H10: heart rate + PMD accelerometer (raw frames)",
    "h10-delta": "Polar H10 sending delta-compressed ACC frames",
    "hr-strap": "standard heart-rate strap (HR, RR, contact, energy)",
    "metamotion": "MbientLab MetaMotion R on the hip (MetaWear protocol, packed ACC)",
    "movesense": "Movesense sensor (GATT SensorData Protocol: ACC + HR)",
    "thingy52": "Nordic Thingy:52 (raw motion data, ±2 g)",
    "osteo-imu": "the open osteomonitor IMU (timestamped, counted frames)",
}


@dataclass
class VirtualWorld:
    """What `virtual_world` yields.

    Attributes:
        radio: the virtual air.
        clock: the simulated session clock.
        model: the session the devices play.
        devices: virtual wearables by the key the collector should give them.
        stack: pass to `Collector`/`scan` to reach the virtual wearables.
    """

    radio: VirtualRadio
    clock: SimClock
    model: SessionModel
    devices: dict[str, VirtualPeripheral]
    stack: BleStack

    def device_specs(
        self, rate_hz: float | None = None, range_g: float | None = None
    ) -> list[DeviceSpec]:
        """One `DeviceSpec` per virtual wearable, by address, keyed like `devices`."""
        return [
            DeviceSpec(target=d.address, key=key, rate_hz=rate_hz, range_g=range_g)
            for key, d in self.devices.items()
        ]

    def violations(self) -> list[str]:
        """Protocol violations every device noted ("disconnected while streaming" …)."""
        return [f"{k}: {v}" for k, d in self.devices.items() for v in d.violations]


def parse_kinds(text: str) -> list[str]:
    """`"h10,hr-strap"` → ["h10", "hr-strap"].

    Raises:
        UsageError: an unknown kind.
    """
    kinds = [k.strip().lower() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise UsageError(
            f"--simulate {text!r}: unknown virtual wearable {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(KINDS)} (comma-separated for several)"
        )
    return kinds


def _build(
    kind: str, index: int, radio: VirtualRadio, clock: SimClock, model: SessionModel, faults: Faults
) -> VirtualPeripheral:
    if kind in ("h10", "h10-delta"):
        return VirtualPolarH10(
            radio,
            clock,
            model=model,
            name=f"Polar H10 0A3B5C{0x7D + index:02X}",
            address=f"C0:9E:1A:00:00:{index + 1:02X}",
            faults=faults,
            acc_compressed=kind == "h10-delta",
        )
    if kind == "hr-strap":
        return VirtualHrStrap(
            radio,
            clock,
            model=model,
            name=f"HRM-Dual:0A1B{0x2C + index:02X}",
            address=f"C0:4D:00:00:00:{index + 1:02X}",
            faults=faults,
        )
    cls, name = _IMUS[kind]
    return cls(
        radio,
        clock,
        model=model,
        name=name,
        address=f"C1:00:00:00:{index + 1:02X}:{len(_IMUS):02X}",
        faults=faults,
    )


#: Virtual IMU kinds → (class, advertised name).
_IMUS: dict[str, tuple[type[VirtualImu], str]] = {
    "metamotion": (VirtualMetaMotion, "MetaWear"),
    "movesense": (VirtualMovesense, "Movesense 174630000192"),
    "thingy52": (VirtualThingy, "Thingy"),
    "osteo-imu": (VirtualOsteoImu, "OsteoIMU"),
}


@asynccontextmanager
async def virtual_world(
    kinds: Sequence[str] = ("h10",),
    *,
    session_model: SessionModel | None = None,
    speed: float = 1.0,
    faults: Faults | Mapping[str, Faults] | None = None,
    seed: int = 0,
    duration_s: float = 600.0,
    playback: Path | None = None,
) -> AsyncIterator[VirtualWorld]:
    """Virtual wearables advertising on a fresh virtual radio.

    Args:
        kinds: what to build ("h10", "h10-delta", "hr-strap"; repeats allowed).
        session_model: what they play (default: the built-in session with `seed`).
        speed: simulated seconds per wall second.
        faults: the same faults for every device, or faults by device key.
        seed: seed of the default session model.
        duration_s: length of the default session model, s.
        playback: a recording the devices play instead of the model (each kind plays
            the recording's first device of its profile).
    """
    model = session_model or SessionModel(seed=seed, duration_s=duration_s)
    clock = SimClock(speed)
    async with VirtualRadio() as radio:
        keys = _keys(kinds)
        devices: dict[str, VirtualPeripheral] = {}
        for i, (key, kind) in enumerate(zip(keys, kinds, strict=True)):
            f = faults.get(key, Faults()) if isinstance(faults, Mapping) else faults or Faults()
            devices[key] = _build(kind, i, radio, clock, model, f)
            if playback is not None:
                devices[key].playback = Playback.for_kind(playback, kind)
        for device in devices.values():
            await device.start()
        stack = BleStack(
            name="virtual",
            scanner_kwargs={"backend": BumbleScanner, "radio": radio},
            client_kwargs={"backend": BumbleClient, "radio": radio},
            clock_ns=clock.host_ns,
            speed=speed,
            simulated=True,
        )
        try:
            yield VirtualWorld(radio, clock, model, devices, stack)
        finally:
            for device in devices.values():
                await device.stop()


def _keys(kinds: Sequence[str]) -> list[str]:
    base = {
        "h10": "h10",
        "h10-delta": "h10",
        "hr-strap": "strap",
        "metamotion": "hip",
        "movesense": "movesense",
        "thingy52": "thingy",
        "osteo-imu": "imu",
    }
    seen: dict[str, int] = {}
    out = []
    for kind in kinds:
        k = base.get(kind, kind)
        seen[k] = seen.get(k, 0) + 1
        out.append(k if seen[k] == 1 else f"{k}{seen[k]}")
    return out
