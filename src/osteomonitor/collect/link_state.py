"""Where a device link is in its life, and what it has seen (read by the collector's status).

Split from `link.py` (the link itself), which re-exports both names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class LinkState(enum.StrEnum):
    """Where a link is in its life."""

    CONNECTING = "connecting"
    STARTING = "starting"
    STREAMING = "streaming"
    RECONNECTING = "reconnecting"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass
class LinkCounters:
    """What a link has seen (mutated in place; read by `status()`).

    Attributes:
        packets: notifications that arrived, by stream.
        dropped: notifications the full queue could not take.
        link_losses: links lost; reconnects: links restored.
        lost_at_s: session second the current outage began (None when connected).
        detail: a state word from the stream control ("waiting for ACC").
        last_error: the last device error, for people.
    """

    packets: dict[str, int] = field(default_factory=dict)
    dropped: int = 0
    link_losses: int = 0
    reconnects: int = 0
    lost_at_s: float | None = None
    detail: str = ""
    last_error: str | None = None
