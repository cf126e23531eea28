"""Fixtures of the dashboard tests (helpers live in tui_support.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tui_support import RECORDINGS

# the alert tests build prescriptions with the prescription tests' builders
_PRESCRIPTION_TESTS = str(Path(__file__).resolve().parents[1] / "prescription")
if _PRESCRIPTION_TESTS not in sys.path:
    sys.path.insert(0, _PRESCRIPTION_TESTS)


@pytest.fixture
def recordings_dir() -> Path:
    """The bundled demo recordings."""
    return RECORDINGS
