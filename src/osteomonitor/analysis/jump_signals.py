"""The signal views the jump detector's mixins read (`jump_context`, `jump_scan`).

`JumpSignals` declares them once; `jumps.JumpDetector` implements them over its buffer
(sample indices count from the start of the stream).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .signal import FloatArray


class JumpSignals:
    """Views of the detector's buffered signal, by absolute sample index."""

    def _raw(self, lo: int, hi: int) -> FloatArray:  # pragma: no cover - the detector's
        """(hi − lo, 3) raw acceleration, g."""
        raise NotImplementedError

    def _magv(self, lo: int, hi: int) -> FloatArray:  # pragma: no cover - the detector's
        """(hi − lo,) raw ‖a‖, g."""
        raise NotImplementedError

    def _smoothed(self, lo: int, hi: int, step: int = 1) -> FloatArray:  # pragma: no cover
        """Smoothed ‖a‖ over [lo, hi) every `step` samples, g."""
        raise NotImplementedError
