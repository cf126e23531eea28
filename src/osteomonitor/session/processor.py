"""The incremental SessionProcessor: packets and events in, live state and summary out.

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

from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.analysis.heart_rate import (
    CONTACT_LOST,
    CONTACT_OK,
    CONTACT_UNSUPPORTED,
    HR_PLAUSIBLE_BPM,
    HrSeries,
    build_hr_series,
    estimate_resting_hr,
)
from osteomonitor.analysis.impacts import impact_summary
from osteomonitor.analysis.intensity import DEFAULT_ZONES, MAX_HOLD_S, ZoneAccumulator, hrr_pct
from osteomonitor.analysis.signal import SignalError
from osteomonitor.analysis.steps import recent_cadence_spm
from osteomonitor.analysis.trunk import TrunkTracker
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.plausibility import ArrivalGate, SetAside, start_ns_of
from osteomonitor.devices.profiles import load_profiles
from osteomonitor.errors import DecodeError, RecordingError
from osteomonitor.model import (
    NS_PER_S,
    AccBlock,
    DeviceInfo,
    Event,
    EventKind,
    GaitSummary,
    HeartRateSummary,
    HrSample,
    Impact,
    ImpactSummary,
    Jump,
    Packet,
    SessionMeta,
    SessionSummary,
    SetAsideFrames,
)
from osteomonitor.session.acc_track import AccTrack, steps_outside
from osteomonitor.session.heart import _HeartCache, _valid_points
from osteomonitor.session.params import AnalysisParams, params_for
from osteomonitor.session.state import SessionState

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription import Alert, Prescription, SafetyMonitor

#: Live snapshots of long sessions rebuild the HR series every n/this notifications.
HR_REBUILD_DIVISOR = 600
#: Recent HR points kept for the live plot.
HR_HISTORY_POINTS = 900
#: Recent landings shown live.
LAST_JUMPS = 8


class SessionProcessor:
    """Packets and events in, `SessionState` (live) and `SessionSummary` (final) out.

    Args:
        devices: the session's devices (profiles name their decoders).
        meta: session metadata (kind, start); optional for ad-hoc use.
        params: patient facts for intensity; see `params_for`.
        prescription: when given, a safety monitor raises alerts as data arrives.
        decode_only: decode and gate every packet (counters, `set_aside()`) without
            analysing the samples (for `recordings info`).
    """

    def __init__(
        self,
        devices: Sequence[DeviceInfo],
        meta: SessionMeta | None = None,
        params: AnalysisParams | None = None,
        prescription: Prescription | None = None,
        decode_only: bool = False,
    ) -> None:
        profiles = load_profiles()
        self.decode_only = decode_only
        self.meta = meta
        self.prescription = prescription
        self.devices = {d.key: d for d in devices}
        self.params = params or (
            params_for(prescription) if prescription is not None else AnalysisParams()
        )
        self._decoders: dict[str, DeviceDecoder] = {}
        self._acc: dict[str, AccTrack] = {}
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
        self.alerts: list[Alert] = []
        self.packets = 0
        #: each device's last decoded heart-rate sample (the collector's status shows it)
        self.latest_hr: dict[str, HrSample] = {}
        #: frames the plausibility gates set aside, per device; the last one's reason
        self.set_aside_frames: Counter[str] = Counter()
        self.last_set_aside: str | None = None
        self.decode_errors = 0
        self.last_decode_error: str | None = None
        self._heart_cache: _HeartCache | None = None
        self._arrival = ArrivalGate(start_ns_of(meta.start_iso) if meta is not None else None)
        self._late: Counter[tuple[str, str, str]] = Counter()  # arrival-time set-asides

    # -- input ----------------------------------------------------------------------
    def feed(self, item: Packet | Event) -> None:
        """Process one packet or event (in arrival order)."""
        if isinstance(item, Event):
            if self._admit("", "events", item.t_ns):
                self._on_event(item)
            return
        self.packets += 1
        if not self._admit(item.device, item.stream, item.t_ns):
            return
        self._touch(item.t_ns)
        decoder = self._decoders.get(item.device)
        if decoder is None:
            self.decode_errors += 1
            self.last_decode_error = f"packet from unknown device {item.device!r}"
            return
        try:
            samples = decoder.feed(item)
        except SetAside as exc:
            self.set_aside_frames[item.device] += 1  # by reason: the decoder's `set_aside`
            self.last_set_aside = f"{item.device}/{item.stream}: {exc.reason}"
            return
        except DecodeError as exc:
            self.decode_errors += 1
            self.last_decode_error = f"{item.device}/{item.stream}: {exc}"
            return
        for s in samples:
            if isinstance(s, HrSample):
                self.latest_hr[item.device] = s
                if not self.decode_only:
                    self._on_hr(item.device, s)
            elif isinstance(s, AccBlock) and not self.decode_only:
                self._on_acc(s)

    @property
    def safety_alerts(self) -> tuple[Alert, ...]:
        """Every safety alert so far as the monitor keeps them: a repeat within the
        repeat window folded into the earlier entry (count, last_t_s); oldest first.
        (`alerts` lists each entry as first raised.)"""
        return self._monitor.alerts if self._monitor is not None else ()

    def feed_many(self, items: Iterable[Packet | Event]) -> None:
        """Process many packets/events in order."""
        for it in items:
            self.feed(it)

    def _admit(self, device: str, stream: str, t_ns: int) -> bool:
        """Whether an arrival time is plausible; counts it as set aside when not."""
        try:
            self._arrival.check(t_ns)
        except SetAside as exc:
            self._late[(device, stream, exc.reason)] += 1
            return False
        return True

    def set_aside(self) -> tuple[SetAsideFrames, ...]:
        """Frames and events the plausibility gates kept out so far, with why."""
        counts = Counter(self._late)
        for key, dec in self._decoders.items():
            for (stream, reason), n in dec.set_aside.items():
                counts[(key, stream, reason)] += n
        return tuple(SetAsideFrames(d, s, r, n) for (d, s, r), n in counts.items())

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
            track = self._acc[block.device] = AccTrack(
                block.device, self._placements.get(block.device, "chest"), origin
            )
        self._route(track, track.feed(block))

    def _route(self, track: AccTrack, jumps: Iterable[Jump]) -> None:
        """Newly confirmed jumps of the primary accelerometer, and falls and sustained
        bends of the trunk sensor, reach the live view and the safety monitor."""
        falls, bends = track.new_falls, track.new_bends_s
        track.new_falls, track.new_bends_s = [], []
        mon = self._monitor
        if track.device == self._trunk_acc() and track.trunk is not None and mon is not None:
            for fall in falls:
                self.alerts.extend(mon.on_fall(fall))
            for start_s in bends:
                held = track.trunk.episode_min_s
                self.alerts.extend(mon.on_flexion(start_s, track.trunk.limit_deg, held))
        if track.device != self._primary_acc():
            return
        for jump in jumps:
            self._last_jumps.append(jump)
            if mon is not None:
                self.alerts.extend(mon.on_jump(jump))

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

    def _trunk_acc(self) -> str | None:
        """The accelerometer falls and posture come from: the first device (in the
        session's device order) worn on the trunk that has delivered acceleration."""
        for key in self._order:
            track = self._acc.get(key)
            if track is not None and track.trunk is not None:
                return key
        return None

    def _trunk(self) -> TrunkTracker | None:
        key = self._trunk_acc()
        return self._acc[key].trunk if key else None

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
            and cache.events == key[1]
            and n - cache.notifications < max(1, cache.notifications // HR_REBUILD_DIVISOR)
        )
        if cache is None or ((cache.notifications, cache.events) != key and not stale_ok):
            start = self._start_ns or 0
            t_s = (np.asarray(self._hr_t, dtype=np.int64) - start) / NS_PER_S
            series = build_hr_series(
                t_s,
                np.asarray(self._hr_bpm, dtype=np.float64),
                rr_1024=self._rr,
                contact=np.asarray(self._hr_contact, dtype=np.int8),
                earliest_s=-MAX_HOLD_S,
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
                start_s=0.0,
            )
            acc.feed(series.t_s, series.hr_bpm, series.valid)
            cache = self._heart_cache = _HeartCache(
                n, len(self._events), acc, series, hrrest, hrrest_method, p.hrmax_method
            )
        summary = cache.zones.summary(
            self.duration_s,
            hrmax_method=cache.hrmax_method,
            hrrest_method=cache.hrrest_method,
            rr_count=cache.series.rr_count,
            rr_artifacts=cache.series.rr_artifacts,
        )
        return (
            replace(summary, hrrest_bpm=cache.hrrest_bpm, hrmax_bpm=self.params.hrmax_bpm),
            cache.series,
        )

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

    def _impacts(self, track: AccTrack | None, peaks: Sequence[Impact]) -> ImpactSummary:
        if track is None:
            return ImpactSummary(band_set=self.params.band_set)
        return impact_summary(peaks, band_set=self.params.band_set, placement=track.placement)

    def state(self) -> SessionState:
        """The live snapshot (analyses buffered samples first)."""
        self.sync()
        heart, series = self._heart(exact=False)
        trunk = self._trunk()
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
        live_steps = steps_outside(track.step_times_s[-64:], track.jumps) if track else []
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
            falls=tuple(trunk.falls) if trunk else (),
            inclination_deg=trunk.inclination_deg if trunk else None,
            posture=trunk.posture() if trunk else None,
        )

    def hr_points(self) -> tuple[tuple[float, float], ...]:
        """Every valid heart-rate value of the session so far, (s from start, bpm).

        The exact series the summary integrates (RR-derived values one per beat when
        the strap sends RR intervals, after artifact correction), not the live plot's
        recent window. For the review chart and the per-minute export.
        """
        return _valid_points(self._heart()[1])

    def impact_peaks(self) -> tuple[Impact, ...]:
        """Every impact peak of the session's primary accelerometer so far (the peaks
        `SessionSummary.impacts` bins), times in s from the session start.

        After `summary()` this is the whole session's list: the report draws jump
        landings apart from the other peaks (steps, walking) from it.
        """
        key = self._primary_acc()
        return tuple(self._acc[key].peaks) if key else ()

    def summary(self) -> SessionSummary:
        """Finish every analysis segment and return the session's summary.

        After `summary()` the processor is finished: feeding more data is an error.
        """
        for t in self._acc.values():
            self._route(t, t.finish())
        heart, series = self._heart()
        trunk = self._trunk()
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
            set_aside=self.set_aside(),
            falls=tuple(trunk.falls) if trunk else (),
            posture=trunk.posture() if trunk else None,
        )


def _safety_monitor(prescription: Prescription | None) -> SafetyMonitor | None:
    if prescription is None:
        return None
    from osteomonitor.prescription import SafetyMonitor

    return SafetyMonitor(prescription)
