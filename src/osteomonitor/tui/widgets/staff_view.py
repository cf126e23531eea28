"""The staff view: the dense dashboard behind the patient view (key v on the live screen).

Tiles (heart rate and %HRR, time in band, jumps, session clock with steps), the heart
rate and impact charts, the devices with their packet counts, and the events with the
safety alerts.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from osteomonitor.tui.widgets.band_time_tile import BandTimeTile
from osteomonitor.tui.widgets.device_strip import DeviceStrip
from osteomonitor.tui.widgets.event_log import EventLog
from osteomonitor.tui.widgets.heart_rate_chart import HeartRateChart
from osteomonitor.tui.widgets.heart_tile import HeartTile
from osteomonitor.tui.widgets.impact_histogram import ImpactHistogram
from osteomonitor.tui.widgets.jump_tile import JumpTile
from osteomonitor.tui.widgets.session_clock import SessionClock


class StaffView(Vertical):
    """The tiles, charts, devices and events (the screen updates each part)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="tiles"):
            yield HeartTile(classes="tile")
            yield BandTimeTile(classes="tile")
            yield JumpTile(classes="tile")
            yield SessionClock(classes="tile")
        with Horizontal(id="charts"):
            yield HeartRateChart(id="hr-chart")
            yield ImpactHistogram(id="impact-histogram")
        with Horizontal(id="bottom"):
            with Vertical(id="devices-box"):
                yield Label("DEVICES", classes="tile-title")
                yield DeviceStrip(id="device-strip")
            with Vertical(id="events-box"):
                yield Label("EVENTS", classes="tile-title")
                yield EventLog(id="event-log")
