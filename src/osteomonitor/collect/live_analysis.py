"""The collection's one live analysis: a `session.QueueDriver` fed by the collector.

    collector consumer ─► put(item) ─► [before start: kept in order] ─► analysis thread
                                       (SessionDriver: one DeviceDecoder per device)
                                        └─► watchers: snapshots, summary, failure

The driver is built once every device has started, from the devices as the recording
stores them (the settings the links reported: the one place replay reads them from);
items that arrived before are fed first, in order. `counts()` are the decoder's
per-device counters the collector's status shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from osteomonitor.errors import PrescriptionError
from osteomonitor.model import DeviceInfo, Event, Packet, SessionMeta, SessionSummary
from osteomonitor.prescription import Prescription
from osteomonitor.session import (
    STATE_PERIOD_S,
    DeviceCount,
    QueueDriver,
    SessionDriver,
    Snapshot,
)
from osteomonitor.session.recording import recording_prescription

log = logging.getLogger(__name__)

#: Longest wait for the analysis thread to fold in what is queued, s.
ANALYSIS_DRAIN_S = 10.0
#: Snapshot period when only decoding, s: nobody watches, so (almost) never; finite,
#: because the queue driver waits on its queue for a fraction of it.
DECODE_ONLY_PERIOD_S = 3600.0


@dataclass(frozen=True)
class _Watcher:
    publish: Callable[[Snapshot], object]
    on_finished: Callable[[SessionSummary], object] | None
    on_failed: Callable[[str], object] | None


class LiveAnalysis:
    """The session driver on its own thread, with its watchers.

    Args:
        meta: the session's metadata (None for an ad-hoc collection).
        prescription: the prescription to judge safety by; None takes the snapshot in
            `meta` (as replay does), if any.
        analyse: run the whole analysis (the live dashboard); False only decodes and
            counts (a headless recording: its status needs the decoder's counters, and
            no snapshot is built, so the radio's event loop keeps the whole core).

    Attributes:
        driver: the session driver (None until `start`).
        summary: the final summary (after `finish`; None when not analysing).
    """

    def __init__(
        self, meta: SessionMeta | None, prescription: Prescription | None, *, analyse: bool = True
    ) -> None:
        self.meta = meta
        self.prescription = prescription
        self.analyse = analyse
        self.driver: SessionDriver | None = None
        self.summary: SessionSummary | None = None
        self._thread: QueueDriver | None = None
        self._early: list[Packet | Event] = []
        self._watchers: list[_Watcher] = []

    def _session_prescription(self) -> Prescription | None:
        if self.prescription is not None or self.meta is None:
            return self.prescription
        try:
            return recording_prescription(self.meta, "this session")
        except PrescriptionError as exc:  # the recording keeps it; live judges nothing
            log.warning("live safety alerts off: %s", exc)
            return None

    def start(self, devices: Sequence[DeviceInfo]) -> None:
        """Build the driver for `devices` (as recorded) and feed what came so far."""
        rx = self._session_prescription() if self.analyse else None
        self.driver = SessionDriver(devices, self.meta, rx, decode_only=not self.analyse)
        self._thread = QueueDriver(
            self.driver,
            self._publish,
            on_finished=self._finished,
            on_failed=self._failed,
            # decoding only: no snapshots while running (the final one is cheap)
            state_period_s=STATE_PERIOD_S if self.analyse else DECODE_ONLY_PERIOD_S,
        )
        self._thread.start()
        for item in self._early:
            self._thread.put(item)
        self._early.clear()

    def put(self, items: Sequence[Packet | Event]) -> None:
        """Queue items for the analysis (kept in order until `start`); never blocks."""
        if self._thread is None:
            self._early.extend(items)
            return
        for item in items:
            self._thread.put(item)

    def counts(self) -> dict[str, DeviceCount]:
        """The decoder's per-device counters by device key (empty before `start`)."""
        if self.driver is None:
            return {}
        return {c.key: c for c in self.driver.device_counts()}

    def drain(self) -> None:
        """Block until everything queued is fed (the counters are then current)."""
        if self._thread is not None:
            self._thread.drain(ANALYSIS_DRAIN_S)

    def finish(self) -> None:
        """Block until the final snapshot and summary are out (blocking: use a thread)."""
        if self._thread is not None:
            self._thread.finish(ANALYSIS_DRAIN_S)

    def watch(
        self,
        publish: Callable[[Snapshot], object],
        *,
        on_finished: Callable[[SessionSummary], object] | None = None,
        on_failed: Callable[[str], object] | None = None,
    ) -> None:
        """Receive snapshots, then the summary (called on the analysis thread).

        Args:
            publish: called with each `session.Snapshot` (at most every 0.2 s).
            on_finished: called with the `SessionSummary` after the final snapshot.
            on_failed: called with a message if the analysis raised.
        """
        self._watchers.append(_Watcher(publish, on_finished, on_failed))

    def _publish(self, snapshot: Snapshot) -> None:
        for w in list(self._watchers):
            w.publish(snapshot)

    def _finished(self, summary: SessionSummary) -> None:
        if not self.analyse:
            return
        self.summary = summary
        for w in list(self._watchers):
            if w.on_finished is not None:
                w.on_finished(summary)

    def _failed(self, text: str) -> None:
        log.error("%s", text)
        for w in list(self._watchers):
            if w.on_failed is not None:
                w.on_failed(text)
