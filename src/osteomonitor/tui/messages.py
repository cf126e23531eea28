"""Messages that carry results from the feeds (collector, replay) to the screens.

Feeds run off the UI (a thread, or a small asyncio task) and only ever talk to the
screen by posting these messages, which Textual makes thread-safe. The high-rate ones
coalesce: when several `SessionUpdated` wait in a queue, only the newest is handled
(`can_replace`), so a slow terminal drops frames instead of falling behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping
    from pathlib import Path

    from osteomonitor.app.review import RecordingInfo, SessionReview
    from osteomonitor.model import SessionMeta, SessionSummary
    from osteomonitor.prescription import Alert
    from osteomonitor.session import SessionState, Snapshot
    from osteomonitor.tui.views.library_cells import TableRow


@dataclass(frozen=True, slots=True)
class DeviceLine:
    """What the device strip shows for one wearable (a view of the collector's status).

    Attributes:
        key: session key of the device ("h10"); name: advertised name.
        state: "connected", "connecting", "reconnecting", "lost", "stopped" or "replay".
        battery_pct: battery level, %, when known.
        contact: skin contact of a strap (None when the strap does not report it).
        packets: notifications received; dropped: notifications the queue could not take.
        simulated: the device is a virtual wearable.
    """

    key: str
    name: str
    state: str
    battery_pct: int | None = None
    contact: bool | None = None
    packets: int = 0
    dropped: int = 0
    simulated: bool = False


class SessionUpdated(Message):
    """A fresh `SessionState` snapshot; coalesces with any older one still queued.

    Attributes:
        state: the processor's frozen snapshot (`osteomonitor.session.SessionState`).
        alerts: every safety alert raised so far (`osteomonitor.prescription` alerts).
        start_ns: host time of the session's first packet or event, ns.
        newest_arrival_ns: host arrival time (time.time_ns) of the newest packet folded
            into `state`, for notification-to-screen latency; None in replay.
        generation: bumps when the feed restarts its processor (a replay seeking
            backwards): alert lists start again.
    """

    def __init__(
        self,
        state: SessionState,
        alerts: tuple[Alert, ...] = (),
        start_ns: int | None = None,
        newest_arrival_ns: int | None = None,
        generation: int = 0,
    ) -> None:
        super().__init__()
        self.generation = generation
        self.state = state
        self.alerts = alerts
        self.start_ns = start_ns
        self.newest_arrival_ns = newest_arrival_ns

    @classmethod
    def of(cls, snapshot: Snapshot, generation: int = 0, live: bool = True) -> SessionUpdated:
        """The message for a driver's snapshot (`newest_arrival_ns` only when live)."""
        return cls(
            snapshot.state,
            alerts=snapshot.alerts,
            start_ns=snapshot.start_ns,
            newest_arrival_ns=snapshot.newest_arrival_ns if live else None,
            generation=generation,
        )

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SessionUpdated)


class DevicesUpdated(Message):
    """The device strip's lines; coalesces."""

    def __init__(self, devices: tuple[DeviceLine, ...]) -> None:
        super().__init__()
        self.devices = devices

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DevicesUpdated)


class PlaybackChanged(Message):
    """Where a replay stands; coalesces.

    Attributes:
        position_s: data time reached, s from the recording's start.
        duration_s: the recording's length, s.
        speed: playback speed factor (None = as fast as possible).
        paused: playback is paused; finished: the end was reached.
    """

    def __init__(
        self,
        position_s: float,
        duration_s: float,
        speed: float | None,
        paused: bool,
        finished: bool = False,
    ) -> None:
        super().__init__()
        self.position_s = position_s
        self.duration_s = duration_s
        self.speed = speed
        self.paused = paused
        self.finished = finished

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PlaybackChanged)


class FeedStarted(Message):
    """The feed opened its source: the session's metadata is known."""

    def __init__(self, meta: SessionMeta) -> None:
        super().__init__()
        self.meta = meta


class FeedFinished(Message):
    """The feed has no more data (the recording ended, or the collector stopped).

    Attributes:
        summary: the whole session's summary, as `osteomonitor analyze` computes it,
            or None when the feed stopped before the end.
    """

    def __init__(self, summary: SessionSummary | None) -> None:
        super().__init__()
        self.summary = summary


class FeedFailed(Message):
    """The feed stopped on an error; `text` is the one-line message for a person."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SessionReviewed(Message):
    """A recording has been analysed for the review screens (`app.review.SessionReview`)."""

    def __init__(self, review: SessionReview) -> None:
        super().__init__()
        self.review = review


class LibraryListed(Message):
    """The library's rows, read from the folder's index (and the files it did not know).

    Attributes:
        infos: one `app.review.RecordingInfo` per recording file.
        reviews: the reviews already at hand, added with their rows.
        rows: each file's table row (`views.library_cells.TableRow`) and the review it
            shows, built by the worker (off the event loop); the screen builds any
            missing.
    """

    def __init__(
        self,
        infos: list[RecordingInfo],
        reviews: tuple[SessionReview, ...] = (),
        rows: Mapping[Path, tuple[SessionReview | None, TableRow]] | None = None,
    ) -> None:
        super().__init__()
        self.infos = infos
        self.reviews = reviews
        self.rows = rows or {}


class SessionsReviewed(Message):
    """Several recordings analysed at once (the library's loading worker batches them
    so a thousand cached reviews cost a few table updates, not a thousand)."""

    def __init__(self, reviews: tuple[SessionReview, ...]) -> None:
        super().__init__()
        self.reviews = reviews


class LibraryProgress(Message):
    """What the library's loading worker is doing, for the status line ("" = done).

    Attributes:
        text: e.g. "analysing new recordings: 12 of 40".
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
