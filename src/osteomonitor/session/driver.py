"""One driver for every packet source: live queue, recording at any speed, whole file.

    source ─► SessionDriver.feed ─► SessionProcessor (one DeviceDecoder per device)
                      └─► Snapshot (state, alerts, per-device counts) ─► publish(snapshot)

Live collection (`QueueDriver`, a thread reading a queue the collector fills), replay
(a paced loop in the TUI's replay feed) and batch analysis (`SessionDriver.run` over
`replay_items`) all feed a `SessionDriver`, so they fold the same items in the same
order through the same code and give the same summary. What differs is only who
calls `feed` and how fast.

Snapshots are frozen: a publisher (a screen, a test) can keep one while the driver
goes on. `SnapshotPolicy` decides when the next one is due (a period, a floor when the
source runs dry, and a budget so building snapshots never takes more than a fifth of a
core).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from osteomonitor.model import DeviceInfo, Event, EventKind, Packet, SessionMeta, SessionSummary
from osteomonitor.session.processor import SessionProcessor
from osteomonitor.session.state import SessionState

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription import Alert, Prescription

#: How often a snapshot is published while data flows, s (wall time). The numbers a
#: patient reads move at 1 Hz at most; 5 Hz keeps notification-to-screen ≤ 0.2 s.
STATE_PERIOD_S = 0.2
#: A snapshot follows a quiet source after at most this fraction of the period (50 ms
#: at 0.2 s): the notification-to-screen budget is 100 ms (issue 7).
MIN_GAP_FRACTION = 0.25
#: Snapshots are spaced at least this many times their own cost apart, so building them
#: never takes more than a fifth of a core, however long the session has grown.
STATE_BUDGET_FACTOR = 5.0
#: Longest wait of the queue driver for the next item, s (it notices `finish` this fast).
POLL_S = 0.1


@dataclass(frozen=True, slots=True)
class DeviceCount:
    """What one device delivered to the driver: the decoder's counters for it.

    The collector's status reads these (it decodes nothing itself), so what a person
    sees live is what the one decoder per device decoded.

    Attributes:
        key: the device's key in the session.
        packets: packets fed so far.
        lost: a LINK_LOST event was seen and no LINK_RESTORED since.
        decode_errors: packets whose bytes did not decode (kept in the recording).
        set_aside: frames that decoded but cannot be true (the plausibility gates).
        last_decode_error: the last decode error's or set-aside's text ("" when none).
        hr_bpm / contact: the device's last decoded heart rate, bpm, and skin contact
            (None before any, or when the device has no heart-rate stream).
    """

    key: str
    packets: int = 0
    lost: bool = False
    decode_errors: int = 0
    set_aside: int = 0
    last_decode_error: str = ""
    hr_bpm: int | None = None
    contact: bool | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a driver publishes: the processor's state and what surrounds it.

    Attributes:
        state: the processor's live snapshot.
        alerts: every safety alert raised so far, oldest first, repeats folded in
            (count, last_t_s), as the dashboard's alert board expects.
        start_ns: time of the first item fed, ns (None before any).
        newest_arrival_ns: time of the newest packet fed, ns (None before any).
        position_s: data time of the newest item, s from `start_ns`.
        devices: per-device packet counts and link state, in session device order.
        finished: this is the final snapshot (after `finish`).
    """

    state: SessionState
    alerts: tuple[Alert, ...] = ()
    start_ns: int | None = None
    newest_arrival_ns: int | None = None
    position_s: float = 0.0
    devices: tuple[DeviceCount, ...] = ()
    finished: bool = False


class SessionDriver:
    """Feeds items into one `SessionProcessor` and builds `Snapshot`s.

    Args:
        devices / meta / prescription: as for `SessionProcessor` (one decoder per device).
        clock: monotonic seconds, to measure what a snapshot costs.
        decode_only: decode and count only (`device_counts`), analyse nothing (a
            headless recording's status needs no more).
    """

    def __init__(
        self,
        devices: Sequence[DeviceInfo],
        meta: SessionMeta | None = None,
        prescription: Prescription | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        decode_only: bool = False,
    ) -> None:
        self.processor = SessionProcessor(
            devices, meta, prescription=prescription, decode_only=decode_only
        )
        self._order = [d.key for d in devices]
        self._counts: dict[str, int] = {}
        self._errors: dict[str, int] = {}
        self._last_error: dict[str, str] = {}
        self._lost: set[str] = set()
        self._clock = clock
        self.start_ns: int | None = None
        self.newest_ns: int | None = None
        self.position_s = 0.0
        self.items = 0
        self.snapshot_cost_s = 0.0
        self.summary: SessionSummary | None = None

    def feed(self, item: Packet | Event) -> None:
        """Fold one packet or event in (arrival order)."""
        if self.start_ns is None:
            self.start_ns = item.t_ns
        self.position_s = (item.t_ns - self.start_ns) / 1e9
        if isinstance(item, Packet):
            self._counts[item.device] = self._counts.get(item.device, 0) + 1
            self.newest_ns = item.t_ns
        elif item.kind == EventKind.LINK_LOST and item.device:
            self._lost.add(item.device)
        elif item.kind == EventKind.LINK_RESTORED and item.device:
            self._lost.discard(item.device)
        proc = self.processor
        errors_before, last_set_aside = proc.decode_errors, proc.last_set_aside
        proc.feed(item)
        if proc.decode_errors != errors_before and isinstance(item, Packet):
            new = proc.decode_errors - errors_before
            self._errors[item.device] = self._errors.get(item.device, 0) + new
            self._last_error[item.device] = proc.last_decode_error or ""
        elif proc.last_set_aside is not last_set_aside and isinstance(item, Packet):
            self._last_error[item.device] = proc.last_set_aside or ""
        self.items += 1

    def device_counts(self) -> tuple[DeviceCount, ...]:
        """Per-device counters, in session device order (cheap: no analysis).

        Safe to call from another thread than the one feeding: it only copies dicts.
        """
        counts, errors = dict(self._counts), dict(self._errors)
        set_aside = dict(self.processor.set_aside_frames)
        last_error, lost = dict(self._last_error), set(self._lost)
        latest_hr = dict(self.processor.latest_hr)
        keys = self._order + [k for k in counts if k not in self._order]
        out = []
        for k in keys:
            hr = latest_hr.get(k)
            out.append(
                DeviceCount(
                    k,
                    counts.get(k, 0),
                    k in lost,
                    errors.get(k, 0),
                    set_aside.get(k, 0),
                    last_error.get(k, ""),
                    hr.hr_bpm if hr is not None else None,
                    hr.contact if hr is not None else None,
                )
            )
        return tuple(out)

    def snapshot(self, *, finished: bool = False) -> Snapshot:
        """The current snapshot (analyses buffered samples first)."""
        t0 = self._clock()
        state = self.processor.state()
        self.snapshot_cost_s = self._clock() - t0
        return Snapshot(
            state=state,
            alerts=self.processor.safety_alerts,
            start_ns=self.start_ns,
            newest_arrival_ns=self.newest_ns,
            position_s=self.position_s,
            devices=self.device_counts(),
            finished=finished,
        )

    def finish(self) -> SessionSummary:
        """End every analysis segment; returns (and keeps) the summary."""
        if self.summary is None:
            self.summary = self.processor.summary()
        return self.summary

    def run(self, items: Iterable[Packet | Event]) -> SessionSummary:
        """A whole source as fast as it goes (batch analysis): feed all, then finish."""
        for item in items:
            self.feed(item)
        return self.finish()


@dataclass
class SnapshotPolicy:
    """When the next snapshot is due (wall time).

    Attributes:
        period_s: shortest interval between snapshots while data flows, s.
        last_s: wall time of the last snapshot published, s.
    """

    period_s: float = STATE_PERIOD_S
    last_s: float = field(default=-1e9)

    def gap_s(self, cost_s: float) -> float:
        """Shortest spacing allowed: the floor, or the budget for a snapshot of `cost_s`."""
        return max(self.period_s * MIN_GAP_FRACTION, STATE_BUDGET_FACTOR * cost_s)

    def due(self, now_s: float, cost_s: float, source_dry: bool) -> bool:
        """A snapshot is due every period, or sooner (not faster than the gap) when the
        source ran dry, so a lone packet reaches the screen without waiting."""
        since = now_s - self.last_s
        gap = self.gap_s(cost_s)
        return since >= max(self.period_s, gap) or (source_dry and since >= gap)


_STOP = object()


class QueueDriver:
    """A `SessionDriver` on its own thread, fed from a queue (the live source).

    `put` is a lock-free queue append callable from any thread, so nothing the analysis
    does can delay a BLE callback or the event loop.

    Args:
        driver: the driver to feed.
        publish: called (on the driver's thread) with each snapshot.
        on_finished: called with the summary after the final snapshot.
        on_failed: called with a message when the analysis raised.
        state_period_s: shortest interval between two snapshots, s.
        clock: monotonic seconds.
    """

    def __init__(
        self,
        driver: SessionDriver,
        publish: Callable[[Snapshot], None],
        *,
        on_finished: Callable[[SessionSummary], object] | None = None,
        on_failed: Callable[[str], object] | None = None,
        state_period_s: float = STATE_PERIOD_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.driver = driver
        self.publish = publish
        self.on_finished = on_finished
        self.on_failed = on_failed
        self.policy = SnapshotPolicy(state_period_s)
        self._clock = clock
        self._queue: queue.SimpleQueue[Packet | Event | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="osteomonitor-analysis", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def put(self, item: Packet | Event) -> None:
        """Queue one packet or event (never blocks)."""
        self._queue.put(item)

    def drain(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything queued so far is fed (counters are then current).

        Returns:
            False when the thread did not get there within `timeout_s` (or is not running).
        """
        done = threading.Event()
        self._queue.put(done)
        return self._thread.is_alive() and done.wait(timeout_s)

    def finish(self, timeout_s: float = 10.0) -> SessionSummary | None:
        """Process what is queued, publish the final snapshot; returns the summary."""
        self._queue.put(_STOP)
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        return self.driver.summary

    def _publish(self, finished: bool = False) -> None:
        self.policy.last_s = self._clock()
        self.publish(self.driver.snapshot(finished=finished))

    def _run(self) -> None:
        driver, policy = self.driver, self.policy
        dirty = False
        try:
            while True:
                wait = (
                    max(0.0, policy.last_s + policy.gap_s(0.0) - self._clock()) if dirty else POLL_S
                )
                item: Packet | Event | object | None
                try:
                    item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
                except queue.Empty:
                    item = None
                if item is _STOP:
                    break
                if isinstance(item, threading.Event):  # drain(): all before it is fed
                    item.set()
                    continue
                if isinstance(item, Packet | Event):
                    driver.feed(item)
                    dirty = True
                if dirty and policy.due(self._clock(), driver.snapshot_cost_s, item is None):
                    dirty = False
                    self._publish()
            summary = driver.finish()
            self._publish(finished=True)
            if self.on_finished is not None:
                self.on_finished(summary)
        except Exception as exc:  # keep the caller alive and say what happened
            if self.on_failed is not None:
                self.on_failed(f"live analysis stopped: {type(exc).__name__}: {exc}")
