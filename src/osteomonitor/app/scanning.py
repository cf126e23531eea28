"""Scanning use case: which wearables are in range (`osteomonitor scan`), over the real
radio or over virtual wearables, reporting progress as it goes.

    ScanRequest ─► scan_nearby(request, observer) ─► [ScanResult, strongest first]
                        │ observer.listening / found / reading_battery as they happen

Headless: no printing here; the CLI turns the observer's calls into lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from osteomonitor.collect.scanner import ScanObserver, ScanResult, scan
from osteomonitor.collect.stack import SYSTEM_STACK

__all__ = ["DEFAULT_SCAN_S", "ScanObserver", "ScanRequest", "ScanResult", "scan_nearby"]

#: Default listening time, s (straps advertise every ~0.1-1 s).
DEFAULT_SCAN_S = 5.0


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """What to scan for.

    Attributes:
        timeout_s: how long to listen, s.
        all_devices: also list devices with no known profile.
        battery: connect to each known wearable to read its battery level.
        simulate: virtual wearable kinds ("h10", "hr-strap" …); empty = the real radio.
        sim_speed / sim_faults / sim_seed: the virtual world (simulated s per wall s,
            a --sim-faults text, the model seed).
    """

    timeout_s: float = DEFAULT_SCAN_S
    all_devices: bool = False
    battery: bool = True
    simulate: tuple[str, ...] = ()
    sim_speed: float = 1.0
    sim_faults: str = ""
    sim_seed: int = 0


async def scan_nearby(
    request: ScanRequest, observer: ScanObserver | None = None
) -> list[ScanResult]:
    """The wearables in range, strongest signal first.

    Raises:
        BluetoothUnavailable: no adapter, BlueZ not running, permission denied.
        UsageError: a --simulate or --sim-faults text is invalid.
    """
    if not request.simulate:
        return await scan(
            SYSTEM_STACK,
            request.timeout_s,
            all_devices=request.all_devices,
            battery=request.battery,
            observer=observer,
        )
    from osteomonitor.sim.faults import parse_faults
    from osteomonitor.sim.world import parse_kinds, virtual_world

    async with virtual_world(
        parse_kinds(",".join(request.simulate)),
        speed=request.sim_speed,
        faults=parse_faults(request.sim_faults),
        seed=request.sim_seed,
    ) as world:
        return await scan(
            world.stack,
            request.timeout_s,
            all_devices=request.all_devices,
            battery=request.battery,
            observer=observer,
        )
