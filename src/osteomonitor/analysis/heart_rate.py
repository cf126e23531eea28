"""Heart-rate series from BLE Heart Rate Measurement samples (domain.md §3.5).

A notification carries an HR value, zero or more RR intervals (1/1024 s) and contact
bits. Where RR intervals are present they give beat-level HR (after artifact
correction, `rr.py`); otherwise the HR field is used at the notification time. Every
sample gets a validity flag: contact lost (only when contact is supported), outside
`HR_PLAUSIBLE_BPM`, zero (dropout) or a flatline.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .rr import correct_rr
from .signal import FloatArray, SignalError

#: Plausible HR, bpm (domain §3.5 [B]: 30-220 bpm).
HR_PLAUSIBLE_BPM = (30.0, 220.0)
#: The same HR value for this long is a flatline (domain §3.5 [B]: ≥ 15 s while moving).
FLATLINE_MOVING_S = 15.0
#: Without accelerometer context a flatline must last this long, s (design choice: a
#: resting HR can hold one integer value for several seconds).
FLATLINE_STILL_S = 60.0
#: Resting HR: median of the last this-many seconds of a marked rest (domain §3.2).
RESTING_WINDOW_S = 60.0
#: At least this share of the resting window must hold valid HR.
RESTING_MIN_VALID = 0.5
RR_UNITS_PER_S = 1024.0

#: Contact flag values accepted in `contact`.
CONTACT_LOST, CONTACT_OK, CONTACT_UNSUPPORTED = 0, 1, -1


@dataclass(frozen=True, slots=True)
class HrSeries:
    """A heart-rate series ready for `intensity.time_in_zones`.

    Attributes:
        t_s: (m,) sample times, s (beat times for RR-derived samples).
        hr_bpm: (m,) heart rate, bpm.
        valid: (m,) bool validity.
        from_rr: (m,) bool, True where the sample came from an RR interval.
        rr_count / rr_artifacts: RR intervals seen and flagged by the correction.
    """

    t_s: FloatArray
    hr_bpm: FloatArray
    valid: npt.NDArray[np.bool_]
    from_rr: npt.NDArray[np.bool_]
    rr_count: int = 0
    rr_artifacts: int = 0


def hr_validity(
    t_s: FloatArray,
    hr_bpm: FloatArray,
    contact: npt.NDArray[np.int8] | None = None,
    moving: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.bool_]:
    """Validity of each HR sample.

    Args:
        t_s: (n,) times, s, non-decreasing.
        hr_bpm: (n,) HR, bpm (0 = dropout).
        contact: (n,) CONTACT_LOST / CONTACT_OK / CONTACT_UNSUPPORTED, or None.
        moving: (n,) bool, accelerometer says the wearer moves, or None.

    Returns:
        (n,) bool, False for contact lost, implausible, zero or flatline samples.
    """
    t = np.asarray(t_s, dtype=float)
    hr = np.asarray(hr_bpm, dtype=float)
    if t.shape != hr.shape or t.ndim != 1:
        raise SignalError(f"hr_validity: t_s {t.shape} and hr_bpm {hr.shape} must be equal 1-D")
    lo, hi = HR_PLAUSIBLE_BPM
    ok = np.isfinite(hr) & (hr >= lo) & (hr <= hi)
    if contact is not None:
        c = np.asarray(contact)
        if c.shape != t.shape:
            raise SignalError(f"hr_validity: contact {c.shape} must match t_s {t.shape}")
        ok &= c != CONTACT_LOST
    if t.size:
        # flatline: runs of identical values lasting ≥ the limit
        change = np.concatenate(([True], hr[1:] != hr[:-1]))
        run_id = np.cumsum(change) - 1
        starts = np.flatnonzero(change)
        ends = np.concatenate((starts[1:], [t.size])) - 1
        dur = t[ends] - t[starts]
        mv = np.zeros(t.size, bool) if moving is None else np.asarray(moving, bool)
        run_moving = np.maximum.reduceat(mv.astype(np.int8), starts).astype(bool)
        limit = np.where(run_moving, FLATLINE_MOVING_S, FLATLINE_STILL_S)
        flat = dur >= limit
        ok &= ~flat[run_id]
    return np.asarray(ok, dtype=bool)


def build_hr_series(
    t_s: FloatArray,
    hr_bpm: FloatArray,
    rr_1024: Sequence[Sequence[int]] | None = None,
    contact: npt.NDArray[np.int8] | None = None,
    earliest_s: float | None = None,
) -> HrSeries:
    """HR series from notifications: beats from RR where present, else the HR field.

    RR intervals of a notification end at its arrival time and are laid back in time
    from it (the newest last). Intervals are corrected with `rr.correct_rr` over the
    whole series; notifications without contact contribute no beats. Beats laid back
    before `earliest_s` (the recording's start) are dropped: an over-long or damaged
    notification holds more intervals than time passed, and they would otherwise make
    HR time longer than the session.

    Args:
        t_s: (n,) notification arrival times, s.
        hr_bpm: (n,) HR field, bpm.
        rr_1024: per notification, its RR intervals in 1/1024 s (or None).
        contact: (n,) contact flags (see `hr_validity`) or None.
        earliest_s: no beat is placed before this time, s (None: no bound).
    """
    t = np.asarray(t_s, dtype=float)
    hr = np.asarray(hr_bpm, dtype=float)
    if rr_1024 is not None and len(rr_1024) != t.size:
        raise SignalError(f"build_hr_series: {len(rr_1024)} RR lists for {t.size} notifications")
    field_ok = hr_validity(t, hr, contact)
    lost = np.zeros(t.size, bool) if contact is None else np.asarray(contact) == CONTACT_LOST
    flat = _rr_flat(rr_1024, t.size)
    has = _has_beats(rr_1024, lost, t.size, flat)
    beat_t, beat_rr = _lay_beats(t, rr_1024, lost, earliest_s, has, flat)
    fields = ~has
    parts_t, parts_hr = [t[fields]], [hr[fields]]
    parts_ok = [field_ok[fields].astype(bool)]
    parts_rr = [np.zeros(parts_t[0].size, bool)]
    n_art = 0
    if beat_rr.size:
        corr = correct_rr(beat_rr)
        n_art = corr.n_artifacts
        ok_mask = ~corr.artifact_mask
        # keep the beats whose interval was not an artifact; HR = 60000 / RR
        parts_t.append(beat_t[ok_mask])
        parts_hr.append(60000.0 / beat_rr[ok_mask])
        parts_ok.append(np.ones(parts_t[1].size, bool))
        parts_rr.append(np.ones(parts_t[1].size, bool))
    out_t = np.concatenate(parts_t).astype(np.float64, copy=False)
    order = np.argsort(out_t, kind="mergesort")
    return HrSeries(
        out_t[order],
        np.concatenate(parts_hr).astype(np.float64, copy=False)[order],
        np.concatenate(parts_ok)[order],
        np.concatenate(parts_rr)[order],
        int(beat_rr.size),
        n_art,
    )


def _rr_flat(
    rr_1024: Sequence[Sequence[int]] | None, n: int
) -> tuple[npt.NDArray[np.int64], FloatArray] | None:
    """Each notification's RR count and every interval of every notification, in order
    (1/1024 s, as floats): the RR lists read once (None without them).

    One pass over the lists for the counts and one for the values, whichever
    notifications lay beats; selecting rows afterwards is an array operation (a list of
    the rows that lay beats, and their counts again, cost ~1 ms more at 3 h).
    """
    if rr_1024 is None:
        return None
    k = np.fromiter(map(len, rr_1024), dtype=np.int64, count=n)
    v = np.fromiter(itertools.chain.from_iterable(rr_1024), dtype=np.float64, count=int(k.sum()))
    return k, v


def _has_beats(
    rr_1024: Sequence[Sequence[int]] | None,
    lost: npt.NDArray[np.bool_],
    n: int,
    flat: tuple[npt.NDArray[np.int64], FloatArray] | None = None,
) -> npt.NDArray[np.bool_]:
    """Which notifications lay beats: RR present and contact not lost. `flat`:
    `_rr_flat` of `rr_1024`, when the caller has it."""
    if rr_1024 is None:
        return np.zeros(n, dtype=bool)
    k = np.fromiter(map(len, rr_1024), dtype=np.int64, count=n) if flat is None else flat[0]
    return (k > 0) & ~lost


def _lay_beats(
    t: FloatArray,
    rr_1024: Sequence[Sequence[int]] | None,
    lost: npt.NDArray[np.bool_],
    earliest_s: float | None,
    has: npt.NDArray[np.bool_] | None = None,
    flat: tuple[npt.NDArray[np.int64], FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Beat times (s) and their intervals (ms), in notification order, each
    notification's beats oldest first: its intervals laid back from its arrival, the
    newest last, none before `earliest_s`.

    As arrays, one pass per interval position counted from each notification's end; the
    same float operations, in the same order, as laying them one by one. `has` /
    `flat`: `_has_beats` / `_rr_flat` of these arguments, when the caller has them.
    """
    empty = np.empty(0, dtype=np.float64)
    if rr_1024 is None:
        return empty, empty
    if flat is None:
        flat = _rr_flat(rr_1024, t.size)
        assert flat is not None
    if has is None:
        has = _has_beats(rr_1024, lost, t.size, flat)
    use = np.flatnonzero(has)
    if not use.size:
        return empty, empty
    k_all, v_all = flat
    if use.size == t.size:
        k, v = k_all, v_all
    else:  # the rows that lay beats: their counts, and their values (row by row)
        k = k_all[use]
        v = v_all[np.repeat(has, k_all)]
    ms_flat = 1000.0 * v / RR_UNITS_PER_S
    start = np.concatenate(([0], np.cumsum(k)[:-1]))
    kmax = int(k.max())
    times = np.full((use.size, kmax), np.nan)  # [row, p]: p-th interval from the end
    kept = np.zeros((use.size, kmax), dtype=bool)
    end = t[use].astype(np.float64)
    for p in range(kmax):
        has_p = p < k
        ok = has_p if earliest_s is None else has_p & (end >= earliest_s)
        if p:
            ok &= kept[:, p - 1]
        kept[:, p] = ok
        times[:, p] = end
        idx = np.where(has_p, start + k - 1 - p, 0)
        end = end - ms_flat[idx] / 1000.0
    # oldest first within a notification: p descending
    kept_r = kept[:, ::-1]
    bt = times[:, ::-1][kept_r]
    pos = (start + k - 1)[:, None] - np.arange(kmax)[::-1][None, :]
    br = ms_flat[np.where(kept_r, pos, 0)[kept_r]]
    return bt, br


def estimate_resting_hr(
    t_s: FloatArray,
    hr_bpm: FloatArray,
    start_s: float,
    end_s: float,
    valid: npt.NDArray[np.bool_] | None = None,
) -> float:
    """Resting HR: median of the valid HR in the last `RESTING_WINDOW_S` of a rest segment.

    Args:
        t_s / hr_bpm: samples (s, bpm).
        start_s / end_s: the marked resting segment, s.
        valid: validity mask or None.

    Raises:
        SignalError: when the segment is shorter than the window or holds too little
            valid data (names the segment).
    """
    if end_s - start_s < RESTING_WINDOW_S:
        raise SignalError(
            f"resting segment {start_s:g}-{end_s:g} s is shorter than {RESTING_WINDOW_S:g} s; "
            "record at least 5 min seated rest"
        )
    t = np.asarray(t_s, dtype=float)
    hr = np.asarray(hr_bpm, dtype=float)
    ok = np.ones(t.shape, bool) if valid is None else np.asarray(valid, bool)
    sel = ok & (t >= end_s - RESTING_WINDOW_S) & (t < end_s)
    if sel.sum() == 0:
        raise SignalError(f"no valid HR in the last minute of the rest segment ending {end_s:g} s")
    ts = np.sort(t[sel])
    covered = min(RESTING_WINDOW_S, float(ts[-1] - ts[0]) + 1.0)
    if covered < RESTING_MIN_VALID * RESTING_WINDOW_S:
        raise SignalError(
            f"only {covered:.0f} s of valid HR in the last minute of the rest segment ending "
            f"{end_s:g} s; check the strap contact and repeat the rest measurement"
        )
    return float(np.median(hr[sel]))
