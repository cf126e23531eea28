"""The processor's heart rate: one HR source's notifications and its series, grown block by block.

`build_hr_series` (analysis) turns a whole session's notifications into the series the
zones integrate: beats laid back from each notification's RR intervals, RR-corrected
over the whole session (`rr.correct_rr`, which works in fixed blocks of
`rr.BLOCK_BEATS` beats), plus the HR field of notifications without RR, each with a
validity flag (a flatline's validity depends on the whole run of equal values), all
sorted by time. `HeartTrack` gives the same series at any moment without redoing the
whole session:

- beats go through one `RrCorrector` as they arrive; a beat's artifact kind is final
  once its block is released (`CONTEXT_BEATS` later);
- a field value's validity is final once its run of equal values has ended;
- samples that are final, and older than anything still open (an open block, an open
  run, and `LAYBACK_MARGIN_S` before the newest notification, since a notification's
  beats are laid back in time), are *frozen*: appended, in order, to the series and fed
  to a persistent `ZoneAccumulator`;
- a snapshot adds the open tail to copies of those (the tail's kinds come from a copy of
  the corrector flushed, exactly what the batch correction would say if the session
  ended now).

The cost of a snapshot is bounded by the tail (about one RR block, a few hundred
beats), whatever the session's length; the result equals `build_hr_series` over the
notifications so far, bit for bit (`tests/session/test_live_increments.py`). A sample that
arrives older than the frozen part (an overlong notification laid back further than the
margin) doubles the margin and rebuilds the track once from its notifications.
"""

from __future__ import annotations

import copy
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from osteomonitor.analysis.heart_rate import (
    CONTACT_LOST,
    FLATLINE_STILL_S,
    HR_PLAUSIBLE_BPM,
    RR_UNITS_PER_S,
    HrSeries,
    build_hr_series,
)
from osteomonitor.analysis.intensity import ZoneAccumulator
from osteomonitor.analysis.rr import RrCorrector
from osteomonitor.model import FloatArray
from osteomonitor.session.gc_pause import collector_paused

#: Beats of a notification are laid back in time from its arrival; samples newer than
#: this before the newest notification stay open (s). Ten 1-Hz notifications' worth;
#: a notification holding more is handled by a rebuild (see module docstring).
LAYBACK_MARGIN_S = 10.0


def _valid_points(series: HrSeries) -> tuple[tuple[float, float], ...]:
    """The valid values of an HR series as (s from start, bpm) pairs."""
    keep = series.valid
    t, hr = series.t_s[keep].tolist(), series.hr_bpm[keep].tolist()
    with collector_paused():
        return tuple(zip(t, hr, strict=True))


def _append_floats(col: array[float], values: Sequence[float] | FloatArray) -> None:
    """Append values to a compact float column; a float64 array is appended as its
    bytes (~50 times faster than value by value: ~0.5 ms less for 3 h of
    notifications)."""
    if isinstance(values, np.ndarray) and values.dtype == np.float64:
        col.frombytes(np.ascontiguousarray(values).tobytes())
    else:
        col.extend(values)


def _append_ints(
    col: array[int], values: Sequence[int] | npt.NDArray[np.int8] | npt.NDArray[np.int64]
) -> None:
    """Append values to a compact int8 column (an int8 array as its bytes)."""
    if isinstance(values, np.ndarray) and values.dtype == np.int8:
        col.frombytes(np.ascontiguousarray(values).tobytes())
    else:
        col.extend(values)


class _Grow:
    """A growable float64 column (amortised doubling); `view()` is the filled part."""

    def __init__(self) -> None:
        self._a = np.empty(256)
        self.n = 0

    def extend(self, values: FloatArray) -> None:
        k = values.size
        if self.n + k > self._a.size:
            bigger = np.empty(max(2 * self._a.size, self.n + k))
            bigger[: self.n] = self._a[: self.n]
            self._a = bigger
        self._a[self.n : self.n + k] = values
        self.n += k

    def view(self) -> FloatArray:
        return self._a[: self.n]


@dataclass(frozen=True, slots=True)
class _Samples:
    """Series samples in batch order: t_s, hr_bpm, valid, from_rr (equal lengths)."""

    t: FloatArray
    hr: FloatArray
    valid: npt.NDArray[np.bool_]
    rr: npt.NDArray[np.bool_]

    @staticmethod
    def of(fields: list[tuple[float, float, bool]], beats: list[tuple[float, float]]) -> _Samples:
        """Field samples (notification order) then kept beats (beat order), sorted by
        time stably, as `build_hr_series` sorts them."""
        t = np.asarray([f[0] for f in fields] + [b[0] for b in beats], dtype=np.float64)
        hr = np.asarray([f[1] for f in fields] + [b[1] for b in beats], dtype=np.float64)
        ok = np.asarray([f[2] for f in fields] + [True] * len(beats), dtype=bool)
        rr = np.asarray([False] * len(fields) + [True] * len(beats), dtype=bool)
        order = np.argsort(t, kind="mergesort")
        return _Samples(t[order], hr[order], ok[order], rr[order])


class HeartTrack:
    """One HR source's notifications and the series `build_hr_series` makes of them.

    Args:
        earliest_s: no beat is laid before this time, s from the session start.
    """

    def __init__(self, earliest_s: float, margin_s: float = LAYBACK_MARGIN_S) -> None:
        self.earliest_s = earliest_s
        self.margin_s = margin_s
        # raw notifications (for the exact batch build and a rebuild); compact columns
        self.t_s: array[float] = array("d")
        self.bpm: array[float] = array("d")
        self.contact: array[int] = array("b")
        self.rr: list[tuple[int, ...]] = []
        self._folded = 0  # notifications folded into the incremental series
        self._reset()

    def _reset(self) -> None:
        self._corr = RrCorrector()
        self._beat_t: array[float] = array("d")  # beats laid so far, s
        self._beat_rr: array[float] = array("d")  # their intervals, ms
        self._final = 0  # beats whose artifact kind is final
        self._art_final = 0
        self._pend_beats: list[tuple[float, float]] = []  # final kept beats not frozen
        self._pend_fields: list[tuple[float, float, bool]] = []  # final fields not frozen
        self._run: list[int] = []  # notifications of the open run of equal HR values
        self._run_fields: list[int] = []  # those of them that are field samples
        self._cut = -np.inf  # everything older is frozen
        self._ft, self._fhr = _Grow(), _Grow()
        self._fvalid: list[npt.NDArray[np.bool_]] = []
        self._frr: list[npt.NDArray[np.bool_]] = []
        self._zones: ZoneAccumulator | None = None
        self._zones_key: object = None
        self._tail: tuple[int, _Samples, int] | None = None  # (notifications, tail, artifacts)

    # -- input ------------------------------------------------------------------------
    def add(
        self, t_s: float, bpm: float, contact: int, rr_1024: tuple[int, ...], fold: bool = True
    ) -> None:
        """One notification: arrival s from the session start, HR field, contact, RR.

        With `fold=False` (the batch path, whose summary builds the series once by the
        batch function) the notification is only kept; the incremental series catches
        up the first time anything asks for it (the same state, folded later).
        """
        self.t_s.append(t_s)
        self.bpm.append(bpm)
        self.contact.append(contact)
        self.rr.append(rr_1024)
        if fold:
            self._catch_up()

    def extend(
        self,
        t_s: Sequence[float] | FloatArray,
        bpm: Sequence[float] | FloatArray,
        contact: Sequence[int] | npt.NDArray[np.int8] | npt.NDArray[np.int64],
        rr_1024: Sequence[tuple[int, ...]],
    ) -> None:
        """Many notifications at once (columns as `add` takes them one at a time, or
        float64 / int8 arrays of those values), kept unfolded as `add(..., fold=False)`
        keeps them."""
        if not len(t_s) == len(bpm) == len(contact) == len(rr_1024):
            raise ValueError(
                f"HeartTrack.extend: columns of unequal length ({len(t_s)} times, "
                f"{len(bpm)} bpm, {len(contact)} contact, {len(rr_1024)} RR); pass one "
                "value per notification in each"
            )
        _append_floats(self.t_s, t_s)
        _append_floats(self.bpm, bpm)
        _append_ints(self.contact, contact)
        self.rr.extend(rr_1024)

    def _catch_up(self) -> None:
        """Fold every notification kept but not folded yet, in order."""
        for i in range(self._folded, len(self.t_s)):
            if not self._fold(i):
                self.margin_s *= 2.0
                self._rebuild()
                break
        self._folded = len(self.t_s)

    def _rebuild(self) -> None:
        while True:
            self._reset()
            if all(self._fold(i) for i in range(len(self.t_s))):
                return
            self.margin_s *= 2.0

    def _fold(self, i: int) -> bool:
        """Fold notification `i` in; False when a sample landed in the frozen part."""
        t, hr = self.t_s[i], self.bpm[i]
        ok = True
        if self._run and hr != self.bpm[self._run[0]]:
            self._close_run()
        self._run.append(i)
        rrs = self.rr[i]
        if rrs and self.contact[i] != CONTACT_LOST:
            ms = [1000.0 * v / RR_UNITS_PER_S for v in rrs]
            end = t
            times = []
            for v in reversed(ms):
                if end < self.earliest_s:
                    break  # before the recording began: more intervals than time
                times.append(end)
                end -= v / 1000.0
            times.reverse()
            if times and min(times) < self._cut:
                ok = False
            self._beat_t.extend(times)
            self._beat_rr.extend(ms[len(ms) - len(times) :])
            _, kinds = self._corr.feed(ms[len(ms) - len(times) :])
            self._take_kinds(kinds)
        else:
            if t < self._cut:
                ok = False
            self._run_fields.append(i)
        self._freeze(t)
        return ok

    def _take_kinds(self, kinds: Sequence[str]) -> None:
        for kind in kinds:
            j = self._final
            self._final += 1
            if kind:
                self._art_final += 1
            else:
                self._pend_beats.append((self._beat_t[j], 60000.0 / self._beat_rr[j]))

    def _field_ok(self, i: int, flat: bool) -> bool:
        lo, hi = HR_PLAUSIBLE_BPM
        hr = self.bpm[i]
        return bool(np.isfinite(hr) and lo <= hr <= hi and self.contact[i] != CONTACT_LOST) and (
            not flat
        )

    def _run_flat(self) -> bool:
        return self.t_s[self._run[-1]] - self.t_s[self._run[0]] >= FLATLINE_STILL_S

    def _close_run(self) -> None:
        flat = self._run_flat()
        for i in self._run_fields:
            self._pend_fields.append((self.t_s[i], self.bpm[i], self._field_ok(i, flat)))
        self._run, self._run_fields = [], []

    def _freeze(self, newest_s: float) -> None:
        """Move final samples older than everything still open into the frozen part."""
        cut = newest_s - self.margin_s
        if self._run_fields:
            cut = min(cut, min(self.t_s[i] for i in self._run_fields))
        if self._final < len(self._beat_t):
            cut = min(cut, min(self._beat_t[self._final :]))
        if cut <= self._cut:
            return
        self._cut = cut
        fields = [f for f in self._pend_fields if f[0] < cut]
        beats = [b for b in self._pend_beats if b[0] < cut]
        if not fields and not beats:
            return
        self._pend_fields = [f for f in self._pend_fields if f[0] >= cut]
        self._pend_beats = [b for b in self._pend_beats if b[0] >= cut]
        s = _Samples.of(fields, beats)
        self._ft.extend(s.t)
        self._fhr.extend(s.hr)
        self._fvalid.append(s.valid)
        self._frr.append(s.rr)
        if self._zones is not None:
            self._zones.feed(s.t, s.hr, s.valid)

    # -- output -----------------------------------------------------------------------
    @property
    def rr_count(self) -> int:
        """RR intervals laid as beats so far."""
        self._catch_up()
        return len(self._beat_t)

    def _open_tail(self) -> tuple[_Samples, int]:
        """The samples not frozen, as the batch build would give them now, and the
        artifacts among the beats not yet final (cached per notification count)."""
        self._catch_up()
        n = len(self.t_s)
        if self._tail is not None and self._tail[0] == n:
            return self._tail[1], self._tail[2]
        flat = bool(self._run) and self._run_flat()
        fields = list(self._pend_fields)
        fields += [(self.t_s[i], self.bpm[i], self._field_ok(i, flat)) for i in self._run_fields]
        beats = list(self._pend_beats)
        art = 0
        if self._final < len(self._beat_t):
            _, kinds = copy.deepcopy(self._corr).flush()
            for j, kind in enumerate(kinds, start=self._final):
                if kind:
                    art += 1
                else:
                    beats.append((self._beat_t[j], 60000.0 / self._beat_rr[j]))
        tail = _Samples.of(fields, beats)
        self._tail = (n, tail, art)
        return tail, art

    def _frozen_masks(self) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        if len(self._fvalid) > 1:
            self._fvalid = [np.concatenate(self._fvalid)]
            self._frr = [np.concatenate(self._frr)]
        if not self._fvalid:
            return np.zeros(0, bool), np.zeros(0, bool)
        return self._fvalid[0], self._frr[0]

    def series(self) -> HrSeries:
        """The series so far (equal to `build_hr_series` over the notifications)."""
        self._catch_up()
        tail, art = self._open_tail()
        valid, rr = self._frozen_masks()
        return HrSeries(
            np.concatenate((self._ft.view(), tail.t)),
            np.concatenate((self._fhr.view(), tail.hr)),
            np.concatenate((valid, tail.valid)),
            np.concatenate((rr, tail.rr)),
            len(self._beat_t),
            self._art_final + art,
        )

    def recent(self, n: int) -> list[tuple[float, float]]:
        """The last `n` samples of the series as (s, bpm) (for the live plot)."""
        self._catch_up()
        tail, _ = self._open_tail()
        k = max(0, n - tail.t.size)
        t = np.concatenate((self._ft.view()[self._ft.n - k :], tail.t))[-n:]
        hr = np.concatenate((self._fhr.view()[self._fhr.n - k :], tail.hr))[-n:]
        return list(zip(t.tolist(), hr.tolist(), strict=True))

    def window(self, lo_s: float, hi_s: float) -> HrSeries:
        """The series' samples with lo_s ≤ t < hi_s (for a resting-HR estimate)."""
        self._catch_up()
        s = self.series() if self._ft.n == 0 else None
        if s is None:
            ft = self._ft.view()
            a, b = np.searchsorted(ft, [lo_s, hi_s])
            tail, _ = self._open_tail()
            valid, rr = self._frozen_masks()
            s = HrSeries(
                np.concatenate((ft[a:b], tail.t)),
                np.concatenate((self._fhr.view()[a:b], tail.hr)),
                np.concatenate((valid[a:b], tail.valid)),
                np.concatenate((rr[a:b], tail.rr)),
            )
        keep = (s.t_s >= lo_s) & (s.t_s < hi_s)
        return HrSeries(s.t_s[keep], s.hr_bpm[keep], s.valid[keep], s.from_rr[keep])

    def zones(
        self, key: object, make: Callable[[], ZoneAccumulator]
    ) -> tuple[ZoneAccumulator, int]:
        """A zone accumulator fed with the whole series so far, and the RR artifacts.

        `make` builds an empty accumulator for the parameters `key` names; when `key`
        changes (HRrest found from a marked rest) the frozen part is fed anew once.
        """
        self._catch_up()
        if self._zones is None or self._zones_key != key:
            self._zones, self._zones_key = make(), key
            valid, _ = self._frozen_masks()
            self._zones.feed(self._ft.view(), self._fhr.view(), valid)
        tail, art = self._open_tail()
        acc = copy.deepcopy(self._zones)
        acc.feed(tail.t, tail.hr, tail.valid)
        return acc, self._art_final + art

    def batch(self) -> HrSeries:
        """The series by the batch build over every notification (the reference)."""
        return build_hr_series(
            np.asarray(self.t_s, dtype=np.float64),
            np.asarray(self.bpm, dtype=np.float64),
            rr_1024=self.rr,
            contact=np.asarray(self.contact, dtype=np.int8),
            earliest_s=self.earliest_s,
        )
