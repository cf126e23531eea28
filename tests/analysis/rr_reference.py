"""The RR correction as it was before the batched fast path (issue 15): the reference.

A verbatim copy of `osteomonitor.analysis.rr` at commit fd10115 (one window classified at
a time, a sorted 91-beat window per beat), kept only so the tests can prove the fast
implementation gives exactly the same corrections, kinds and counts. Not used by the
product.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from osteomonitor.analysis.heart_rate import (
    CONTACT_LOST,
    HrSeries,
    _has_beats,
    _lay_beats,
    hr_validity,
)
from osteomonitor.analysis.signal import FloatArray, SignalError

#: Physiological RR range, ms (domain §3.5 [B]: 300-2000 ms ≈ 30-200 bpm).
RR_PLAUSIBLE_MS = (300.0, 2000.0)
#: Lipponen & Tarvainen 2019 constants.
KUBIOS_ALPHA = 5.2
KUBIOS_C1 = 0.13
KUBIOS_C2 = 0.17
KUBIOS_QD_WINDOW = 91
KUBIOS_MEDIAN_WINDOW = 11
#: Block processing (streaming == batch); context > half the QD window.
BLOCK_BEATS = 256
CONTEXT_BEATS = 64
MAX_PASSES = 10

ARTIFACT_KINDS = ("ectopic", "longshort", "missed", "extra", "implausible")


@dataclass(frozen=True, slots=True)
class RrCorrection:
    """Result of `correct_rr`.

    Attributes:
        rr_ms_corrected: (m,) corrected intervals, ms (m may differ from the input
            length: extra beats merge, missed beats split, implausible values drop).
        artifact_mask: (n,) bool per *input* interval, True where it was an artifact.
        kinds: (n,) str per input interval, "" or one of `ARTIFACT_KINDS`.
        n_artifacts: number of input intervals flagged.
    """

    rr_ms_corrected: FloatArray
    artifact_mask: npt.NDArray[np.bool_]
    kinds: npt.NDArray[np.str_]
    n_artifacts: int


def _rolling(x: FloatArray, width: int, q: float | list[float]) -> FloatArray:
    """Centred rolling quantile(s) over `width` samples, shrinking at the edges.

    Values equal `np.quantile` (method "linear") over each window bit for bit, at a
    fraction of the cost: the windows are sorted at once (full ones as a strided view,
    the shrinking edge ones padded with +∞) and `_sorted_quantiles` applies numpy's own
    index and interpolation formulas.
    """
    qs = np.atleast_1d(np.asarray(q, dtype=float))
    n = x.size
    h = width // 2
    out = np.empty((qs.size, n))
    if n >= width:
        win = np.lib.stride_tricks.sliding_window_view(x, width)
        full = np.full(win.shape[0], width)
        out[:, h : h + win.shape[0]] = _sorted_quantiles(np.sort(win, axis=1), full, qs)
        edges = np.concatenate((np.arange(min(h, n)), np.arange(h + win.shape[0], n)))
    else:
        edges = np.arange(n)
    if edges.size:
        lo = np.maximum(0, edges - h)
        length = np.minimum(n, edges + width - h) - lo
        cols = np.arange(int(length.max()))
        rows = np.where(cols < length[:, None], x[np.minimum(lo[:, None] + cols, n - 1)], np.inf)
        rows.sort(axis=1)
        out[:, edges] = _sorted_quantiles(rows, length, qs)
    return out[0] if np.ndim(q) == 0 else out


def _sorted_quantiles(rows: FloatArray, length: npt.NDArray[np.intp], qs: FloatArray) -> FloatArray:
    """Quantiles `qs` of each sorted row's first `length` values: (len(qs), len(rows)).

    numpy's "linear" method step by step: virtual index (L − 1)·q, neighbours floor and
    floor + 1 (the last value when at or past it), then numpy's `_lerp`: a + (b − a)·γ,
    or b − (b − a)·(1 − γ) when γ ≥ 0.5.
    """
    last = length - 1
    vi = last[None, :] * qs[:, None]
    above = vi >= last[None, :]
    prev = np.floor(vi)
    pi = np.where(above, last[None, :], prev).astype(np.intp)
    ni = np.where(above, last[None, :], prev + 1).astype(np.intp)
    gamma = vi - np.where(above, -1.0, prev)
    r = np.arange(rows.shape[0])[None, :]
    a, b = rows[r, pi], rows[r, ni]
    diff = b - a
    res = a + diff * gamma
    return np.asarray(np.where(gamma >= 0.5, b - diff * (1 - gamma), res), dtype=np.float64)


def _threshold(x: FloatArray) -> FloatArray:
    """α × quartile deviation of |x| over a centred 91-beat window (shrinking at edges)."""
    q1, q3 = _rolling(np.abs(x), KUBIOS_QD_WINDOW, [0.25, 0.75])
    th = KUBIOS_ALPHA * (q3 - q1) / 2.0
    th[th <= 0] = np.finfo(float).eps
    return np.asarray(th, dtype=np.float64)


def _classify(peaks: FloatArray) -> dict[str, list[int]]:
    """Artifact indices (into `peaks`) by kind, one Lipponen-Tarvainen pass."""
    out: dict[str, list[int]] = {"ectopic": [], "longshort": [], "missed": [], "extra": []}
    if peaks.size < 4:
        return out
    rr = np.diff(peaks, prepend=peaks[0])
    rr[0] = rr[1:].mean()
    drrs = np.diff(rr, prepend=rr[0])
    drrs[0] = drrs[1:].mean()
    th1 = _threshold(drrs)
    drrs = drrs / th1
    pad = np.pad(drrs, 2, mode="reflect")
    prev_, next_, next2 = pad[1:-3], pad[3:-1], pad[4:]
    s12 = np.where(
        drrs > 0, np.maximum(prev_, next_), np.where(drrs < 0, np.minimum(prev_, next_), 0.0)
    )
    s22 = np.where(drrs >= 0, np.minimum(next_, next2), np.maximum(next_, next2))
    medrr = _rolling(rr, KUBIOS_MEDIAN_WINDOW, 0.5)
    mrrs = rr - medrr
    mrrs[mrrs < 0] *= 2.0
    th2 = _threshold(mrrs)
    mrrs = mrrs / th2
    c1, c2 = KUBIOS_C1, KUBIOS_C2
    # The reference walks every beat; only beats with |dRR| > 1 can be flagged, so the
    # walk visits those (same order, same skips) on plain floats.
    n_walk = rr.size - 2
    flagged = np.flatnonzero(~(np.abs(drrs[:n_walk]) <= 1)).tolist()
    d_, s12_, s22_ = drrs.tolist(), s12.tolist(), s22.tolist()
    m_, rr_, med_, th2_ = mrrs.tolist(), rr.tolist(), medrr.tolist(), th2.tolist()
    i_next = 0
    for i in flagged:
        if i < i_next:
            continue  # stepped over as the second beat of a candidate pair
        d = d_[i]
        if (d > 1 and s12_[i] < -c1 * d - c2) or (d < -1 and s12_[i] > -c1 * d + c2):
            out["ectopic"].append(i)
            i_next = i + 1
            continue
        cands = [i]
        if abs(d_[i + 1]) < abs(d_[i + 2]):
            cands.append(i + 1)
        for j in cands:
            dj = d_[j]
            long_ = dj > 1 and s22_[j] < -1
            short = dj < -1 and s22_[j] > 1
            if long_ or short or abs(m_[j]) > 3:
                if short and abs(rr_[j] + rr_[j + 1] - med_[j]) < th2_[j]:
                    out["extra"].append(j)
                elif long_ and abs(rr_[j] / 2 - med_[j]) < th2_[j]:
                    out["missed"].append(j)
                else:
                    out["longshort"].append(j)
        i_next = i + len(cands)  # as in the reference flow (NeuroKit2): one step per candidate
    return out


def _correct(peaks: FloatArray, art: dict[str, list[int]]) -> FloatArray:
    """Apply one pass of corrections to beat times."""
    p = peaks.copy()
    n = p.size
    mis = sorted({j for j in art["ectopic"] + art["longshort"] if 1 <= j < n - 1})
    if mis:
        idx = np.asarray(mis)
        p[idx] = (p[idx - 1] + p[idx + 1]) / 2.0
    missed = sorted({j for j in art["missed"] if 1 <= j < n})
    extra = {j for j in art["extra"] if 1 <= j < n - 1}
    inserts = (p[np.asarray(missed)] + p[np.asarray(missed) - 1]) / 2.0 if missed else np.empty(0)
    keep = np.ones(n, dtype=bool)
    keep[list(extra)] = False
    return np.sort(np.concatenate((p[keep], inserts)), kind="mergesort")


def _fix_peaks(peaks: FloatArray) -> tuple[FloatArray, dict[str, list[int]]]:
    """Iterate classification and correction while the artifact count falls."""
    first = _classify(peaks)
    fixed = _correct(peaks, first)
    count = sum(len(v) for v in first.values())
    for _ in range(MAX_PASSES):
        art = _classify(fixed)
        new = sum(len(v) for v in art.values())
        if new >= count or new == 0:
            break
        count = new
        fixed = _correct(fixed, art)
    return fixed, first


class RrCorrector:
    """Incremental `correct_rr`: `feed` RR chunks (ms), `flush` at the end.

    Output is released a block (`BLOCK_BEATS`) at a time once `CONTEXT_BEATS` more
    beats have arrived; memory stays O(block).
    """

    def __init__(self) -> None:
        self._t: list[float] = [0.0]  # beat times (ms) of the buffered window, absolute
        self._orig0 = 0  # original index of self._t[0] (beat index, 0 = series start)
        self._done = 0  # original beats already emitted (blocks * BLOCK_BEATS)
        self._n = 0  # plausible intervals seen
        self._emit_t: float = 0.0  # last emitted beat time
        self._pending_kinds: deque[str] = deque()  # per input interval not yet final
        self._pending_orig: deque[int] = deque()  # beat index of each plausible one
        self.rr_count = 0
        self.n_artifacts = 0

    def feed(self, rr_ms: Iterable[float]) -> tuple[FloatArray, list[str]]:
        """Add intervals (ms); return (corrected intervals now final, kinds of new inputs).

        The kinds list has one entry per *input* interval of this call that is now
        final, in order: "" or an artifact kind. Intervals are final in blocks.
        """
        x = np.asarray(list(rr_ms) if not isinstance(rr_ms, np.ndarray) else rr_ms, dtype=float)
        if x.ndim != 1:
            raise SignalError(f"RrCorrector.feed: RR must be 1-D in ms, got shape {x.shape}")
        kinds_now: list[str] = []
        lo, hi = RR_PLAUSIBLE_MS
        for v in x.tolist():
            self.rr_count += 1
            if not (lo <= v <= hi):  # NaN also fails
                self.n_artifacts += 1
                self._pending_kinds.append("implausible")
                continue
            self._t.append(self._t[-1] + v)
            self._n += 1
            self._pending_kinds.append("")
            self._pending_orig.append(self._n)  # beat index of the interval's end
        return self._release(final=False, kinds_now=kinds_now)

    def flush(self) -> tuple[FloatArray, list[str]]:
        """Release everything left."""
        return self._release(final=True, kinds_now=[])

    def _release(self, final: bool, kinds_now: list[str]) -> tuple[FloatArray, list[str]]:
        out: list[float] = []
        flags: dict[int, str] = {}
        while True:
            b0 = self._done
            b1 = b0 + BLOCK_BEATS
            if self._n >= b1 + CONTEXT_BEATS:
                end = b1
            elif final and self._n > b0:
                end = self._n
            else:
                break
            w0 = max(0, b0 - CONTEXT_BEATS)
            w1 = min(self._n, end + CONTEXT_BEATS)
            base = self._t[w0 - self._orig0]
            win = np.asarray(self._t[w0 - self._orig0 : w1 - self._orig0 + 1]) - base
            fixed, art = _fix_peaks(win)
            t_lo = self._t[b0 - self._orig0] - base
            t_hi = self._t[end - self._orig0] - base
            last = end == self._n and final
            # block boundaries keep their original beat; corrections act inside
            beats = np.concatenate((fixed[(fixed > t_lo) & (fixed < t_hi)], [t_hi]))
            prev = self._emit_t - base
            for bt in beats.tolist():
                out.append(bt - prev)
                prev = bt
            self._emit_t = prev + base
            for kind, idxs in art.items():
                for j in idxs:
                    g = w0 + j  # original beat index the artifact ends on
                    if b0 < g <= end:
                        flags[g] = kind
            self._done = end
            if last:
                break
        # map flags to pending input kinds (in input order)
        res_kinds: list[str] = []
        while self._pending_kinds:
            if self._pending_kinds[0] == "implausible":
                res_kinds.append(self._pending_kinds.popleft())
                continue
            g = self._pending_orig[0]
            if g > self._done:
                break
            self._pending_kinds.popleft()
            self._pending_orig.popleft()
            k = flags.get(g, "")
            if k:
                self.n_artifacts += 1
            res_kinds.append(k)
        keep_from = max(0, self._done - CONTEXT_BEATS)
        if keep_from > self._orig0:
            del self._t[: keep_from - self._orig0]
            self._orig0 = keep_from
        return np.asarray(out, dtype=float), kinds_now + res_kinds


def correct_rr(rr_ms: FloatArray | Iterable[float]) -> RrCorrection:
    """Detect and correct RR artifacts (Lipponen & Tarvainen 2019).

    Args:
        rr_ms: (n,) successive RR intervals, ms.

    Returns:
        `RrCorrection` with the corrected series and per-input artifact kinds.
    """
    c = RrCorrector()
    a, k1 = c.feed(rr_ms)
    b, k2 = c.flush()
    kinds = np.asarray(k1 + k2, dtype="<U11")
    mask = kinds != ""
    return RrCorrection(np.concatenate((a, b)), mask, kinds, int(mask.sum()))


def build_hr_series_reference(
    t_s: FloatArray,
    hr_bpm: FloatArray,
    rr_1024: list[tuple[int, ...]] | None = None,
    contact: npt.NDArray[np.int8] | None = None,
    earliest_s: float | None = None,
) -> HrSeries:
    """`heart_rate.build_hr_series` as it was at fd10115 (lists, the reference
    `correct_rr`); validity and beat laying are unchanged and shared."""
    t = np.asarray(t_s, dtype=float)
    hr = np.asarray(hr_bpm, dtype=float)
    field_ok = hr_validity(t, hr, contact)
    lost = np.zeros(t.size, bool) if contact is None else np.asarray(contact) == CONTACT_LOST
    beat_t, beat_rr = _lay_beats(t, rr_1024, lost, earliest_s)
    fields = ~_has_beats(rr_1024, lost, t.size)
    out_t: list[float] = t[fields].tolist()
    out_hr: list[float] = hr[fields].tolist()
    out_ok: list[bool] = field_ok[fields].astype(bool).tolist()
    out_rr: list[bool] = [False] * len(out_t)
    n_art = 0
    if beat_rr.size:
        corr = correct_rr(beat_rr)
        n_art = corr.n_artifacts
        ok_mask = ~corr.artifact_mask
        bt = beat_t[ok_mask]
        br = beat_rr[ok_mask]
        out_t.extend(bt.tolist())
        out_hr.extend((60000.0 / br).tolist())
        out_ok.extend([True] * bt.size)
        out_rr.extend([True] * bt.size)
    order = np.argsort(np.asarray(out_t), kind="mergesort")
    return HrSeries(
        np.asarray(out_t)[order],
        np.asarray(out_hr)[order],
        np.asarray(out_ok, bool)[order],
        np.asarray(out_rr, bool)[order],
        int(beat_rr.size),
        n_art,
    )
