"""Headless recording use case: `osteomonitor record`'s session, without the printing.

    CollectionPlan ─► open_world ─► recording_collector ─► status every refresh_s
                                                          └─► until stop / duration / writer failure

A stop request while the devices are still connecting abandons the start (nothing was
recorded); afterwards it stops the streams, then the links, then closes the file. The
command line only prints what the callbacks hand it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from osteomonitor.app.collection import CollectionPlan, World, open_world
from osteomonitor.collect.device_spec import parse_device
from osteomonitor.collect.session_recording import recording_collector
from osteomonitor.collect.status import CollectorStatus, DeviceStatus

__all__ = [
    "CollectorStatus",
    "DeviceStatus",
    "RecordingOutcome",
    "check_devices",
    "run_recording",
]


@dataclass(frozen=True, slots=True)
class RecordingOutcome:
    """How a headless recording ended.

    Attributes:
        path: the recording.
        status: the collector's final status; None when stopped while connecting.
    """

    path: Path
    status: CollectorStatus | None

    @property
    def interrupted_while_connecting(self) -> bool:
        """Stopped before any device had started: nothing was recorded."""
        return self.status is None


def check_devices(plan: CollectionPlan) -> None:
    """Check the plan's --device texts before anything connects.

    Raises:
        UsageError: a --device text (or its rate / range) is invalid.
    """
    for text in plan.devices:
        parse_device(text, plan.rate_hz, plan.range_g)


async def run_recording(
    plan: CollectionPlan,
    stop: asyncio.Event,
    *,
    duration_s: float | None = None,
    refresh_s: float = 0.5,
    on_started: Callable[[CollectorStatus], object] | None = None,
    on_status: Callable[[CollectorStatus], object] | None = None,
    on_stopping: Callable[[], object] | None = None,
) -> RecordingOutcome:
    """Record the plan's devices until `stop` is set, `duration_s` session seconds have
    passed, or the recording fails.

    Args:
        plan: what to record, from what, into which file.
        stop: set it (e.g. from a signal handler) to stop cleanly.
        duration_s: stop after this many session seconds (None: until `stop`).
        refresh_s: wall seconds between two `on_status` calls.
        on_started: called once every device has started, with the first status.
        on_status: called every `refresh_s` with the current status.
        on_stopping: called when the loop ends, before streams, links and file close.

    Raises:
        UsageError / RecordingError / DeviceNotFound / DeviceError / BluetoothUnavailable:
            the plan cannot be carried out.
    """
    async with open_world(plan) as world:
        if stop.is_set():  # stopped before anything connected (e.g. Ctrl-C while importing)
            return RecordingOutcome(plan.path, None)
        started = asyncio.Event()
        task = asyncio.create_task(
            _collect(world, plan.path, stop, duration_s, refresh_s, started, on_started,
                     on_status, on_stopping)
        )  # fmt: skip
        stopper = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if not task.done() and not started.is_set():
            await _abandon(task)
            return RecordingOutcome(plan.path, None)
        return RecordingOutcome(plan.path, await task)


#: How often and how long a stop request while connecting re-cancels the start (s).
ABANDON_RETRY_S = 0.2
ABANDON_TRIES = 50


async def _abandon(task: asyncio.Task[CollectorStatus]) -> None:
    """Cancel a collection that has not started recording, and wait for it to end.

    A cancellation can land inside a retry or a scan that absorbs it (bleak's scanner,
    a reconnect back-off), so it is repeated every 0.2 s for up to 10 s; whatever the
    abandoned start raised afterwards (no device found …) is moot: the person asked
    to stop."""
    for _ in range(ABANDON_TRIES):
        task.cancel()
        done, _pending = await asyncio.wait({task}, timeout=ABANDON_RETRY_S)
        if done:
            break
    if task.done() and not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved


async def _collect(
    world: World,
    output: Path,
    stop: asyncio.Event,
    duration_s: float | None,
    refresh_s: float,
    started: asyncio.Event,
    on_started: Callable[[CollectorStatus], object] | None,
    on_status: Callable[[CollectorStatus], object] | None,
    on_stopping: Callable[[], object] | None,
) -> CollectorStatus:
    async with recording_collector(
        list(world.specs), output=output, meta=world.meta, stack=world.stack
    ) as collector:
        started.set()
        if on_started is not None:
            on_started(collector.status())
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), refresh_s)
            status = collector.status()
            if on_status is not None:
                on_status(status)
            if status.recording_error:
                break
            if duration_s is not None and status.elapsed_s >= duration_s:
                break
        if on_stopping is not None:
            on_stopping()
    return collector.status()
