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

Size (~440 lines, over the house's ~400 on purpose): one class, the processor that ties
its tracks together (`acc_track`, `heart`, `heart_zones`, `batch` hold the rest); its
methods are the seam live, replay and batch all call.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from osteomonitor.analysis.heart_rate import CONTACT_LOST
from osteomonitor.analysis.impacts import impact_summary
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
    HrSample,
    Impact,
    ImpactSummary,
    Jump,
    Packet,
    SessionMeta,
    SessionSummary,
    SetAsideFrames,
)
from osteomonitor.session.acc_track import AccTrack
from osteomonitor.session.heart import _valid_points
from osteomonitor.session.heart_zones import HeartSource, HeartZones
from osteomonitor.session.params import AnalysisParams, params_for

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription import Alert, Prescription, SafetyMonitor
    from osteomonitor.session.state import SessionState

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
        self._hr = HeartSource(self.params)
        self._events: list[Event] = []
        self._events_seen: tuple[Event, ...] = ()
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

    # -- the batch path (session.batch) --------------------------------------------------
    def batch_inputs(self) -> tuple[ArrivalGate, Mapping[str, DeviceDecoder]]:
        """The arrival gate and each device's decoder, for `session.batch` to run over a
        whole recording at once before `adopt_batch`."""
        return self._arrival, self._decoders

    def adopt_batch(
        self,
        *,
        packets: int,
        span_ns: tuple[int, int] | None,
        late: Mapping[tuple[str, str, str], int],
        errors: Sequence[str],
        events: Iterable[Event],
        hr: Iterable[tuple[str, HrSample]],
        acc: Mapping[str, Sequence[AccBlock]],
    ) -> None:
        """Bring a fresh processor to the state feeding a whole recording gives, from
        what `session.batch` computed on arrays: packets counted, the first and last
        admitted arrival, arrival-gate set-asides (device, stream, reason) → count,
        decode errors in arrival order, admitted events, HR values in arrival order and
        each device's analysis segments (one block each). Raises no live alerts (a
        review judges the summary); the HR series is built once, by the summary;
        `last_set_aside` (the live status line's) stays unset.
        """
        self._monitor = None
        self.packets += packets
        if span_ns is not None:
            self._start_ns, self._end_ns = span_ns
        self._late.update(late)
        self.decode_errors += len(errors)
        if errors:
            self.last_decode_error = errors[-1]
        for e in events:
            self._on_event(e)
        hr = list(hr)
        self.latest_hr.update(dict(hr))  # each device's last, as one at a time gives
        self._hr.add_many(hr, self._start_ns)
        for key, dec in self._decoders.items():  # frames the decoders' gates set aside
            if n := sum(dec.set_aside.values()):
                self.set_aside_frames[key] += n
        for key in self._order:
            for block in acc.get(key, ()):
                self._on_acc(block)

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
        contact = self._hr.add(device, s, self._rel_s(s.t_ns))
        if self._monitor is not None and contact not in (None, CONTACT_LOST) and s.hr_bpm > 0:
            self.alerts.extend(self._monitor.on_hr(self._rel_s(s.t_ns), float(s.hr_bpm)))

    def _on_acc(self, block: AccBlock) -> None:
        track = self._acc.get(block.device)
        if track is None:
            origin = self._start_ns if self._start_ns is not None else int(block.t_ns[0])
            track = self._acc[block.device] = AccTrack(
                block.device,
                self._placements.get(block.device, "chest"),
                origin,
                self.params.band_set,
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
    def _heart(self, exact: bool = True) -> HeartZones:
        return self._hr.zones(self._events, self._start_ns or 0, exact)

    @property
    def duration_s(self) -> float:
        """Seconds from the first to the last packet or event seen."""
        if self._start_ns is None or self._end_ns is None:
            return 0.0
        return (self._end_ns - self._start_ns) / NS_PER_S

    def _impacts(self, track: AccTrack | None, exact: bool) -> ImpactSummary:
        if track is None:
            return ImpactSummary(band_set=self.params.band_set)
        if not exact:
            return track.impacts.summary()
        return impact_summary(track.peaks, self.params.band_set, track.placement)

    def _events_tuple(self) -> tuple[Event, ...]:
        if len(self._events_seen) != len(self._events):
            self._events_seen = tuple(self._events)
        return self._events_seen

    def state(self) -> SessionState:
        """The live snapshot (analyses buffered samples first)."""
        from osteomonitor.session.state import SessionState  # live only: not loaded by analyze

        self.sync()
        heart = self._heart(exact=False).summary(self.params, self.duration_s)
        trunk = self._trunk()
        key = self._primary_acc()
        track = self._acc[key] if key else None
        hr_bpm, hrr, valid = self._hr.current(self.duration_s, heart)
        live_steps = track.recent_steps(64) if track else []
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
            hr_series=tuple(self._hr.track.recent(HR_HISTORY_POINTS)),
            heart=heart,
            jumps=len(track.jumps) if track else 0,
            last_jumps=tuple(self._last_jumps),
            jump_peaks_g=tuple(float(j.peak_g) for j in track.jumps) if track else (),
            impacts=self._impacts(track, exact=False),
            gait=track.gait(exact=False) if track else GaitSummary(),
            events=self._events_tuple(),
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
        series = self._heart().series
        assert series is not None
        return _valid_points(series)

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
        zones = self._heart()
        assert zones.series is not None
        heart = zones.summary(self.params, self.duration_s)
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
            impacts=self._impacts(track, exact=True),
            heart=heart,
            gait=track.gait() if track else GaitSummary(),
            events=tuple(self._events),
            packets=self.packets,
            decode_errors=self.decode_errors,
            dropped=dropped,
            hr_points=_valid_points(zones.series),
            set_aside=self.set_aside(),
            falls=tuple(trunk.falls) if trunk else (),
            posture=trunk.posture() if trunk else None,
        )


def _safety_monitor(prescription: Prescription | None) -> SafetyMonitor | None:
    if prescription is None:
        return None
    from osteomonitor.prescription import SafetyMonitor

    return SafetyMonitor(prescription)
