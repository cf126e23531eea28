"""One message hierarchy on the live screen, over real replays.

The alerts demo (P01: ceiling 110 bpm inside a 40-60 %HRR band of 98-119 bpm, pain
reported at 37 s, HR above the ceiling from ~38 s to ~60 s, walking until ~22 s) and a
simulated session with a long rest between a walk and a jump block are replayed
snapshot by snapshot; every snapshot the screen drew is checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tui_support import ALERTS, SIZE, wait_for

from osteomonitor.cli.demo import demo_prescription_toml
from osteomonitor.prescription import Rule, parse_prescription
from osteomonitor.prescription.safety import PATIENT_MESSAGES
from osteomonitor.session import recording_prescription
from osteomonitor.session.coaching import HR_WORDS
from osteomonitor.sim.packet_audit import run_simulated_session
from osteomonitor.sim.session_model import Segment, SessionModel
from osteomonitor.store import RecordingReader
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.replay import ReplayFeed
from osteomonitor.tui.messages import SessionUpdated
from osteomonitor.tui.screens.replay import ReplayScreen
from osteomonitor.tui.views.dashboard import session_targets
from osteomonitor.tui.widgets.alert_banner import AlertBanner

ENCOURAGING = ("keep going", "more effort")
#: Replay speed of the watched replays (x real time).
REPLAY_SPEED = 10.0


@dataclass(frozen=True)
class Seen:
    """What one snapshot put on the screen."""

    t_s: float
    hr_bpm: float | None
    hr_words: str
    banner: str
    clock_line: str
    patient_words: str = ""
    patient_plan: str = ""


class WatchedReplay(ReplayScreen):
    """The replay screen, keeping what every snapshot showed."""

    seen: list[Seen]

    def on_session_updated(self, message: SessionUpdated) -> None:
        super().on_session_updated(message)
        st = message.state
        banner = self.query_one(AlertBanner)
        self.seen.append(
            Seen(
                st.elapsed_s,
                st.hr_bpm if st.hr_valid else None,
                str(self.query_one("#hr-words").render()),
                str(banner.render()) if banner.display else "",
                str(self.query_one("#clock-line").render()),
                str(self.query_one("#pv-hr-words").render()),
                str(self.query_one("#pv-now").render()) + str(self.query_one("#pv-next").render()),
            )
        )


async def _replay(path: Path, rx: Any = None, view: str = "patient") -> list[Seen]:
    # 10x real time, not "as fast as possible": at full speed the snapshots coalesce
    # whenever the screen lags (a loaded machine), and the checks below need many of them.
    feed = ReplayFeed(path, speed=REPLAY_SPEED, prescription=rx, state_period_s=0.02)
    meta = feed.open()
    rx = rx or recording_prescription(meta, path)
    targets = session_targets(rx, meta)

    def make() -> WatchedReplay:
        screen = WatchedReplay(feed, targets=targets, view=view)
        screen.seen = []
        return screen

    app = OsteomonitorApp(make)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, WatchedReplay)
        await wait_for(pilot, lambda: screen.finished_summary is not None, what="the end")
        await pilot.pause(0.2)
        return list(screen.seen)


@pytest.fixture(scope="module", params=["patient", "staff"])
def alerts_seen(request: pytest.FixtureRequest) -> list[Seen]:
    """What every snapshot showed, with the screen in the patient view (the default)
    and in the staff view: both views are updated from the same coaching."""
    import asyncio

    return asyncio.run(_replay(ALERTS, view=request.param))


def _pain_s() -> float:
    with RecordingReader(ALERTS) as r:
        span = r.time_span_ns()
        assert span is not None
        start = span[0]
        return next((e.t_ns - start) / 1e9 for e in r.events() if e.kind == "pain")


def test_above_the_ceiling_the_heart_tile_never_says_in_band(alerts_seen: list[Seen]) -> None:
    above = [s for s in alerts_seen if s.hr_bpm is not None and s.hr_bpm > 110]
    assert len(above) >= 10, "the demo's HR goes above its 110 bpm ceiling"
    for s in above:
        assert s.hr_words == HR_WORDS["ceiling"], s
        assert HR_WORDS["ceiling"] in s.patient_words and "▲▲" in s.patient_words, s
    assert all(HR_WORDS["in"] not in s.hr_words for s in above)


def test_after_pain_nothing_encourages_effort(alerts_seen: list[Seen]) -> None:
    pain_s = _pain_s()
    after = [s for s in alerts_seen if s.t_s >= pain_s + 0.5]
    before = [s for s in alerts_seen if s.t_s < pain_s - 1]
    assert after and any("more effort" in s.hr_words for s in before)
    for s in after:
        assert PATIENT_MESSAGES[Rule.PAIN][:30] in s.banner, s
        assert not any(w in s.hr_words.lower() for w in ENCOURAGING), s
        # the patient view says the same and its plan waits (no "Now: Jumps", no "Next")
        assert s.hr_words in s.patient_words, s
        assert "paused" in s.patient_plan.lower() and "Next" not in s.patient_plan, s


def test_the_ceiling_alert_is_shown_first_and_never_folded(alerts_seen: list[Seen]) -> None:
    ceiling_text = PATIENT_MESSAGES[Rule.HR_CEILING][:30]
    with_ceiling = [s for s in alerts_seen if ceiling_text in s.banner]
    assert with_ceiling, "the ceiling alert reaches the banner"
    for s in with_ceiling:
        assert "more)" not in s.banner
        assert s.banner.index(ceiling_text) < s.banner.index(PATIENT_MESSAGES[Rule.PAIN][:30])


def test_cadence_fades_when_walking_stops(alerts_seen: list[Seen]) -> None:
    walking = [s for s in alerts_seen if 8 <= s.t_s <= 20]
    assert any("/min" in s.clock_line for s in walking), "cadence shows while walking"
    late = [s for s in alerts_seen if s.t_s >= 30]
    assert late
    for s in late:
        assert "/min" not in s.clock_line, s


#: Walk, a 40 s rest, a jump block (simulated seconds; recorded at 10x: at 25x the
#: virtual H10's accelerometer arrived up to 16 s behind its heart rate).
REST_PLAN = (
    Segment("walk", 0.0, 20.0),
    Segment("rest", 20.0, 60.0),
    Segment("jumps", 60.0, 80.0),
    Segment("rest", 80.0, 100.0),
)


@pytest.fixture(scope="module")
def rest_seen(tmp_path_factory: pytest.TempPathFactory) -> list[Seen]:
    import asyncio

    out = tmp_path_factory.mktemp("rest") / "rest.omrec"
    model = SessionModel(seed=5, duration_s=100.0, plan=REST_PLAN)
    asyncio.run(run_simulated_session(["h10"], 75.0, output=out, speed=10.0, model=model))
    toml = demo_prescription_toml(start_date=dt.date.today() - dt.timedelta(days=7))
    return asyncio.run(_replay(out, parse_prescription(toml, "test")))


def test_a_rest_with_no_movement_says_rest(rest_seen: list[Seen]) -> None:
    # the recording starts ~4.5 s into the plan: the rest is ~15.5-55.5 s, still from ~27 s
    resting = [s for s in rest_seen if 33 <= s.t_s <= 50]
    assert resting
    for s in resting:
        assert s.hr_words == HR_WORDS["rest"], s
        assert "/min" not in s.clock_line, s
    moving = [s for s in rest_seen if 4 <= s.t_s <= 12]
    assert moving and all(s.hr_words != HR_WORDS["rest"] for s in moving)


async def test_review_and_live_charts_never_draw_the_band_above_the_ceiling() -> None:
    """P01's band (98-119 bpm) reaches over its 110 bpm ceiling: both charts cut it at the
    red line, so the ceiling is the band's top, never a line inside the band."""
    from osteomonitor.tui.screens.session_detail import SessionDetailScreen
    from osteomonitor.tui.widgets.heart_rate_chart import HeartRateChart, HeartSeries

    app = OsteomonitorApp(lambda: SessionDetailScreen(ALERTS))
    async with app.run_test(size=SIZE) as pilot:
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen)
        await wait_for(pilot, lambda: detail.review is not None, what="analysis")
        await pilot.pause(0.1)
        data = detail.query_one(HeartRateChart)._data
    assert isinstance(data, HeartSeries)
    assert data.ceiling_bpm == 110.0
    assert data.band_bpm is not None
    assert data.band_bpm[0] == pytest.approx(56 + 0.4 * (161.1 - 56), abs=0.1)
    assert data.band_bpm[1] == 110.0

    feed = ReplayFeed(ALERTS, speed=None)
    meta = feed.open()
    live_app = OsteomonitorApp(
        lambda: ReplayScreen(
            feed, targets=session_targets(recording_prescription(meta, ALERTS), meta)
        )
    )
    async with live_app.run_test(size=SIZE) as pilot:
        screen = live_app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_for(pilot, lambda: screen.finished_summary is not None, what="the end")
        live = screen.query_one(HeartRateChart)._data
    assert isinstance(live, HeartSeries)
    assert live.band_bpm is not None and live.band_bpm[1] == 110.0
