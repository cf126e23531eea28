"""Helpers of the report-page tests: read a report's HTML back, build a patient's weeks.

`PageReader` parses a page with the standard library's HTML parser (what a browser's
tokenizer sees: tags, attributes, text), so the tests check the document, not strings
that happen to be in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from recordings import SETS, hr_recording, impact_recording
from rx_builders import EXERCISES_TOML, rx_text

from osteomonitor.model import EventKind
from osteomonitor.sim.session_model import Segment

REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted((REPO / "recordings").glob("*.omrec"))
SESSION_SECTIONS = (
    "summary",
    "prescription",
    "heart-rate",
    "jumps",
    "impacts",
    "fitt",
    "alerts",
    "effort-pain",
    "data",
)
PERIOD_SECTIONS = (
    "summary",
    "frequency",
    "trends",
    "weeks",
    "lapses",
    "programme",
    "alerts",
    "sessions",
)


@dataclass
class Page:
    """What a report page holds, as parsed."""

    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    tables: dict[str, list[list[str]]] = field(default_factory=dict)

    def ids(self, tag: str) -> list[str]:
        return [a.get("id", "") for t, a in self.tags if t == tag]

    def attrs(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]

    @property
    def all_text(self) -> str:
        return " ".join(self.text)


class PageReader(HTMLParser):
    """Collect tags with attributes, text, `data-metric` values and table cells by id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._metric: str | None = None
        self._in_dd = False
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.page.tags.append((tag, a))
        if "data-metric" in a:
            self._metric = a["data-metric"]
        if tag == "dd":
            self._in_dd = True
        if tag == "table":
            self._table = a.get("id", "")
            self.page.tables.setdefault(self._table, [])
        if tag == "tr" and self._table is not None:
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "dd":
            self._in_dd = False
            self._metric = None
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None and self._table is not None:
            self.page.tables[self._table].append(self._row)
            self._row = None
        if tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        self.page.text.append(data)
        if self._in_dd and self._metric is not None:
            self.page.metrics[self._metric] = self.page.metrics.get(self._metric, "") + data
        if self._cell is not None:
            self._cell.append(data)


def read_page(path: Path) -> Page:
    """Parse a written report."""
    reader = PageReader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader.page


#: A short impact session (90 s: a block of jumps, then a walk), cheap to analyse.
SHORT_PLAN = (
    Segment("rest", 0.0, 5.0),
    Segment("jumps", 5.0, 35.0),
    Segment("rest", 35.0, 50.0),
    Segment("walk", 50.0, 80.0),
    Segment("rest", 80.0, 90.0),
)

#: Monday of the programme's first week (rx_builders.START): ISO 2025-W10.
MONDAY = dt.date(2025, 3, 3)


@dataclass(frozen=True)
class Weeks:
    """A patient's recordings over six ISO weeks (2025-W10 … W15) with one week missed."""

    folder: Path
    #: Local dates of the sessions by modality.
    dates: dict[str, list[dt.date]]


def patient_weeks_folder(root: Path) -> Weeks:
    """P07 trains aerobic (25 min at 110 bpm: in band, a dose) on Tue and Thu, impact on
    Mon of weeks 1, 2, 4 and 6 (none in week 3 = W12 nor in week 5 = W14), resistance
    once in week 2; nothing at all in week 5 (W14). The other patient's file and a
    broken file are there too, as in a real folder."""
    rx = rx_text() + EXERCISES_TOML
    dates: dict[str, list[dt.date]] = {"aerobic": [], "impact": [], "resistance": []}
    for week in range(6):
        monday = MONDAY + dt.timedelta(days=7 * week)
        if week == 4:
            continue
        for off in (1, 3):
            day = monday + dt.timedelta(days=off)
            hr_recording(
                root / f"aer-{day}.omrec",
                day,
                "aerobic",
                25,
                110,
                rx,
                events=((1400.0, EventKind.RPE, {"rpe": 13}),),
            )
            dates["aerobic"].append(day)
        if week in (0, 1, 3, 5):
            impact_recording(
                root / f"imp-{monday}.omrec", monday, week + 1, rx, duration_s=90, plan=SHORT_PLAN
            )
            dates["impact"].append(monday)
        if week == 1:
            day = monday + dt.timedelta(days=2)
            hr_recording(root / f"res-{day}.omrec", day, "resistance", 8, 95, rx, events=SETS)
            dates["resistance"].append(day)
    hr_recording(root / "other.omrec", MONDAY, "aerobic", 5, 110, None, patient="P11")
    (root / "broken.omrec").write_bytes(b"not a recording at all" * 10)
    return Weeks(root, dates)
