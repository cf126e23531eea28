"""Alerts on the live screen: they appear when the data says so and clear again."""

from __future__ import annotations

from tui_support import ALERTS, SIZE, WALK, wait_for

from osteomonitor.prescription import Rule
from osteomonitor.prescription.safety import PATIENT_MESSAGES
from osteomonitor.store import RecordingReader
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.replay import ReplayFeed
from osteomonitor.tui.screens.replay import ReplayScreen
from osteomonitor.tui.views.alert_board import ALERT_HOLD_S
from osteomonitor.tui.widgets.alert_banner import AlertBanner


def _app(feed: ReplayFeed) -> OsteomonitorApp:
    feed.open()
    return OsteomonitorApp(lambda: ReplayScreen(feed))


async def test_data_quality_alert_appears_at_link_loss_and_clears_after_the_hold() -> None:
    with RecordingReader(WALK) as r:
        lost = [e for e in r.events() if e.kind == "link_lost"]
        span = r.time_span_ns()
        assert span is not None
        start = span[0]
    assert lost, "the walk recording has a link loss"
    lost_s = (lost[0].t_ns - start) / 1e9
    feed = ReplayFeed(WALK, speed=16.0)
    app = _app(feed)
    async with app.run_test(size=SIZE) as pilot:
        banner = app.screen.query_one(AlertBanner)
        await pilot.press("right")  # skip ahead; still before the loss
        feed.seek_to(lost_s - 5.0)
        await wait_for(pilot, lambda: feed.position_s >= lost_s - 5.0, what="seek")
        assert not banner.display
        await wait_for(pilot, lambda: banner.display, what="the alert")
        text = str(banner.render())
        assert PATIENT_MESSAGES[Rule.DATA_QUALITY][:30] in text
        appeared_at = feed.position_s
        assert lost_s - 1 <= appeared_at <= lost_s + 5
        await wait_for(pilot, lambda: not banner.display, what="the alert to clear")
        assert feed.position_s >= lost_s + ALERT_HOLD_S - 1


async def test_stop_alerts_show_the_pain_message_until_acknowledged() -> None:
    feed = ReplayFeed(ALERTS, speed=None)
    app = _app(feed)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_for(pilot, lambda: screen.finished_summary is not None, what="the end")
        await pilot.pause(0.1)
        banner = screen.query_one(AlertBanner)
        assert banner.display
        assert banner.has_class("-stop")
        rules = {a.rule for a in screen.alerts.active()}
        assert Rule.PAIN in rules  # sticky until acknowledged
        assert PATIENT_MESSAGES[Rule.PAIN][:30] in str(banner.render())
        await pilot.press("a")
        assert not banner.display
