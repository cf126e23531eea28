"""Plain data that flows between the layers.

Frozen, slotted dataclasses with the unit in every field name. Times are integers in
nanoseconds since the Unix epoch on the host clock (`t_ns`) unless the name says
otherwise (`device_t_ns` is a device clock, `*_s` is seconds from session start).
This module imports only the standard library; array-valued fields are numpy arrays,
typed for checkers only.

Size (~430 lines, over the house's ~400 on purpose): this is the one vocabulary every
layer shares; it is mostly field documentation, and splitting it would scatter the seam
types across modules that every layer would then import.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]
else:
    FloatArray = Any
    IntArray = Any

NS_PER_S = 1_000_000_000


class SessionKind(enum.StrEnum):
    """What a session trains; maps to a FITT modality of the prescription."""

    IMPACT = "impact"
    AEROBIC = "aerobic"
    RESISTANCE = "resistance"
    BALANCE = "balance"
    ACTIVITY = "activity"
    FLEXIBILITY = "flexibility"
    MIXED = "mixed"
    REST_TEST = "rest-test"


class EventKind(enum.StrEnum):
    """Timestamped things that happen in a session besides sensor data."""

    MARKER = "marker"
    RPE = "rpe"  # data: {"rpe": value, "scale": "borg6-20"|"cr10"}; no scale = Borg 6-20
    PAIN = "pain"  # data: {"level": 0..10, "where": str}
    NOTE = "note"  # data: {"text": str}
    LINK_LOST = "link_lost"  # device set; data: {"reason": str}
    LINK_RESTORED = "link_restored"  # device set; data: {"gap_s": float}
    STREAM_STARTED = "stream_started"
    STREAM_STOPPED = "stream_stopped"
    DEVICE_ERROR = "device_error"  # data: {"message": str}
    DECODE_ERROR = "decode_error"  # data: {"count": int, "last": str}
    DROPPED = "dropped"  # data: {"count": int}: packets the bounded queue could not take
    BALANCE_START = "balance_start"  # data: {"eyes": "open"|"closed"}
    BALANCE_END = "balance_end"
    SET_DONE = "set_done"  # data: {"exercise": str, "reps": int, "load_kg": float}
    REST_START = "rest_start"  # marks a resting segment for HRrest estimation
    REST_END = "rest_end"
    STRETCH_HOLD = "stretch_hold"  # data: {"exercise": str, "hold_s": float}: one completed hold
    # A fall detected live (analysis/falls.py); data: {"t_s": impact, s from session
    # start, "probability": 0-1, "peak_g": float, "tilt_deg": float}; device set.
    FALL_SUSPECTED = "fall_suspected"
    # The patient's answer to the fall alert; data: {"response": "fine" | "help",
    # "suspected_t_s": the impact it answers, s from session start}.
    FALL_RESPONSE = "fall_response"


@dataclass(frozen=True, slots=True)
class Packet:
    """One raw BLE notification (or indication, or read) exactly as it arrived.

    Attributes:
        t_ns: host arrival time, ns since the Unix epoch.
        device: the session's key for the device (e.g. "h10", "hip").
        stream: what produced the bytes: a stream name from the device's profile
            (e.g. "hr", "pmd_data", "pmd_cp").
        payload: the bytes as received.
    """

    t_ns: int
    device: str
    stream: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class Event:  # type: ignore[explicit-any]  # (its generated __init__ takes `data`)
    """A timestamped session event (marker, RPE, pain, link lost …)."""

    t_ns: int
    kind: str
    # free-form JSON of the recording (old files hold any shape): the one explicit Any
    data: Mapping[str, Any] = field(default_factory=dict)  # type: ignore[explicit-any]
    device: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceInfo:  # type: ignore[explicit-any]  # (`settings`, free-form)
    """A wearable taking part in a session."""

    key: str
    address: str
    name: str
    profile: str
    model: str | None = None
    firmware: str | None = None
    battery_pct: int | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)  # type: ignore[explicit-any]


@dataclass(frozen=True, slots=True)
class SessionMeta:
    """What a recording says about its session.

    Attributes:
        patient: pseudonym only; never a real name.
        kind: a `SessionKind` value.
        start_iso: local start time with UTC offset, ISO 8601.
        timezone: IANA zone name of the patient (e.g. "Europe/Helsinki").
        software_version: osteomonitor version that recorded it.
        prescription_toml: the prescription in force, verbatim, or None.
        simulated: True when the data came from a virtual wearable.
        supervised: the session was supervised by a professional (True), done alone
            (False), or not said (None: recordings made before the flag existed).
    """

    patient: str
    kind: str
    start_iso: str
    timezone: str
    software_version: str
    prescription_toml: str | None = None
    simulated: bool = False
    notes: str = ""
    supervised: bool | None = None


@dataclass(frozen=True, slots=True)
class HrSample:
    """One decoded Heart Rate Measurement notification.

    Attributes:
        t_ns: host arrival time.
        hr_bpm: heart rate as reported, bpm.
        rr_1024: RR intervals in 1/1024 s, oldest first, exactly as sent.
        contact_supported: the strap reports skin contact.
        contact: skin contact detected (None when not supported).
        energy_kj: cumulative energy expended, kJ, when present.
    """

    t_ns: int
    hr_bpm: int
    rr_1024: tuple[int, ...] = ()
    contact_supported: bool = False
    contact: bool | None = None
    energy_kj: int | None = None


@dataclass(frozen=True, slots=True, eq=False)
class AccBlock:
    """Accelerometer samples decoded from one notification.

    Attributes:
        device: session device key.
        t_ns: (n,) int64, host time of each sample (device clock mapped to host).
        acc_g: (n, 3) float64, acceleration in g (1 g = 9.80665 m/s²).
        fs_hz: nominal sample rate, Hz.
        range_g: full-scale range of the sensor, ±g (for clipping flags).
        device_t_ns: (n,) int64 device-clock times, or None when the device sends none.
    """

    device: str
    t_ns: IntArray
    acc_g: FloatArray
    fs_hz: float
    range_g: float
    device_t_ns: IntArray | None = None

    def __len__(self) -> int:
        return int(self.acc_g.shape[0])


@dataclass(frozen=True, slots=True)
class Jump:
    """One detected jump: take-off, flight, landing.

    Attributes:
        takeoff_s / landing_s: seconds from the start of the analysed signal.
        flight_s: flight duration, s.
        height_m: jump height from flight time, h = g·t²/8, m.
        peak_g: landing peak of the acceleration magnitude, g.
        slope_g_s: loading slope from landing onset to peak, g/s.
        clipped: a landing sample sat at the sensor's full-scale range.
    """

    takeoff_s: float
    landing_s: float
    flight_s: float
    height_m: float
    peak_g: float
    slope_g_s: float
    clipped: bool = False


@dataclass(frozen=True, slots=True)
class Impact:
    """One acceleration peak counted for the impact-load histograms."""

    t_s: float
    peak_g: float
    slope_g_s: float
    clipped: bool = False


@dataclass(frozen=True, slots=True)
class Fall:
    """One suspected fall: an impact followed by a changed, quieter posture.

    Attributes:
        t_s: impact peak, s from the start of the analysed signal.
        confirmed_s: when the detector could decide (the post-impact window ended), s.
        probability: the fall model's probability, 0-1.
        peak_g: smoothed impact peak of ‖a‖, g.
        tilt_deg: change of the trunk's gravity direction across the impact, degrees.
    """

    t_s: float
    confirmed_s: float
    probability: float
    peak_g: float
    tilt_deg: float


@dataclass(frozen=True, slots=True)
class PostureSummary:
    """Trunk inclination over a session (analysis/posture.py).

    Attributes:
        reference_known: an upright reference was given or found (else no angles).
        measured_s: seconds with an inclination measured.
        median_deg / p95_deg / max_deg: inclination from upright, degrees (1° bins for
            the percentiles); None when nothing was measured.
        limit_deg: the inclination limit judged, degrees.
        beyond_s: seconds beyond the limit in bends and brief reaches (stretches no
            longer than `PostureParams.bend_max_s`).
        reclined_s: seconds beyond the limit in longer stretches (lying, reclining).
        episodes: sustained bends beyond the limit (see `PostureParams`).
        longest_episode_s: the longest episode, s.
        episode_starts_s: start of each episode, s from the first sample.
    """

    reference_known: bool = False
    measured_s: float = 0.0
    median_deg: float | None = None
    p95_deg: float | None = None
    max_deg: float | None = None
    limit_deg: float = 45.0
    beyond_s: float = 0.0
    reclined_s: float = 0.0
    episodes: int = 0
    longest_episode_s: float = 0.0
    episode_starts_s: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class ZoneTime:
    """Seconds spent in one %HRR zone.

    Attributes:
        name: zone label, e.g. "40-60".
        lo_pct / hi_pct: bounds in %HRR, [lo, hi).
        seconds: valid seconds credited to the zone.
    """

    name: str
    lo_pct: float
    hi_pct: float
    seconds: float


@dataclass(frozen=True, slots=True)
class HeartRateSummary:
    """Heart-rate intensity of a session (all times in s, rates in bpm).

    Attributes:
        hr_mean_bpm / hr_max_bpm: over valid data, None without any.
        hrmax_bpm / hrmax_method: HRmax used and how it was obtained
            ("measured", "tanaka", "gellish", "fox").
        hrrest_bpm / hrrest_method: resting HR used ("given", "marked-rest-segment").
        zones: time per zone.
        valid_s: seconds with valid HR; unknown_s: seconds in gaps or with bad data.
        coverage: valid_s / session duration, 0..1.
        target_lo_pct / target_hi_pct: prescribed band in %HRR, if any.
        target_s: seconds inside the band; longest_bout_s: longest continuous run in it.
        rr_count / rr_artifacts: RR intervals seen and how many were corrected.
    """

    hr_mean_bpm: float | None = None
    hr_max_bpm: float | None = None
    hrmax_bpm: float | None = None
    hrmax_method: str | None = None
    hrrest_bpm: float | None = None
    hrrest_method: str | None = None
    zones: tuple[ZoneTime, ...] = ()
    valid_s: float = 0.0
    unknown_s: float = 0.0
    coverage: float = 0.0
    target_lo_pct: float | None = None
    target_hi_pct: float | None = None
    target_s: float = 0.0
    longest_bout_s: float = 0.0
    rr_count: int = 0
    rr_artifacts: int = 0


@dataclass(frozen=True, slots=True)
class ImpactSummary:
    """Impact load of a session from acceleration peaks (chest- or hip-equivalent g).

    Attributes:
        band_set: name of the band set used for `band_edges_g`/`band_counts`.
        band_edges_g: lower edges of each band, g.
        band_counts: peaks per band (same length as `band_edges_g`).
        n_peaks: all counted peaks; peak_max_g: the highest, g.
        n_above_3_9g / n_above_4_2g: counts over the osteogenic thresholds
            (Vainionpää 2006; Deere 2012).
        n_slope_above_100: peaks with loading slope > 100 g/s (Jämsä 2011).
        osteogenic_index: Turner & Robling 2003, from the peak histogram.
        daily_load_stimulus: Carter/Whalen DLS, m = 4, in g units.
        clipped: peaks that reached the sensor's full-scale range.
        placement: where the sensor sat ("chest", "hip", …): the g values are
            "<placement>-equivalent" and not comparable across placements.
    """

    band_set: str = "vainionpaa"
    band_edges_g: tuple[float, ...] = ()
    band_counts: tuple[int, ...] = ()
    n_peaks: int = 0
    peak_max_g: float | None = None
    n_above_3_9g: int = 0
    n_above_4_2g: int = 0
    n_slope_above_100: int = 0
    osteogenic_index: float = 0.0
    daily_load_stimulus: float = 0.0
    clipped: int = 0
    placement: str = "chest"


@dataclass(frozen=True, slots=True)
class GaitSummary:
    """Weight-bearing walking and running from acceleration.

    Attributes:
        steps: detected steps; walking_s: seconds classified as walking;
        cadence_spm: median cadence while walking, steps/min, None if no walking;
        running_s / running_strides: running time and strides (reported as running,
        not as jumps).
    """

    steps: int = 0
    walking_s: float = 0.0
    cadence_spm: float | None = None
    running_s: float = 0.0
    running_strides: int = 0


@dataclass(frozen=True, slots=True)
class SetAsideFrames:
    """Frames of one stream the plausibility gates set aside for one reason.

    They stay in the recording untouched; the analysis skips them like lost frames.

    Attributes:
        device: session device key ("" for events).
        stream: stream name ("events" for session events).
        reason: why, in people's terms ("value outside ±16 g").
        frames: how many.
    """

    device: str
    stream: str
    reason: str
    frames: int


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """Everything measured in one session, the input of FITT compliance.

    Attributes:
        start_t_ns / end_t_ns: first and last host time covered, ns.
        duration_s: end − start, s.
        kind: `SessionKind` value of the session.
        acc_s: seconds covered by accelerometer data; acc_coverage: acc_s / duration_s.
        jumps: every detected jump in order.
        impacts: impact-load summary; heart: heart-rate summary; gait: steps/running.
        events: all session events (markers, RPE, pain, sets, balance blocks, link …).
        packets / decode_errors / dropped: data-quality counters.
        hr_points: every valid heart-rate value, (s from start, bpm), in time order
            (one per beat where RR intervals exist): what the zones integrate, the
            review chart draws and the safety review checks for sustained excursions.
        set_aside: frames the plausibility gates kept out of the analysis, with why.
        falls: suspected falls found by the analysis (times in s from session start).
        posture: trunk inclination (None when no trunk accelerometer was analysed).
    """

    start_t_ns: int
    end_t_ns: int
    duration_s: float
    kind: str
    acc_s: float = 0.0
    acc_coverage: float = 0.0
    jumps: tuple[Jump, ...] = ()
    impacts: ImpactSummary = field(default_factory=ImpactSummary)
    heart: HeartRateSummary = field(default_factory=HeartRateSummary)
    gait: GaitSummary = field(default_factory=GaitSummary)
    events: tuple[Event, ...] = ()
    packets: int = 0
    decode_errors: int = 0
    dropped: int = 0
    hr_points: tuple[tuple[float, float], ...] = ()
    set_aside: tuple[SetAsideFrames, ...] = ()
    falls: tuple[Fall, ...] = ()
    posture: PostureSummary | None = None
