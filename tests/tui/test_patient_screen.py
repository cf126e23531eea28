"""The patient view (the live screen's default) and the staff view behind `v`, over a
replay of the bundled impact recording in rehearsal mode (the live keys work)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from tui_support import ALERTS, IMPACT, wait_for

from osteomonitor.session import recording_prescription
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.replay import ReplayFeed
from osteomonitor.tui.screens.live import LiveScreen
from osteomonitor.tui.screens.replay import ReplayScreen
from osteomonitor.tui.views.dashboard import session_targets
from osteomonitor.tui.widgets.big_digits import HEIGHT, BigDigits, render_lines
from osteomonitor.tui.widgets.event_log import EventLog
from osteomonitor.tui.widgets.patient_view import PatientView

SMALL = (80, 24)


def make_app(
    path: Any = IMPACT, screen: type[LiveScreen] = LiveScreen, kind: str | None = None
) -> OsteomonitorApp:
    """The screen over a replay of `path` (as a session of `kind` when given)."""
    import dataclasses

    feed = ReplayFeed(path, speed=None, rehearsal=screen is LiveScreen)
    meta = feed.open()
    if kind is not None:
        meta = dataclasses.replace(meta, kind=kind)
    targets = session_targets(recording_prescription(meta, path), meta)
    return OsteomonitorApp(lambda: screen(feed, targets=targets))


async def ended(pilot: Pilot[Any]) -> LiveScreen:
    screen = pilot.app.screen
    assert isinstance(screen, LiveScreen)
    await wait_for(pilot, lambda: screen.finished_summary is not None, what="the end")
    await pilot.pause(0.3)
    return screen


def text_of(widget: Widget) -> str:
    return str(widget.render())


def test_glyphs_are_the_same_height_and_width() -> None:
    for ch in "0123456789:-. ":
        lines = render_lines(ch)
        assert len(lines) == HEIGHT and len({len(line) for line in lines}) == 1, ch
    assert render_lines("12")[0] == render_lines("1")[0] + " " + render_lines("2")[0]


async def test_patient_view_is_the_default_and_its_digits_are_a_third_of_the_height() -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        screen = await ended(pilot)
        assert screen.view == "patient"
        assert screen.query_one(PatientView).display
        assert not screen.query_one("#staff-view").display
        digits = list(screen.query(BigDigits))
        assert len(digits) == 2
        for d in digits:
            assert d.region.height >= SMALL[1] / 3, d.region
            assert d.region.width > 0
        hr = screen.query_one("#pv-hr", BigDigits)
        assert hr.value.isdigit(), "the replay ends with a valid heart rate"
        assert "█" in text_of(hr)


@pytest.mark.parametrize(
    ("path", "kind", "screen_type"),
    [
        (IMPACT, None, LiveScreen),
        # the banner with alerts and the back-care line: the fullest screen
        (ALERTS, None, LiveScreen),
        (ALERTS, None, ReplayScreen),  # plus the replay bar
        (ALERTS, "mixed", LiveScreen),  # the longest plan
        (IMPACT, "mixed", LiveScreen),
    ],
)
async def test_nothing_is_clipped_and_nothing_scrolls_at_80x24(
    path: Any, kind: str | None, screen_type: type[LiveScreen]
) -> None:
    app = make_app(path, screen_type, kind)
    async with app.run_test(size=SMALL) as pilot:
        screen = await ended(pilot)
        area = screen.region
        shown = [w for w in screen.query("*") if w.display and w.region.area]
        assert shown
        for w in shown:
            if not all(a.display for a in w.ancestors_with_self if isinstance(a, Widget)):
                continue
            assert area.contains_region(w.region), f"{w!r} at {w.region} leaves {area}"
            assert not (w.allow_vertical_scroll or w.allow_horizontal_scroll), f"{w!r} scrolls"
        assert not screen.allow_vertical_scroll
        view = screen.query_one(PatientView)
        for label_id in ("pv-hr-words", "pv-hr-band", "pv-now", "pv-next", "pv-ex-target"):
            label = view.query_one(f"#{label_id}")
            text = text_of(label).rstrip()
            if label.display:
                assert len(text) <= label.region.width, f"#{label_id} cut: {text!r}"
        steps = view.query_one("#pv-steps")
        if steps.display:  # wraps: every line inside the view
            assert view.region.contains_region(steps.region)
            assert steps.region.height >= -(-len(text_of(steps)) // steps.region.width)


async def test_v_switches_to_the_staff_view_and_back() -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await ended(pilot)
        key = screen.active_bindings["v"]
        assert key.enabled and key.binding.show and key.binding.description == "Staff"
        await pilot.press("v")
        await pilot.pause(0.2)
        assert screen.view == "staff"
        assert screen.query_one("#staff-view").display
        assert not screen.query_one(PatientView).display
        key = screen.active_bindings["v"]
        assert key.enabled and key.binding.description == "Patient"
        await pilot.press("v")
        await pilot.pause(0.2)
        assert screen.view == "patient" and screen.query_one(PatientView).display


async def test_patient_and_staff_views_say_the_same_about_the_heart() -> None:
    app = make_app(ALERTS, ReplayScreen)
    async with app.run_test(size=SMALL) as pilot:
        screen = await ended(pilot)
        staff_words = text_of(screen.query_one("#hr-words"))
        patient_words = text_of(screen.query_one("#pv-hr-words"))
        assert staff_words and staff_words in patient_words
        # the pain alert of P01 is still showing: the plan waits, nothing urges effort
        now = text_of(screen.query_one("#pv-now"))
        assert "paused" in now.lower()
        for w in ("keep going", "more effort"):
            assert w not in patient_words.lower() and w not in now.lower()


async def test_staff_view_lists_alerts_and_no_failure_on_an_impact_day() -> None:
    app = make_app(IMPACT, ReplayScreen)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await ended(pilot)
        await pilot.press("v")
        await pilot.pause(0.3)
        log = text_of(screen.query_one(EventLog))
        assert "ALERT" in log, log
        state = screen.last_state
        assert len(state.jump_peaks_g) == state.jumps > 0  # every jump, not the last few
        band = text_of(screen.query_one("#band-target"))
        assert band == "not prescribed today"
        assert not screen.query_one("#band-progress").display


@pytest.mark.parametrize("size", [SMALL, (140, 45)])
async def test_the_plan_shows_now_and_every_step(size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await ended(pilot)
        steps = text_of(screen.query_one("#pv-steps"))
        for step in screen.targets.plan:
            assert step.title in steps
        assert "Session 2:" in text_of(screen.query_one("#pv-now"))


async def test_a_stretch_hold_and_the_plan_on_the_patient_view() -> None:
    """A flexibility day: the plan lists the stretches; a running hold takes the
    exercise panel with its timer; the finished hold counts in the plan."""
    import dataclasses

    from rx_builders import make_rx

    from osteomonitor.model import NS_PER_S

    rx = make_rx("acsm-osteoporosis")
    clock_ns = [1_000 * NS_PER_S]
    feed = ReplayFeed(IMPACT, speed=1.0, prescription=rx, rehearsal=True)
    meta = dataclasses.replace(feed.open(), kind="flexibility")
    targets = session_targets(rx, meta)
    assert [s.kind for s in targets.plan] == ["warmup", "stretch", "cooldown"]
    app = OsteomonitorApp(lambda: LiveScreen(feed, targets=targets, clock_ns=lambda: clock_ns[0]))
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await wait_for(pilot, lambda: screen.last_state is not None, what="first snapshot")
        big = screen.query_one("#pv-ex-big", BigDigits)
        await pilot.press("h", *"calf", "enter")
        clock_ns[0] += 12 * NS_PER_S
        await wait_for(pilot, lambda: big.value == "0:12", what="the hold timer")
        title = str(screen.query_one("#pv-exercise").border_title)
        assert "CALF" in title
        clock_ns[0] += 8 * NS_PER_S
        await pilot.press("h")
        steps = screen.query_one("#pv-now")
        await wait_for(pilot, lambda: "1 of 2 holds" in text_of(steps), what="the hold in the plan")
        # then the rest before the next hold counts down in the exercise panel
        assert str(screen.query_one("#pv-exercise").border_title) == "REST"
        assert big.value.startswith("0:") and "then stretches" in text_of(
            screen.query_one("#pv-ex-target")
        )
