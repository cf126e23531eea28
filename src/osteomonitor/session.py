"""One incremental SessionProcessor: packets and events in, live state and summary out.

Live collection, replay and batch analysis all feed the same processor with the same
packets in arrival order, so they give the same numbers. Each packet is processed on
its own (decode → incremental analysis), so how packets are grouped into `feed_many`
calls never changes the result.

Accelerometer streams are analysed per device with the incremental detectors of
`analysis/` (jumps, impact peaks, steps). A gap in a device's samples (lost frames, a
dropped link) longer than `ACC_GAP_S` ends the current analysis segment and starts a
new one, so no jump is ever assembled across a gap. Heart rate is kept as compact
per-notification arrays (≈ 1 Hz) and evaluated with the batch HR functions, which are
gap-aware by construction.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from osteomonitor.analysis.heart_rate import (
    CONTACT_LOST,
    CONTACT_OK,
    CONTACT_UNSUPPORTED,
    HR_PLAUSIBLE_BPM,
    HrSeries,
    build_hr_series,
    estimate_resting_hr,
)
from osteomonitor.analysis.impacts import ImpactCounter, impact_summary
from osteomonitor.analysis.intensity import (
    DEFAULT_TARGET_PCT,
    DEFAULT_ZONES,
    MAX_HOLD_S,
    ZoneAccumulator,
    hrr_pct,
)
from osteomonitor.analysis.jumps import JumpDetector
from osteomonitor.analysis.movement import StillnessMeter
from osteomonitor.analysis.signal import SignalError
from osteomonitor.analysis.steps import StepCounter, credited_walking_s, recent_cadence_spm
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.profiles import load_profiles
from osteomonitor.errors import DecodeError, RecordingError
from osteomonitor.model import (
    NS_PER_S,
    AccBlock,
    DeviceInfo,
    Event,
    EventKind,
    FloatArray,
    GaitSummary,
    HeartRateSummary,
    HrSample,
    Impact,
    ImpactSummary,
    Jump,
    Packet,
    SessionMeta,
    SessionSummary,
)

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription import Prescription

#: A pause in a device's accelerometer samples longer than this (s) ends an analysis
#: segment: a jump is never assembled across a gap (lost frames, link loss).
ACC_GAP_S = 0.25
#: Contiguous accelerometer samples are analysed this many seconds at a time (s).
ACC_BATCH_S = 2.0
#: Live snapshots of long sessions rebuild the HR series every n/this notifications.
HR_REBUILD_DIVISOR = 600
#: Recent HR points kept for the live plot.
HR_HISTORY_POINTS = 900
#: Recent landings shown live.
LAST_JUMPS = 8


@dataclass(frozen=True, slots=True)
class AnalysisParams:
    """Patient facts the analysis needs (from the prescription, or given directly).

    Attributes:
        hrrest_bpm / hrrest_method: resting HR and how it was obtained; None = estimate
            from a marked resting segment (REST_START/REST_END events) if there is one.
        hrmax_bpm / hrmax_method: HRmax ("measured", "tanaka", "gellish", "fox").
        target_pct: prescribed %HRR band for aerobic work.
        rpe_first: HR-modulating medication: RPE is the criterion, HR informational.
        body_mass_kg: for GRF estimates.
        band_set: impact histogram band set (see analysis.thresholds.BAND_SETS).
    """

    hrrest_bpm: float | None = None
    hrrest_method: str | None = None
    hrmax_bpm: float | None = None
    hrmax_method: str | None = None
    target_pct: tuple[float, float] = DEFAULT_TARGET_PCT
    rpe_first: bool = False
    body_mass_kg: float | None = None
    band_set: str = "vainionpaa"


@dataclass(frozen=True, slots=True)
class SessionState:
    """A live snapshot for the dashboard (cheap to build a few times a second).

    Attributes:
        elapsed_s: session time covered so far, s.
        hr_bpm: latest valid HR, bpm (None when absent, stale or contact lost).
        hrr_pct: the same as %HRR when HRrest and HRmax are known.
        hr_valid: the HR shown is current and trustworthy.
        target_band_pct: prescribed %HRR band; in_band_s: seconds credited in it.
        hr_series: recent (t_s, bpm) points for the plot.
        heart: the full HR summary so far (zones, coverage, longest bout …).
        jumps: jumps so far; last_jumps: the most recent ones (newest last).
        impacts: impact summary so far (band counts, osteogenic counts …).
        gait: steps, cadence, walking and running so far.
        events: session events so far (markers, RPE, pain, sets …).
        packets / decode_errors: counters.
        last_step_s: time of the latest counted step, s (None: none yet).
        cadence_now_spm: cadence of the latest walking run's last 10 s, steps/min.
        still_s: how long the primary accelerometer has been still (analysis.movement),
            s at `acc_until_s` (None: no accelerometer).
        acc_until_s: time of the latest analysed accelerometer sample, s.
    """

    elapsed_s: float = 0.0
    hr_bpm: float | None = None
    hrr_pct: float | None = None
    hr_valid: bool = False
    target_band_pct: tuple[float, float] | None = None
    in_band_s: float = 0.0
    hr_series: tuple[tuple[float, float], ...] = ()
    heart: HeartRateSummary = field(default_factory=HeartRateSummary)
    jumps: int = 0
    last_jumps: tuple[Jump, ...] = ()
    impacts: ImpactSummary = field(default_factory=ImpactSummary)
    gait: GaitSummary = field(default_factory=GaitSummary)
    events: tuple[Event, ...] = ()
    packets: int = 0
    decode_errors: int = 0
    last_step_s: float | None = None
    cadence_now_spm: float | None = None
    still_s: float | None = None
    acc_until_s: float | None = None


class _AccTrack:
    """Incremental analysis of one device's accelerometer, segment by segment."""

    def __init__(self, device: str, placement: str, origin_ns: int) -> None:
        self.device = device
        self.origin_ns = origin_ns  # session start: times are seconds from it
        self.placement = placement
        self.fs_hz: float | None = None
        self.range_g: float | None = None
        self.jumps: list[Jump] = []
        self.peaks: list[Impact] = []
        self.covered_ns = 0
        self.step_times_s: list[float] = []
        self._closed_walking = (0.0, 0.0)  # (walking_s, cadence × walking_s) of closed segments
        self._closed_running = (0, 0.0)
        self._seg_t0_ns = 0
        self._last_ns: int | None = None
        self._pending: list[FloatArray] = []
        self._pending_n = 0
        self._jd: JumpDetector | None = None
        self._ic: ImpactCounter | None = None
        self._sc: StepCounter | None = None
        self._still: StillnessMeter | None = None
        self.analysed_until_ns: int | None = None

    def _shift(self, items: Iterable[Any], attr: str) -> list[Any]:
        """Segment-relative times → session-relative seconds."""
        off = (self._seg_t0_ns - self.origin_ns) / NS_PER_S
        out = []
        for it in items:
            if attr == "jump":
                out.append(replace(it, takeoff_s=it.takeoff_s + off, landing_s=it.landing_s + off))
            else:
                out.append(replace(it, t_s=it.t_s + off))
        return out

    def _open(self, block: AccBlock) -> None:
        self.fs_hz, self.range_g = block.fs_hz, block.range_g
        self._seg_t0_ns = int(block.t_ns[0])
        self._jd = JumpDetector(block.fs_hz, block.range_g)
        self._ic = ImpactCounter(block.fs_hz, block.range_g)
        self._sc = StepCounter(block.fs_hz)
        self._still = StillnessMeter(block.fs_hz)

    def _close(self) -> list[Jump]:
        """End the current segment: analyse what is buffered, flush every detector."""
        if self._jd is None or self._ic is None or self._sc is None:
            return []
        new = self.sync()
        flushed = self._shift(self._jd.flush(), "jump")
        self.jumps.extend(flushed)
        new += flushed
        self.peaks.extend(self._shift(self._ic.flush(), "peak"))
        self.step_times_s.extend(self._shift_times(self._sc.flush()))
        w, wc = self._closed_walking
        r = self._sc.result()
        self._closed_walking = (w + r.walking_s, wc + (r.cadence_spm or 0.0) * r.walking_s)
        r_n, r_s = self._closed_running
        self._closed_running = (r_n + self._jd.running_strides, r_s + self._jd.running_s)
        self._jd = self._ic = self._sc = None
        self._still = None
        return new

    def feed(self, block: AccBlock) -> list[Jump]:
        """Take one block; returns jumps confirmed by the analysis it triggered.

        Contiguous samples are buffered and analysed `ACC_BATCH_S` at a time (the
        detectors give the same answer for any chunking; fewer, larger calls are
        cheaper). A gap or a rate change first analyses what is buffered, then ends
        the segment.
        """
        if len(block) == 0:
            return []
        new: list[Jump] = []
        first = int(block.t_ns[0])
        gap_ns = ACC_GAP_S * NS_PER_S
        if (
            self._jd is None
            or self._last_ns is None
            or first - self._last_ns > gap_ns + NS_PER_S / block.fs_hz
            or block.fs_hz != self.fs_hz
        ):
            new += self._close()
            self._open(block)
        else:
            self.covered_ns += first - self._last_ns
        self.covered_ns += int(block.t_ns[-1]) - first
        self._last_ns = int(block.t_ns[-1])
        self._pending.append(np.asarray(block.acc_g, dtype=np.float64))
        self._pending_n += len(block)
        if self._pending_n >= ACC_BATCH_S * block.fs_hz:
            new += self.sync()
        return new

    def sync(self) -> list[Jump]:
        """Analyse everything buffered; returns newly confirmed jumps."""
        if not self._pending or self._jd is None or self._ic is None or self._sc is None:
            return []
        acc = self._pending[0] if len(self._pending) == 1 else np.concatenate(self._pending)
        self._pending.clear()
        self._pending_n = 0
        found = self._shift(self._jd.feed(acc), "jump")
        self.jumps.extend(found)
        self.peaks.extend(self._shift(self._ic.feed(acc), "peak"))
        self.step_times_s.extend(self._shift_times(self._sc.feed(acc)))
        if self._still is not None:
            self._still.feed(acc)
        self.analysed_until_ns = self._last_ns
        return found

    @property
    def still_s(self) -> float:
        """Stillness of the current segment up to its last analysed second, s."""
        return self._still.still_s if self._still is not None else 0.0

    def _shift_times(self, times: Iterable[float]) -> list[float]:
        off = (self._seg_t0_ns - self.origin_ns) / NS_PER_S
        return [t + off for t in times]

    def gait(self) -> GaitSummary:
        """Steps (minus those inside jump bouts), walking time, cadence, running."""
        running_n, running_s = self._closed_running
        walking, wc = self._closed_walking
        if self._sc is not None and self._jd is not None:
            running_n += self._jd.running_strides
            running_s += self._jd.running_s
            r = self._sc.result()
            walking += r.walking_s
            wc += (r.cadence_spm or 0.0) * r.walking_s
        steps = _steps_outside_jumps(self.step_times_s, self.jumps)
        cadence = wc / walking if walking > 0 else None
        walking = max(0.0, walking - _walking_inside_jumps(self.step_times_s, self.jumps))
        return GaitSummary(steps, walking, cadence if walking > 0 else None, running_s, running_n)

    def finish(self) -> list[Jump]:
        """End of session: analyse and flush everything."""
        return self._close()


def _valid_points(series: HrSeries) -> tuple[tuple[float, float], ...]:
    """The valid values of an HR series as (s from start, bpm) pairs."""
    keep = series.valid
    return tuple(zip(series.t_s[keep].tolist(), series.hr_bpm[keep].tolist(), strict=True))


#: Steps this close (s) to a jump's take-off or landing are the hops themselves, not
#: walking (the step detector counts any regular impact train).
JUMP_STEP_MARGIN_S = 0.6


def _inside_jumps(step_times_s: Sequence[float], jumps: Sequence[Jump]) -> npt.NDArray[np.bool_]:
    """Which steps lie inside [take-off − margin, landing + margin] of a jump."""
    t = np.asarray(step_times_s, dtype=np.float64)
    if not jumps:
        return np.zeros(t.size, dtype=bool)
    lo = np.array([j.takeoff_s - JUMP_STEP_MARGIN_S for j in jumps])
    hi = np.array([j.landing_s + JUMP_STEP_MARGIN_S for j in jumps])
    k = np.searchsorted(lo, t, side="right") - 1  # the last jump starting before each step
    return (k >= 0) & (t <= hi[np.clip(k, 0, None)])


def _steps_outside(step_times_s: Sequence[float], jumps: Sequence[Jump]) -> list[float]:
    """The steps not inside a jump's window (see `_inside_jumps`), s."""
    keep = ~_inside_jumps(step_times_s, jumps)
    return [t for t, k in zip(step_times_s, keep, strict=True) if k]


def _steps_outside_jumps(step_times_s: Sequence[float], jumps: Sequence[Jump]) -> int:
    """Count steps not inside a jump's window (see `_inside_jumps`)."""
    return int(len(step_times_s) - _inside_jumps(step_times_s, jumps).sum())


def _walking_inside_jumps(step_times_s: Sequence[float], jumps: Sequence[Jump]) -> float:
    """Walking seconds the step counter credited to intervals ending on a hop, s."""
    return credited_walking_s(
        np.asarray(step_times_s, dtype=np.float64), _inside_jumps(step_times_s, jumps)
    )


class SessionProcessor:
    """Packets and events in, `SessionState` (live) and `SessionSummary` (final) out.

    Args:
        devices: the session's devices (profiles name their decoders).
        meta: session metadata (kind, start); optional for ad-hoc use.
        params: patient facts for intensity; see `params_for`.
        prescription: when given, a safety monitor raises alerts as data arrives.
    """

    def __init__(
        self,
        devices: Sequence[DeviceInfo],
        meta: SessionMeta | None = None,
        params: AnalysisParams | None = None,
        prescription: Prescription | None = None,
    ) -> None:
        profiles = load_profiles()
        self.meta = meta
        self.prescription = prescription
        self.devices = {d.key: d for d in devices}
        self.params = params or (
            params_for(prescription) if prescription is not None else AnalysisParams()
        )
        self._decoders: dict[str, DeviceDecoder] = {}
        self._acc: dict[str, _AccTrack] = {}
        self._placements: dict[str, str] = {}
        for d in devices:
            profile = profiles.get(d.profile)
            if profile is None:
                raise RecordingError(
                    f"device {d.key!r} uses profile {d.profile!r}, which this osteomonitor "
                    f"does not know (known: {', '.join(sorted(profiles))})"
                )
            self._decoders[d.key] = DeviceDecoder(profile, dict(d.settings))
            self._placements[d.key] = profile.sensor_placement
        self._order = [d.key for d in devices]
        self._start_ns: int | None = None
        self._end_ns: int | None = None
        self._hr_device: str | None = None
        self._hr_t: list[int] = []
        self._hr_bpm: list[float] = []
        self._hr_contact: list[int] = []
        self._rr: list[tuple[int, ...]] = []
        self._events: list[Event] = []
        self._last_jumps: deque[Jump] = deque(maxlen=LAST_JUMPS)
        self._monitor = _safety_monitor(prescription)
        self.alerts: list[Any] = []
        self.packets = 0
        self.decode_errors = 0
        self.last_decode_error: str | None = None
        self._heart_cache: tuple[Any, ZoneAccumulator, HrSeries, dict[str, Any], Any] | None = None

    # -- input ----------------------------------------------------------------------
    def feed(self, item: Packet | Event) -> None:
        """Process one packet or event (in arrival order)."""
        if isinstance(item, Event):
            self._on_event(item)
            return
        self.packets += 1
        self._touch(item.t_ns)
        decoder = self._decoders.get(item.device)
        if decoder is None:
            self.decode_errors += 1
            self.last_decode_error = f"packet from unknown device {item.device!r}"
            return
        try:
            samples = decoder.feed(item)
        except DecodeError as exc:
            self.decode_errors += 1
            self.last_decode_error = f"{item.device}/{item.stream}: {exc}"
            return
        for s in samples:
            if isinstance(s, HrSample):
                self._on_hr(item.device, s)
            elif isinstance(s, AccBlock):
                self._on_acc(s)

    def feed_many(self, items: Iterable[Packet | Event]) -> None:
        """Process many packets/events in order."""
        for it in items:
            self.feed(it)

    def _touch(self, t_ns: int) -> None:
        if self._start_ns is None:
            self._start_ns = t_ns
        self._end_ns = t_ns if self._end_ns is None else max(self._end_ns, t_ns)

    def _rel_s(self, t_ns: int) -> float:
        return (t_ns - (self._start_ns or t_ns)) / NS_PER_S

    def _on_event(self, event: Event) -> None:
        self._touch(event.t_ns)
        self._events.append(event)
        if self._monitor is not None:
            self.alerts.extend(self._monitor.on_event(event, self._rel_s(event.t_ns)))

    def _on_hr(self, device: str, s: HrSample) -> None:
        if self._hr_device is None:
            self._hr_device = device
        if device != self._hr_device:  # one HR source per session: the first that speaks
            return
        self._hr_t.append(s.t_ns)
        self._hr_bpm.append(float(s.hr_bpm))
        contact = (
            CONTACT_UNSUPPORTED
            if not s.contact_supported
            else (CONTACT_OK if s.contact else CONTACT_LOST)
        )
        self._hr_contact.append(contact)
        self._rr.append(tuple(s.rr_1024))
        if self._monitor is not None and contact != CONTACT_LOST and s.hr_bpm > 0:
            self.alerts.extend(self._monitor.on_hr(self._rel_s(s.t_ns), float(s.hr_bpm)))

    def _on_acc(self, block: AccBlock) -> None:
        track = self._acc.get(block.device)
        if track is None:
            origin = self._start_ns if self._start_ns is not None else int(block.t_ns[0])
            track = self._acc[block.device] = _AccTrack(
                block.device, self._placements.get(block.device, "chest"), origin
            )
        self._route(track, track.feed(block))

    def _route(self, track: _AccTrack, jumps: Iterable[Jump]) -> None:
        """Newly confirmed jumps of the primary accelerometer reach the live view and
        the safety monitor."""
        if track.device != self._primary_acc():
            return
        for jump in jumps:
            self._last_jumps.append(jump)
            if self._monitor is not None:
                self.alerts.extend(self._monitor.on_jump(jump))

    def sync(self) -> None:
        """Analyse every buffered sample now (the live view calls this via `state`)."""
        for track in self._acc.values():
            self._route(track, track.sync())

    def _primary_acc(self) -> str | None:
        """The accelerometer the session's jumps and impacts come from: the first
        device (in the session's device order) that has delivered acceleration."""
        for key in self._order:
            if key in self._acc:
                return key
        return None

    # -- output ---------------------------------------------------------------------
    def _heart(self, exact: bool = True) -> tuple[HeartRateSummary, HrSeries]:
        """HR summary so far.

        The series (with whole-series RR correction) and its zone integration are
        rebuilt when HR notifications or events arrived; the duration-dependent parts
        (the last value's hold, coverage) are re-read on every call. With
        `exact=False` (live snapshots) a long session rebuilds only every
        n/`HR_REBUILD_DIVISOR` notifications, which bounds the live cost (≈ 6 s stale
        at one hour) and depends only on the data, never on timing. `summary()` is
        always exact.
        """
        n = len(self._hr_t)
        key = (n, len(self._events))
        cache = self._heart_cache
        stale_ok = (
            not exact
            and cache is not None
            and cache[0][1] == key[1]
            and n - cache[0][0] < max(1, cache[0][0] // HR_REBUILD_DIVISOR)
        )
        if cache is None or (cache[0] != key and not stale_ok):
            start = self._start_ns or 0
            t_s = (np.asarray(self._hr_t, dtype=np.int64) - start) / NS_PER_S
            series = build_hr_series(
                t_s,
                np.asarray(self._hr_bpm, dtype=np.float64),
                rr_1024=self._rr,
                contact=np.asarray(self._hr_contact, dtype=np.int8),
            )
            p = self.params
            hrrest, hrrest_method = p.hrrest_bpm, p.hrrest_method
            if hrrest is None:
                hrrest = self._rest_from_events(series)
                hrrest_method = "marked-rest-segment" if hrrest is not None else None
            known = hrrest is not None and p.hrmax_bpm is not None
            acc = ZoneAccumulator(
                # placeholders when unknown: no zones and no target band without them
                hrrest if hrrest is not None and known else 1.0,
                p.hrmax_bpm if p.hrmax_bpm is not None and known else 2.0,
                DEFAULT_ZONES if known else (),
                MAX_HOLD_S,
                p.target_pct if known else None,
            )
            acc.feed(series.t_s, series.hr_bpm, series.valid)
            labels = {
                "hrmax_method": p.hrmax_method,
                "hrrest_method": hrrest_method,
                "rr_count": series.rr_count,
                "rr_artifacts": series.rr_artifacts,
            }
            cache = self._heart_cache = (key, acc, series, labels, hrrest)
        _, acc, series, labels, hrrest = cache
        summary = acc.summary(self.duration_s, **labels)
        return replace(summary, hrrest_bpm=hrrest, hrmax_bpm=self.params.hrmax_bpm), series

    def _rest_from_events(self, series: HrSeries) -> float | None:
        """Resting HR from the first marked resting segment long enough to use."""
        start = None
        for e in self._events:
            if e.kind == EventKind.REST_START:
                start = self._rel_s(e.t_ns)
            elif e.kind == EventKind.REST_END and start is not None:
                try:
                    return estimate_resting_hr(
                        series.t_s, series.hr_bpm, start, self._rel_s(e.t_ns), series.valid
                    )
                except SignalError:
                    start = None
        return None

    @property
    def duration_s(self) -> float:
        """Seconds from the first to the last packet or event seen."""
        if self._start_ns is None or self._end_ns is None:
            return 0.0
        return (self._end_ns - self._start_ns) / NS_PER_S

    def _impacts(self, track: _AccTrack | None, peaks: Sequence[Impact]) -> ImpactSummary:
        if track is None:
            return ImpactSummary(band_set=self.params.band_set)
        return impact_summary(peaks, band_set=self.params.band_set, placement=track.placement)

    def state(self) -> SessionState:
        """The live snapshot (analyses buffered samples first)."""
        self.sync()
        heart, series = self._heart(exact=False)
        key = self._primary_acc()
        track = self._acc[key] if key else None
        hr_bpm = hrr = None
        valid = False
        if self._hr_t:  # the current value is the strap's latest report
            last_s = self._rel_s(self._hr_t[-1])
            lo, hi = HR_PLAUSIBLE_BPM
            if (
                self._hr_contact[-1] != CONTACT_LOST
                and lo <= self._hr_bpm[-1] <= hi
                and self.duration_s - last_s <= MAX_HOLD_S
            ):
                hr_bpm = self._hr_bpm[-1]
                valid = True
                if heart.hrrest_bpm is not None and heart.hrmax_bpm is not None:
                    hrr = float(hrr_pct(hr_bpm, heart.hrrest_bpm, heart.hrmax_bpm))
        live_steps = _steps_outside(track.step_times_s[-64:], track.jumps) if track else []
        pts = list(
            zip(series.t_s[-HR_HISTORY_POINTS:], series.hr_bpm[-HR_HISTORY_POINTS:], strict=True)
        )
        return SessionState(
            elapsed_s=self.duration_s,
            hr_bpm=hr_bpm,
            hrr_pct=hrr,
            hr_valid=valid,
            target_band_pct=(
                (heart.target_lo_pct, heart.target_hi_pct)
                if heart.target_lo_pct is not None and heart.target_hi_pct is not None
                else None
            ),
            in_band_s=heart.target_s,
            hr_series=tuple((float(t), float(b)) for t, b in pts),
            heart=heart,
            jumps=len(track.jumps) if track else 0,
            last_jumps=tuple(self._last_jumps),
            impacts=self._impacts(track, track.peaks if track else []),
            gait=track.gait() if track else GaitSummary(),
            events=tuple(self._events),
            packets=self.packets,
            decode_errors=self.decode_errors,
            last_step_s=live_steps[-1] if live_steps else None,
            cadence_now_spm=recent_cadence_spm(live_steps),
            still_s=track.still_s if track else None,
            acc_until_s=(
                self._rel_s(track.analysed_until_ns)
                if track and track.analysed_until_ns is not None
                else None
            ),
        )

    def hr_points(self) -> tuple[tuple[float, float], ...]:
        """Every valid heart-rate value of the session so far, (s from start, bpm).

        The exact series the summary integrates (RR-derived values one per beat when
        the strap sends RR intervals, after artifact correction), not the live plot's
        recent window. For the review chart and the per-minute export.
        """
        return _valid_points(self._heart()[1])

    def summary(self) -> SessionSummary:
        """Finish every analysis segment and return the session's summary.

        After `summary()` the processor is finished: feeding more data is an error.
        """
        for t in self._acc.values():
            self._route(t, t.finish())
        heart, series = self._heart()
        key = self._primary_acc()
        track = self._acc[key] if key else None
        jumps = tuple(track.jumps) if track else ()
        acc_s = track.covered_ns / NS_PER_S if track else 0.0
        dur = self.duration_s
        kind = self.meta.kind if self.meta else "mixed"
        dropped = sum(
            int(e.data.get("count", 0)) for e in self._events if e.kind == EventKind.DROPPED
        )
        return SessionSummary(
            start_t_ns=self._start_ns or 0,
            end_t_ns=self._end_ns or 0,
            duration_s=dur,
            kind=kind,
            acc_s=acc_s,
            acc_coverage=min(1.0, acc_s / dur) if dur > 0 else 0.0,
            jumps=jumps,
            impacts=self._impacts(track, track.peaks if track else []),
            heart=heart,
            gait=track.gait() if track else GaitSummary(),
            events=tuple(self._events),
            packets=self.packets,
            decode_errors=self.decode_errors,
            dropped=dropped,
            hr_points=_valid_points(series),
        )


def params_for(prescription: Prescription | None) -> AnalysisParams:
    """The analysis parameters a prescription implies (HRrest, HRmax, band, mass)."""
    if prescription is None:
        return AnalysisParams()
    from osteomonitor.prescription import analysis_params

    values: dict[str, Any] = analysis_params(prescription)
    return AnalysisParams(**values)


def _safety_monitor(prescription: Prescription | None) -> Any:
    if prescription is None:
        return None
    from osteomonitor.prescription import SafetyMonitor

    return SafetyMonitor(prescription)


def recording_prescription(meta: SessionMeta, path: str | Path) -> Prescription | None:
    """The prescription snapshot stored in a recording, or None.

    Raises:
        PrescriptionError: the snapshot is invalid (named "<file> (prescription snapshot)").
    """
    if not meta.prescription_toml:
        return None
    from osteomonitor.prescription import parse_prescription

    return parse_prescription(meta.prescription_toml, source=f"{path} (prescription snapshot)")


def process_recording(
    path: str | Path, prescription: Prescription | None = None
) -> tuple[SessionMeta, SessionProcessor]:
    """Feed a whole recording through the processor the live view uses.

    The processor is returned unfinished, so a caller can take the final `state()`
    or `hr_points()` before `summary()`. Without `prescription`, the snapshot
    stored in the recording (if any) is used; `proc.prescription` is the one used.

    Raises:
        RecordingError and subclasses: the file cannot be read.
        PrescriptionError: the stored prescription snapshot is invalid.
    """
    from osteomonitor.store import RecordingReader

    with RecordingReader(path) as reader:
        meta = reader.meta
        if prescription is None:
            prescription = recording_prescription(meta, path)
        proc = SessionProcessor(reader.devices, meta, prescription=prescription)
        proc.feed_many(_merged(reader.packets(), reader.events()))
    return meta, proc


def analyze_recording(
    path: str | Path, prescription: Prescription | None = None
) -> tuple[SessionMeta, SessionSummary]:
    """The summary of a whole recording (see `process_recording`)."""
    meta, proc = process_recording(path, prescription)
    return meta, proc.summary()


def _merged(packets: Iterable[Packet], events: Sequence[Event]) -> Iterator[Packet | Event]:
    """Packets and events interleaved by time (events after packets of equal time)."""
    i, n = 0, len(events)
    for p in packets:
        while i < n and events[i].t_ns < p.t_ns:
            yield events[i]
            i += 1
        yield p
    yield from events[i:]


def replay_items(path: str | Path) -> Iterator[Packet | Event]:
    """Packets and events of a recording merged in time order (for replay)."""
    from osteomonitor.store import RecordingReader

    with RecordingReader(path) as reader:
        yield from _merged(reader.packets(), reader.events())


__all__ = [
    "ACC_GAP_S",
    "AnalysisParams",
    "SessionProcessor",
    "SessionState",
    "analyze_recording",
    "params_for",
    "process_recording",
    "recording_prescription",
    "replay_items",
]
