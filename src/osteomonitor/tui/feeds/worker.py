"""The live analysis thread as the screen sees it: `session.QueueDriver` posting messages.

The collector's consumer only hands each packet to `put` (a lock-free queue append), so
nothing the analysis does can delay a BLE notification callback or the event loop. The
driver (the same `SessionDriver` replay and batch analysis use) posts a coalescing
`SessionUpdated` at most every `state_period_s`, and at once when the queue runs dry.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from textual.message_pump import MessagePump

from osteomonitor.model import DeviceInfo, Event, Packet, SessionMeta, SessionSummary
from osteomonitor.prescription import Prescription
from osteomonitor.session import QueueDriver, SessionDriver, SessionProcessor, Snapshot
from osteomonitor.tui.feeds.base import STATE_PERIOD_S
from osteomonitor.tui.messages import FeedFailed, FeedFinished, SessionUpdated


class SessionWorker:
    """Runs a `SessionDriver` on its own thread, posting to `target`.

    Args:
        devices / meta / prescription: as for `SessionProcessor`.
        target: the screen the snapshots are posted to.
        state_period_s: shortest interval between two snapshots, s (wall time).
        clock: monotonic seconds.
    """

    def __init__(
        self,
        devices: Sequence[DeviceInfo],
        meta: SessionMeta | None,
        prescription: Prescription | None,
        target: MessagePump,
        *,
        state_period_s: float = STATE_PERIOD_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.driver = SessionDriver(devices, meta, prescription, clock=clock)
        self.target = target
        self._thread = QueueDriver(
            self.driver,
            self._post,
            on_finished=lambda s: target.post_message(FeedFinished(s)),
            on_failed=lambda text: target.post_message(FeedFailed(text)),
            state_period_s=state_period_s,
            clock=clock,
        )

    @property
    def processor(self) -> SessionProcessor:
        """The driver's processor."""
        return self.driver.processor

    @property
    def items(self) -> int:
        """Packets and events analysed so far."""
        return self.driver.items

    @property
    def summary(self) -> SessionSummary | None:
        """The final summary (after `finish`)."""
        return self.driver.summary

    def _post(self, snapshot: Snapshot) -> None:
        self.target.post_message(SessionUpdated.of(snapshot))

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def put(self, item: Packet | Event) -> None:
        """Queue one packet or event (never blocks; call from any thread)."""
        self._thread.put(item)

    def finish(self, timeout_s: float = 10.0) -> SessionSummary | None:
        """Process what is queued, post the final snapshot and summary; returns it."""
        return self._thread.finish(timeout_s)
