"""The reports of the bundled recordings in a real browser: headless Chromium over the
DevTools protocol (`devtools.Browser`).

For each page: no console error or warning, no exception, no network request but the
page itself (the Network domain sees every request, even one the CSP or the resolver
then blocks), every plot drawn (an <svg> with a real size and visible paths and text),
nothing wider than the window; then the page printed to PDF (pypdf: pages, text of
every section and of the plots' axes). The PDF that `osteomonitor report --pdf` writes
is checked the same way. Skips with the reason when Chromium is not installed.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from report_pages import BUNDLED, REPO

from osteomonitor.report.pdf import CHROMIUM_NAMES, find_chromium

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="headless Chromium not found on PATH (tried "
        + ", ".join(CHROMIUM_NAMES)
        + "): install Debian's chromium (apt-get install chromium; .ci/run does it as root)",
    ),
]
websockets = pytest.importorskip("websockets", reason="pip install '.[test]' (websockets)")
pypdf = pytest.importorskip("pypdf", reason="pip install '.[test]' (pypdf)")

from devtools import Browser  # noqa: E402  (after the skips: it imports websockets)

SESSION_HEADINGS = (
    "Summary",
    "Prescription in force",
    "Heart rate",
    "Jumps",
    "Impacts",
    "FITT against the prescription",
    "Alerts",
    "Pain and effort",
    "Data and safety checks",
)
PERIOD_HEADINGS = (
    "Summary",
    "Days per modality against the frequency targets",
    "Adherence and dose across the weeks",
    "Week by week",
    "Lapses",
    "Progress through the programme",
    "Alerts",
    "Sessions",
)
#: Axis labels each plot prints (SVG text stays text, so the PDF holds it).
SESSION_AXES = ("heart rate (bpm)", "landing peak (g)", "session time (m:ss)", "jump landings")
PERIOD_AXES = ("adherence (%)", "ISO week", "minutes credited per week")

PLOTS_JS = """
[...document.querySelectorAll('svg[data-plot]')].map(s => {
  const r = s.getBoundingClientRect();
  const visible = el => { const b = el.getBBox(); return b.width > 0 || b.height > 0; };
  return {name: s.dataset.plot, width: r.width, height: r.height,
          paths: [...s.querySelectorAll('path')].filter(visible).length,
          texts: [...s.querySelectorAll('text')].filter(visible).length};
})
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Any:
    assert CHROMIUM is not None
    b = Browser(CHROMIUM, tmp_path_factory.mktemp("chromium"))
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The session report of every bundled recording and P00's period report."""
    from osteomonitor.app.reports import write_period_report, write_session_report

    out = tmp_path_factory.mktemp("reports")
    pages = {p.stem: write_session_report(p, out / f"{p.stem}.html") for p in BUNDLED}
    pages["period-P00"] = write_period_report(
        REPO / "recordings", "P00", None, None, out / "period-P00.html"
    )
    return pages


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), unicodedata.normalize("NFKC", text)  # ligatures (ﬀ) as letters


def _check_pdf(data: bytes, headings: tuple[str, ...], axes: tuple[str, ...], title: str) -> int:
    pages, text = _pdf_text(data)
    flat = " ".join(text.split())
    assert title in flat
    # every section, in order, and the plots' own text
    positions = [flat.find(h) for h in headings]
    assert all(p >= 0 for p in positions), dict(zip(headings, positions, strict=True))
    assert positions == sorted(positions)
    for label in axes:
        assert label in flat, label
    assert "file:" not in flat and "about:blank" not in flat  # no header or footer lines
    return pages


@pytest.mark.parametrize("name", [p.stem for p in BUNDLED] + ["period-P00"])
def test_report_in_headless_chromium(browser: Any, reports: dict[str, Path], name: str) -> None:
    path = reports[name]
    url = path.as_uri()
    session = browser.open_page()
    since = browser.load(session, url)
    plots = browser.evaluate(session, PLOTS_JS)
    wide = browser.evaluate(
        session, "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
    pdf = browser.print_pdf(session)
    events = browser.session_events(session, since)

    console = [
        (p["type"], [a.get("value", a.get("description")) for a in p.get("args", [])])
        for m, p in events
        if m == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert", "warning")
    ]
    assert console == []
    assert [p for m, p in events if m == "Runtime.exceptionThrown"] == []
    logged = [
        (p["entry"]["level"], p["entry"]["text"])
        for m, p in events
        if m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning")
    ]
    assert logged == []  # a CSP violation or a failed load would be logged here
    requests = [p["request"]["url"] for m, p in events if m == "Network.requestWillBeSent"]
    assert requests == [url]  # the page itself, nothing else
    assert [p for m, p in events if m == "Network.loadingFailed"] == []

    period = name.startswith("period")
    expected = ["frequency", "adherence", "dose"] if period else ["hr", "jumps", "impacts"]
    assert [p["name"] for p in plots] == expected
    for p in plots:
        assert p["width"] > 300 and p["height"] > 100, p
        assert p["paths"] >= 5 and p["texts"] >= 5, p  # axes, ticks, data, labels
    assert wide, "the page is wider than the window"

    if period:
        pages = _check_pdf(pdf, PERIOD_HEADINGS, PERIOD_AXES, "Period report: P00")
    else:
        pages = _check_pdf(pdf, SESSION_HEADINGS, SESSION_AXES, "Session report: P0")
    assert 2 <= pages <= 8, pages
    browser.send("Page.close", session=session)


def test_the_pdf_the_command_writes(tmp_path: Path, browser: Any) -> None:
    """`osteomonitor report --pdf`: printed by the chromium binary itself, owner-only."""
    from osteomonitor.cli import main

    rec = REPO / "recordings" / "demo-P01-alerts-sim.omrec"
    out = tmp_path / "p01.pdf"
    assert main(["report", str(rec), "-o", str(out)]) == 0
    assert out.stat().st_mode & 0o777 == 0o600
    html = out.with_suffix(".html")
    assert html.stat().st_mode & 0o777 == 0o600
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = _check_pdf(data, SESSION_HEADINGS, SESSION_AXES, "Session report: P01")
    # the same page printed over DevTools has as many pages
    session = browser.open_page()
    browser.load(session, html.as_uri())
    assert _pdf_text(browser.print_pdf(session))[0] == pages
    browser.send("Page.close", session=session)
    text = " ".join(_pdf_text(data)[1].split())
    for words in (
        "allows no flight phase",
        "above the ceiling of 110 bpm",
        "Pain 4/10",
        "lower back",
    ):
        assert words in text, words
