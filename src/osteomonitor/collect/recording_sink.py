"""The recording writer on its own thread, so SQLite never blocks the event loop.

Every call is queued to one writer thread that owns the `RecordingWriter`; the thread
also ticks the writer at least every `TICK_S`, so data is committed at least once a
second even when nothing arrives. The sink measures each packet's latency from its
arrival (the notification callback) to being handed to SQLite ("written") and to
being committed ("recorded"), for the benchmark and the status line.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from osteomonitor.errors import RecordingError
from osteomonitor.model import DeviceInfo, Event, Packet
from osteomonitor.store import RecordingWriter

#: Seconds between writer ticks when idle (the writer commits once its interval passed).
TICK_S = 0.2
#: Latencies kept for percentiles (oldest dropped beyond this many).
MAX_LATENCY_SAMPLES = 1_000_000

log = logging.getLogger(__name__)

_Command = tuple[Callable[..., Any], tuple[Any, ...]]


class RecordingSink:
    """A `RecordingWriter` driven from a dedicated thread.

    Attributes:
        error: the first writer error (e.g. `StorageFull`); later calls are ignored.
        written_latency_ns / committed_latency_ns: per packet, arrival → written /
            committed, ns (perf_counter clock).
    """

    def __init__(self, writer: RecordingWriter) -> None:
        self.writer = writer
        self.error: BaseException | None = None
        self.written_latency_ns: collections.deque[int] = collections.deque(
            maxlen=MAX_LATENCY_SAMPLES
        )
        self.committed_latency_ns: collections.deque[int] = collections.deque(
            maxlen=MAX_LATENCY_SAMPLES
        )
        self.packets_handed = 0
        self.cpu_s = 0.0
        self._uncommitted: collections.deque[int] = collections.deque()
        self._queue: queue.SimpleQueue[_Command | None] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="recording-writer", daemon=True)
        self._thread.start()

    # -- called from the event loop (non-blocking) --------------------------------------------

    def add_device(self, info: DeviceInfo) -> None:
        """Register a device."""
        self._queue.put((self.writer.add_device, (info,)))

    def update_device(self, key: str, **fields: Any) -> None:
        """Update a device's row (battery, model, firmware, settings)."""
        self._queue.put((self._update_device, (key, fields)))

    def write_packets(self, packets: Sequence[Packet], arrivals_ns: Sequence[int]) -> None:
        """Append packets (arrival order) with their perf_counter arrival stamps."""
        self._queue.put((self._write_packets, (packets, arrivals_ns)))

    def write_event(self, event: Event) -> None:
        """Append an event."""
        self._queue.put((self.writer.write_event, (event,)))

    def close(self, reason: str = "stopped") -> None:
        """Commit everything, mark the end and close (blocks until done; call via to_thread)."""
        if not self._closed.is_set():
            self._queue.put((self._close, (reason,)))
            self._queue.put(None)
        self._thread.join()
        if isinstance(self.error, RecordingError):
            raise self.error

    # -- the writer thread ----------------------------------------------------------------------

    def _update_device(self, key: str, fields: dict[str, Any]) -> None:
        self.writer.update_device(key, **fields)

    def _write_packets(self, packets: Sequence[Packet], arrivals_ns: Sequence[int]) -> None:
        now = time.perf_counter_ns()
        self.written_latency_ns.extend(now - a for a in arrivals_ns)
        self._uncommitted.extend(arrivals_ns)
        self.packets_handed += len(packets)
        self.writer.write_packets(packets)

    def _close(self, reason: str) -> None:
        self.writer.close(reason)
        self._closed.set()

    def _account_commits(self, before: int) -> None:
        done = self.writer.packets_written - before
        if done <= 0:
            return
        now = time.perf_counter_ns()
        pop = self._uncommitted.popleft
        self.committed_latency_ns.extend(
            now - pop() for _ in range(min(done, len(self._uncommitted)))
        )

    def _loop(self) -> None:
        t_cpu = time.thread_time()
        while True:
            try:
                item = self._queue.get(timeout=TICK_S)
            except queue.Empty:
                item = (self.writer.tick, ())
            if item is None:
                break
            fn, args = item
            if self.error is not None and fn is not self._close:
                continue
            before = self.writer.packets_written
            try:
                fn(*args)
            except Exception as exc:
                log.error("recording writer failed: %s", exc)
                self.error = exc
                if fn is self._close:
                    break
                continue
            self._account_commits(before)
            self.cpu_s = time.thread_time() - t_cpu
        self.cpu_s = time.thread_time() - t_cpu
