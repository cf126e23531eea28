"""The alert banner: unmistakable, but calm words the patient can act on.

Hidden while there is nothing to say. Shows every active alert, one line each, in the
order `coaching.order_alerts` gives (a heart-rate or impact ceiling before a pain
report, both before a data-quality notice): no safety alert is ever folded away behind
another. Coloured by the most severe of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Static

from osteomonitor.app.coaching import SEVERITY_ORDER, banner_severity, order_alerts


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
        """Show `alerts` (objects with `rule`, `severity` and `patient_message`)."""
        if self._last is not None and list(alerts) == self._last:
            return
        self._last = list(alerts)
        active = order_alerts(alerts)
        self.display = bool(active)
        if not active:
            self.update("")
            return
        sev = banner_severity(active)
        for name in SEVERITY_ORDER:
            self.set_class(name == sev, f"-{name}")
        t = Text()
        for i, alert in enumerate(active):
            if i:
                t.append("\n")
            t.append("  !  ", style="reverse bold")
            t.append(f"  {alert_text(alert)}", style="bold" if i == 0 else "")
        self.update(t)
