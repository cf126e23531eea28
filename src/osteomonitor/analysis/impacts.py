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

from .signal import (
    FloatArray,
    IndexArray,
    SignalError,
    check_acc,
    check_fs,
    check_range,
    local_peaks,
    magnitude,
)
from .thresholds import (
    BAND_SETS,
    CLIP_FRACTION,
    DLS_EXPONENT,
    GRAVITY_M_S2,
    IMPACT_MERGE_S,
    IMPACT_MIN_PEAK_G,
    NEUGEBAUER_2014,
    OSTEOGENIC_SLOPE_G_S,
    OSTEOGENIC_THRESHOLDS_G,
    is_osteogenic,
)

#: The loading slope is measured from the lowest ‖a‖ within this before the peak, s
#: (impact rise times are 10-100 ms; Kiernan 2023 onset windows are of this order).
SLOPE_LOOKBACK_S = 0.1


class ImpactCounter:
    """Incremental impact-peak finder; `feed` chunks of any size, then `flush`.

    A peak is a raw ‖a‖ sample ≥ `min_peak_g` that is strictly higher than the
    `merge_s` before it and at least as high as the `merge_s` after it, so a heel-toe
    double impact counts once. Streaming equals batch exactly.

    Args:
        fs_hz: sample rate, Hz.
        range_g: full-scale range, ±g (clipping flag), or None.
        min_peak_g: smallest counted peak, g.
        merge_s: peaks closer than this merge, s.
    """

    def __init__(
        self,
        fs_hz: float,
        range_g: float | None = None,
        min_peak_g: float = IMPACT_MIN_PEAK_G,
        merge_s: float = IMPACT_MERGE_S,
    ) -> None:
        self._fs = check_fs(fs_hz, "ImpactCounter")
        self._range = check_range(range_g, "ImpactCounter")
        self._min = float(min_peak_g)
        self._r = max(1, round(merge_s * self._fs))
        self._lb = max(1, round(SLOPE_LOOKBACK_S * self._fs))
        self._keep = max(self._r, self._lb)
        self._mag = np.empty(0)
        self._clip = np.empty(0, dtype=bool)
        self._buf0 = 0
        self._n = 0
        self._next = 0  # next global index to test
        self.count = 0

    def feed(self, acc_g: FloatArray, mag: FloatArray | None = None) -> list[Impact]:
        """Add (k, 3) samples in g (and their (k,) ‖a‖ when the caller has it already);
        return the impacts confirmed by them."""
        a = check_acc(acc_g, "ImpactCounter.feed")
        if a.shape[0]:
            clip = (
                (np.abs(a) >= CLIP_FRACTION * self._range).any(axis=1)
                if self._range is not None
                else np.zeros(a.shape[0], dtype=bool)
            )
            self._mag = np.concatenate((self._mag, magnitude(a) if mag is None else mag))
            self._clip = np.concatenate((self._clip, clip))
            self._n += a.shape[0]
        return self._process(self._n - self._r)

    def flush(self) -> list[Impact]:
        """End of signal: confirm the last peaks."""
        return self._process(self._n)

    def _process(self, end: int) -> list[Impact]:
        lo = self._next
        if end <= lo:
            return []
        r, b0, lb = self._r, self._buf0, self._lb
        mag = self._mag
        # The buffer holds ≥ `_keep` samples before `lo` (or starts at sample 0) and, short
        # of the end of the signal, r samples after `end`; beyond the signal is −∞.
        jj = local_peaks(mag, lo - b0, end - b0, self._min, r)
        out: list[Impact] = []
        if jj.size:
            # loading slope: from the lowest ‖a‖ in the `lb` samples before the peak
            # (the earliest lowest one) up to the peak
            idx = jj[:, None] + np.arange(-lb, 1)
            pre = mag[np.maximum(idx, 0)]
            pre[idx < 0] = np.inf  # before the first sample
            kmin = np.argmin(pre, axis=1)
            v = mag[jj]
            low = pre[np.arange(jj.size), kmin]
            rise = (v - low) * self._fs / np.maximum(1, lb - kmin)
            clip = self._clip
            last = clip.shape[0] - 1
            clipped = clip[np.maximum(jj - 1, 0)] | clip[jj] | clip[np.minimum(jj + 1, last)]
            t = (jj + b0) / self._fs
            out = [
                Impact(ti, vi, ri, ci)
                for ti, vi, ri, ci in zip(
                    t.tolist(), v.tolist(), rise.tolist(), clipped.tolist(), strict=True
                )
            ]
        self._next = end
        self.count += len(out)
        keep = max(0, end - self._keep - 1)
        if keep > b0:
            self._mag = self._mag[keep - b0 :].copy()
            self._clip = self._clip[keep - b0 :].copy()
            self._buf0 = keep
        return out


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
    if p.size == 0:
        return p
    pad = np.concatenate((np.full(r, -np.inf), mag, np.full(r, -np.inf)))
    win = pad[p[:, None] + np.arange(2 * r + 1)]  # mag[p - r … p + r]
    v = win[:, r]
    ok = (v > win[:, :r].max(axis=1)) & (v >= win[:, r + 1 :].max(axis=1))
    out: IndexArray = p[ok]
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
    return ImpactSummary(
        band_set=band_set,
        band_edges_g=edges,
        band_counts=band_counts(pk, edges),
        n_peaks=len(pk),
        peak_max_g=max(pk) if pk else None,
        n_above_3_9g=sum(1 for v in pk if is_osteogenic(v)),
        n_above_4_2g=sum(1 for v in pk if v > t42),
        n_slope_above_100=sum(1 for i in peaks if i.slope_g_s > OSTEOGENIC_SLOPE_G_S),
        osteogenic_index=osteogenic_index(pk, edges),
        daily_load_stimulus=daily_load_stimulus(pk),
        clipped=sum(1 for i in peaks if i.clipped),
        placement=placement,
    )
