"""The CLI builds the parser of the command it runs; packages load their modules lazily.

`osteomonitor analyze` must not pay for importing every other command group, and
`from osteomonitor.prescription import Prescription` must not load the prescription
files' reader, writer and templates. These tests keep the shortcuts honest: the table
of commands matches what the groups register, a command alone parses as it does in the
full parser, and every public name of the lazy packages is the object of its module.
"""

from __future__ import annotations

import argparse
import importlib
import random
import statistics
import subprocess
import sys

import pytest

from osteomonitor.cli import COMMAND_MODULES, COMMANDS, _modules_for, build_parser


def _choices(parser: argparse.ArgumentParser) -> set[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_the_command_table_names_every_command_and_its_module() -> None:
    assert _choices(build_parser()) == set(COMMANDS)
    assert set(COMMANDS.values()) == set(COMMAND_MODULES)
    for command, module in COMMANDS.items():
        assert command in _choices(build_parser((module,))), (command, module)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["analyze", "x.omrec", "--json"], ("osteomonitor.cli.analyze",)),
        (["week", "d", "--patient", "P1"], ("osteomonitor.cli.analyze",)),
        (["replay", "x.omrec"], ("osteomonitor.cli.live",)),
        (["import", "polar-sensor-logger"], ("osteomonitor.cli.imports",)),
        ([], COMMAND_MODULES),
        (["--help"], COMMAND_MODULES),
        (["--version"], COMMAND_MODULES),
        (["-h", "analyze"], COMMAND_MODULES),
        (["analyse"], COMMAND_MODULES),  # unknown: the full parser names the choices
    ],
)
def test_modules_for_a_command_line(argv: list[str], expected: tuple[str, ...]) -> None:
    assert tuple(_modules_for(argv)) == tuple(expected)


@pytest.mark.parametrize(
    "argv",
    [
        ["analyze", "a.omrec", "--json", "--csv-jumps", "j.csv"],
        ["analyze", "a", "b", "--jobs", "2", "--out", "study"],
        ["week", "recs", "--patient", "P01", "--week", "2025-W11", "--json"],
        ["recordings", "list"],
        ["prescription", "templates"],
    ],
)
def test_a_command_parses_alone_as_in_the_full_parser(argv: list[str]) -> None:
    full = vars(build_parser().parse_args(argv))
    alone = vars(build_parser(_modules_for(argv)).parse_args(argv))
    assert alone == full


def test_an_unknown_command_is_refused_with_the_list_of_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "osteomonitor", "analyse", "x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "invalid choice: 'analyse'" in out.stderr
    assert "'analyze'" in out.stderr and "'record'" in out.stderr


def test_the_help_of_one_command_builds_only_its_group() -> None:
    code = (
        "import sys\n"
        "from osteomonitor.cli import main\n"
        "try:\n"
        "    main(['analyze', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('osteomonitor.cli.'))),"
        " file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "usage: osteomonitor analyze" in out.stdout
    assert out.stderr.strip() == "osteomonitor.cli.analyze"


@pytest.mark.parametrize(
    "package",
    [
        "osteomonitor.prescription",
        "osteomonitor.report",
        "osteomonitor.session",
        "osteomonitor.store",
    ],
)
def test_every_public_name_of_a_lazy_package_is_its_module_object(package: str) -> None:
    pkg = importlib.import_module(package)
    homes: dict[str, str] = pkg._HOME
    assert set(homes) == set(pkg.__all__)
    for name in pkg.__all__:
        module = importlib.import_module(f"{package}.{homes.get(name, name)}")
        assert getattr(pkg, name) is getattr(module, name), name
    assert set(pkg.__all__) <= set(dir(pkg))
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = pkg.nonexistent


def _loaded_by(imports: str) -> set[str]:
    """The osteomonitor modules a fresh interpreter has loaded after `imports`."""
    code = (
        "import sys\n"
        + imports
        + "print(','.join(sorted(m for m in sys.modules if m.startswith('osteomonitor.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.strip().split(","))


def test_a_lazy_package_loads_only_the_module_of_the_name_asked_for() -> None:
    loaded = _loaded_by(
        "from osteomonitor.prescription import Prescription\n"
        "from osteomonitor.report import session_json\n"
        "from osteomonitor.prescription import limits  # a submodule, as before\n"
    )
    assert {"osteomonitor.prescription.fitt", "osteomonitor.report.documents"} <= loaded
    assert "osteomonitor.prescription.limits" in loaded
    for never in (
        "osteomonitor.prescription.toml_reader",
        "osteomonitor.prescription.toml_writer",
        "osteomonitor.prescription.templates",
        "osteomonitor.report.tables",
        "osteomonitor.prescription.compliance",
    ):
        assert never not in loaded, never


def test_the_session_and_store_packages_load_the_module_of_the_name_asked_for() -> None:
    loaded = _loaded_by(
        "from osteomonitor.session import process_recording_batch\n"
        "from osteomonitor.store import RecordingReader\n"
        "from osteomonitor.store import summary_codec  # a submodule, as before\n"
    )
    assert {"osteomonitor.session.batch", "osteomonitor.store.reader"} <= loaded
    assert "osteomonitor.store.summary_codec" in loaded
    for never in ("osteomonitor.session.driver", "osteomonitor.store.writer"):
        assert never not in loaded, never


def test_the_documents_median_is_statistics_median() -> None:
    from osteomonitor.report.documents import median

    rng = random.Random(15)
    for n in (1, 2, 3, 4, 7, 120, 121):
        values = [rng.uniform(1.0, 8.0) for _ in range(n)]
        assert median(values) == statistics.median(values)
        assert median(values) == statistics.median(list(reversed(values)))
    assert median([3.9, 3.9]) == 3.9
    with pytest.raises(ValueError, match="no values"):
        median([])
