"""The live analysis thread: packets in (from any source), snapshots out to a screen.

The collector's consumer only hands each packet to `put` (a lock-free queue append),
so nothing the analysis does can delay a BLE notification callback or the event loop.
The thread feeds the `SessionProcessor` in arrival order and posts a coalescing
`SessionUpdated` at most every `state_period_s` — and at once when the queue runs dry,
so a lone packet reaches the screen without waiting for the next period.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from textual.message_pump import MessagePump

from osteomonitor.model import DeviceInfo, Event, Packet, SessionMeta
from osteomonitor.tui.feeds.base import STATE_PERIOD_S
from osteomonitor.tui.messages import FeedFailed, FeedFinished, SessionUpdated

_STOP = object()
# Longest wait for the next item, s (the thread notices `finish` this fast).
_POLL_S = 0.1
# A snapshot follows a quiet queue after at most this fraction of the period (50 ms at
# 0.2 s): the notification-to-screen budget is 100 ms (issue 7).
MIN_GAP_FRACTION = 0.25
# Snapshots are spaced at least this many times their own cost apart, so building them
# never takes more than a fifth of a core, however long the session has grown.
STATE_BUDGET_FACTOR = 5.0


class SessionWorker:
    """Runs a `SessionProcessor` on its own thread.

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
        prescription: Any,
        target: MessagePump,
        *,
        state_period_s: float = STATE_PERIOD_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from osteomonitor.session import SessionProcessor

        self.processor = SessionProcessor(devices, meta, prescription=prescription)
        self.target = target
        self.state_period_s = state_period_s
        self._clock = clock
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="osteomonitor-analysis", daemon=True)
        self.start_ns: int | None = None
        self.summary: Any = None
        self.items = 0
        self.state_cost_s = 0.0

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def put(self, item: Packet | Event) -> None:
        """Queue one packet or event (never blocks; call from any thread)."""
        self._queue.put(item)

    def finish(self, timeout_s: float = 10.0) -> Any:
        """Process what is queued, post the final snapshot and summary; returns it."""
        self._queue.put(_STOP)
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        return self.summary

    def _post_state(self, newest_ns: int | None) -> None:
        proc = self.processor
        t0 = self._clock()
        state = proc.state()
        self.state_cost_s = self._clock() - t0
        self.target.post_message(
            SessionUpdated(
                state,
                alerts=tuple(proc.alerts),
                start_ns=self.start_ns,
                newest_arrival_ns=newest_ns,
            )
        )

    def _run(self) -> None:
        proc = self.processor
        newest_ns: int | None = None
        dirty = False
        last_post = -1e9
        min_gap = self.state_period_s * MIN_GAP_FRACTION
        try:
            while True:
                wait = max(0.0, last_post + min_gap - self._clock()) if dirty else _POLL_S
                try:
                    item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
                except queue.Empty:
                    item = None
                if item is _STOP:
                    break
                if item is not None:
                    if self.start_ns is None:
                        self.start_ns = item.t_ns
                    proc.feed(item)
                    self.items += 1
                    dirty = True
                    if isinstance(item, Packet):
                        newest_ns = item.t_ns
                since = self._clock() - last_post
                # never spend more than 1/STATE_BUDGET_FACTOR of the time on snapshots
                gap = max(min_gap, STATE_BUDGET_FACTOR * self.state_cost_s)
                period = max(self.state_period_s, gap)
                # post when the queue ran dry (not faster than `gap`), or every period
                if dirty and (since >= period or (item is None and since >= gap)):
                    last_post = self._clock()
                    dirty = False
                    self._post_state(newest_ns)
            self.summary = proc.summary()
            self._post_state(newest_ns)
            self.target.post_message(FeedFinished(self.summary))
        except Exception as exc:  # keep the UI alive and say what happened
            self.target.post_message(
                FeedFailed(f"live analysis stopped: {type(exc).__name__}: {exc}")
            )
