"""The fall detector's candidate search (a mixin of `falls.FallDetector`, which holds the
state): the samples at or above the candidate threshold that are the highest smoothed
‖a‖ within ± r.

Three forms give the same candidates (tests/analysis/test_acc_fast_paths.py,
test_acc_long_forms.py): the reference (every position smoothed, windows gathered a
block at a time); with the screen, from the local maxima of the screened smoothed ‖a‖
(`maxima.peaks_from_maxima`); and for a long stretch (batch), from the runs where the
smoothed ‖a‖ can reach the threshold, with no full-length array (`_search_runs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .maxima import peaks_from_maxima, peaks_of_runs, runs_dense
from .screen import screened_mean_runs, window_peaks
from .signal import FloatArray

if TYPE_CHECKING:  # pragma: no cover
    from .fall_model import FallParams

#: Candidates judged per array operation (bounds memory: block × (2·r + 1) values).
_CANDIDATE_BLOCK = 2048
#: From this many samples scanned at once (batch), the screened candidates come from
#: the local maxima (`maxima.peaks_from_maxima`); live chunks keep the gathers.
_MAXIMA_FROM = 2048
#: From this many new samples at once (batch), `_search_runs` finds the candidates.
RUNS_FROM = 16_384


class FallScan:
    """Candidate search of `FallDetector` (which holds every attribute read here)."""

    _p: FallParams
    _h: int
    _r: int
    _b0: int
    _n: int
    _mag: FloatArray
    _sm: FloatArray
    _sm0: int
    _sm_end: int
    _scan: int
    _screen: bool
    _pending: list[int]

    def _search_runs(self, upto: int, final: bool) -> None:
        """Smooth up to `upto` and find the candidates of a long stretch (batch) from
        the runs where the smoothed ‖a‖ can reach the threshold (`maxima.peaks_of_runs`):
        the same candidates as the full-length array of −∞ fills searched by
        `_find_candidates`, which was ~4 ms of fresh pages and a pass over 17 MB for 3
        hours. `_sm` keeps only the stretch a later search reads."""
        h, b0, r, s0, thr = self._h, self._b0, self._r, self._sm0, self._p.candidate_min_g
        # the kept ‖a‖ is never NaN (`checked_acc_mag`)
        starts, ends, vals = screened_mean_runs(
            self._mag, self._sm_end - b0, upto - b0, h, 0, self._mag.shape[0], keep_above=thr
        )
        starts, ends = starts + b0, ends + b0
        t = max(s0, self._scan - r - 1)  # the smoothed values the search reads already
        if t < self._sm_end:
            starts = np.concatenate(([t], starts))
            ends = np.concatenate(([self._sm_end], ends))
            vals = np.concatenate((self._sm[t - s0 : self._sm_end - s0], vals))
        hi = upto if final else upto - r
        self._pending.extend(peaks_of_runs(starts, ends, vals, self._scan, hi, thr, r).tolist())
        self._scan = max(self._scan, hi)
        t0 = max(s0, self._scan - r - 1)
        self._sm, self._sm0, self._sm_end = runs_dense(starts, ends, vals, t0, upto), t0, upto

    def _find_candidates(self, lo: int, hi: int) -> None:
        """Samples in [lo, hi) at or above the candidate threshold that are the highest
        smoothed ‖a‖ within ± r (strictly above the r before, not below the r after;
        windows clipped to what is buffered), judged as arrays a block at a time."""
        r, s0 = self._r, self._sm0
        thr = self._p.candidate_min_g
        x = self._sm[: self._sm_end - s0]
        # With the screen, x holds no NaN: the kept ‖a‖ is never NaN (`checked_acc_mag`)
        # and a running sum of values that are never NaN, none −∞, is never NaN; the
        # fill is −∞. So the peaks follow from x's local maxima (`maxima`): one blocked
        # pass over x, no gathers of neighbours from the whole range.
        if self._screen and hi - lo >= _MAXIMA_FROM:
            peaks = peaks_from_maxima(x, lo - s0, hi - s0, thr, r)
            self._pending.extend((peaks + s0).tolist())
            return
        cand = np.flatnonzero(x[lo - s0 : hi - s0] >= thr) + (lo - s0)
        if not cand.size:
            return
        if self._screen:  # only a local maximum can be the highest
            prev = np.where(cand >= 1, x[np.maximum(cand - 1, 0)], -np.inf)
            nxt = np.where(cand + 1 < x.shape[0], x[np.minimum(cand + 1, x.shape[0] - 1)], -np.inf)
            v = x[cand]
            cand = cand[(v > prev) & (v >= nxt)]
            # without NaN, `not (v <= m)` is `v > m`: the rule of `screen.window_peaks`
            self._pending.extend((cand[window_peaks(x, cand, r)] + s0).tolist())
            return
        pad = np.concatenate((np.full(r, -np.inf), x, np.full(r, -np.inf)))
        if not np.isnan(x).any():  # (the reference form; NaN: see below)
            v = pad[cand + r]
            cand = cand[(v > pad[cand + r - 1]) & (v >= pad[cand + r + 1])]
        offs = np.arange(2 * r + 1)
        for k in range(0, cand.size, _CANDIDATE_BLOCK):
            c = cand[k : k + _CANDIDATE_BLOCK]
            win = pad[c[:, None] + offs]  # x[c − r … c + r], −∞ outside the buffer
            v = win[:, r]
            # `not (v <= max before) and not (v < max after)`: NaN neighbours as the
            # one-at-a-time comparison treats them
            keep = ~(v <= win[:, :r].max(axis=1)) & ~(v < win[:, r + 1 :].max(axis=1))
            self._pending.extend((c[keep] + s0).tolist())
