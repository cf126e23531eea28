"""The README's PNG of the patient screen: tools/make_screenshots.py renders a snapshot
SVG with headless Chromium, offline. Skips where no Chromium is installed."""

from __future__ import annotations

import importlib.util
import shutil
import struct
from pathlib import Path
from types import ModuleType

import pytest
from tui_support import REPO

SNAPSHOT = REPO / "tests/tui/__snapshots__/test_snapshots/test_patient_screen_80x24.svg"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_screenshots", REPO / "tools/make_screenshots.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


@pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("chromium-browser")),
    reason="headless Chromium is not installed (Debian: apt-get install -y chromium)",
)
def test_the_patient_screen_svg_renders_to_a_png_of_its_size(tmp_path: Path) -> None:
    tool = _tool()
    out = tmp_path / "patient.png"
    tool.svg_to_png(SNAPSHOT, out, scale=1.0)
    width, height = tool.svg_size(SNAPSHOT.read_text(encoding="utf-8"))
    assert png_size(out) == (width, height)
    assert out.stat().st_size > 20_000, "a blank page compresses to a few kB"


def test_the_readme_shows_the_patient_png() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/screenshots/live-patient.png" in readme
    assert (REPO / "docs/screenshots/live-patient.png").exists()
