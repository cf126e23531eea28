"""Review's alerts are the live SafetyMonitor's alerts on the same recording.

The live path is the session driver fed the recording's items in arrival order (what
the collector's analysis thread does live, `tests/session/test_driver_equivalence.py`
shows the two are the same); review must list exactly those alerts (the same rule,
severity, time, value and folded count), adding only the coverage alerts a finished
session can give and the patient's answer to a fall.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from osteomonitor.app.review import review_session
from osteomonitor.prescription import Alert, Rule
from osteomonitor.prescription.safety import data_quality_alerts
from osteomonitor.session import SessionDriver, read_header, recording_prescription, replay_items

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "recordings").glob("*.omrec")) + sorted(
    (ROOT / "tests" / "data" / "format-corpus").glob("*.omrec")
)


def live_alerts(path: Path) -> tuple[Alert, ...]:
    """The alerts the live path raises on this recording (the driver, item by item)."""
    header = read_header(path)
    rx = recording_prescription(header.meta, path)
    driver = SessionDriver(header.devices, header.meta, rx)
    driver.run(replay_items(path))
    return driver.snapshot(finished=True).alerts


def _key(a: Alert) -> tuple[object, ...]:
    return (a.rule, a.severity, a.t_s, a.value, a.limit, a.count, a.last_t_s)


def test_there_are_bundled_recordings_with_alerts() -> None:
    with_alerts = [p for p in BUNDLED if live_alerts(p)]
    assert any("alerts" in p.name for p in with_alerts), with_alerts


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_review_alerts_are_the_live_alerts(path: Path) -> None:
    live = live_alerts(path)
    review = review_session(path)
    if review.prescription is None:
        assert review.alerts == () and live == ()
        return
    assert review.summary is not None
    extra = data_quality_alerts(review.summary)
    assert [_key(a) for a in review.alerts] == [_key(a) for a in (*live, *extra)]
    for mine, theirs in zip(review.alerts, live, strict=False):
        # a fall's text adds the patient's answer, a folded alert's how often and how high
        if mine.rule != Rule.FALL and mine.count == 1:
            assert mine == theirs
        assert mine.physio_message.startswith(theirs.physio_message[:20])


def test_a_folded_alert_says_how_often_and_how_high() -> None:
    review = review_session(ROOT / "recordings" / "demo-P00-impact-sim.omrec")
    (impact,) = [a for a in review.alerts if a.rule == Rule.IMPACT_CEILING]
    assert impact.count > 1 and impact.value is not None
    assert f"({impact.count} times, highest {impact.value:.1f} g" in impact.physio_message


def test_the_library_index_keeps_the_live_alerts(tmp_path: Path) -> None:
    """Review through the folder's index (what the review screens use) shows the same
    alerts as a fresh analysis, on the first (computed) and second (kept) reading."""
    import shutil

    from osteomonitor.app.library import kept_analysis

    src = ROOT / "recordings" / "demo-P00-impact-sim.omrec"
    path = tmp_path / src.name
    shutil.copy2(src, path)
    fresh = review_session(path)
    assert fresh.alerts, "the bundled impact session raises alerts"
    computed = review_session(path, indexed=True)
    assert kept_analysis(path) is not None, "the analysis is now in the index"
    kept = review_session(path, indexed=True)
    assert computed.alerts == fresh.alerts
    assert kept.alerts == fresh.alerts
