"""The alert banner: unmistakable, but calm words the patient can act on.

Hidden while there is nothing to say. Shows the most severe active alert's patient
message in large type, and how many others are active.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Static

# Severity order, most severe first; unknown severities sort last.
SEVERITY_ORDER: tuple[str, ...] = ("stop", "critical", "high", "warning", "caution", "info")


def _rank(alert: Any) -> int:
    sev = str(getattr(alert, "severity", "")).lower()
    return SEVERITY_ORDER.index(sev) if sev in SEVERITY_ORDER else len(SEVERITY_ORDER)


def alert_text(alert: Any) -> str:
    """The patient-facing sentence of an alert."""
    for name in ("patient_message", "message", "text"):
        value = getattr(alert, name, None)
        if value:
            return str(value)
    return str(alert)


class AlertBanner(Static):
    """Full-width banner of the active alerts (hidden when there are none)."""

    def on_mount(self) -> None:
        self.display = False

    _last: list[Any] | None = None

    def show(self, alerts: Sequence[Any]) -> None:
        """Show `alerts` (objects with `severity` and `patient_message`)."""
        if self._last is not None and list(alerts) == self._last:
            return
        self._last = list(alerts)
        active = sorted(alerts, key=_rank)
        self.display = bool(active)
        if not active:
            self.update("")
            return
        top = active[0]
        sev = str(getattr(top, "severity", "warning")).lower()
        for name in SEVERITY_ORDER:
            self.set_class(name == sev, f"-{name}")
        t = Text()
        t.append("  !  ", style="reverse bold")
        t.append(f"  {alert_text(top)}", style="bold")
        if len(active) > 1:
            t.append(f"   (+{len(active) - 1} more)")
        self.update(t)
