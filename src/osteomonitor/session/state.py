"""The live snapshot the dashboard draws."""

from __future__ import annotations

from dataclasses import dataclass, field

from osteomonitor.model import (
    Event,
    Fall,
    GaitSummary,
    HeartRateSummary,
    ImpactSummary,
    Jump,
    PostureSummary,
)


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
        jump_peaks_g: the landing peak of every jump so far, g (jumps apart from steps
            in the impact histogram).
        impacts: impact summary so far (band counts, osteogenic counts …).
        gait: steps, cadence, walking and running so far.
        events: session events so far (markers, RPE, pain, sets …).
        packets / decode_errors: counters.
        last_step_s: time of the latest counted step, s (None: none yet).
        cadence_now_spm: cadence of the latest walking run's last 10 s, steps/min.
        still_s: how long the primary accelerometer has been still (analysis.movement),
            s at `acc_until_s` (None: no accelerometer).
        acc_until_s: time of the latest analysed accelerometer sample, s.
        falls: suspected falls so far (trunk sensor).
        inclination_deg: the trunk's latest inclination from upright, degrees (None
            without a trunk sensor or before the standing reference).
        posture: trunk posture so far (None without a trunk sensor).
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
    jump_peaks_g: tuple[float, ...] = ()
    impacts: ImpactSummary = field(default_factory=ImpactSummary)
    gait: GaitSummary = field(default_factory=GaitSummary)
    events: tuple[Event, ...] = ()
    packets: int = 0
    decode_errors: int = 0
    last_step_s: float | None = None
    cadence_now_spm: float | None = None
    still_s: float | None = None
    acc_until_s: float | None = None
    falls: tuple[Fall, ...] = ()
    inclination_deg: float | None = None
    posture: PostureSummary | None = None
