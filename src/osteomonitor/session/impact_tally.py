"""Running impact-load counters: the live `ImpactSummary` without rescanning every peak.

`analysis.impacts.impact_summary` summarises a list of peaks; a live snapshot of a long
session would redo it over every impact so far. `ImpactTally` keeps the same figures as
running counters, updated once per new peak: band counts, threshold counts, the highest
peak, per-band sums (for the osteogenic index) and the sum of peak⁴ (for the daily load
stimulus). Counts are exact; the two float figures may differ from the batch function
in the last bits (running sums instead of numpy's pairwise sums), so the session summary
still calls `impact_summary` once at the end.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from osteomonitor.analysis.thresholds import (
    BAND_SETS,
    DLS_EXPONENT,
    OSTEOGENIC_PEAK_G,
    OSTEOGENIC_SLOPE_G_S,
    OSTEOGENIC_THRESHOLDS_G,
    is_osteogenic,
)
from osteomonitor.model import Impact, ImpactSummary

#: `ImpactTally.add` counts more peaks than this at once as arrays.
_ARRAY_FROM = 16


def _running_sum(start: float, values: npt.NDArray[np.float64]) -> float:
    """start + v0 + v1 + … added left to right (what a loop of `+=` gives)."""
    return float(np.cumsum(np.concatenate(([start], values)))[-1])


class ImpactTally:
    """Impact-load figures of one sensor so far, updated peak by peak.

    Args:
        band_set: a key of `thresholds.BAND_SETS`.
        placement: where the sensor sat (the g values are "<placement>-equivalent").
    """

    def __init__(self, band_set: str, placement: str) -> None:
        self.band_set = band_set
        self.placement = placement
        self._edges = BAND_SETS[band_set].edges_g if band_set in BAND_SETS else ()
        self._counts = [0] * len(self._edges)
        self._sums = [0.0] * len(self._edges)
        self._t42 = OSTEOGENIC_THRESHOLDS_G["deere_4_2"][0]
        self.n = 0
        self._max: float | None = None
        self._n39 = self._n42 = self._slope = self._clipped = 0
        self._pow = 0.0

    def add(self, peaks: Iterable[Impact]) -> None:
        """Count new peaks (g, g/s)."""
        peaks = list(peaks)
        if len(peaks) > _ARRAY_FROM:
            self._add_arrays(peaks)
            return
        edges = self._edges
        for p in peaks:
            v = p.peak_g
            self.n += 1
            self._max = v if self._max is None else max(self._max, v)
            k = bisect.bisect_right(edges, v) - 1
            if k >= 0:
                self._counts[k] += 1
                self._sums[k] += v
            self._n39 += is_osteogenic(v)
            self._n42 += v > self._t42
            self._slope += p.slope_g_s > OSTEOGENIC_SLOPE_G_S
            self._clipped += p.clipped
            self._pow += v**DLS_EXPONENT

    def _add_arrays(self, peaks: list[Impact]) -> None:
        """`add` for many peaks: the same counts, and the same running sums (added one
        value at a time in the same order: a sequential cumulative sum)."""
        v = np.array([p.peak_g for p in peaks], dtype=np.float64)
        self.n += v.size
        top = float(v.max())
        self._max = top if self._max is None else max(self._max, top)
        if self._edges:
            k = np.searchsorted(np.asarray(self._edges), v, side="right") - 1
            for band in range(len(self._edges)):
                sel = v[k == band]
                if sel.size:
                    self._counts[band] += int(sel.size)
                    self._sums[band] = _running_sum(self._sums[band], sel)
        self._n39 += int(np.count_nonzero(v >= OSTEOGENIC_PEAK_G))  # `is_osteogenic`
        self._n42 += int((v > self._t42).sum())
        slopes = np.array([p.slope_g_s for p in peaks], dtype=np.float64)
        self._slope += int(np.count_nonzero(slopes > OSTEOGENIC_SLOPE_G_S))
        self._clipped += int(np.count_nonzero([bool(p.clipped) for p in peaks]))
        self._pow = _running_sum(self._pow, np.array([x**DLS_EXPONENT for x in v.tolist()]))

    def summary(self) -> ImpactSummary:
        """The `ImpactSummary` of the peaks counted so far."""
        oi = sum(
            s / n * math.log(n + 1) for s, n in zip(self._sums, self._counts, strict=True) if n
        )
        return ImpactSummary(
            band_set=self.band_set,
            band_edges_g=self._edges,
            band_counts=tuple(self._counts),
            n_peaks=self.n,
            peak_max_g=self._max,
            n_above_3_9g=self._n39,
            n_above_4_2g=self._n42,
            n_slope_above_100=self._slope,
            osteogenic_index=oi,
            daily_load_stimulus=self._pow ** (1.0 / DLS_EXPONENT) if self.n else 0.0,
            clipped=self._clipped,
            placement=self.placement,
        )
