"""Flight runs of the jump detector judged as candidates (`jumps.JumpDetector`).

`JumpScan` (a mixin: the detector holds the state) turns a group of runs below the
flight threshold into a flight candidate: the flight's start and its free-fall test
(`_flight_of_group`), then take-off and touchdown refined on the raw ‖a‖ and the landing
(`_consider`). A long signal analysed at once has hundreds of such groups; one at a time
they cost a few numpy calls each, so `_consider_groups` judges them together with these
helpers, bit for bit what the one-at-a-time tests give (tests/analysis/
test_acc_batch_forms.py compares the two forms):

- `free_fall_means`: which single runs are free fall (mean of the smoothed ‖a‖ below
  `flight_g`), decided by a numpy sum wherever its rounding cannot change the answer and
  by the reference's exact `math.fsum` where it could;
- `landings`: the take-off and touchdown refined on the raw ‖a‖, the landing test and
  the landing peak, slope and clipping flag of every flight, as arrays.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .flights import Candidate
from .jump_signals import JumpSignals
from .maxima import ranges
from .screen import moving_mean_runs, runs_below_fast
from .signal import FloatArray, IndexArray
from .thresholds import CLIP_FRACTION

if TYPE_CHECKING:  # pragma: no cover
    from collections import deque

    from .thresholds import JumpParams

#: Relative margin of the free-fall screen: a sum of k ≤ 10⁴ values in float64 is within
#: k·2⁻⁵³·Σ|x| < 1e-12·Σ|x| of the exact sum, so a numpy mean this far from the
#: threshold decides as the exactly rounded mean does.
_MEAN_MARGIN = 1e-12
#: From this many groups of flight runs found together, `_consider_groups` judges them
#: as arrays; fewer (live chunks) one by one.
_SCAN_BATCH_FROM = 8


class Positions:
    """Where the smoothed ‖a‖ of global sample q lies in the array handed with it: at
    q − lo of a dense array that starts at `lo`, or (`starts`/`offs` given: a compact
    array from `compact_runs`) at the slot of q in the block of runs that holds it."""

    __slots__ = ("_lo", "_offs", "_starts")

    def __init__(
        self, lo: int, starts: IndexArray | None = None, offs: IndexArray | None = None
    ) -> None:
        self._lo, self._starts, self._offs = lo, starts, offs

    def at(self, q: int) -> int:
        """The index of global sample q (which must be held)."""
        if self._starts is None or self._offs is None:
            return q - self._lo
        j = int(np.searchsorted(self._starts, q, side="right")) - 1
        return int(self._offs[j]) + q - int(self._starts[j])

    def many(self, q: IndexArray) -> IndexArray:
        """`at` of each global index in `q`."""
        if self._starts is None or self._offs is None:
            return q - self._lo
        j = np.searchsorted(self._starts, q, side="right") - 1
        out: IndexArray = self._offs[j] + q - self._starts[j]
        return out

    def to_global(self, c: IndexArray) -> IndexArray:
        """The global sample at each index `c` of the array (none a separator)."""
        if self._starts is None or self._offs is None:
            return c + self._lo
        j = np.searchsorted(self._offs, c, side="right") - 1
        out: IndexArray = self._starts[j] + c - self._offs[j]
        return out


def compact_runs(
    starts: IndexArray, ends: IndexArray, values: FloatArray, fill: float
) -> tuple[FloatArray, Positions]:
    """Runs [starts[j], ends[j]) (in order, disjoint) of a signal that is `fill`
    elsewhere, `values` their samples side by side, laid out compactly: runs that touch
    stay joined, one `fill` between the others, so every sample keeps its neighbours
    and a run of the signal below a threshold under `fill` is a run of the array."""
    starts, ends = starts.astype(np.intp), ends.astype(np.intp)
    lengths = ends - starts
    if not lengths.size:
        none = np.empty(0, dtype=np.intp)
        return np.empty(0, dtype=np.float64), Positions(0, none, none.copy())
    sep = np.zeros(starts.size, dtype=np.intp)  # a `fill` after run j
    sep[:-1] = ends[:-1] < starts[1:]
    slot = np.cumsum(lengths + sep) - (lengths + sep)
    y = np.full(int((lengths + sep).sum()), fill)
    y[ranges(slot, lengths)] = values
    heads = np.flatnonzero(np.concatenate(([1], sep[:-1])))  # the first run of each block
    return y, Positions(0, starts[heads], slot[heads])


def free_fall_means(m: FloatArray, s: IndexArray, e: IndexArray, flight_g: float) -> list[bool]:
    """For each run m[s[j] : e[j]] (non-empty), `math.fsum(run) / len(run) < flight_g`."""
    n = e - s
    vals = m[ranges(s, n)]
    heads = np.cumsum(n) - n
    mean = np.add.reduceat(vals, heads) / n
    size = np.add.reduceat(np.abs(vals), heads) / n
    tol = _MEAN_MARGIN * (size + abs(flight_g))
    out: list[bool] = (mean < flight_g - tol).tolist()
    unsure = np.flatnonzero((mean >= flight_g - tol) & (mean < flight_g + tol)).tolist()
    for j in unsure:
        a, b = int(s[j]), int(e[j])
        out[j] = math.fsum(m[a:b].tolist()) / (b - a) < flight_g
    return out


def landings(
    mag: FloatArray,
    raw: FloatArray,
    b0: int,
    n: int,
    s: IndexArray,
    e: IndexArray,
    h: int,
    lw: int,
    hyst_g: float,
    landing_min_g: float,
    clip_g: float | None,
) -> tuple[list[int], list[int], list[int], list[float], list[float], list[bool]]:
    """`JumpDetector._consider` of the flights [s[j], e[j]) as arrays.

    Args:
        mag / raw: the buffered ‖a‖ and samples, whose first row is global sample `b0`.
        n: samples fed so far (the signal's end so far), global.
        s / e: the flights' first sample and first sample after, global.
        h / lw / hyst_g / landing_min_g: the detector's smoothing half-width and landing
            window (samples), flight threshold and landing floor (g).
        clip_g: the clipping level, g, or None (range unknown).

    Returns (s, e, k, peak, base, clipped) of the flights that pass the landing test:
    take-off and touchdown refined on the raw ‖a‖ (the first and last sample below
    `hyst_g` within ± h), the landing peak's offset k after touchdown and its ‖a‖, the
    ‖a‖ of the last flight sample, and whether a landing sample reached `clip_g`.
    """
    if h:
        lo_r, hi_r = np.maximum(1, s - h), np.minimum(n - 1, e + h)
        ln = hi_r - lo_r
        heads = np.cumsum(ln) - ln
        below = np.flatnonzero(mag[ranges(lo_r - b0, ln)] < hyst_g)
        if below.size:
            first = np.searchsorted(below, heads)
            last = np.searchsorted(below, heads + ln) - 1
            has = first <= last
            f = below[np.minimum(first, below.size - 1)] - heads
            g = below[np.maximum(last, 0)] - heads
            s = np.where(has, lo_r + f, s)
            e = np.where(has, lo_r + g + 1, e)
    hi = np.minimum(n, e + lw + 1)
    width = hi - e
    sm = moving_mean_runs(mag, e - b0, hi - b0, h, 0, n - b0)
    top = np.maximum.reduceat(sm, np.cumsum(width) - width)
    ok = ~(top < landing_min_g)
    s, e, hi = s[ok], e[ok], hi[ok]
    if not s.size:
        return [], [], [], [], [], []
    idx = e[:, None] + np.arange(lw + 1)
    valid = idx < hi[:, None]
    idx = np.minimum(idx, n - 1) - b0
    win = mag[idx]
    win[~valid] = -np.inf
    k = np.argmax(win, axis=1)
    peak = win[np.arange(k.size), k]
    if clip_g is None:
        clipped = [False] * s.size
    else:
        hit = (np.abs(raw[idx]) >= clip_g).any(axis=2) & valid
        clipped = hit.any(axis=1).tolist()
    return s.tolist(), e.tolist(), k.tolist(), peak.tolist(), mag[e - 1 - b0].tolist(), clipped


class JumpScan(JumpSignals):
    """Flight candidates from runs below the threshold (a mixin of `JumpDetector`, which
    holds every attribute read here)."""

    _p: JumpParams
    _fs: float
    _range: float | None
    _h: int
    _lw: int
    _n: int
    _min_run: int
    _max_run: int
    _buf0: int
    _buf: FloatArray
    _mag: FloatArray
    _sm: FloatArray
    _sm0: int
    _pending: deque[Candidate]
    _screen: bool
    _batch_scan: bool

    def _runs_to_scan(
        self, lo: int, runs: tuple[int, IndexArray, IndexArray, FloatArray]
    ) -> tuple[
        tuple[int, IndexArray, IndexArray, FloatArray],
        FloatArray,
        Positions,
        IndexArray,
        IndexArray,
    ]:
        """A long stretch's runs (`JumpDetector._extend`: from global `at`, the runs
        where a flight can be and their smoothed ‖a‖), with the smoothed values from
        `lo` (the scan point) to `at` before them, laid side by side: (the runs scanned,
        the array, its `Positions`, and the runs below the flight threshold as global
        start / end − `lo`)."""
        at, rs, re_, rv = runs
        if lo < at:
            rs, re_ = np.append(lo, rs), np.append(at, re_)
            rv = np.concatenate((self._sm[lo - self._sm0 : at - self._sm0], rv))
        m, pos = compact_runs(rs, re_, rv, np.inf)
        cs, ce = runs_below_fast(m, self._p.flight_hyst_g)
        starts, ends = pos.to_global(cs) - lo, pos.to_global(ce - 1) + 1 - lo
        return (at, rs, re_, rv), m, pos, starts, ends

    def _consider_groups(
        self, groups: list[list[tuple[int, int]]], m: FloatArray, pos: Positions
    ) -> None:
        """`_consider_group` of each group, in order; many at once as arrays
        (`jump_scan`), the same candidates."""
        if len(groups) < _SCAN_BATCH_FROM or not (self._batch_scan and self._screen):
            for subs in groups:
                self._consider_group(subs, m, pos)
            return
        p = self._p
        # a lone run (most groups): its flight tests as arrays; a group of several
        # runs (a flight briefly above the threshold): one at a time
        lone = [j for j, subs in enumerate(groups) if len(subs) == 1]
        flights: list[tuple[int, int] | None] = [None] * len(groups)
        if lone:
            s = np.asarray([groups[j][0][0] for j in lone], dtype=np.intp)
            e = np.asarray([groups[j][0][1] for j in lone], dtype=np.intp)
            # not too long, not too short, not cut by the signal's start
            ok = (e - s <= self._max_run) & (e - s >= self._min_run) & (s > 0)
            free = np.zeros(s.size, dtype=bool)
            if ok.any():
                so, eo = s[ok], e[ok]  # (a lone run is contiguous in `m`)
                free[ok] = free_fall_means(m, pos.many(so), pos.many(eo - 1) + 1, p.flight_g)
            for j, f in zip(lone, free.tolist(), strict=True):
                if f:
                    flights[j] = groups[j][0]
        done = set(lone)
        for j, subs in enumerate(groups):
            if j not in done:
                flights[j] = self._flight_of_group(subs, m, pos)
        chosen = [f for f in flights if f is not None]
        if not chosen:
            return
        s = np.asarray([f[0] for f in chosen], dtype=np.intp)
        e = np.asarray([f[1] for f in chosen], dtype=np.intp)
        clip = None if self._range is None else CLIP_FRACTION * self._range
        ss, es, ks, peaks, bases, clipped = landings(
            self._mag, self._buf, self._buf0, self._n, s, e,
            self._h, self._lw, p.flight_hyst_g, p.landing_min_g, clip,
        )  # fmt: skip
        fs = self._fs
        for a, b, k, peak, base, c in zip(ss, es, ks, peaks, bases, clipped, strict=True):
            slope = (peak - base) * fs / (k + 1)
            self._pending.append(Candidate(a, b, b + k, (b - a) / fs, peak, slope, c))

    def _consider_group(self, subs: list[tuple[int, int]], m: FloatArray, pos: Positions) -> None:
        """Judge a group of runs below the flight threshold that ends before a landing.

        A group longer than `flight_max_s` is no flight (as in streaming, where such a
        group is skipped while still open). Otherwise the flight starts at the earliest
        run that is free fall on its own (mean below `flight_g`; a shallower dip before
        take-off is the feet unweighting, not flight) and spans the rest of the group if
        that passes the tests; else later starts are tried, down to the last run alone.

        Args:
            subs: (start, end) of each run, global indices, in time order.
            m: smoothed ‖a‖ of the scanned range, global sample q at `pos.at(q)` (each
                run below the threshold is contiguous in it; between runs, values at or
                above the threshold may be left out).
        """
        flight = self._flight_of_group(subs, m, pos)
        if flight is not None:
            self._consider(*flight)

    def _flight_of_group(
        self, subs: list[tuple[int, int]], m: FloatArray, pos: Positions
    ) -> tuple[int, int] | None:
        """The flight (start, end) `_consider_group` considers in `subs`, or None."""
        p = self._p
        e = subs[-1][1]
        if e - subs[0][0] > self._max_run:
            return None  # too long for a flight (a drop, the sensor off): none of it counts
        last = len(subs) - 1
        for i, (s, s_end) in enumerate(subs):
            run = e - s
            if run < self._min_run:
                return None  # later starts are only shorter
            if s == 0:
                continue  # starts with the signal: partial
            a = pos.at(s)
            if i < last and math.fsum(m[a : a + s_end - s].tolist()) / (s_end - s) >= p.flight_g:
                continue  # not free fall: no flight starts here
            m_run = m[a : pos.at(e - 1) + 1]
            low = m_run[m_run < p.flight_hyst_g] if i < last else m_run  # without the gaps
            if math.fsum(low.tolist()) / low.shape[0] < p.flight_g:
                return s, e
        return None

    def _consider(self, s: int, e: int) -> None:
        p = self._p
        run = e - s
        # refine take-off and touchdown on the raw magnitude: the smoothing moves the
        # run edges by up to its half-width, most at a sharp landing
        h = self._h
        if h:
            lo_r, hi_r = max(1, s - h), min(self._n - 1, e + h)
            below = np.flatnonzero(self._magv(lo_r, hi_r) < p.flight_hyst_g)
            if below.size:
                s, e = lo_r + int(below[0]), lo_r + int(below[-1]) + 1
                run = e - s
        hi = min(self._n, e + self._lw + 1)
        if float(self._smoothed(e, hi).max()) < p.landing_min_g:
            return
        mag = self._magv(e, hi)
        k = int(np.argmax(mag))
        peak = float(mag[k])
        # loading slope from the last flight sample to the landing peak
        base = float(self._mag[e - 1 - self._buf0])
        slope = (peak - base) * self._fs / (k + 1)
        clipped = False
        if self._range is not None:
            clipped = bool((np.abs(self._raw(e, hi)) >= CLIP_FRACTION * self._range).any())
        self._pending.append(Candidate(s, e, e + k, run / self._fs, peak, slope, clipped))
