"""Draw the README's screenshots headlessly from the bundled recordings.

    .venv/bin/python tools/make_screenshots.py [--out docs/screenshots]

The live screen is the real `LiveScreen` fed by a replay of
recordings/demo-P00-impact-sim.omrec (simulated wearable) run to its end: its patient
view (the default; also at 80×24, rendered to PNG) and its staff view (key v); the
review screens read the same folder. No terminal and no wall-clock text are involved,
so the SVGs only change when the screens or the recordings do.

PNGs are photographed by headless Chromium (`osteomonitor.report.pdf`: found on PATH or
through its environment variable, offline): `live-patient.png` from the patient view's
SVG (`svg_to_png`), `report-session.png` the top of the session report of the same
recording (`osteomonitor report`, `shoot_report`).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from osteomonitor.session import recording_prescription
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.replay import ReplayFeed
from osteomonitor.tui.screens.library import LibraryScreen
from osteomonitor.tui.screens.live import LiveScreen
from osteomonitor.tui.screens.session_detail import SessionDetailScreen
from osteomonitor.tui.views.dashboard import session_targets

RECORDINGS = Path("recordings")
IMPACT = RECORDINGS / "demo-P00-impact-sim.omrec"
SIZE = (120, 36)


async def _until(pilot: Pilot[Any], condition: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not get ready")
        await pilot.pause(0.05)


async def _live_ready(pilot: Pilot[Any]) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, LiveScreen)
    await _until(pilot, lambda: screen.finished_summary is not None)
    await pilot.pause(0.3)


async def _analysed(pilot: Pilot[Any]) -> None:
    await pilot.pause(0.2)
    await _until(pilot, lambda: not any(w.is_running for w in pilot.app.workers))
    await pilot.pause(0.3)


def shoot(
    app: OsteomonitorApp,
    ready: Callable[[Pilot[Any]], Awaitable[None]],
    out: Path,
    size: tuple[int, int] = SIZE,
    keys: tuple[str, ...] = (),
) -> None:
    """Run `app` headless at `size` (columns, rows) until `ready`, press `keys`, then
    save its screen as SVG at `out`."""

    async def pilot_fn(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.3)
        out.write_text(pilot.app.export_screenshot(title="osteomonitor"), encoding="utf-8")
        pilot.app.exit(0)

    app.run(headless=True, size=size, auto_pilot=pilot_fn)
    print(f"wrote {out}", file=sys.stderr)


def svg_size(svg: str) -> tuple[int, int]:
    """Width and height, px, of an SVG's viewBox."""
    m = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', svg)
    if m is None:
        raise ValueError("the SVG has no viewBox: cannot size its PNG")
    return round(float(m.group(1))), round(float(m.group(2)))


def svg_to_png(svg_path: Path, png_path: Path, scale: float = 1.5) -> None:
    """Render `svg_path` to `png_path` at its own size × `scale` with headless Chromium,
    offline (the report layer's browser flags: every host name maps to nowhere)."""
    from osteomonitor.report.pdf import BrowserError, browser_flags, require_chromium

    try:
        chromium = require_chromium()
    except BrowserError as exc:  # no browser: say so (and how to get one) and stop
        raise SystemExit(f"make_screenshots: {exc}") from exc
    width, height = svg_size(svg_path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            chromium,
            *browser_flags(Path(profile)),
            "--hide-scrollbars",
            f"--force-device-scale-factor={scale}",
            f"--window-size={width},{height}",
            f"--screenshot={png_path.resolve()}",
            svg_path.resolve().as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or not png_path.exists():
        raise SystemExit(
            f"make_screenshots: chromium could not render {svg_path} to PNG "
            f"(exit {done.returncode}): {done.stderr.strip()[-400:]}"
        )
    print(f"wrote {png_path}", file=sys.stderr)


def patient_screenshots(out: Path) -> None:
    """The patient view at 80×24 (SVG and PNG, the size its digits are made for)."""
    svg = out / "live-patient.svg"
    shoot(live_app(IMPACT), _live_ready, svg, size=(80, 24))
    svg_to_png(svg, out / "live-patient.png")


def live_app(path: Path) -> OsteomonitorApp:
    """The live screen fed by a replay of `path` (as fast as possible)."""
    feed = ReplayFeed(path, speed=None, rehearsal=True)
    meta = feed.open()
    targets = session_targets(recording_prescription(meta, path), meta)
    return OsteomonitorApp(lambda: LiveScreen(feed, targets=targets))


#: The report screenshot's window, CSS px: the page's A4 text column and its first plots.
REPORT_WINDOW = (900, 1500)


def shoot_report(out: Path, recording: Path = IMPACT) -> None:
    """Write the top of `recording`'s session report as a PNG at `out` (headless Chromium)."""
    from osteomonitor.app.reports import write_session_report
    from osteomonitor.report.pdf import browser_flags, require_chromium

    chromium = require_chromium()
    with tempfile.TemporaryDirectory(prefix="osteomonitor-shot-") as tmp:
        page = write_session_report(recording, Path(tmp) / "report.html")
        png = Path(tmp) / "report.png"
        w, h = REPORT_WINDOW
        subprocess.run(
            [
                chromium,
                *browser_flags(Path(tmp) / "profile"),
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                f"--window-size={w},{h}",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        out.write_bytes(png.read_bytes())
    print(f"wrote {out}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Write live.svg (patient view), live-staff.svg, live-patient.svg/.png (80×24),
    library.svg, session-detail.svg and report-session.png."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    shoot(live_app(IMPACT), _live_ready, args.out / "live.svg")
    shoot(live_app(IMPACT), _live_ready, args.out / "live-staff.svg", keys=("v",))
    patient_screenshots(args.out)
    shoot(OsteomonitorApp(lambda: LibraryScreen(RECORDINGS)), _analysed, args.out / "library.svg")
    shoot(
        OsteomonitorApp(lambda: SessionDetailScreen(IMPACT)),
        _analysed,
        args.out / "session-detail.svg",
    )
    shoot_report(args.out / "report-session.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
