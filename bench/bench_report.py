"""Reports: CPU time to write a session report of a 1-hour recording and a period report
over 12 weeks (`osteomonitor report`, HTML; the PDF step is Chromium's, not measured).

The hour is a Polar H10 recording (ACC 200 Hz ±8 g in PMD frames + 1 Hz HR with RR)
playing the simulator's session model (walks, jump blocks, rests) with the bundled
demo's prescription snapshot; the period is 12 ISO weeks of one patient: a 20-min
aerobic strap session on Tuesdays and Thursdays and a 3-min H10 impact session on
Mondays, with week 7 missed. Analysis (the same as `analyze`/`week`) is measured apart
from rendering (the page and its matplotlib plots). Targets are osteomonitor's choice
(no issue sets one): a report should be ready while the physio waits, rendering ≤ 2 s
for a session and ≤ 5 s for a period, on one core of this shared 2-core machine.

Run: `.venv/bin/python bench/bench_report.py` (smoke: a 3-min session, 2 weeks).
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "recordings" / "demo-P00-impact-sim.omrec"
TZ = "Europe/Helsinki"
NS = 1_000_000_000
ACC_HZ = 200
FRAME = 73  # samples per PMD frame at 200 Hz
#: Targets, s CPU (osteomonitor's choice, see the module docstring).
SESSION_RENDER_S = 2.0
PERIOD_RENDER_S = 5.0


def _rx_toml() -> str:
    from osteomonitor.store import RecordingReader

    with RecordingReader(DEMO) as r:
        toml = r.meta.prescription_toml
    assert toml is not None
    return toml


def _meta(kind: str, day: dt.date, hour: int, rx: str):  # type: ignore[no-untyped-def]
    from osteomonitor.model import SessionMeta

    t = dt.datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(TZ))
    return SessionMeta("P00", kind, t.isoformat(), TZ, "bench", rx, simulated=True)


def _t0(day: dt.date, hour: int) -> int:
    return (
        int(dt.datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(TZ)).timestamp()) * NS
    )


def h10_recording(
    path: Path, day: dt.date, seconds: float, rx: str, seed: int = 1, short: bool = False
) -> None:
    """A Polar H10 session playing the simulator's session model for `seconds` (its
    10-min default plan, repeated; `short`: a 3-min plan with two jump blocks)."""
    from osteomonitor.devices.hrs import encode_hr
    from osteomonitor.devices.pmd_frames import encode_acc_frame
    from osteomonitor.model import DeviceInfo, Packet
    from osteomonitor.sim.session_model import DEFAULT_PLAN, Segment, SessionModel
    from osteomonitor.store import RecordingWriter

    h10 = DeviceInfo(
        "h10", "C0:FF:EE:00:00:01", "Polar H10", "polar-h10", "H10", "3.0.56", 90,
        {"sample_rate": ACC_HZ, "range_g": 8},
    )  # fmt: skip
    plan = DEFAULT_PLAN
    if short:
        plan = tuple(
            Segment(kind, a, b)
            for kind, a, b in (
                ("rest", 0.0, 10.0),
                ("jumps", 10.0, 40.0),
                ("rest", 40.0, 60.0),
                ("jumps", 60.0, 90.0),
                ("rest", 90.0, 120.0),
                ("walk", 120.0, 170.0),
                ("rest", 170.0, 180.0),
            )
        )
    model = SessionModel(seed=seed, duration_s=seconds, plan=plan)
    t0 = _t0(day, 10)
    with RecordingWriter.create(path, _meta("impact", day, 10, rx)) as w:
        w.add_device(h10)
        hr_next = 0.0
        for k in range(int(seconds * ACC_HZ) // FRAME):
            t = (k * FRAME + np.arange(1, FRAME + 1)) / ACC_HZ
            mg = np.clip(np.rint(model.acc_g(t) * 1000.0), -8000, 8000).astype(np.int64)
            w.write_packet(
                Packet(
                    t0 + int(t[-1] * NS), "h10", "pmd_data", encode_acc_frame(int(t[-1] * NS), mg)
                )
            )
            while hr_next <= t[-1]:
                rr = model.rr_1024_between(hr_next - 1.0, hr_next)
                bpm = round(model.hr_bpm(hr_next))
                w.write_packet(
                    Packet(t0 + int(hr_next * NS), "h10", "hr", encode_hr(bpm, rr, contact=True))
                )
                hr_next += 1.0


def strap_recording(path: Path, day: dt.date, minutes: float, rx: str) -> None:
    """A chest-strap aerobic session: 1 Hz HR around 110 bpm with one RR each."""
    from osteomonitor.devices.hrs import encode_hr
    from osteomonitor.model import DeviceInfo, Packet
    from osteomonitor.store import RecordingWriter

    strap = DeviceInfo("strap", "C0:FF:EE:00:00:02", "HR strap", "hr-strap")
    t0 = _t0(day, 17)
    with RecordingWriter.create(path, _meta("aerobic", day, 17, rx)) as w:
        w.add_device(strap)
        for i in range(int(minutes * 60)):
            bpm = 110 + 4.0 * math.sin(2 * math.pi * i / 30.0)
            rr = round(60.0 / bpm * 1024)
            w.write_packet(Packet(t0 + i * NS, "strap", "hr", encode_hr(round(bpm), (rr,), True)))


def _session(folder: Path, seconds: float, rx: str) -> tuple[float, float]:
    """(analysis CPU s, render CPU s) of one session report."""
    from osteomonitor.app.review import judge
    from osteomonitor.report.session_page import session_html
    from osteomonitor.session import process_recording_batch

    path = folder / "hour.omrec"
    h10_recording(path, dt.date(2025, 3, 3), seconds, rx, short=seconds < 600)
    t0 = time.process_time()
    meta, proc = process_recording_batch(path)  # as app.reports.write_session_report
    peaks = proc.impact_peaks()
    summary = proc.summary()
    review = judge(path, meta, summary, proc.prescription, strict=True)
    t1 = time.process_time()
    html = session_html(meta, summary, review.compliance, review.prescription, peaks, path.name)
    t2 = time.process_time()
    assert "Session report" in html and summary.jumps
    return t1 - t0, t2 - t1


def _period(folder: Path, weeks: int, rx: str) -> tuple[float, float, int]:
    """(CPU s of write_period_report on a new folder, CPU s of writing it again with the
    sessions' summaries kept in the folder's index, sessions).

    The first write analyses every session and keeps its summary; the second only reads
    them back, judges every week and renders: the same cache state on every session.
    """
    from osteomonitor.app.reports import write_period_report

    monday = dt.date(2025, 3, 3)
    n = 0
    for week in range(weeks):
        if weeks > 2 and week == 6:
            continue  # a missed week
        m = monday + dt.timedelta(days=7 * week)
        h10_recording(folder / f"imp-{m}.omrec", m, 180, rx, seed=week + 1, short=True)
        strap_recording(folder / f"aer-{m}-tue.omrec", m + dt.timedelta(days=1), 20, rx)
        strap_recording(folder / f"aer-{m}-thu.omrec", m + dt.timedelta(days=3), 20, rx)
        n += 3
    t0 = time.process_time()
    out = write_period_report(folder, "P00", None, None, folder / "period.html")
    t1 = time.process_time()
    again = write_period_report(folder, "P00", None, None, folder / "period-again.html")
    t2 = time.process_time()
    assert out.stat().st_size > 0 and again.read_bytes() == out.read_bytes()
    return t1 - t0, t2 - t1, n


def run(smoke: bool = False) -> list[Row]:
    rx = _rx_toml()
    seconds = 180.0 if smoke else 3600.0
    weeks = 2 if smoke else 12
    with tempfile.TemporaryDirectory() as d:
        analysis_s, render_s = _session(Path(d), seconds, rx)
    with tempfile.TemporaryDirectory() as d:
        total_s, period_render_s, n = _period(Path(d), weeks, rx)
    scale = " (smoke: 3 min)" if smoke else ""
    pscale = " (smoke: 2 weeks)" if smoke else ""
    return [
        Row(
            "report: session page of a 1-h H10 recording, render" + scale,
            render_s,
            "s CPU",
            f"≤ {SESSION_RENDER_S:g}",
            render_s <= SESSION_RENDER_S,
            f"3 matplotlib plots + tables; the analysis before it took {analysis_s:.2f} s",
        ),
        Row(
            "report: session page of a 1-h H10 recording, analysis + render" + scale,
            analysis_s + render_s,
            "s CPU",
            "",
            None,
            "what `osteomonitor report FILE` costs (analysis = `analyze`)",
        ),
        Row(
            f"report: period page, {weeks} weeks ({n} sessions), total" + pscale,
            total_s,
            "s CPU",
            "",
            None,
            "a new folder: every session analysed (its summary kept in the folder's index), "
            "every week judged, the page rendered",
        ),
        Row(
            f"report: period page, {weeks} weeks, weeks judged + render" + pscale,
            period_render_s,
            "s CPU",
            f"≤ {PERIOD_RENDER_S:g}",
            period_render_s <= PERIOD_RENDER_S,
            "the same page again: summaries read back from the index, weeks judged, rendered",
        ),
    ]


if __name__ == "__main__":
    print(format_table(run(smoke="--smoke" in sys.argv)))
