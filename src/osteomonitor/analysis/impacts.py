"""Impact load: acceleration peaks, band histograms, osteogenic index, daily load stimulus.

All values are in g of the *resultant* acceleration (1 g at rest) at the sensor's
placement; thresholds from hip/waist studies (`thresholds.BAND_SETS`) are applied as
"<placement>-equivalent" and `ImpactSummary.placement` says which. Formulas and sources:
docs/metrics.md and domain.md §2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from osteomonitor.model import Impact, ImpactSummary

from .screen import checked_acc_mag, local_maxima_peaks, window_peaks, windows
from .signal import (
    FloatArray,
    IndexArray,
    SignalError,
    check_fs,
    check_range,
)
from .thresholds import (
    BAND_SETS,
    CLIP_FRACTION,
    DLS_EXPONENT,
    GRAVITY_M_S2,
    IMPACT_MERGE_S,
    IMPACT_MIN_PEAK_G,
    NEUGEBAUER_2014,
    OSTEOGENIC_PEAK_G,
    OSTEOGENIC_SLOPE_G_S,
    OSTEOGENIC_THRESHOLDS_G,
)

#: From this many peaks at once, their slope windows are gathered as whole windows
#: (`screen.windows`); fewer (live chunks) sample by sample, which takes fewer steps.
_WINDOWS_FROM = 32
#: The loading slope is measured from the lowest ‖a‖ within this before the peak, s
#: (impact rise times are 10-100 ms; Kiernan 2023 onset windows are of this order).
SLOPE_LOOKBACK_S = 0.1


class ImpactCounter:
    """Incremental impact-peak finder; `feed` chunks of any size, then `flush`.

    A peak is a raw ‖a‖ sample ≥ `min_peak_g` that is strictly higher than the
    `merge_s` before it and at least as high as the `merge_s` after it, so a heel-toe
    double impact counts once. Streaming equals batch exactly.

    With `wide` = (threshold, seconds), the counter also finds the peaks of a second,
    wider search over the same ‖a‖ (the step detector's: `steps.STEP_MIN_PEAK_G`,
    `steps.STEP_MERGE_S`) among its own peaks (`wider_peaks`), confirmed when that
    search would confirm them; `take_wide` hands their times over.

    Args:
        fs_hz: sample rate, Hz.
        range_g: full-scale range, ±g (clipping flag), or None.
        min_peak_g: smallest counted peak, g.
        merge_s: peaks closer than this merge, s.
        wide: (smallest peak, g; merge window, s) of the wider search, both at least
            this counter's, or None.
        t0_s: the impacts' times are `t0_s` + sample index / fs_hz, s (the wide
            search's times and `feed_times` count from sample 0).
    """

    def __init__(
        self,
        fs_hz: float,
        range_g: float | None = None,
        min_peak_g: float = IMPACT_MIN_PEAK_G,
        merge_s: float = IMPACT_MERGE_S,
        wide: tuple[float, float] | None = None,
        t0_s: float = 0.0,
    ) -> None:
        self._fs = check_fs(fs_hz, "ImpactCounter")
        self._t0 = float(t0_s)
        self._range = check_range(range_g, "ImpactCounter")
        self._min = float(min_peak_g)
        self._r = max(1, round(merge_s * self._fs))
        self._lb = max(1, round(SLOPE_LOOKBACK_S * self._fs))
        self._keep = max(self._r, self._lb)
        self._wide: tuple[float, int] | None = None
        if wide is not None:
            w_thr, w_r = float(wide[0]), max(1, round(wide[1] * self._fs))
            if w_thr < self._min or w_r < self._r:
                raise SignalError(
                    f"ImpactCounter: the wide search ({w_thr:g} g, {w_r} samples) must not "
                    f"be narrower than the counter's ({self._min:g} g, {self._r} samples)"
                )
            self._wide = (w_thr, w_r)
            self._keep = max(self._keep, w_r)
        self._wide_pending = np.empty(0, dtype=np.int64)  # narrow peaks not yet judged
        self._wide_out: list[float] = []
        self._mag = np.empty(0)
        self._acc = np.empty((0, 3))  # raw rows, for the clipping flag at the peaks
        self._buf0 = 0
        self._buf0_at_peaks = 0  # buffer start of the peaks `_process` last returned
        self._peak_buf = (self._mag, self._acc)  # and the buffers they index
        self._n = 0
        self._next = 0  # next global index to test
        self.count = 0

    def feed(
        self, acc_g: FloatArray, mag: FloatArray | None = None, *, checked: bool = False
    ) -> list[Impact]:
        """Add (k, 3) samples in g (and their (k,) ‖a‖ when the caller has it already;
        `checked`: both from `screen.checked_with_magnitude`); return the impacts
        confirmed by them."""
        return self._impacts(self._add(acc_g, mag, final=False, checked=checked))

    def feed_times(self, acc_g: FloatArray, mag: FloatArray | None = None) -> list[float]:
        """`feed`, returning only the peak times, s (no `Impact` built)."""
        jj = self._add(acc_g, mag, final=False)
        times: list[float] = ((jj + self._buf0_at_peaks) / self._fs).tolist()
        return times

    def flush(self) -> list[Impact]:
        """End of signal: confirm the last peaks."""
        return self._impacts(self._process(self._n, final=True))

    def flush_times(self) -> list[float]:
        """`flush`, returning only the peak times, s."""
        jj = self._process(self._n, final=True)
        times: list[float] = ((jj + self._buf0_at_peaks) / self._fs).tolist()
        return times

    def take_wide(self) -> list[float]:
        """Times of the wide search's peaks confirmed since the last call, s."""
        out, self._wide_out = self._wide_out, []
        return out

    def _add(
        self, acc_g: FloatArray, mag: FloatArray | None, final: bool, checked: bool = False
    ) -> IndexArray:
        a, m = checked_acc_mag(acc_g, mag, "ImpactCounter.feed", checked)
        k = a.shape[0]
        if k:
            self._mag = np.concatenate((self._mag, m)) if self._mag.shape[0] else m
            if self._range is not None:
                self._acc = np.concatenate((self._acc, a)) if self._acc.shape[0] else a
            self._n += k
        return self._process(self._n - self._r, final)

    def _process(self, end: int, final: bool) -> IndexArray:
        """Find the peaks in [next, end) and judge the wide search's; returns the new
        peaks as buffer indices (valid until the next call: `_buf0_at_peaks` is their
        buffer's start) and the peak data `_impacts` reads."""
        lo = self._next
        b0 = self._buf0
        self._buf0_at_peaks = b0
        self._peak_buf = (self._mag, self._acc)
        if end <= lo:
            jj = np.empty(0, dtype=np.intp)
        else:
            # The buffer holds ≥ `_keep` samples before `lo` (or starts at sample 0) and,
            # short of the end of the signal, r samples after `end`; beyond it is −∞.
            # (the kept ‖a‖ is never NaN: `checked_acc_mag`)
            jj = local_maxima_peaks(self._mag, lo - b0, end - b0, self._min, self._r, nan_free=True)
            self._next = end
            self.count += int(jj.size)
        if self._wide is not None:
            self._judge_wide(jj + b0, final)
        keep = max(0, max(end, lo) - self._keep - 1)
        if self._wide is not None and self._wide_pending.size:
            keep = min(keep, int(self._wide_pending[0]) - self._wide[1])
        if keep > b0:
            self._mag = self._mag[keep - b0 :].copy()
            if self._range is not None:
                self._acc = self._acc[keep - b0 :].copy()
            self._buf0 = keep
        return jj

    def _judge_wide(self, new_peaks: IndexArray, final: bool) -> None:
        """Judge the narrow peaks whose wide window is complete (`wider_peaks` rule)."""
        assert self._wide is not None
        thr, r = self._wide
        b0, mag = self._buf0, self._mag
        new = new_peaks[mag[new_peaks - b0] >= thr] if new_peaks.size else new_peaks
        pend = np.concatenate((self._wide_pending, new)) if new.size else self._wide_pending
        if not pend.size:
            return
        ready = pend.size if final else int(np.searchsorted(pend, self._n - r))
        if ready:
            p = pend[:ready] - b0
            # the buffer starts at the signal's start or ≥ r before these peaks and ends
            # at its end so far (read as −∞ beyond, as `wider_peaks` pads)
            wide = p[window_peaks(mag, p, r, known=self._r)]  # they are peaks within ± _r
            self._wide_out += ((wide + b0) / self._fs).tolist()
        self._wide_pending = pend[ready:]

    def _impacts(self, jj: IndexArray) -> list[Impact]:
        if not jj.size:
            return []
        mag, acc = self._peak_buf
        b0, lb = self._buf0_at_peaks, self._lb
        # loading slope: from the lowest ‖a‖ in the `lb` samples before the peak
        # (the earliest lowest one) up to the peak
        if jj.size >= _WINDOWS_FROM and int(jj[0]) >= lb:  # (peaks in order) all inside
            pre = windows(mag, jj - lb, lb + 1)
        else:
            idx = jj[:, None] + np.arange(-lb, 1)
            pre = mag[np.maximum(idx, 0)]
            pre[idx < 0] = np.inf  # before the first sample
        kmin = np.argmin(pre, axis=1)
        v = mag[jj]
        low = pre[np.arange(jj.size), kmin]
        rise = (v - low) * self._fs / np.maximum(1, lb - kmin)
        if self._range is not None:
            last = acc.shape[0] - 1
            lim = CLIP_FRACTION * self._range
            if jj.size >= _WINDOWS_FROM and int(jj[0]) >= 1 and int(jj[-1]) < last:
                # the rows before, at and after each peak as one window each (2.5x
                # faster than three gathers over the whole buffer)
                w = windows(acc, jj - 1, 3)  # (k, 3, 3), a copy
                flags = np.asarray((np.abs(w, out=w) >= lim).any(axis=(1, 2)), dtype=bool)
            else:
                rows = np.stack(
                    (acc[np.maximum(jj - 1, 0)], acc[jj], acc[np.minimum(jj + 1, last)])
                )
                flags = np.asarray((np.abs(rows) >= lim).any(axis=(0, 2)), dtype=bool)
            clipped: list[bool] = flags.tolist()
        else:
            clipped = [False] * jj.size
        t = (jj + b0) / self._fs + self._t0
        return list(map(Impact, t.tolist(), v.tolist(), rise.tolist(), clipped))


def find_impact_peaks(
    acc_g: FloatArray,
    fs_hz: float,
    range_g: float | None = None,
    min_peak_g: float = IMPACT_MIN_PEAK_G,
    merge_s: float = IMPACT_MERGE_S,
) -> list[Impact]:
    """Impact peaks of a whole signal (see `ImpactCounter`); times in s from sample 0.

    Args:
        acc_g: (n, 3) float64, g.
        fs_hz: sample rate, Hz.
        range_g: full-scale range, ±g, or None.
        min_peak_g: smallest counted peak of ‖a‖, g.
        merge_s: peaks closer than this merge, s.
    """
    c = ImpactCounter(fs_hz, range_g, min_peak_g, merge_s)
    return c.feed(acc_g) + c.flush()


def wider_peaks(mag: FloatArray, peaks: IndexArray, threshold: float, r: int) -> IndexArray:
    """The peaks of `local_peaks(mag, …, threshold, r)` among `peaks`, the peaks of a
    narrower window (≤ r) and lower or equal threshold over the same ‖a‖: a peak of
    the wide window is one of the narrow window too, so it is found among them.

    Args:
        mag: (n,) ‖a‖ of the whole signal, g. peaks: indices of the narrow peaks.
        threshold: the wide peaks' minimum, g. r: the wide window, samples.
    """
    p = peaks[mag[peaks] >= threshold]
    out: IndexArray = p[window_peaks(mag, p, r)]
    return out


def band_counts(peaks_g: Sequence[float], edges_g: Sequence[float]) -> tuple[int, ...]:
    """Peaks per band [edge_k, edge_k+1), the last band open-ended; below edge_0 uncounted."""
    edges = np.asarray(edges_g, dtype=np.float64)
    if edges.size == 0 or np.any(np.diff(edges) <= 0):
        raise SignalError(f"band edges {list(edges_g)} must be a non-empty ascending list of g")
    p = np.asarray(peaks_g, dtype=np.float64)
    idx = np.searchsorted(edges, p, side="right") - 1
    counts = np.bincount(idx[idx >= 0], minlength=edges.size)
    return tuple(int(c) for c in counts[: edges.size])


def osteogenic_index(peaks_g: Sequence[float], edges_g: Sequence[float]) -> float:
    """Accelerometry osteogenic index: Σ over bands of mean peak (g) × ln(n + 1).

    Turner & Robling (ESSR 2003;31:45) define OI = intensity × ln(N + 1) per loading
    type; applied per histogram band as in Haapala/Rantalainen (JMNI 2022;22:514).
    Unit: g (log-count weighted). Peaks below the first edge do not count.
    """
    edges = np.asarray(edges_g, dtype=np.float64)
    p = np.asarray(peaks_g, dtype=np.float64)
    idx = np.searchsorted(edges, p, side="right") - 1
    total = 0.0
    for k in range(edges.size):
        sel = p[idx == k]
        if sel.size:
            total += float(sel.mean()) * math.log(sel.size + 1)
    return total


def osteogenic_index_session(peak_bw: float, cycles: int) -> float:
    """Turner & Robling session OI = peak GRF (BW) × ln(N + 1) (PMC2465063).

    Worked values: 50 jumps at 3 BW → 11.8; 10 000 steps at 1.2 BW → 11.1.
    """
    if cycles < 0 or peak_bw < 0:
        raise SignalError(
            f"osteogenic_index_session: need peak_bw ≥ 0 and cycles ≥ 0, got {peak_bw}, {cycles}"
        )
    return float(peak_bw) * math.log(cycles + 1)


def daily_load_stimulus(peaks_g: Sequence[float], exponent: float = DLS_EXPONENT) -> float:
    """Daily load stimulus (Carter/Whalen): (Σ σᵢ^m)^(1/m) over every peak σᵢ, g.

    Each peak is one loading cycle (nᵢ = 1); m = `DLS_EXPONENT` (≈ 4) weights magnitude
    over count. Returns 0 for no peaks.
    """
    p = np.asarray(peaks_g, dtype=np.float64)
    if p.size == 0:
        return 0.0
    return float(np.sum(p**exponent) ** (1.0 / exponent))


def grf_estimate_bw(peak_g: float, body_mass_kg: float, locomotion: str) -> float:
    """Estimated peak vertical ground-reaction force, body weights (an ESTIMATE).

    Neugebauer, Collins, Hawkins, PLoS One 2014 (hip accelerometer, adults; mean
    absolute error 8.3%): ln F[N] = b0 + b_a·a[g] + b_m·m[kg]. Valid for walking and
    running at the hip only; for other placements or for jumps it is not validated.

    Args:
        peak_g: peak vertical (or resultant) acceleration at the hip, g.
        body_mass_kg: body mass, kg (30-250).
        locomotion: "walk" or "run".
    """
    if locomotion not in NEUGEBAUER_2014:
        raise SignalError(
            f"grf_estimate_bw: locomotion {locomotion!r} is not one of "
            f"{sorted(NEUGEBAUER_2014)}; the model is not valid for jumps"
        )
    if not 30.0 <= body_mass_kg <= 250.0:
        raise SignalError(f"grf_estimate_bw: body mass {body_mass_kg!r} kg outside 30-250 kg")
    b0, ba, bm = NEUGEBAUER_2014[locomotion]
    force_n = math.exp(b0 + ba * float(peak_g) + bm * float(body_mass_kg))
    return force_n / (body_mass_kg * GRAVITY_M_S2)


def impact_summary(
    peaks: Sequence[Impact], band_set: str = "vainionpaa", placement: str = "chest"
) -> ImpactSummary:
    """Summarise impact peaks into the model's `ImpactSummary`.

    Args:
        peaks: impacts of one session (from `find_impact_peaks`/`ImpactCounter`).
        band_set: a key of `BAND_SETS` ("vainionpaa", "deere", "hannam").
        placement: sensor placement; the g values are "<placement>-equivalent".
    """
    if band_set not in BAND_SETS:
        raise SignalError(
            f"impact_summary: band set {band_set!r} unknown; use one of {sorted(BAND_SETS)}"
        )
    edges = BAND_SETS[band_set].edges_g
    pk = [i.peak_g for i in peaks]
    t42 = OSTEOGENIC_THRESHOLDS_G["deere_4_2"][0]
    v = np.array(pk, dtype=np.float64)
    slopes = np.array([i.slope_g_s for i in peaks], dtype=np.float64)
    return ImpactSummary(
        band_set=band_set,
        band_edges_g=edges,
        band_counts=band_counts(pk, edges),
        n_peaks=len(pk),
        peak_max_g=max(pk) if pk else None,
        n_above_3_9g=int(np.count_nonzero(v >= OSTEOGENIC_PEAK_G)),  # `is_osteogenic`
        n_above_4_2g=int(np.count_nonzero(v > t42)),
        n_slope_above_100=int(np.count_nonzero(slopes > OSTEOGENIC_SLOPE_G_S)),
        osteogenic_index=osteogenic_index(pk, edges),
        daily_load_stimulus=daily_load_stimulus(pk),
        clipped=int(np.count_nonzero([bool(i.clipped) for i in peaks])),
        placement=placement,
    )
