"""Open a recording and run a collector into it: what `record`, `live` and `demo` share.

    async with recording_collector(specs, output=path, meta=meta, stack=stack) as collector:
        await stop_requested.wait()

On leaving the block the collector stops the device streams, disconnects, and closes the
recording with a reason ("stopped", "interrupted" or "error: …").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from osteomonitor import __version__
from osteomonitor.collect.collector import Collector, CollectorOptions
from osteomonitor.collect.device_spec import DeviceSpec
from osteomonitor.collect.stack import SYSTEM_STACK, BleStack
from osteomonitor.config import local_timezone as local_timezone  # its home is config
from osteomonitor.model import SessionMeta
from osteomonitor.prescription import Prescription
from osteomonitor.store import SUFFIX, RecordingWriter

#: Where recordings go unless -o says otherwise.
DEFAULT_RECORDINGS_DIR = Path("recordings")


def default_output(
    patient: str, kind: str, when: dt.datetime | None = None, folder: Path = DEFAULT_RECORDINGS_DIR
) -> Path:
    """recordings/<patient>-<YYYYmmdd-HHMMSS>-<kind>.omrec (characters made file-safe)."""
    when = when or dt.datetime.now().astimezone()
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", patient) or "patient"
    return folder / f"{safe}-{when:%Y%m%d-%H%M%S}-{kind}{SUFFIX}"


def session_meta(
    patient: str,
    kind: str,
    *,
    prescription_toml: str | None = None,
    simulated: bool = False,
    notes: str = "",
    timezone: str | None = None,
    supervised: bool | None = None,
) -> SessionMeta:
    """SessionMeta for a session starting now (`supervised`: None when not said)."""
    return SessionMeta(
        patient=patient,
        kind=kind,
        start_iso=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        timezone=timezone or local_timezone(),
        software_version=__version__,
        prescription_toml=prescription_toml,
        simulated=simulated,
        notes=notes,
        supervised=supervised,
    )


@asynccontextmanager
async def recording_collector(
    specs: Sequence[DeviceSpec],
    *,
    output: Path,
    meta: SessionMeta,
    stack: BleStack = SYSTEM_STACK,
    options: CollectorOptions | None = None,
    before_start: Callable[[Collector], object] | None = None,
    prescription: Prescription | None = None,
    analyse: bool = False,
) -> AsyncIterator[Collector]:
    """Create the recording, start the collector, and always stop and close both.

    With `analyse`, the collector runs the live analysis (`collector.watch`), judging
    safety by `prescription` (default: the snapshot in `meta`, as replay does);
    without, it only decodes for its status. `before_start(collector)` runs after the
    collector exists and before it starts, e.g. to `subscribe()` so that a consumer
    misses no packet.

    Raises:
        RecordingError: the file exists or cannot be created.
        DeviceNotFound / DeviceError / BluetoothUnavailable: a device could not be started
            (the recording is closed with the error as its end reason).
    """
    writer = RecordingWriter.create(output, meta)
    collector = Collector(
        specs, writer, stack, options, meta=meta, prescription=prescription, analyse=analyse
    )
    if before_start is not None:
        before_start(collector)
    try:
        await collector.start()
    except BaseException:
        if writer.packets_written == 0:  # nothing was recorded: leave no empty file behind
            output.unlink(missing_ok=True)
        raise
    reason = "stopped"
    try:
        yield collector
    except (KeyboardInterrupt, SystemExit, asyncio.CancelledError):
        reason = "interrupted"
        raise
    except BaseException as exc:
        reason = f"error: {type(exc).__name__}"
        raise
    finally:
        await collector.stop(reason)
