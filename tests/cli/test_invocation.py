"""After the README's install `osteomonitor` is in .venv/bin, not on PATH: the README says
how to call it, and printed hints name the program the way it was run (issue 16)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from osteomonitor.invocation import command, in_hints

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _script(tmp_path: Path, where: str = ".venv/bin") -> Path:
    script = tmp_path / where / "osteomonitor"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    return script


def test_not_on_path_the_typed_path_is_used(tmp_path: Path) -> None:
    script = _script(tmp_path)
    got = command(str(script), path_env="/usr/bin:/bin", cwd=str(tmp_path))
    assert got == ".venv/bin/osteomonitor"
    typed = command(".venv/bin/osteomonitor", path_env="/usr/bin", cwd=str(tmp_path))
    assert typed == ".venv/bin/osteomonitor"


def test_outside_the_current_folder_the_absolute_path_is_used(tmp_path: Path) -> None:
    script = _script(tmp_path, "venv with space/bin")
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    got = command(str(script), path_env="/usr/bin", cwd=str(elsewhere))
    assert got == f"'{script}'"  # quoted: pastes into a shell as it is


def test_on_path_the_bare_name_is_used(tmp_path: Path) -> None:
    script = _script(tmp_path)
    got = command(str(script), path_env=f"{script.parent}:/usr/bin", cwd="/")
    assert got == "osteomonitor"


def test_as_a_module_and_embedded(tmp_path: Path) -> None:
    main = tmp_path / "site" / "osteomonitor" / "__main__.py"
    python = _script(tmp_path, "py/bin").with_name("python3")
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    got = command(str(main), path_env="/nowhere", cwd=str(tmp_path), executable=str(python))
    assert got == "py/bin/python3 -m osteomonitor"
    on_path = command(
        str(main), path_env=str(python.parent), cwd=str(tmp_path), executable=str(python)
    )
    assert on_path == "python3 -m osteomonitor"
    assert command("/usr/lib/python3/site-packages/pytest/__main__.py") == "osteomonitor"


def test_quoted_commands_in_messages_follow_the_invocation() -> None:
    text = "no wearable 'x': 'osteomonitor scan' lists them; `osteomonitor recordings repair`"
    assert in_hints(text, ".venv/bin/osteomonitor") == (
        "no wearable 'x': '.venv/bin/osteomonitor scan' lists them; "
        "`.venv/bin/osteomonitor recordings repair`"
    )
    assert in_hints(text, "osteomonitor") == text
    assert in_hints("an osteomonitor recording", "x/osteomonitor") == "an osteomonitor recording"


def _installed_script() -> Path:
    script = Path(sys.executable).parent / "osteomonitor"
    if not script.is_file():
        pytest.skip(f"no installed osteomonitor script beside {sys.executable}")
    return script


def test_the_installed_command_names_itself_as_run() -> None:
    """The real console script, run by its path with its folder not on PATH."""
    script = _installed_script()
    cwd = script.parent.parent.parent
    env = {k: v for k, v in os.environ.items() if k != "PATH"}
    env["PATH"] = "/nonexistent-osteomonitor-test-bin"  # the script's folder is not on it
    run = subprocess.run(
        [str(script), "record", "--patient", "P07"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    typed = os.path.relpath(script, cwd)
    assert f"(see '{typed} scan')" in run.stderr
    env["PATH"] = str(script.parent)
    run = subprocess.run(
        [str(script), "record", "--patient", "P07"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "(see 'osteomonitor scan')" in run.stderr


def test_the_readme_says_how_to_call_the_command_after_its_install() -> None:
    # the two commands stay exactly as they are (CI runs the second verbatim)
    assert (
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/osteomonitor demo" in README
    )
    everyday = README.split("## Everyday use", 1)[1].split("\n## ", 1)[0]
    assert ". .venv/bin/activate" in everyday
    assert ".venv/bin/osteomonitor" in everyday
    # every bare command in the block works once the venv is active, which the text says first
    intro = everyday.split("```", 1)[0]
    assert re.search(r"activate", intro)
