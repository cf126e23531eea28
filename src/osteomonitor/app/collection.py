"""Collection use case: open a real or virtual collection for `record`, `live` and `demo`.

    CollectionPlan ─► open_world (real stack, or virtual wearables with faults / playback)
                   ─► live_collection (recording created, subscription in place, collector
                      started) ─► the caller (the record loop, or the live dashboard)

The same plan gives the same session metadata (pseudonym, kind, prescription snapshot,
"simulated: …" notes) whichever command runs it, so a `live` session can use faults
and a playback source exactly as `record` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from osteomonitor.collect.collector import Collector
from osteomonitor.collect.device_spec import DeviceSpec, parse_device
from osteomonitor.collect.session_recording import default_output, recording_collector, session_meta
from osteomonitor.collect.stack import SYSTEM_STACK, BleStack
from osteomonitor.errors import UsageError
from osteomonitor.model import Event, Packet, SessionMeta
from osteomonitor.prescription import Prescription

#: Length of a simulated session when none is asked for, s.
SIMULATED_SESSION_S = 600.0


@dataclass(frozen=True, slots=True)
class CollectionPlan:
    """What to collect, from what, into which file.

    Attributes:
        patient / kind: pseudonym and session kind.
        devices: --device texts (ADDRESS|NAME[@PROFILE]); empty with `simulate` = every
            virtual wearable.
        simulate: virtual wearable kinds ("h10", "hr-strap" …); empty = real radio.
        prescription_toml: the prescription in force, verbatim (stored as the snapshot).
        output: the recording; None = the default name for patient and kind.
        rate_hz / range_g: accelerometer settings asked of the devices (None = defaults).
        sim_speed / sim_seed / sim_duration_s: the virtual session (simulated s per
            wall s, model seed, length in s).
        sim_session: which built-in session the virtual wearables play ("default", or
            "demo": a short warm-up and jumps from 21.5 s; `sim.session_model.SESSION_PLANS`).
        sim_faults: a --sim-faults text ("malformed=50,drop=…"), "" for none.
        sim_source: a recording the virtual devices play instead of the model.
        notes: free text stored with the session.
        supervised: the session is supervised (True), not (False), not said (None).
    """

    patient: str
    kind: str
    devices: tuple[str, ...] = ()
    simulate: tuple[str, ...] = ()
    prescription_toml: str | None = None
    output: Path | None = None
    rate_hz: float | None = None
    range_g: float | None = None
    sim_speed: float = 1.0
    sim_seed: int = 0
    sim_duration_s: float = SIMULATED_SESSION_S
    sim_session: str = "default"
    sim_faults: str = ""
    sim_source: Path | None = None
    notes: str = field(default="")
    supervised: bool | None = None

    @property
    def path(self) -> Path:
        """The recording this plan writes."""
        return self.output or default_output(self.patient, self.kind)


@dataclass(frozen=True, slots=True)
class World:
    """Where the devices are: the stack to use, their specs and the session metadata."""

    stack: BleStack
    specs: tuple[DeviceSpec, ...]
    meta: SessionMeta


def new_recording_path(patient: str, kind: str, folder: Path) -> Path:
    """A new recording's path in `folder`: <patient>-<YYYYmmdd-HHMMSS>-<kind>.omrec."""
    return default_output(patient, kind, folder=folder)


def _simulated_notes(plan: CollectionPlan, kinds: Sequence[str]) -> str:
    notes = f"simulated: {','.join(kinds)} speed={plan.sim_speed:g} seed={plan.sim_seed}"
    if plan.sim_session != "default":
        notes += f" session={plan.sim_session}"
    if plan.sim_faults:
        notes += f" faults={plan.sim_faults}"
    if plan.sim_source is not None:
        notes += f" source={plan.sim_source}"
    return (plan.notes + " " if plan.notes else "") + notes


@asynccontextmanager
async def open_world(plan: CollectionPlan) -> AsyncIterator[World]:
    """The real radio, or virtual wearables playing the plan's session (closed on exit).

    Raises:
        UsageError: a --device or --simulate text is invalid.
    """
    specs = tuple(parse_device(d, plan.rate_hz, plan.range_g) for d in plan.devices)
    if not plan.simulate:
        meta = session_meta(
            plan.patient,
            plan.kind,
            prescription_toml=plan.prescription_toml,
            notes=plan.notes,
            supervised=plan.supervised,
        )
        yield World(SYSTEM_STACK, specs, meta)
        return
    # lazy on purpose: virtual wearables load bumble, which a real-radio session never needs
    from osteomonitor.sim.faults import parse_faults
    from osteomonitor.sim.session_model import SESSION_PLANS, SessionModel
    from osteomonitor.sim.world import parse_kinds, virtual_world

    kinds = parse_kinds(",".join(plan.simulate))
    if plan.sim_session not in SESSION_PLANS:
        known = ", ".join(SESSION_PLANS)
        raise UsageError(f"simulated session {plan.sim_session!r} is not built in (known: {known})")
    model = SessionModel(
        seed=plan.sim_seed, duration_s=plan.sim_duration_s, plan=SESSION_PLANS[plan.sim_session]
    )
    async with virtual_world(
        kinds,
        session_model=model,
        speed=plan.sim_speed,
        faults=parse_faults(plan.sim_faults),
        seed=plan.sim_seed,
        duration_s=plan.sim_duration_s,
        playback=plan.sim_source,
    ) as world:
        meta = session_meta(
            plan.patient,
            plan.kind,
            prescription_toml=plan.prescription_toml,
            simulated=True,
            notes=_simulated_notes(plan, kinds),
            supervised=plan.supervised,
        )
        yield World(
            world.stack, specs or tuple(world.device_specs(plan.rate_hz, plan.range_g)), meta
        )


@asynccontextmanager
async def live_collection(
    specs: Sequence[DeviceSpec],
    *,
    output: Path,
    meta: SessionMeta,
    stack: BleStack,
    on_collector: Callable[[Collector], object] | None = None,
    prescription: Prescription | None = None,
    analyse: bool = True,
) -> AsyncIterator[tuple[Collector, asyncio.Queue[Packet | Event]]]:
    """Create the recording, subscribe, start the collector; always stop and close.

    The collector runs the session's one analysis (`collector.driver`, watched with
    `collector.watch`), judging safety by `prescription` (default: the snapshot in
    `meta`, as replay does); `analyse=False` only decodes (a recording nobody watches).

    The subscription is in place before the collector starts, so whoever reads it sees
    every packet and event the recording gets.

    Yields:
        (collector, subscription queue of every recorded Packet and Event).

    Raises:
        RecordingError: the file exists or cannot be created.
        DeviceNotFound / DeviceError / BluetoothUnavailable: a device could not be started.
    """
    subscriptions: list[asyncio.Queue[Packet | Event]] = []

    def before_start(c: Collector) -> None:
        subscriptions.append(c.subscribe())
        if on_collector is not None:
            on_collector(c)

    async with recording_collector(
        specs,
        output=output,
        meta=meta,
        stack=stack,
        before_start=before_start,
        prescription=prescription,
        analyse=analyse,
    ) as collector:
        # stop() on leaving is a no-op when the caller already stopped it
        yield collector, subscriptions[0]
