"""The wording defects a new user met (issue 16, "First contact"), each with its fix:
sentences that read, counts with the right plural, times as m:ss without "min", a pain
alert's limit in words, phases explained, published sources cited, and `week --week foo`
refused before any file is read."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from osteomonitor.cli import main
from osteomonitor.cli.recordings import _packets_events
from osteomonitor.devices.plausibility import LIMITS
from osteomonitor.model import Event, EventKind
from osteomonitor.prescription import (
    TEMPLATES,
    Prescription,
    Rule,
    SafetyMonitor,
    limit_text,
    parse_prescription,
)
from osteomonitor.prescription.sources import REFERENCES

REPO = Path(__file__).resolve().parents[2]
RECORDINGS = REPO / "recordings"
ALERTS = RECORDINGS / "demo-P01-alerts-sim.omrec"
BUNDLED = sorted(RECORDINGS.glob("*.omrec"))

#: A count of one with a plural noun ("1 events"), or a hedged plural ("jump(s)").
BAD_COUNT = re.compile(r"(?<![\d.,:])\b1 (?:[a-z]+ )?[a-z]+s\b(?! (?:per|of|in)\b)|\w\(s\)")
#: A clock time followed by "min" ("0:52.2 min").
CLOCK_MIN = re.compile(r"\d+:\d\d(?:\.\d)? min\b")


def _analyze(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["analyze", str(path)]) == 0
    return capsys.readouterr().out


def _rx() -> Prescription:
    from osteomonitor.cli.demo import demo_prescription_toml

    return parse_prescription(demo_prescription_toml(), "demo")


def test_the_hr_alert_sentence_reads(capsys: pytest.CaptureFixture[str]) -> None:
    text = _analyze(ALERTS, capsys)
    assert "for ≥ 10 s, starting at 0:39." in text
    assert "from at" not in text


def test_one_and_many_jumps_of_a_forbidden_flight(capsys: pytest.CaptureFixture[str]) -> None:
    text = _analyze(ALERTS, capsys)
    assert "10 jumps, the first at 0:24 (flight" in text
    assert "jump(s)" not in text


def test_a_pain_alert_has_no_numeric_limit(capsys: pytest.CaptureFixture[str]) -> None:
    text = _analyze(ALERTS, capsys)
    pain = next(ln for ln in text.splitlines() if " pain " in ln and "Pain 4/10" in ln)
    assert "any pain" in pain
    assert not re.search(r"4/10\s+0\s", pain)
    mon = SafetyMonitor(_rx(), start_t_ns=0)
    (alert,) = mon.on_event(Event(5 * 10**9, EventKind.PAIN, {"level": 2, "where": "knee"}))
    assert alert.rule == Rule.PAIN
    assert limit_text(alert) == "any pain"


def test_limits_read_with_their_units() -> None:
    mon = SafetyMonitor(_rx(), start_t_ns=0)
    assert limit_text(mon.impact_alert(3.0, 6.1, 1)) == "5.4 g"
    hr = mon.hr_alert(30.0, 150.0)
    assert limit_text(hr).endswith(" bpm") and "." not in limit_text(hr)
    assert "for ≥ 10 s, starting at 0:30." in hr.physio_message


def test_counts_and_times_in_every_bundled_analysis(capsys: pytest.CaptureFixture[str]) -> None:
    for path in BUNDLED:
        text = _analyze(path, capsys)
        assert not BAD_COUNT.findall(text), (path.name, BAD_COUNT.findall(text))
        assert not CLOCK_MIN.findall(text), (path.name, CLOCK_MIN.findall(text))
        assert "(phase 0)" not in text
        assert "reference/" not in text and "seeds/" not in text


def test_a_count_of_one_is_singular() -> None:
    assert _packets_events(1, 1) == "1 packet, 1 event"
    assert _packets_events(2, 0) == "2 packets, 0 events"
    assert not BAD_COUNT.search("1 packet, 1 event; 20 jumps; 3 steps per minute")
    assert BAD_COUNT.search("120 packets, 1 events")


def test_the_phase_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    text = _analyze(RECORDINGS / "demo-P00-impact-sim.omrec", capsys)
    assert "Impact exercise (one phase: the same targets for the whole programme)" in text
    phased = [
        (name, mod)
        for name, t in TEMPLATES.items()
        for mod in t.modalities.values()
        if any(not ph.on_review and ph.after_weeks is not None for ph in mod.phases)
    ]
    assert phased, "a template with week-based phases"
    _name, mod = phased[0]
    total = 1 + len(mod.phases)
    assert mod.phase_words(1).startswith(f"programme phase 1 of {total}: the starting targets")
    first = next(ph for ph in mod.phases if not ph.on_review and ph.after_weeks is not None)
    assert first.after_weeks is not None
    later = mod.phase_words(first.after_weeks + 1)
    assert re.match(rf"programme phase \d of {total}: targets progressed in programme week", later)


def test_sources_are_published_not_files_outside_the_repository() -> None:
    texts = [*REFERENCES.values(), *(t.title for t in TEMPLATES.values())]
    texts += [limit.rationale for limit in LIMITS.values()]
    for text in texts:
        assert "reference/" not in text and "seeds/" not in text and "domain.md" not in text, text
    assert "Brooke-Wavell" in REFERENCES["domain-2.5"]


def test_week_refuses_a_bad_week_before_reading_any_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(RECORDINGS / "demo-P00-walk-sim.omrec", tmp_path)
    (tmp_path / "broken.omrec").write_text("not a recording\n")
    code = main(["week", str(tmp_path), "--patient", "P00", "--week", "foo"])
    err = capsys.readouterr().err
    assert code == 2
    assert "skipped" not in err
    assert err.count("\n") == 1 and "--week: week 'foo': write an ISO week like 2025-W10" in err
    code = main(["week", str(tmp_path), "--patient", "P00", "--week", "2025-W53"])
    assert code == 2 and "2025 has no ISO week 53" in capsys.readouterr().err


def test_a_prescription_that_cannot_be_written_is_not_called_an_export(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        *("prescription", "new", "--template", "ksbmr-2023", "--patient", "P07"),
        *("--age", "67", "--risk", "moderate", "--vertebral-fracture", "no"),
        *("--hr-medication", "no", "--mass", "64", "--resting-hr", "62"),
        *("--resting-hr-method", "seated-5min", "--resting-hr-date", "2025-02-24"),
        *("--hrmax", "tanaka", "--timezone", "Europe/Helsinki", "--start", "2025-03-03"),
        *("--hr-ceiling", "75%hrr", "-o", "/proc/no-such-folder/p07.toml"),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "/proc/no-such-folder/p07.toml: cannot write the prescription" in err
    assert "check that the folder exists" in err
    assert "export" not in err
