"""The import-linter contracts of pyproject.toml hold, and they do catch a violation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(
    not LINT.exists(), reason="import-linter is not installed (pip install -e '.[test]')"
)


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )


def test_the_contracts_are_kept() -> None:
    out = _lint(ROOT / "src")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "BROKEN" not in out.stdout


def test_a_deliberate_upward_import_breaks_the_floors(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "src" / "osteomonitor", tmp_path / "osteomonitor")
    model = tmp_path / "osteomonitor" / "analysis" / "jumps.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nimport osteomonitor.session\n")
    screen = tmp_path / "osteomonitor" / "tui" / "screens" / "help.py"
    screen.write_text(screen.read_text(encoding="utf-8") + "\nimport osteomonitor.store\n")
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert "floors: imports point down BROKEN" in out.stdout
    assert "osteomonitor.analysis.jumps -> osteomonitor.session" in out.stdout
    assert "the dashboard reaches the domain only through app and model BROKEN" in out.stdout
    assert "osteomonitor.tui.screens.help -> osteomonitor.store" in out.stdout
