"""Review: a patient's weeks against the prescription's frequency targets.

Top: one row per ISO week (newest first) with days trained per modality against
`days_per_week`, adherence and alerts. Middle: the trend chart across the weeks (`c`
cycles: days per modality against the target minimum, jumps, minutes in the HR band).
Below: the highlighted week's days, lapses (detraining warnings) and due progressions.
`e` exports the weeks as CSV (`app.view_exports`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from osteomonitor.app.review import ReviewCache, patient_weeks, week_reports
from osteomonitor.app.weeks_view import TREND_VIEWS, WeeksTrend, weeks_trend
from osteomonitor.errors import OsteomonitorError, UsageError
from osteomonitor.pseudonym import printable
from osteomonitor.tui.screens.help import HelpScreen
from osteomonitor.tui.views.display import plain
from osteomonitor.tui.widgets.compliance_badges import STATUS_MARKS
from osteomonitor.tui.widgets.weeks_chart import WeeksChart, WeeksChartData, chart_legend

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class WeeksReady(Message):
    """The week reports are computed (or failed with `error`)."""

    def __init__(
        self, reports: list[Any], error: str | None, trend: WeeksTrend | None = None
    ) -> None:
        super().__init__()
        self.reports = reports
        self.error = error
        self.trend = trend


def days_cell(m: Any) -> Text:
    """ "2/≥ 2–3 ✓" for a `ModalityWeek`."""
    symbol, style = STATUS_MARKS.get(m.frequency_status, ("", "dim"))
    target = m.days_target.replace(" days/week", "")
    return Text(f"{m.days_trained}/{target} {symbol}".rstrip(), style=style)


class WeeksScreen(Screen[None]):
    """A patient's ISO weeks.

    Args:
        patient: pseudonym. paths: the patient's recordings.
        cache: analysed recordings. prescription: judge against this one instead of
            the newest recording's snapshot.
    """

    HELP_TITLE = "patient's weeks"
    HELP = """
Each ISO week (in the patient's time zone): days trained per modality against the
prescribed days per week (✓ met, ↓ below), adherence % (days whose session met its
time/volume targets, against the minimum days), jumps and alerts. Up/Down picks a week;
its days, lapses and due progressions are listed below.

The chart shows the weeks oldest first; c cycles its view: days trained per modality
(a white tick marks the modality's minimum days per week: a bar below its tick missed
the target), jumps per week, minutes in the heart-rate band per week. e writes the
weeks as CSV (owner-only) into the reports folder.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back"),
        Binding("c", "chart", "Next chart"),
        Binding("e", "export('csv')", "Export CSV"),
        Binding("E", "export('report')", "Period report"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(
        self,
        patient: str,
        paths: list[Path],
        cache: ReviewCache | None = None,
        prescription: Any = None,
        export_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.patient = patient
        self.paths = [Path(p) for p in paths]
        self.cache = cache or ReviewCache()
        self.prescription = prescription
        self.export_dir = export_dir
        self.reports: list[Any] = []
        self.trend: WeeksTrend | None = None
        self.chart_view = TREND_VIEWS[0]
        self.last_export: list[Path] = []

    def compose(self) -> ComposeResult:
        yield Label(plain(f" patient {self.patient}   weeks   analysing ..."), id="title-bar")
        yield DataTable(id="weeks-table", cursor_type="row", zebra_stripes=True)
        yield WeeksChart(id="weeks-chart", min_interval_s=0.0)
        yield Static("", id="weeks-legend")
        with Horizontal(id="week-detail"):
            with Vertical(id="days-box"):
                yield Label("DAYS", classes="tile-title")
                yield DataTable(id="days-table", cursor_type="row")
            with Vertical(id="lapses-box"):
                yield Label("LAPSES AND PROGRESSION", classes="tile-title")
                yield Static("", id="lapses")
        yield Footer()

    def on_mount(self) -> None:
        days = self.query_one("#days-table", DataTable)
        for name in ("day", "trained", "sessions", "minutes", "jumps", "alerts"):
            days.add_column(name, key=name)
        self._compute()

    @work(thread=True, exclusive=True, group="weeks")
    def _compute(self) -> None:
        try:
            weeks = patient_weeks(self.paths, self.prescription, self.cache)
            reports = week_reports(weeks)
            trend = weeks_trend(self.patient, weeks, reports)
            self.post_message(WeeksReady(reports, None, trend))
        except UsageError:
            self.post_message(WeeksReady([], "no prescription in this patient's recordings"))
        except OsteomonitorError as exc:
            self.post_message(WeeksReady([], str(exc)))

    def on_weeks_ready(self, message: WeeksReady) -> None:
        title = self.query_one("#title-bar", Label)
        if message.error:
            title.update(plain(f" patient {self.patient}   weeks: {message.error}"))
            return
        self.reports = message.reports
        self.trend = message.trend
        self._draw_chart()
        title.update(plain(f" patient {self.patient}   {len(self.reports)} weeks"))
        table = self.query_one("#weeks-table", DataTable)
        table.clear(columns=True)
        mods = [m for m in (self.reports[0].modalities if self.reports else ()) if m.prescribed]
        table.add_column("week", key="week")
        for m in mods:
            table.add_column(m.modality, key=m.modality)
        table.add_column("adherence", key="adherence")
        table.add_column("jumps", key="jumps")
        table.add_column("alerts", key="alerts")
        for rep in self.reports:
            by_mod = {m.modality: m for m in rep.modalities}
            adher = [by_mod[m.modality].adherence_pct for m in mods if m.modality in by_mod]
            scored = [a for a in adher if a is not None]
            table.add_row(
                f"{rep.iso_year}-W{rep.iso_week:02d}",
                *(days_cell(by_mod[m.modality]) if m.modality in by_mod else "-" for m in mods),
                f"{sum(scored) / len(scored):.0f} %" if scored else "-",
                str(sum(d.jumps for d in rep.days)),
                Text(str(len(rep.alerts)), style="yellow" if rep.alerts else "dim"),
                key=f"{rep.iso_year}-{rep.iso_week}",
            )
        if self.reports:
            self.show_week(self.reports[0])
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "weeks-table" or not self.reports:
            return
        idx = event.cursor_row
        if 0 <= idx < len(self.reports):
            self.show_week(self.reports[idx])

    def show_week(self, rep: Any) -> None:
        """Fill the days table and the lapses text for one `WeekReport`."""
        days = self.query_one("#days-table", DataTable)
        days.clear()
        for d in rep.days:
            days.add_row(
                f"{DAY_NAMES[d.date.weekday()]} {d.date.isoformat()}",
                ", ".join(d.modalities) or "-",
                str(d.sessions),
                f"{d.minutes:.0f}",
                str(d.jumps),
                str(d.alerts),
            )
        lines = []
        for m in rep.modalities:
            if m.detraining:
                lines.append(f"! {m.label}: {m.detraining}")
            elif m.days_since_last is not None and m.prescribed:
                lines.append(f"  {m.label}: last trained {m.days_since_last} days before")
            if m.consecutive_days:
                lines.append(f"  {m.label}: trained on consecutive days")
            if m.progression:
                lines.append(f"> {m.label}: {m.progression}")
        lines += [f"  {n}" for n in rep.notes]
        shown = Text("\n").join(plain(line) for line in lines) if lines else "no lapses"
        self.query_one("#lapses", Static).update(shown)

    def _draw_chart(self) -> None:
        if self.trend is None:
            return
        data = WeeksChartData(self.trend, self.chart_view)
        self.query_one(WeeksChart).set_data(data, now=True)
        self.query_one("#weeks-legend", Static).update(chart_legend(data))

    def action_chart(self) -> None:
        """Show the next view of the trend chart."""
        self.chart_view = TREND_VIEWS[(TREND_VIEWS.index(self.chart_view) + 1) % len(TREND_VIEWS)]
        self._draw_chart()

    def action_export(self, kind: str) -> None:
        """Export the weeks as `kind` (app.view_exports), into the reports folder."""
        from osteomonitor.app.view_exports import export_weeks

        if self.trend is None:
            self.notify("the weeks are still being analysed", severity="warning")
            return
        if kind == "report":  # analyses and draws every week: off the event loop
            self.notify("writing the period report…", title="Report", markup=False)
            self.run_worker(self._period_report, thread=True, group="export", exclusive=True)
            return
        try:
            written = export_weeks(kind, self.trend, self.export_dir)
        except OsteomonitorError as exc:
            self.notify(printable(exc), title="Export failed", severity="error", markup=False)
            return
        self.last_export = written
        where = ", ".join(str(p) for p in written)
        self.notify(
            printable(f"written to {where}"), title=f"{kind.upper()} exported", markup=False
        )

    def _period_report(self) -> None:
        """Write the printable period report (in a worker thread)."""
        from osteomonitor.app.view_exports import export_period_report

        try:
            written = export_period_report(self.patient, self.paths, self.export_dir)
        except OsteomonitorError as exc:
            self.app.call_from_thread(
                self.notify, printable(exc), title="Export failed", severity="error", markup=False
            )
            return

        def done() -> None:
            self.last_export = [written]
            self.notify(printable(f"written to {written}"), title="REPORT exported", markup=False)

        self.app.call_from_thread(done)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))
