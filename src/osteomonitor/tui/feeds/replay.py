"""Replay: a recording played into the dashboard at a chosen speed.

One thread reads the recording in arrival order, feeds the very `SessionProcessor`
that runs live, and paces itself against a monotonic clock: the packet recorded at
data time t is fed at wall time anchor + t / speed. Pausing, changing speed and
seeking forward re-anchor the pacing; seeking backward restarts from the beginning
(the processor is incremental and cannot rewind) and fast-forwards to the target. The
moment a seek reaches its target the snapshot there is posted, paused or not, so the
screen shows the target at once.
Whatever the controls did, the snapshot after the last packet is the same as
`osteomonitor analyze` on the file, because every packet is fed exactly once in the
same order.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from textual.message import Message
from textual.message_pump import MessagePump

from osteomonitor.errors import OsteomonitorError
from osteomonitor.model import DeviceInfo, Event, SessionMeta, SessionSummary
from osteomonitor.prescription import Prescription
from osteomonitor.session import DeviceCount, Snapshot
from osteomonitor.tui.feeds.base import STATE_PERIOD_S
from osteomonitor.tui.messages import (
    DeviceLine,
    DevicesUpdated,
    FeedFailed,
    FeedFinished,
    FeedStarted,
    PlaybackChanged,
    SessionUpdated,
)

# Speeds offered by the speed keys; None means as fast as the processor goes.
SPEEDS: tuple[float | None, ...] = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, None)
# Longest single wait of the pacing loop, s: controls and stop are noticed this fast.
MAX_WAIT_S = 0.05


@dataclass
class _Controls:
    """What the UI asked for; guarded by `ReplayFeed._cond`."""

    paused: bool = False
    speed: float | None = 1.0
    seek_to_s: float | None = None
    stopped: bool = False
    changed: bool = False  # pacing must re-anchor


class ReplayFeed:
    """Plays one recording into a screen.

    Args:
        path: the `.omrec` file.
        speed: initial speed factor (1 = real time; None = as fast as possible).
        prescription: a `Prescription` to judge against instead of the recording's own.
        rehearsal: the event keys work: what the person logs goes into the analysis at
            the current replay position (to practise with a recording); the file is
            never changed. Off, the feed is read-only.
        state_period_s: how often a snapshot is posted while playing, s (wall time).
        clock: monotonic seconds (injectable for tests).

    Raises:
        RecordingError: the file cannot be read (raised by `open`, before any UI).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        speed: float | None = 1.0,
        prescription: Prescription | None = None,
        rehearsal: bool = False,
        state_period_s: float = STATE_PERIOD_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.prescription = prescription
        self.can_log_events = rehearsal
        self._logged: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self.state_period_s = state_period_s
        self._clock = clock
        self._cond = threading.Condition()
        self._ctl = _Controls(speed=speed)
        self._thread: threading.Thread | None = None
        self._target: MessagePump | None = None
        self.meta: SessionMeta | None = None
        self.devices: list[DeviceInfo] = []
        self.start_ns = 0
        self.duration_s = 0.0
        self.position_s = 0.0
        self.finished = False
        self.summary: SessionSummary | None = None
        self.generation = 0
        self._rx = prescription

    # -- controls (called from the UI thread) ---------------------------------------
    def open(self) -> SessionMeta:
        """Read the recording's metadata (fails early with the project's errors)."""
        from osteomonitor.session import read_header

        header = read_header(self.path)
        self.meta, self.devices, span = header.meta, list(header.devices), header.span_ns
        if self._rx is None:
            from osteomonitor.session import recording_prescription

            self._rx = recording_prescription(self.meta, self.path)
        self.start_ns = span[0] if span else 0
        self.duration_s = (span[1] - span[0]) / 1e9 if span else 0.0
        return self.meta

    def start(self, target: MessagePump) -> None:
        """Start playing into `target` on a daemon thread."""
        if self.meta is None:
            self.open()
        self._target = target
        self._thread = threading.Thread(target=self._run, name="osteomonitor-replay", daemon=True)
        self._thread.start()

    def log_event(self, event: Event) -> None:
        """In rehearsal, analyse `event` at the current replay position (never saved)."""
        if self.can_log_events:
            self._logged.put(event)

    async def stop(self) -> None:
        """Stop the thread and close the file."""
        self.stop_now()

    def stop_now(self, timeout_s: float = 5.0) -> None:
        """Synchronous `stop` (for tests and benchmarks)."""
        with self._cond:
            self._ctl.stopped = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    @property
    def paused(self) -> bool:
        """Playback is paused."""
        return self._ctl.paused

    @property
    def speed(self) -> float | None:
        """Current speed factor (None = max)."""
        return self._ctl.speed

    def set_paused(self, paused: bool) -> None:
        """Pause or resume."""
        with self._cond:
            self._ctl.paused = paused
            self._ctl.changed = True
            self._cond.notify_all()
        self._post_playback()

    def set_speed(self, speed: float | None) -> None:
        """Play at `speed` × real time (None = as fast as possible)."""
        if speed is not None and speed <= 0:
            raise OsteomonitorError(f"replay speed must be positive, not {speed}")
        with self._cond:
            self._ctl.speed = speed
            self._ctl.changed = True
            self._cond.notify_all()
        self._post_playback()

    def step_speed(self, steps: int) -> float | None:
        """Move `steps` along `SPEEDS` (clamped); returns the new speed."""
        current = self._ctl.speed
        idx = SPEEDS.index(current) if current in SPEEDS else 0
        new = SPEEDS[max(0, min(len(SPEEDS) - 1, idx + steps))]
        self.set_speed(new)
        return new

    def seek_to(self, position_s: float) -> None:
        """Jump to `position_s` seconds from the start (clamped to the recording)."""
        with self._cond:
            self._ctl.seek_to_s = max(0.0, min(position_s, self.duration_s))
            self._ctl.changed = True
            self._cond.notify_all()

    def seek_by(self, delta_s: float) -> None:
        """Jump `delta_s` seconds forward (negative: back)."""
        self.seek_to(self.position_s + delta_s)

    # -- the thread ------------------------------------------------------------------
    def _post(self, message: Message) -> None:
        if self._target is not None:
            self._target.post_message(message)

    def _post_playback(self) -> None:
        self._post(
            PlaybackChanged(
                self.position_s, self.duration_s, self._ctl.speed, self._ctl.paused, self.finished
            )
        )

    def _device_lines(self, counted: Sequence[DeviceCount]) -> tuple[DeviceLine, ...]:
        simulated = bool(self.meta and self.meta.simulated)
        counts = {c.key: c.packets for c in counted}
        lost = {c.key for c in counted if c.lost}
        return tuple(
            DeviceLine(
                key=d.key,
                name=d.name,
                state="lost" if d.key in lost else "replay",
                battery_pct=d.battery_pct,
                packets=counts.get(d.key, 0),
                simulated=simulated,
            )
            for d in self.devices
        )

    def _run(self) -> None:
        try:
            assert self.meta is not None
            self._post(FeedStarted(self.meta))
            while not self._ctl.stopped:
                restart = self._play_once()
                if not restart:
                    self._idle_until_seek()
        except OsteomonitorError as exc:
            self._post(FeedFailed(str(exc)))
        except Exception as exc:  # keep the UI alive, say what happened
            self._post(FeedFailed(f"replay of {self.path} stopped: {type(exc).__name__}: {exc}"))

    def _idle_until_seek(self) -> None:
        """After the end: wait for a backward seek (restart) or stop."""
        with self._cond:
            while not self._ctl.stopped:
                seek = self._ctl.seek_to_s
                if seek is not None and seek < self.duration_s:
                    return
                self._ctl.seek_to_s = None
                self._cond.wait(0.5)

    def _play_once(self) -> bool:
        """Play from the start; True when a backward seek asks for a restart."""
        from osteomonitor.session import SessionDriver, replay_items

        assert self.meta is not None
        self.finished = False
        self.position_s = 0.0
        self.generation += 1
        driver = SessionDriver(self.devices, self.meta, self._rx, clock=self._clock)
        start_ns = self.start_ns
        anchor_wall = self._clock()
        anchor_data_s = 0.0
        last_post = -1e9
        ff_until: float | None = None  # fast-forward target, s
        items = replay_items(self.path)
        try:
            for item in items:
                t_s = (item.t_ns - start_ns) / 1e9
                # --- controls ---
                with self._cond:
                    ctl = self._ctl
                    if ctl.stopped:
                        return False
                    if ctl.seek_to_s is not None:
                        target = ctl.seek_to_s
                        ctl.seek_to_s = None
                        if target < self.position_s:
                            ctl.seek_to_s = target  # replay from the start up to it
                            return True
                        ff_until = target
                    if ctl.changed:
                        ctl.changed = False
                        anchor_wall, anchor_data_s = self._clock(), self.position_s
                # --- pacing ---
                if ff_until is not None and t_s >= ff_until:
                    # The seek target is reached: everything before it is fed. Show it
                    # now, before pacing (or a pause) holds the next packet back, so the
                    # screen never lags a seek behind.
                    self.position_s = max(self.position_s, ff_until)
                    ff_until = None
                    anchor_wall, anchor_data_s = self._clock(), self.position_s
                    last_post = anchor_wall
                    self._post_state(driver.snapshot())
                if ff_until is None:
                    if self._pace(t_s, anchor_wall, anchor_data_s):
                        anchor_wall, anchor_data_s = self._clock(), self.position_s
                    if self._ctl.stopped:
                        return False
                    seek = self._ctl.seek_to_s
                    if seek is not None and seek < t_s:
                        return True  # a backward seek arrived while waiting
                # --- feed ---
                while not self._logged.empty():
                    ev = self._logged.get_nowait()
                    driver.feed(Event(item.t_ns, ev.kind, ev.data, ev.device))
                driver.feed(item)
                self.position_s = t_s
                now = self._clock()
                if now - last_post >= self.state_period_s:
                    last_post = now
                    self._post_state(driver.snapshot())
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        self.position_s = self.duration_s
        self.finished = True
        self.summary = driver.finish()
        self._post_state(driver.snapshot(finished=True))
        self._post(FeedFinished(self.summary))
        return False

    def _post_state(self, snapshot: Snapshot) -> None:
        self._post(
            SessionUpdated(
                snapshot.state,
                alerts=snapshot.alerts,
                start_ns=self.start_ns,
                generation=self.generation,
            )
        )
        self._post(DevicesUpdated(self._device_lines(snapshot.devices)))
        self._post_playback()

    def _pace(self, t_s: float, anchor_wall: float, anchor_data_s: float) -> bool:
        """Wait until data time `t_s` is due; True when the pacing must re-anchor."""
        last_post = self._clock()
        while True:
            with self._cond:
                ctl = self._ctl
                if ctl.stopped or ctl.seek_to_s is not None:
                    return True
                if ctl.paused:
                    self._cond.wait(MAX_WAIT_S * 4)
                    continue
                if ctl.changed:
                    return True
                speed = ctl.speed
                if speed is None:
                    return False
                due = anchor_wall + (t_s - anchor_data_s) / speed
                wait = due - self._clock()
                if wait <= 0:
                    return False
                self._cond.wait(min(wait, MAX_WAIT_S))
            if self._clock() - last_post >= self.state_period_s:
                last_post = self._clock()
                self._post_playback()
