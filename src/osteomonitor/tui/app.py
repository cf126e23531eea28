"""The Textual application: one app, started on the screen a command asks for.

`OsteomonitorApp` only knows how to build its first screen (a factory), the calm
theme and the stylesheet; what the screen shows comes from its feed. Exit code is
the app's return value (0 for a normal stop).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.theme import Theme

# Calm colours for people mid-exercise: a dark slate background, soft blue, green for
# "on target", warm amber for caution and a muted coral for alerts (never flashing).
CALM_THEME = Theme(
    name="osteomonitor",
    primary="#6FA8DC",
    secondary="#8FB9A8",
    accent="#B4C7E7",
    success="#7DBE8A",
    warning="#E3B45B",
    error="#E07A5F",
    foreground="#E8ECEF",
    background="#1C232B",
    surface="#232C36",
    panel="#2C3845",
    dark=True,
)


class OsteomonitorApp(App[int]):
    """The osteomonitor dashboard.

    Args:
        first_screen: builds the screen the app starts on (live, replay or review).
        clock_ns: host clock for anything the app timestamps, ns since the epoch.
    """

    CSS_PATH = "app.tcss"
    TITLE = "osteomonitor"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        first_screen: Callable[[], Screen[Any]],
        *,
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        super().__init__()
        self._first_screen = first_screen
        self.clock_ns = clock_ns
        self.register_theme(CALM_THEME)
        self.theme = CALM_THEME.name

    def get_default_screen(self) -> Screen[Any]:
        return self._first_screen()

    def on_mount(self) -> None:
        # Everything alive once the first screen is up (Textual, numpy, bumble, the
        # collector ...) lives as long as the app: move it out of the collector's sight.
        # Without this, each full (generation 2) collection walks it all and stalls the
        # event loop 60-85 ms every ~20 s of a live session (bench/bench_tui.py).
        self.call_after_refresh(gc.freeze)
