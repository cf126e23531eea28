"""Lipponen-Tarvainen beat classification of many windows at once, exactly as one by one.

Lipponen JA, Tarvainen MP. A robust algorithm for heart rate variability time series
artefact correction using novel beat classification. J Med Eng Technol 2019;43:173.
`rr.py` states the method; `classify_many` makes one classification pass over a list of
beat-time windows (the corrector's blocks) and returns, for each, the artifact indices a
window-by-window pass gives (`tests/analysis/rr_reference.py`), bit for bit.

Where the time goes, and how it is saved without changing a result:

- the 91-beat threshold of |dRR| decides which beats are *flagged*; most beats sit far
  below it, so every beat first gets a certain lower bound (`rr_stats.threshold_floor`)
  and only beats above theirs, and the neighbours a flagged beat's tests read, get the
  exact threshold (a pass with fewer than `FLOOR_FROM` beats to bound takes their exact
  thresholds at once: cheaper there, and the flagged beats are the same);
- the 11-beat median of RR and the 91-beat threshold of mRR are needed only around
  candidate beats;
- a window corrected by the previous pass brings that pass's values (`Memo`) and where
  each of its beats came from: a value whose whole window holds the same numbers in the
  same order is taken over, not recomputed (checked number by number);
- the walk over flagged beats (which skips as the reference does) runs on plain floats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from .rr_stats import (
    KUBIOS_C1,
    KUBIOS_C2,
    KUBIOS_MEDIAN_WINDOW,
    KUBIOS_QD_WINDOW,
    IntArray,
    median_11,
    quantiles_at,
    threshold_at,
    threshold_floor,
)
from .signal import FloatArray

Artifacts = dict[str, list[int]]
BoolArray = npt.NDArray[np.bool_]


#: Walked beats without a floor from the previous pass from which their floors are worth
#: making (`rr_stats.threshold_floor`: one sorted core per 8 beats); fewer (a live
#: snapshot's open block, a later pass's few changed windows) go straight to their exact
#: thresholds, whose sorts cost less than the floor's own steps. Which beats are flagged
#: does not depend on it: a beat at or below its floor is at or below its threshold.
#: Measured (A/B in one process): 1000 makes the 1-hour file's correction ~10 % and a
#: live snapshot's flush of a 250-beat tail ~25 % faster than floors everywhere; 500
#: and 2500 measured slower.
FLOOR_FROM = 1000


def empty_artifacts() -> Artifacts:
    """No artifact of any kind."""
    return {"ectopic": [], "longshort": [], "missed": [], "extra": []}


#: The rows of a pass's values (`Memo.vals`), in order.
MEMO_ROWS = ("absd", "floor", "th1", "rr", "med", "absm", "th2")
_ABSD, _FLOOR, _TH1, _RR, _MED, _ABSM, _TH2 = range(len(MEMO_ROWS))


@dataclass(frozen=True, slots=True)
class Memo:
    """One window's per-beat values from a pass (NaN where not computed), as the rows
    of one (7, m) array (one slice per window and one concatenation per pass, not
    seven: ~0.5 ms less for 3 h of beats):

    absd / floor / th1: |dRR|, a lower bound of its threshold, the threshold;
    rr / med: RR and its 11-beat median; absm / th2: |mRR| and its threshold.
    """

    vals: FloatArray

    @property
    def absd(self) -> FloatArray:
        row: FloatArray = self.vals[_ABSD]
        return row

    @property
    def floor(self) -> FloatArray:
        row: FloatArray = self.vals[_FLOOR]
        return row

    @property
    def th1(self) -> FloatArray:
        row: FloatArray = self.vals[_TH1]
        return row

    @property
    def rr(self) -> FloatArray:
        row: FloatArray = self.vals[_RR]
        return row

    @property
    def med(self) -> FloatArray:
        row: FloatArray = self.vals[_MED]
        return row

    @property
    def absm(self) -> FloatArray:
        row: FloatArray = self.vals[_ABSM]
        return row

    @property
    def th2(self) -> FloatArray:
        row: FloatArray = self.vals[_TH2]
        return row


def _empty() -> FloatArray:
    a = np.zeros((len(MEMO_ROWS), 0))
    a.flags.writeable = False
    return a


#: No values (a first pass); read-only, shared.
_NO_MEMO = Memo(_empty())

#: A window's previous pass: its `Memo` and, per beat now, the beat's index then (−1: new).
Prior = tuple[Memo, IntArray]


class _Layout:
    """Windows of sizes `sizes` laid end to end: each position's window bounds."""

    def __init__(self, sizes: IntArray) -> None:
        self.bounds = np.concatenate(([0], np.cumsum(sizes))).astype(np.intp)
        self.n = n = int(self.bounds[-1])
        seg = np.repeat(np.arange(sizes.size), sizes)
        self.s, self.e = self.bounds[:-1][seg], self.bounds[1:][seg]
        p = np.arange(n)
        h, hm = KUBIOS_QD_WINDOW // 2, KUBIOS_MEDIAN_WINDOW // 2
        self.lo = np.maximum(self.s, p - h)
        self.hi = np.minimum(self.e, p - h + KUBIOS_QD_WINDOW)
        self.lo11 = np.maximum(self.s, p - hm)
        self.hi11 = np.minimum(self.e, p - hm + KUBIOS_MEDIAN_WINDOW)


class _Reuse:
    """Where a position's window equals its window in the previous pass."""

    def __init__(self, new: _Layout, priors: list[Prior | None]) -> None:
        memos = [pr[0] for pr in priors if pr is not None]
        self.any = bool(memos)
        self.new = new
        gm = self.gm = np.full(new.n, -1, np.intp)
        if not memos:  # a first pass: nothing to take over
            self.memo = _NO_MEMO
            return
        old_sizes = np.asarray([0 if pr is None else pr[0].vals.shape[1] for pr in priors])
        old_bounds = np.zeros(old_sizes.size + 1, np.intp)
        np.cumsum(old_sizes, out=old_bounds[1:])
        self.memo = Memo(np.concatenate([m.vals for m in memos], axis=1))
        # each position's index in the old layout: its window's source index there
        sizes = np.diff(new.bounds)
        src = np.concatenate(
            [
                pr[1] if pr is not None else np.full(int(k), -1)
                for pr, k in zip(priors, sizes, strict=True)
            ]
        )
        # per position now: its window's bounds in the old layout (the old layout's
        # own per-position arrays are not made: only mapped positions read them)
        self._old_s = np.repeat(old_bounds[:-1], sizes)
        self._old_e = np.repeat(old_bounds[1:], sizes)
        gm[:] = np.where(src >= 0, src + self._old_s, -1)
        cont = np.zeros(new.n, bool)
        cont[1:] = (gm[1:] == gm[:-1] + 1) & (gm[1:] > 0)
        self._cont = np.concatenate(([0], np.cumsum(~cont)))
        self._mapped = gm >= 0
        self._q = np.where(self._mapped, gm, 0)
        self._geometry: dict[int, BoolArray] = {}

    def _same_geometry(self, width: int) -> BoolArray:
        """Per position: mapped, its window's old positions consecutive, and its window
        placed in the old pass as now (as many values before and after it); the same for
        every array of one window width, so made once per width."""
        got = self._geometry.get(width)
        if got is None:
            new, q = self.new, self._q
            lo, hi = (new.lo, new.hi) if width == KUBIOS_QD_WINDOW else (new.lo11, new.hi11)
            # the old window of q as `_Layout` bounds it (q lies in the old window of the
            # position's window wherever it is mapped; elsewhere `_mapped` rules it out)
            qh = q - width // 2
            olo = np.maximum(self._old_s, qh)
            ohi = np.minimum(self._old_e, qh + width)
            p = np.arange(new.n)
            got = (self._cont[hi] == self._cont[lo + 1]) & self._mapped
            got &= (olo == q - (p - lo)) & (ohi == q + (hi - p))
            self._geometry[width] = got
        return got

    def same(self, x: FloatArray, old_x: FloatArray, width: int) -> BoolArray:
        """Per position: its window (91 or 11 wide) holds the values its old one held."""
        if not self.any:
            return np.zeros(self.new.n, bool)
        new = self.new
        lo, hi = (new.lo, new.hi) if width == KUBIOS_QD_WINDOW else (new.lo11, new.hi11)
        bad = np.concatenate(([0], np.cumsum(~(self._mapped & (x[: new.n] == old_x[self._q])))))
        return np.asarray((bad[hi] == bad[lo]) & self._same_geometry(width), dtype=bool)

    def take(self, ok: BoolArray, old_values: FloatArray, pos: IntArray) -> BoolArray:
        """Which of `pos` can take a computed old value (their windows are the same)."""
        got = ok[pos]
        got[got] = ~np.isnan(old_values[self.gm[pos[got]]])
        return got


def _fill(
    out: FloatArray,
    pos: IntArray,
    reuse: _Reuse,
    ok: BoolArray,
    old: FloatArray,
    compute: Callable[[IntArray], FloatArray],
) -> None:
    """out[pos] from the old values where `ok` allows, else `compute(positions)`."""
    rest = pos
    if reuse.any:
        got = reuse.take(ok, old, pos)
        out[pos[got]] = old[reuse.gm[pos[got]]]
        rest = pos[~got]
    if rest.size:
        out[rest] = compute(rest)


def _mean_into_first(v: FloatArray, bounds: IntArray) -> None:
    """v[a] = v[a + 1:b].mean() for each window [a, b): numpy's pairwise mean, taken as
    rows over the windows of one length (a window alone: its own slice)."""
    groups: dict[int, list[int]] = {}
    for a, z in pairwise(bounds.tolist()):
        groups.setdefault(z - a - 1, []).append(a)
    for length, starts in groups.items():
        if len(starts) == 1:
            a = starts[0]
            v[a] = v[a + 1 : a + 1 + length].mean()
        else:
            sel = np.asarray(starts)
            v[sel] = v[sel[:, None] + 1 + np.arange(length)].mean(axis=1)


def _mask(n: int, *parts: IntArray) -> IntArray:
    """The distinct positions in `parts`, ascending."""
    m = np.zeros(n, dtype=bool)
    for part in parts:
        m[part] = True
    return np.flatnonzero(m)


def classify_many(
    windows: Sequence[FloatArray], priors: Sequence[Prior | None] | None = None
) -> tuple[list[Artifacts], list[Memo | None]]:
    """Artifact indices by kind for each window of beat times (one pass each), and the
    pass's values per window (None for windows under 4 beats).

    Equal, window by window, to the reference's `_classify`. The windows are laid end
    to end; every rolling window stays inside its own. `priors`: per window, its
    previous pass (see `Prior`) or None.
    """
    outs = [empty_artifacts() for _ in windows]
    memos: list[Memo | None] = [None] * len(windows)
    use = [b for b, w in enumerate(windows) if w.size >= 4]
    if not use:
        return outs, memos
    lay = _Layout(np.asarray([windows[b].size for b in use]))
    reuse = _Reuse(lay, [None if priors is None else priors[b] for b in use])
    old = reuse.memo
    n, s, e, lo, hi = lay.n, lay.s, lay.e, lay.lo, lay.hi
    pk = np.concatenate([windows[b] for b in use]).astype(np.float64, copy=False)
    # the pass's values (`Memo` rows), each row followed by the +∞ the window
    # functions read (as `rr_stats.padded` would add): one allocation
    vals = np.full((len(MEMO_ROWS), n + KUBIOS_QD_WINDOW), np.nan)
    vals[:, n:] = np.inf
    rrp = vals[_RR]
    rr = rrp[:n]
    np.subtract(pk[1:], pk[:-1], out=rr[1:])
    _mean_into_first(rr, lay.bounds)
    d = np.empty(n)
    d[1:] = rr[1:] - rr[:-1]
    _mean_into_first(d, lay.bounds)
    absd = vals[_ABSD]
    np.abs(d, out=absd[:n])
    same91 = reuse.same(absd, old.absd, KUBIOS_QD_WINDOW)
    # a floor for every walked beat (taken over where its window is the same)
    walk = np.flatnonzero(np.arange(n) - s < e - s - 2)
    floor = vals[_FLOOR, :n]
    rest = walk
    if reuse.any:
        got = reuse.take(same91, old.floor, walk)
        floor[walk[got]] = old.floor[reuse.gm[walk[got]]]
        rest = walk[~got]
    if rest.size >= FLOOR_FROM:  # else every one of them gets its exact threshold
        fpos, fval = threshold_floor(absd, s, lo, hi, rest)
        floor[fpos] = fval
    unsure = walk[~(absd[walk] <= floor[walk])]  # (a NaN floor: unsure)
    th1 = vals[_TH1, :n]
    _fill(th1, unsure, reuse, same91, old.th1, lambda q: threshold_at(absd, lo, hi, q))
    dn_unsure = d[unsure] / th1[unsure]
    flagged = unsure[~(np.abs(dn_unsure) <= 1)]
    med, th2 = vals[_MED, :n], vals[_TH2, :n]
    if flagged.size:
        # neighbours the tests read: d at i-1, i+1, i+2, i+3 (reflected at the ends)
        size = (e - s)[flagged][:, None]
        k = (flagged - s[flagged])[:, None] + np.array([-1, 1, 2, 3])
        k = np.where(k < 0, -k, np.where(k >= size, 2 * (size - 1) - k, k))
        near = _mask(n, (s[flagged][:, None] + k).ravel())
        near = near[np.isnan(th1[near])]
        _fill(th1, near, reuse, same91, old.th1, lambda q: threshold_at(absd, lo, hi, q))
        # candidates i and i + 1: the 11-beat median and the mRR threshold around them
        cand = _mask(n, flagged, flagged + 1)
        reach = np.bincount(lo[cand], minlength=n + 1) - np.bincount(hi[cand], minlength=n + 1)
        need = np.flatnonzero(np.cumsum(reach[:n]) > 0)
        same11 = reuse.same(rrp, old.rr, KUBIOS_MEDIAN_WINDOW)
        _fill(med, need, reuse, same11, old.med, lambda q: _median_at(rrp, lay, q))
        mrrs = rr - med
        mrrs[mrrs < 0] *= 2.0
        absm = vals[_ABSM]
        np.abs(mrrs, out=absm[:n])
        same_m = reuse.same(absm, old.absm, KUBIOS_QD_WINDOW)
        _fill(th2, cand, reuse, same_m, old.th2, lambda q: threshold_at(absm, lo, hi, q))
        _walk(outs, use, lay, flagged, d / th1, rr, med, th2, mrrs / th2)
    for w, b in enumerate(use):
        a, z = int(lay.bounds[w]), int(lay.bounds[w + 1])
        memos[b] = Memo(vals[:, a:z])
    return outs, memos


def _median_at(rrp: FloatArray, lay: _Layout, pos: IntArray) -> FloatArray:
    """The 11-beat median of RR at `pos` (full windows by the network)."""
    out = np.empty(pos.size)
    full = lay.hi11[pos] - lay.lo11[pos] == KUBIOS_MEDIAN_WINDOW
    out[full] = median_11(rrp, lay.lo11[pos[full]])
    out[~full] = quantiles_at(rrp, lay.lo11, lay.hi11, pos[~full], (0.5,))[0]
    return out


def _walk(
    outs: list[Artifacts],
    use: list[int],
    lay: _Layout,
    flagged: IntArray,
    dn: FloatArray,
    rr: FloatArray,
    med: FloatArray,
    th2: FloatArray,
    m: FloatArray,
) -> None:
    """The reference's walk over each window's flagged beats (same order, same skips).

    A beat's tests read only values around it, so they are made for every flagged beat
    at once (`dn` = dRR / its threshold, `m` = mRR / its threshold, where computed);
    only which beats the walk visits (it steps over the second of a candidate pair) is
    decided one by one.
    """
    c1, c2 = KUBIOS_C1, KUBIOS_C2
    f = flagged
    s, e = lay.s[f], lay.e[f]
    d = dn[f]
    prev = dn[np.where(f == s, s + 1, f - 1)]  # reflected at the window's start
    nxt = dn[f + 1]
    s12 = np.where(d > 0, np.maximum(prev, nxt), np.where(d < 0, np.minimum(prev, nxt), 0.0))
    ectopic = ((d > 1) & (s12 < -c1 * d - c2)) | ((d < -1) & (s12 > -c1 * d + c2))
    pair = np.abs(dn[f + 1]) < np.abs(dn[f + 2])

    def kind(j: IntArray, e: IntArray) -> IntArray:  # 0 none, 1 extra, 2 missed, 3 longshort
        dj, n1 = dn[j], dn[j + 1]
        n2 = dn[np.where(j + 2 < e, j + 2, e - 2)]  # reflected at the window's end
        s22 = np.where(dj >= 0, np.minimum(n1, n2), np.maximum(n1, n2))
        long_ = (dj > 1) & (s22 < -1)
        short = (dj < -1) & (s22 > 1)
        hit = long_ | short | (np.abs(m[j]) > 3)
        extra = short & (np.abs(rr[j] + rr[j + 1] - med[j]) < th2[j])
        missed = long_ & (np.abs(rr[j] / 2 - med[j]) < th2[j])
        return np.where(hit, np.where(extra, 1, np.where(missed, 2, 3)), 0)

    # both candidates of every flagged beat (i and i + 1) in one call
    both = kind(np.concatenate((f, np.minimum(f + 1, lay.n - 1))), np.concatenate((e, e)))
    k_first = both[: f.size]
    k_second = np.where(pair, both[f.size :], 0)
    visit = _visited(f, s, ~ectopic & pair)
    # every list grows in beat order: ectopic beats, then each candidate by its kind
    ect = visit & ectopic
    tested = visit & ~ectopic
    beats = np.concatenate((f[ect], f[tested], f[tested] + 1))
    kinds = np.concatenate((np.full(int(ect.sum()), 4), k_first[tested], k_second[tested]))
    keep = kinds > 0
    beats, kinds = beats[keep], kinds[keep]
    order = np.argsort(beats, kind="stable")
    beats, kinds = beats[order], kinds[order]
    owner = np.searchsorted(lay.bounds[:-1], beats, side="right") - 1
    local = beats - lay.bounds[owner]
    names = {1: "extra", 2: "missed", 3: "longshort", 4: "ectopic"}
    for w, code, j in zip(owner.tolist(), kinds.tolist(), local.tolist(), strict=True):
        outs[use[w]][names[code]].append(j)


def _visited(f: IntArray, s: IntArray, two: BoolArray) -> BoolArray:
    """Which flagged beats `f` (ascending within each window, window start `s`) the walk
    visits when a visited beat with `two` set steps over the next beat.

    One by one: a beat is stepped over exactly when the beat before it in the list is
    its neighbour (f − 1) in the same window, was visited and steps two. Along a chain
    of such links the visits alternate from the chain's head (always visited), so a
    beat is visited when its distance from the head of its chain is even.
    """
    link = np.zeros(f.size, bool)
    link[1:] = (f[1:] == f[:-1] + 1) & (s[1:] == s[:-1]) & two[:-1]
    heads = np.flatnonzero(~link)
    head_of = heads[np.cumsum(~link) - 1]
    return np.asarray((np.arange(f.size) - head_of) % 2 == 0, dtype=bool)
