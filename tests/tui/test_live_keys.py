"""The live screen over the whole path: virtual H10 → BLE → bleak → collector → recording
→ analysis → screen. Keys log RPE, pain, markers, balance blocks, stretch holds and sets into the
recording; pain raises an alert the patient acknowledges; stopping closes the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tui_support import SIZE, now, on_top, wait_for

from osteomonitor.app.collection import live_collection
from osteomonitor.cli.demo import demo_prescription_toml
from osteomonitor.collect.session_recording import session_meta
from osteomonitor.model import EventKind
from osteomonitor.prescription import parse_prescription
from osteomonitor.sim.session_model import Segment, SessionModel
from osteomonitor.sim.world import virtual_world
from osteomonitor.store import RecordingReader
from osteomonitor.tui.screens.live import LiveScreen
from osteomonitor.tui.screens.rpe_dialog import RpeDialog
from osteomonitor.tui.services.live_session import live_app
from osteomonitor.tui.widgets.alert_banner import AlertBanner
from osteomonitor.tui.widgets.device_strip import DeviceStrip

# Walking only: the keys are tested, not the jumps (simulated seconds).
PLAN = (Segment("rest", 0.0, 5.0), Segment("walk", 5.0, 600.0))
SIM_SPEED = 2.0


async def test_keys_alert_and_stop_over_the_virtual_stack(tmp_path: Path) -> None:
    toml = demo_prescription_toml(start_date=dt.date.today() - dt.timedelta(days=7))
    rx = parse_prescription(toml, "test")
    out = tmp_path / "live.omrec"
    meta = session_meta("DEMO", "mixed", prescription_toml=toml, simulated=True)
    model = SessionModel(seed=3, duration_s=600.0, plan=PLAN)
    async with (
        virtual_world(["h10"], session_model=model, speed=SIM_SPEED) as world,
        live_collection(world.device_specs(), output=out, meta=meta, stack=world.stack) as (
            collector,
            sub,
        ),
    ):
        app, feed = live_app(collector, sub, meta, rx, clock_ns=world.stack.clock_ns)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, LiveScreen)
            await wait_for(pilot, lambda: screen.last_state is not None, what="first snapshot")
            strip = screen.query_one(DeviceStrip)
            await wait_for(pilot, lambda: "connected" in str(strip.render()), what="connected")

            await pilot.press("m")
            # RPE: an out-of-range value is refused and the dialog stays open
            await pilot.press("r", "5", "enter")
            assert isinstance(app.screen, RpeDialog)
            await pilot.press("backspace", "1", "3", "enter")
            assert on_top(app, screen)
            # balance block: start (eyes open), end
            await pilot.press("b", "o")
            assert screen.balance_open
            await pilot.press("b")
            assert not now(screen.balance_open)
            # a stretch hold: start (name), hold, release: one event
            await pilot.press("h", *"calf", "enter")
            await pilot.pause(1.0)  # 2 s of the simulated clock
            await pilot.press("h")
            # a finished set
            await pilot.press("s", *"squat", "enter", "1", "0", "enter", "2", "0", "enter")
            banner = screen.query_one(AlertBanner)
            assert not banner.display
            # pain: the alert appears, stays, and clears when acknowledged
            await pilot.press("p", "4", "enter", *"knee", "enter")
            await wait_for(pilot, lambda: banner.display, what="pain alert")
            assert "pain" in str(banner.render()).lower()
            await pilot.press("a")
            assert not banner.display
            # stop: asks first, then ends the streams and closes the recording
            await pilot.press("q", "n")
            assert app.is_running
            await pilot.press("q", "y")
            await wait_for(pilot, lambda: not app.is_running, timeout_s=15, what="exit")
        assert feed.summary is not None
    with RecordingReader(out) as reader:
        assert reader.ended_cleanly
        assert reader.packet_count > 0
        events = reader.events()
    by_kind = {e.kind: e.data for e in events}
    assert by_kind[EventKind.MARKER] == {"label": "1"}
    assert by_kind[EventKind.RPE] == {"rpe": 13, "scale": "borg6-20"}  # the demo is KSBMR
    hold = by_kind[EventKind.STRETCH_HOLD]
    assert hold["exercise"] == "calf" and hold["hold_s"] >= 1.0
    assert by_kind[EventKind.BALANCE_START] == {"eyes": "open"}
    assert EventKind.BALANCE_END in by_kind
    assert by_kind[EventKind.SET_DONE] == {"exercise": "squat", "reps": 10, "load_kg": 20.0}
    assert by_kind[EventKind.PAIN] == {"level": 4, "where": "knee"}
    # the analysis saw what the recording holds
    assert {e.kind for e in feed.summary.events} >= set(by_kind)
