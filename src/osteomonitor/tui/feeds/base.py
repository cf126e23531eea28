"""What a dashboard screen is fed by: the contract shared by replay and live feeds.

A feed owns its source (a recording, or the collector) and a `SessionProcessor`,
runs off the UI, and posts `osteomonitor.tui.messages` to the screen it was started
with. The screen calls back only through these methods, all cheap and non-blocking.
"""

from __future__ import annotations

from typing import Protocol

from textual.message_pump import MessagePump

from osteomonitor.model import Event

# How often a feed posts a fresh snapshot to the screen, s: the driver's period.
from osteomonitor.session import STATE_PERIOD_S

__all__ = ["STATE_PERIOD_S", "SessionFeed"]


class SessionFeed(Protocol):
    """A source of `SessionUpdated` / `DevicesUpdated` / `FeedFinished` messages."""

    can_log_events: bool
    """True when the person can add events (live); False for a recording (replay)."""

    def start(self, target: MessagePump) -> None:
        """Begin posting messages to `target` (returns at once)."""

    def log_event(self, event: Event) -> None:
        """Record an event the person entered (RPE, pain, marker …); live feeds only."""

    async def stop(self) -> None:
        """End the streams and close the recording cleanly; idempotent."""
