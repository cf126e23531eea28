"""Review: one session in detail, for the physio.

Heart rate over time with the target band and zone edges, jumps on the timeline with
their landing peaks, the impact histogram, the FITT table with its evidence, and every
event and alert (the highlighted one in full below the list). `e` exports the report
into the reports folder (`review --export-dir`, else the config's).

Below 130 columns the FITT table and the events stack (class `-narrow`), so the FITT
table has the whole width: every column is on screen at 100 columns, long text wraps.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label

from osteomonitor import timefmt
from osteomonitor.app.review import ReviewCache, SessionReview, set_aside_lines
from osteomonitor.errors import OsteomonitorError
from osteomonitor.pseudonym import printable
from osteomonitor.tui.messages import SessionReviewed
from osteomonitor.tui.screens.help import HelpScreen
from osteomonitor.tui.views.dashboard import (
    OSTEOGENIC_G,
    SessionTargets,
    chart_guides,
    impact_bands,
)
from osteomonitor.tui.views.display import plain
from osteomonitor.tui.widgets.fitt_table import FittTable
from osteomonitor.tui.widgets.heart_rate_chart import HeartRateChart, HeartSeries
from osteomonitor.tui.widgets.impact_histogram import ImpactHistogram
from osteomonitor.tui.widgets.jump_timeline import JumpMarks, JumpTimeline
from osteomonitor.tui.widgets.session_events import SessionEvents

#: How the supervision flag reads in the title bar.
SUPERVISION_WORDS: dict[bool | None, str] = {
    True: "supervised",
    False: "unsupervised",
    None: "supervision not recorded",
}


def summary_line(review: SessionReview) -> str:
    """The header line under the title: duration, coverage, jumps, minutes in band."""
    s = review.summary
    if s is None:
        return f"cannot analyse: {review.error}"
    h = s.heart
    parts = [
        f"duration {timefmt.clock(s.duration_s)}",
        f"{len(s.jumps)} jumps ({s.impacts.n_above_3_9g} impacts ≥ {OSTEOGENIC_G:g} g)",
        f"HR mean {h.hr_mean_bpm:.0f} / max {h.hr_max_bpm:.0f} bpm" if h.hr_mean_bpm else "no HR",
        f"in band {timefmt.minutes(h.target_s)}",
        f"HR coverage {h.coverage:.0%}",
        f"ACC coverage {s.acc_coverage:.0%}",
    ]
    if s.gait.steps:
        parts.append(f"{s.gait.steps} steps")
    from osteomonitor.prescription import session_falls

    falls = session_falls(s)  # found by the analysis or raised live
    if falls:
        parts.insert(0, f"POSSIBLE FALL ×{len(falls)}")
    if s.posture is not None and s.posture.episodes:
        p = s.posture
        parts.append(f"{p.episodes} bends > {p.limit_deg:g}° ({p.beyond_s:.0f} s)")
    parts += set_aside_lines(s.set_aside)  # "3 frames set aside: value outside ±16 g (…)"
    return "   ".join(parts)


class SessionDetailScreen(Screen[None]):
    """One recording, analysed (in a worker thread) and judged."""

    HELP_TITLE = "session detail"
    HELP = """
Heart rate with the target band (green), zone edges (grey) and the safety ceiling (red);
jumps by landing peak over time (orange line: the 3.9 g osteogenic threshold, red: the
patient's impact ceiling, x: a clipped landing); impacts per band; the FITT table with
the evidence and source for each status; events and alerts, the highlighted one in
full below the list (an alert's message, rule, measured value and limit, source and
time). t hides the charts (the tables get the screen; t again shows them). Tab moves
between the FITT table and the list; e writes the text, JSON and
per-jump CSV report (owner-only) into the reports folder.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back"),
        Binding("p", "replay", "Replay"),
        Binding("w", "weeks", "Patient's weeks"),
        Binding("e", "export", "Export report"),
        Binding("s", "supervised", "Supervised?"),
        Binding("t", "tables", "Tables only"),
        Binding("question_mark", "help", "Help"),
    ]
    # Textual sets the class of the width range on the screen (see app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]  # noqa: RUF012

    def __init__(
        self, path: Path, cache: ReviewCache | None = None, export_dir: Path | None = None
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.cache = cache or ReviewCache()
        self.export_dir = export_dir
        self.review: SessionReview | None = None
        self.last_export: list[Path] = []

    def compose(self) -> ComposeResult:
        yield Label(plain(f" {self.path.name}   analysing ..."), id="title-bar")
        yield Label("", id="detail-summary")
        with Horizontal(id="detail-charts"):
            yield HeartRateChart(id="detail-hr", min_interval_s=0.0)
            yield ImpactHistogram(id="detail-impacts", min_interval_s=0.0)
        yield JumpTimeline(id="detail-jumps", min_interval_s=0.0)
        with Horizontal(id="detail-tables"):
            with Vertical(id="fitt-box"):
                yield Label("FITT", classes="tile-title")
                yield FittTable(id="fitt-table")
            with Vertical(id="events-table-box"):
                yield Label("EVENTS AND ALERTS", classes="tile-title")
                yield SessionEvents(id="session-events")
        yield Footer()

    def on_mount(self) -> None:
        cached = self.cache.get(self.path)
        if cached is not None:
            self.show(cached)
        else:
            self._analyse()

    @work(thread=True, exclusive=True, group="detail-analysis")
    def _analyse(self) -> None:
        self.post_message(SessionReviewed(self.cache.review(self.path)))

    def on_session_reviewed(self, message: SessionReviewed) -> None:
        self.show(message.review)

    def show(self, review: SessionReview) -> None:
        """Fill every part from `review`."""
        self.review = review
        meta, s = review.meta, review.summary
        if meta is not None:
            sim = "   SIMULATED WEARABLE" if meta.simulated else ""
            sup = SUPERVISION_WORDS[meta.supervised]
            self.query_one("#title-bar", Label).update(
                plain(
                    f" {meta.patient}   {meta.start_iso[:16].replace('T', ' ')}   {meta.kind} "
                    f"session   {sup}   {self.path.name}{sim}"
                )
            )
        self.query_one("#detail-summary", Label).update(plain(" " + summary_line(review)))
        if s is None:
            return
        rx = review.prescription
        ceiling_g = rx.safety.impact.peak_g if rx is not None else None
        ceiling_bpm = rx.safety.hr_ceiling_bpm if rx is not None else None
        h = s.heart
        band_pct = (
            (h.target_lo_pct, h.target_hi_pct)
            if h.target_lo_pct is not None and h.target_hi_pct is not None
            else None
        )
        band, edges = chart_guides(h, band_pct, ceiling_bpm, zones=True)
        self.query_one(HeartRateChart).set_data(
            HeartSeries(s.hr_points, band, ceiling_bpm, edges or ()), now=True
        )
        self.query_one(ImpactHistogram).set_data(impact_bands(s), now=True)
        self.query_one(JumpTimeline).set_data(
            JumpMarks(tuple(s.jumps), s.duration_s, OSTEOGENIC_G, ceiling_g), now=True
        )
        self.query_one(FittTable).show(review.compliance)
        self.query_one(SessionEvents).show(s.events, s.start_t_ns, review.alerts)

    # -- keys -----------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_replay(self) -> None:
        from osteomonitor.tui.feeds.replay import ReplayFeed
        from osteomonitor.tui.screens.replay import ReplayScreen

        feed = ReplayFeed(self.path, speed=8.0)
        feed.open()
        self.app.push_screen(ReplayScreen(feed, targets=_targets(self.review)))

    def action_weeks(self) -> None:
        from osteomonitor.app.review import list_recordings
        from osteomonitor.tui.screens.weeks import WeeksScreen

        if self.review is not None and self.review.meta is not None:
            patient = self.review.meta.patient
            paths = [
                i.path
                for i in list_recordings(self.path.parent)
                if i.patient == patient and i.error is None
            ]
            self.app.push_screen(
                WeeksScreen(patient, paths, self.cache, export_dir=self.export_dir)
            )

    def action_export(self) -> None:
        from osteomonitor.app.review import export_review
        from osteomonitor.app.view_exports import export_folder

        if self.review is None or self.review.summary is None:
            return
        try:
            folder = export_folder(self.export_dir)
            written = export_review(self.review, folder)
        except OsteomonitorError as exc:
            self.notify(printable(exc), title="Export failed", severity="error", markup=False)
            return
        self.last_export = written
        self.notify(
            printable(f"{len(written)} files in {folder}: " + ", ".join(p.name for p in written)),
            title="Report exported",
            markup=False,
        )

    def action_tables(self) -> None:
        """Hide the charts so the FITT table and the events get the whole screen (again:
        show them)."""
        self.toggle_class("-tables")

    def action_supervised(self) -> None:
        """Cycle the session's supervision flag in review: unknown → yes → no → unknown.

        The flag is kept beside the recording (`FILE.review.json`); the recording is
        never modified.
        """
        from osteomonitor.app.review import set_supervised

        if self.review is None or self.review.meta is None:
            return
        nxt = {None: True, True: False, False: None}[self.review.meta.supervised]
        try:
            set_supervised(self.path, nxt)
        except OSError as exc:
            self.notify(f"cannot save the review note: {exc}", severity="error")
            return
        self.notify(f"session marked {SUPERVISION_WORDS[nxt]} (recording unchanged)")
        self._analyse()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))


def _targets(review: SessionReview | None) -> SessionTargets:
    from osteomonitor.tui.views.dashboard import session_targets

    if review is None or review.meta is None:
        return SessionTargets()
    return session_targets(review.prescription, review.meta)
