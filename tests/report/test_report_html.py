"""`osteomonitor report`: the HTML pages' content, safety and numbers.

The pages are read back with an HTML parser (`report_pages.PageReader`). Numbers are
compared with what `osteomonitor analyze --json` and `osteomonitor week --json` say of
the same files, never with figures copied from an earlier run. The browser checks
(rendering, console, network, PDF) are in test_report_browser.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from recordings import hr_recording
from report_pages import (
    BUNDLED,
    PERIOD_SECTIONS,
    SESSION_SECTIONS,
    PageReader,
    Weeks,
    patient_weeks_folder,
    read_page,
)
from rx_builders import rx_text

from osteomonitor.app.reports import write_period_report, write_session_report
from osteomonitor.cli import main
from osteomonitor.errors import UsageError
from osteomonitor.model import EventKind
from osteomonitor.report.html_page import CSP

REPO = Path(__file__).resolve().parents[2]
IMPACT = REPO / "recordings" / "demo-P00-impact-sim.omrec"
ALERTS = REPO / "recordings" / "demo-P01-alerts-sim.omrec"


@pytest.fixture(autouse=True)
def _reports_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "reports-home" / "reports"
    monkeypatch.setenv("OSTEOMONITOR_REPORTS", str(folder))
    monkeypatch.setenv("OSTEOMONITOR_CONFIG", str(tmp_path / "no-config.toml"))
    return folder


def _analyze_json(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["analyze", str(path), "--json"]) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def _self_contained(html: str) -> None:
    """No URL, no script, nothing to fetch: every resource is inline."""
    assert not re.search(r"https?://", html.replace('http-equiv="', "")), "a URL in the page"
    assert "@import" not in html and not re.search(r"url\((?!#)", html)
    reader = PageReader()
    reader.feed(html)
    for tag, attrs in reader.page.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed", "img", "base"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)  # no event handler
            assert name not in ("src", "srcset", "action", "formaction"), (tag, name)
            if name.endswith("href"):
                assert value.startswith("#"), (tag, name, value)  # only inside the page


@pytest.mark.parametrize("recording", BUNDLED, ids=lambda p: p.stem)
def test_session_report_of_each_bundled_recording(recording: Path, _reports_folder: Path) -> None:
    out = write_session_report(recording)
    assert out == _reports_folder / f"{recording.stem}-report.html"
    # created owner-only: the folder 0700, the file 0600
    assert stat.S_IMODE(_reports_folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    html = out.read_text(encoding="utf-8")
    _self_contained(html)
    page = read_page(out)
    csp = [a for a in page.attrs("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert [a["content"] for a in csp] == [CSP]
    assert "default-src 'none'" in CSP and "script-src" not in CSP
    assert [i for i in page.ids("section")] == list(SESSION_SECTIONS)
    plots = [a["data-plot"] for a in page.attrs("svg") if "data-plot" in a]
    assert plots == ["hr", "jumps", "impacts"]
    # ids unique across the page's plots
    ids = [a["id"] for _, a in page.tags if "id" in a]
    assert len(ids) == len(set(ids))


def test_session_numbers_agree_with_analyze_json(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _analyze_json(IMPACT, capsys)
    page = read_page(write_session_report(IMPACT))
    m, j = page.metrics, doc["measured"]
    assert int(m["jumps"]) == j["jumps"]["count"] > 0
    assert int(m["jumps_osteogenic"]) == j["jumps"]["osteogenic"]
    assert float(m["landing_peak_max_g"]) == pytest.approx(j["jumps"]["peak_max_g"], abs=0.05)
    assert int(m["impacts"]) == j["impacts"]["n_peaks"]
    assert int(m["steps"]) == j["gait"]["steps"]
    assert int(m["hr_mean_bpm"]) == round(j["heart"]["hr_mean_bpm"])
    assert int(m["hr_max_bpm"]) == round(j["heart"]["hr_max_bpm"])
    assert float(m["band_min"]) == pytest.approx(j["heart"]["target_s"] / 60, abs=0.05)
    assert int(m["alerts"]) == len(doc["alerts"]) > 0
    # one table row per jump, landing peaks as analysed
    jumps = page.tables["jump-table"][1:]
    assert len(jumps) == j["jumps"]["count"]
    assert [float(r[4]) for r in jumps] == pytest.approx(
        [x["peak_g"] for x in j["jumps"]["items"]], abs=0.005
    )
    # the FITT table: every element with the measured value and verdict analyze gives
    for mod in doc["compliance"]["modalities"]:
        if not mod["prescribed"]:
            continue
        rows = page.tables[f"fitt-{mod['modality']}"][1:]
        assert [(r[1], r[4]) for r in rows] == [(e["label"], e["status"]) for e in mod["elements"]]
        for r, e in zip(rows, mod["elements"], strict=True):
            if e["measured"] is None:
                assert r[3] == "–"
            else:
                assert float(r[3].split()[0]) == pytest.approx(e["measured"], abs=0.05)
            assert r[5] == e["evidence"] and r[6] == e["source"]
    # alerts with their full text and source
    alerts = page.tables["alert-table"][1:]
    assert [(r[1], r[5], r[7]) for r in alerts] == [
        (a["severity"], a["physio_message"], a["source"]) for a in doc["alerts"]
    ]


def test_alerts_pain_and_effort_in_the_session_report(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _analyze_json(ALERTS, capsys)
    page = read_page(write_session_report(ALERTS))
    rules = [r[2].split(" ×")[0] for r in page.tables["alert-table"][1:]]
    assert rules == [a["rule"] for a in doc["alerts"]]
    assert {"flight-phase", "impact-ceiling", "hr-ceiling", "pain"} <= set(rules)
    reports = page.tables["report-table"][1:]
    assert [r[1] for r in reports] == ["pain (0–10)", "effort (borg)"]  # in time order
    assert reports[0][2:] == ["4", "lower back"] and reports[1][2] == "16"
    text = page.all_text
    assert "avoid flexion and twisting" in text  # the prescription in force
    assert "brisk-walk" in text and "no flight phase" in text


def test_text_from_the_recording_is_escaped(tmp_path: Path) -> None:
    hostile = {
        "where": '<img src=x onerror="alert(1)">',
        "exercise": "<script>alert('set')</script>",
        "note": "</td></tr></table><h1>forged</h1>",
    }
    rec = tmp_path / "hostile.omrec"
    hr_recording(
        rec,
        dt.date(2025, 3, 4),
        "resistance",
        6,
        100,
        rx_text(),
        events=(
            (60.0, EventKind.PAIN, {"level": 3, "where": hostile["where"]}),
            (
                120.0,
                EventKind.SET_DONE,
                {"exercise": hostile["exercise"], "reps": 8, "load_kg": 20},
            ),
            (180.0, EventKind.RPE, {"rpe": 13, "note": hostile["note"]}),
        ),
    )
    html = write_session_report(rec).read_text(encoding="utf-8")
    for raw in hostile.values():
        assert raw not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;script&gt;alert(&#x27;set&#x27;)&lt;/script&gt;" in html
    _self_contained(html)
    page = read_page(tmp_path / "reports-home" / "reports" / "hostile-report.html")
    assert [t for t, _ in page.tags].count("h1") == 1  # nothing forged a heading
    assert hostile["where"] in page.all_text  # shown as text, whole


def test_outputs_and_refusals(tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder" / "s.html"
    assert write_session_report(IMPACT, out) == out
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with pytest.raises(UsageError, match="is also an input"):
        write_session_report(IMPACT, IMPACT)
    link = tmp_path / "link.html"
    link.symlink_to(out)
    with pytest.raises(UsageError, match="symbolic link"):
        write_session_report(IMPACT, link)


def test_pdf_without_a_browser_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OSTEOMONITOR_CHROMIUM", str(tmp_path / "no-such-browser"))
    out = tmp_path / "s.html"
    assert main(["report", str(IMPACT), "-o", str(out), "--pdf"]) == 1
    err = capsys.readouterr().err
    assert "headless Chromium" in err and "apt-get install chromium" in err
    assert "Traceback" not in err
    assert not out.exists() and not out.with_suffix(".pdf").exists()  # nothing half-written


@pytest.fixture(scope="module")
def weeks_folder(tmp_path_factory: pytest.TempPathFactory) -> Weeks:
    return patient_weeks_folder(tmp_path_factory.mktemp("weeks"))


def test_period_report_sections_and_week_numbers(
    weeks_folder: Weeks, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = write_period_report(weeks_folder.folder, "P07", None, None, tmp_path / "p.html")
    html = out.read_text(encoding="utf-8")
    _self_contained(html)
    page = read_page(out)
    assert page.ids("section") == list(PERIOD_SECTIONS)
    plots = [a["data-plot"] for a in page.attrs("svg") if "data-plot" in a]
    assert plots == ["frequency", "adherence", "dose"]
    n_sessions = sum(len(d) for d in weeks_folder.dates.values())
    assert int(page.metrics["sessions"]) == n_sessions
    assert int(page.metrics["weeks"]) == 6
    assert len(page.tables["session-table"]) - 1 == n_sessions
    assert "broken.omrec" in page.all_text  # left out, with its reason
    # every week's row agrees with `osteomonitor week --json` of that week
    rows = page.tables["week-table"][1:]
    week = ""
    by_week: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        week = r[0] or week
        by_week.setdefault(week, {})[r[2]] = r
    assert list(by_week) == [f"2025-W{w}" for w in range(10, 16)]
    for iso in ("2025-W11", "2025-W12", "2025-W14"):  # trained, impact missed, all missed
        mods = by_week[iso]
        capsys.readouterr()
        assert (
            main(["week", str(weeks_folder.folder), "--patient", "P07", "--week", iso, "--json"])
            == 0
        )
        w = json.loads(capsys.readouterr().out)
        for m in w["modalities"]:
            r = mods[m["label"]]
            assert (int(r[4]), int(r[5]), r[7]) == (
                m["days_trained"],
                m["days_met"],
                m["frequency_status"],
            ), (iso, m["label"])
            assert r[8] == f"{m['adherence_pct']:.0f} %"
    # the missed weeks are lapses
    lapses = page.all_text
    assert "Weight-bearing aerobic: no session in 1 week (2025-W14)" in lapses
    assert "Impact exercise: no session in 2 weeks (2025-W12, 2025-W14)" in lapses
    assert "Resistance training: no session for" in lapses


def test_period_filter_and_errors(weeks_folder: Weeks, tmp_path: Path) -> None:
    out = write_period_report(
        weeks_folder.folder, "P07", dt.date(2025, 3, 10), dt.date(2025, 3, 23), tmp_path / "p.html"
    )
    page = read_page(out)
    assert int(page.metrics["weeks"]) == 2  # W11, W12
    inside = [
        d
        for ds in weeks_folder.dates.values()
        for d in ds
        if dt.date(2025, 3, 10) <= d <= dt.date(2025, 3, 23)
    ]
    assert int(page.metrics["sessions"]) == len(inside)
    with pytest.raises(UsageError, match="swap --from and --to"):
        write_period_report(weeks_folder.folder, "P07", dt.date(2025, 4, 1), dt.date(2025, 3, 1))
    with pytest.raises(UsageError, match="no readable recordings of patient 'P99'"):
        write_period_report(weeks_folder.folder, "P99", None, None)
    with pytest.raises(UsageError, match="not a pseudonym"):
        write_period_report(weeks_folder.folder, "../x", None, None)


def test_cli_report(
    weeks_folder: Weeks, tmp_path: Path, capsys: pytest.CaptureFixture[str], _reports_folder: Path
) -> None:
    assert (
        main(
            [
                "report",
                "--patient",
                "P07",
                str(weeks_folder.folder),
                "--from",
                "2025-03-03",
                "--to",
                "2025-03-16",
            ]
        )
        == 0
    )
    written = _reports_folder / "P07-2025-03-03-2025-03-16-report.html"
    assert f"wrote {written}" in capsys.readouterr().err
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert main(["report", str(weeks_folder.folder)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["report", str(IMPACT), "--from", "2025-03-01"]) == 2
    assert "--patient" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.omrec")]) != 0
    err = capsys.readouterr().err
    assert "missing.omrec" in err and "Traceback" not in err


def test_a_recording_without_prescription_is_reported_not_judged(tmp_path: Path) -> None:
    rec = tmp_path / "free.omrec"
    hr_recording(rec, dt.date(2025, 3, 4), "aerobic", 3, 100, None)
    page = read_page(write_session_report(rec, tmp_path / "free.html"))
    assert page.ids("section") == list(SESSION_SECTIONS)
    text = page.all_text
    assert "No prescription" in text and "Not judged: no prescription." in text
    assert "fitt-aerobic" not in page.tables and "alert-table" not in page.tables
    assert int(page.metrics["jumps"]) == 0 and page.metrics["acc_coverage"] == "0%"


def test_readme_report_commands_parse() -> None:
    """Every `osteomonitor report` line of the README parses as written."""
    import shlex

    from osteomonitor.cli import build_parser

    text = (REPO / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = re.findall(r"^osteomonitor report\b[^\n]*", text, re.M)
    assert len(lines) >= 2
    parser = build_parser()
    for line in lines:
        args = parser.parse_args(shlex.split(line, comments=True)[1:])
        assert args.command == "report"
