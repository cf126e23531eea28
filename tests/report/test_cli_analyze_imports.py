"""`osteomonitor analyze FILE --json` imports what it runs and nothing else.

The whole process has a CPU budget (issue 15: ≤ 0.4 s for a one-hour file, measured by
bench/bench_batch.py), and every module imported is compiled or unmarshalled, and its
dataclasses built, on every run. So the rule: analysing one recording never loads the
dashboard (textual), the radios (bleak, bumble), the report pages (matplotlib), scipy,
the other command groups, the review screens' use cases (caches, weeks, the library
index) or the text tables; without a prescription it loads none of the prescription
files' reader, writer, templates or weeks either. Checked in a fresh interpreter on a
real recording, with and without a prescription snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from recordings import impact_recording
from rx_builders import EXERCISES_TOML, rx_text

D = dt.date(2025, 3, 10)

#: Never imported by `analyze FILE --json` (prefixes of module names).
NEVER = (
    "textual",
    "bleak",
    "bumble",
    "matplotlib",
    "scipy",
    "numpy.ma",  # np.unique imports it (~13 ms a process): the batch path does without
    "osteomonitor.tui",
    "osteomonitor.collect",
    "osteomonitor.sim",
    "osteomonitor.importers",
    "osteomonitor.patients",
    "osteomonitor.app.review_cache",
    "osteomonitor.app.review_weeks",
    "osteomonitor.app.library",
    "osteomonitor.app.review_alerts",
    "osteomonitor.report.tables",
    "osteomonitor.report.exports",
    "osteomonitor.report.files",
    "osteomonitor.report.html_page",
    "osteomonitor.report.session_page",
    "osteomonitor.report.period_page",
    "osteomonitor.report.rx_sheet",
    "osteomonitor.prescription.toml_writer",
    "osteomonitor.prescription.week",
    "osteomonitor.cli.record",
    "osteomonitor.cli.live",
    "osteomonitor.cli.demo",
    "osteomonitor.cli.scan",
    "osteomonitor.cli.report",
    "osteomonitor.cli.patient",
    "osteomonitor.cli.prescription",
    "osteomonitor.cli.recordings",
    "osteomonitor.cli.study",
    # the session and store packages resolve their names on first use: the batch path
    # loads neither the live driver (its queue and threads) nor the recording writer,
    # and the -wal scanner only for a file that did not end cleanly
    "osteomonitor.session.driver",
    "osteomonitor.session.state",  # the live snapshot's record
    "queue",
    "osteomonitor.store.writer",
    "osteomonitor.store.wal",
    # a protocol's decoder is imported when a device speaks it: an H10 file never loads
    # the IMU decoders and their wire formats
    "osteomonitor.devices.imu_decoders",
    "osteomonitor.devices.movesense",
    "osteomonitor.devices.metawear",
    "osteomonitor.devices.thingy52",
    "osteomonitor.devices.osteomonitor_imu",
    # package data (firmware profiles, the fall model) is read from the package folder:
    # importlib.resources, with tempfile, zipfile and threading, cost ~8 ms a process
    "importlib.resources",
    "importlib.metadata",  # the version comes from the dist-info folder's name
    "tempfile",
    "zipfile",
    "threading",
    # argparse is told the terminal's width (cli._Formatter), or it imports shutil (with
    # bz2, lzma) for every argument added
    "shutil",
)
#: Not imported either when the recording holds no prescription snapshot.
NEVER_WITHOUT_RX = (
    "osteomonitor.prescription.toml_reader",
    "osteomonitor.prescription.compliance",
    "osteomonitor.prescription.fitt",
    "osteomonitor.prescription.safety",
    "osteomonitor.prescription.templates",
    "statistics",
)

_RUN = (
    "import json, sys\n"
    "from osteomonitor.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "print('\\nMODULES ' + json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _analyze_modules(*args: str) -> tuple[dict[str, object], set[str]]:
    """Run `osteomonitor analyze ARGS` in a fresh interpreter: (its JSON, its modules)."""
    out = subprocess.run(
        [sys.executable, "-c", _RUN, "analyze", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stderr.splitlines() if x.startswith("MODULES "))
    return json.loads(out.stdout), set(json.loads(line[len("MODULES ") :]))


def _loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("analyze-imports")
    rx = rx_text() + EXERCISES_TOML
    impact_recording(root / "rx.omrec", D, 1, rx, duration_s=120)
    impact_recording(root / "plain.omrec", D, 2, None, duration_s=120)
    return {"rx": root / "rx.omrec", "plain": root / "plain.omrec"}


def test_analyze_json_without_a_prescription_imports_only_the_analysis(
    files: dict[str, Path],
) -> None:
    doc, modules = _analyze_modules(str(files["plain"]), "--json")
    assert doc["schema"] == "osteomonitor.session/1"
    assert doc["prescription"] is None
    assert doc["measured"]["acc_s"] > 100  # type: ignore[index]  # two minutes analysed
    assert _loaded(modules, NEVER + NEVER_WITHOUT_RX) == []
    # it did run the analysis and the JSON document
    assert {"osteomonitor.session.batch", "osteomonitor.report.documents"} <= modules


def test_analyze_json_with_a_prescription_imports_no_ui_or_other_commands(
    files: dict[str, Path],
) -> None:
    doc, modules = _analyze_modules(str(files["rx"]), "--json")
    assert doc["compliance"] is not None  # judged: the compliance modules did load
    assert "osteomonitor.prescription.compliance" in modules
    assert _loaded(modules, NEVER) == []


@pytest.mark.parametrize("which", ["rx", "plain"])
def test_analyze_text_report_loads_the_tables_it_prints(files: dict[str, Path], which: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _RUN, "analyze", str(files[which])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "osteomonitor.session/1" not in out.stdout  # the text report, not JSON
    line = next(x for x in out.stderr.splitlines() if x.startswith("MODULES "))
    modules = set(json.loads(line[len("MODULES ") :]))
    assert "osteomonitor.report.tables" in modules
    never = tuple(n for n in NEVER if n != "osteomonitor.report.tables")
    if which == "plain":
        never += NEVER_WITHOUT_RX
    assert _loaded(modules, never) == []
