"""One line per wearable: link state, battery, skin contact, packets and drops."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from osteomonitor.pseudonym import printable
from osteomonitor.tui.messages import DeviceLine

# Link states and how they read on screen (word, style).
STATE_STYLE: dict[str, tuple[str, str]] = {
    "connected": ("connected", "green"),
    "replay": ("recorded", "green"),
    "connecting": ("connecting...", "yellow"),
    "reconnecting": ("link lost - reconnecting", "bold yellow"),
    "lost": ("link lost", "bold red"),
    "stopped": ("stopped", "dim"),
}


def device_text(d: DeviceLine) -> Text:
    """The strip's line for one device."""
    word, style = STATE_STYLE.get(d.state, (d.state, ""))
    t = Text()
    t.append("● ", style=style)
    t.append(printable(d.name or d.key), style="bold")
    if d.simulated:
        t.append(" (simulated)", style="dim")
    t.append(f"  {word}", style=style)
    if d.battery_pct is not None:
        t.append(f"  battery {d.battery_pct}%", style="yellow" if d.battery_pct < 20 else "")
    if d.contact is not None:
        t.append(
            "  contact ok" if d.contact else "  NO SKIN CONTACT", "" if d.contact else "yellow"
        )
    t.append(f"  {d.packets} packets")
    t.append(f"  {d.dropped} dropped", style="yellow" if d.dropped else "dim")
    return t


class DeviceStrip(Static):
    """Status of every device of the session."""

    _last: tuple[DeviceLine, ...] | None = None

    def show(self, devices: tuple[DeviceLine, ...]) -> None:
        """Replace the lines with `devices` (redraws only on change)."""
        if devices == self._last:
            return
        self._last = devices
        if not devices:
            self.update(Text("no devices", style="dim"))
            return
        self.update(Text("\n").join(device_text(d) for d in devices))
        self.set_class(any(d.state in ("lost", "reconnecting") for d in devices), "-trouble")
