"""The report tests reuse the prescription tests' builders and week scenario."""

from __future__ import annotations

import sys
from pathlib import Path

_PRESCRIPTION_TESTS = str(Path(__file__).resolve().parents[1] / "prescription")
if _PRESCRIPTION_TESTS not in sys.path:
    sys.path.insert(0, _PRESCRIPTION_TESTS)
