"""Fixtures of the dashboard tests (helpers live in tui_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import RECORDINGS


@pytest.fixture
def recordings_dir() -> Path:
    """The bundled demo recordings."""
    return RECORDINGS
