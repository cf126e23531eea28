"""Named threshold tables of the analysis layer, each with its source.

Every number an algorithm in `osteomonitor.analysis` compares against lives here (or in
a dataclass of defaults defined here), with the paper or the tuning note next to it.
Tuning notes refer to `bench/accuracy.py` on USC-HAD (hip IMU, 100 Hz, ±6 g; Zhang &
Sawchuk, UbiComp 2012) with the jump labels in `../shared/datasets/usc-had/labels.json`.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------- impacts


@dataclass(frozen=True, slots=True)
class BandSet:
    """A set of acceleration-peak bands for the impact histogram.

    Attributes:
        name: key in `BAND_SETS`.
        edges_g: lower edge of each band, g (ascending); the last band is open-ended.
        source: the paper the bands come from.
        placement: where the study's monitor sat (all are hip or waist).
    """

    name: str
    edges_g: tuple[float, ...]
    source: str
    placement: str = "hip"


BAND_SETS: dict[str, BandSet] = {
    "vainionpaa": BandSet(
        "vainionpaa",
        (0.3, 1.1, 2.5, 3.9, 5.4, 9.2),
        "Vainionpää et al., Osteoporos Int 2006;17:455 (waist; bands 0.3-1.0 … 5.4-9.2 g)",
        "waist",
    ),
    "deere": BandSet(
        "deere",
        (0.5, 1.1, 2.1, 3.1, 4.2, 5.1),
        "Deere, Sayers, Rittweger, Tobias, JBMR 2012;27:1887 (ALSPAC, hip)",
    ),
    "hannam": BandSet(
        "hannam",
        (0.5, 1.0, 1.5),
        "Hannam et al., Osteoporos Int 2017;28:1001 (older adults, hip, vertical peaks)",
    ),
}

#: The osteogenic peak, g: a landing or impact peak counts as osteogenic when it is AT OR
#: ABOVE this value. Vainionpää et al., Osteoporos Int 2006;17:455: hip BMD change related
#: to activity in the 3.9-5.3 g band and above; the band starts at 3.9 g (the band edges
#: of `BAND_SETS["vainionpaa"]` are inclusive below, as `band_counts` counts them), so a
#: 3.9 g peak is in the osteogenic band. The one definition: `is_osteogenic` counts it,
#: and prescription/limits.py, reports and the dashboard all read this constant.
OSTEOGENIC_PEAK_G = 3.9


def is_osteogenic(peak_g: float) -> bool:
    """A peak at or above `OSTEOGENIC_PEAK_G` (the Vainionpää 3.9-5.3 g band and above)."""
    return peak_g >= OSTEOGENIC_PEAK_G


#: Aerobic target band, %HRR (KSBMR 2023 / ACSM osteoporosis: 40-60 %HRR); the
#: analysis default when a prescription sets none (`params.AnalysisParams`).
DEFAULT_TARGET_PCT = (40.0, 60.0)

#: Osteogenic acceleration thresholds, g, with their source.
OSTEOGENIC_THRESHOLDS_G: dict[str, tuple[float, str]] = {
    "vainionpaa_3_9": (OSTEOGENIC_PEAK_G, "Vainionpää 2006: ≥3.9 g band related to hip BMD change"),
    "deere_4_2": (4.2, "Deere 2012: only >4.2 g related to femoral-neck BMD"),
    "haapala_5_2": (5.2, "Haapala/Rantalainen JMNI 2022: 'high-OI' peaks ≥5.2 g"),
}
#: Loading-slope threshold, g/s (Jämsä/Vainionpää, Front Physiol 2011;2:73).
OSTEOGENIC_SLOPE_G_S = 100.0
#: Impacts per day called for at > 4 g (Jämsä 2011; Sánchez-Trigo JSAMS 2023).
OSTEOGENIC_IMPACTS_PER_DAY = 60

#: Smallest acceleration peak counted as an impact, g. The lowest band edge of the
#: Vainionpää set (0.3 g) counts every wobble; the Hannam "low" band starts at 0.5 g
#: *above gravity-free* baseline; with the resultant (1 g at rest) we count peaks from
#: 1.1 g, the second Vainionpää edge, so standing still yields no impacts.
IMPACT_MIN_PEAK_G = 1.1
#: Peaks closer than this are one impact (heel-toe double peaks), s; domain §1.5 item 5.
IMPACT_MERGE_S = 0.1
#: Daily load stimulus weighting exponent m (Carter/Whalen; typical m ≈ 4 [B]).
DLS_EXPONENT = 4.0
#: A sample at or above this fraction of the sensor's full-scale range is clipped.
#: Tuning note: USC-HAD's ±6 g MotionNode saturates between 5.9 and 6.9 g after its
#: calibration, so the flag errs on the side of "clipped".
CLIP_FRACTION = 0.98

#: Neugebauer, Collins, Hawkins, PLoS One 2014;9:e99023 (hip ActiGraph, adults):
#: ln pGRF[N] = b0 + b_acc·a[g] + b_mass·m[kg]; constants as re-derived in a public
#: MATLAB implementation (domain.md §2.4). Valid for walking and running only.
NEUGEBAUER_2014: dict[str, tuple[float, float, float]] = {
    "walk": (5.247, 0.271, 0.014),
    "run": (6.181, 0.055, 0.014),
}
GRAVITY_M_S2 = 9.80665

# ----------------------------------------------------------------------------- jumps


@dataclass(frozen=True, slots=True)
class JumpParams:
    """Defaults of the jump detector (times in s, accelerations in g).

    Attributes:
        smooth_s: moving-average width applied to ‖a‖ (domain §1.5: ≤ 20-30 ms so
            the landing peak survives; markgewhite smooths likewise).
        flight_g: free-fall threshold; the *mean* ‖a‖ over a flight must lie below it
            (ProJump README: flight = ‖a‖ < 0.5 g).
        flight_hyst_g: a flight is a run of ‖a‖ below this value. Tuning note: on a hip
            IMU ‖a‖ in flight hovers 0.2-0.7 g (body rotation), so a strict 0.5 g run
            missed ~10% of labelled USC-HAD jumps; 0.7 g with the 0.5 g mean keeps them.
        flight_min_s / flight_max_s: accepted flight duration (domain §1.1: 0.12 s ≈ 2 cm
            skipping jump; 0.8 s rejects drops and sensor-off events).
        flight_vertical_max_g: mean vertical specific force during flight, when the
            orientation can be estimated. In free fall it is 0 g; feet still loaded
            (countermovement dip, stair step) give ≥ 0.3 g. Tuning note: the USC-HAD
            annotator rejected low phases with a gravity-axis offset ≥ +0.27 g.
        landing_min_g: landing floor, the peak within `landing_window_s` after the
            flight (domain §1.5 item 3: 1.5-2 g; 1.5 g keeps soft final hops).
        landing_window_s: the landing peak must follow the flight within this (§1.5: 150 ms).
        refractory_s: minimum time between two landings (§1.1: 0.25 s).
        merge_s: impacts within this of the landing peak belong to the same landing
            (heel-toe double bounce, §1.5 item 5: 100 ms).
        context_half_s: half-width of the window for the horizontal/vertical ratio and
            the gravity direction, s (one jump cycle either side).
        bout_half_s: candidates within this of a landing form its bout; the bout medians
            decide jump vs running stride (about four cycles either side).
        bout_flight_min_s / stride_min_g: a bout whose median flight is shorter than
            `bout_flight_min_s` and whose median landing peak is below `stride_min_g` is
            stepping (stairs), not jumping. Tuning note: USC-HAD per-trial median flight:
            jumping 0.20-0.38 s, running 0.10-0.18 s, stairs ≤ 0.16 s, walking ≤ 0.14 s;
            landing peaks: running median 3.9 g, stairs 2.3 g.
        bout_hv_max: a bout whose median horizontal/vertical dynamic-acceleration RMS
            ratio is below this stays in place: a running cadence alone does not make it
            running (continuous rebound hopping has a running-like cadence), only with
            left/right alternation (`alternation_max`). Tuning note: USC-HAD per-trial
            medians: jumping 0.22-0.56, running 0.47-0.96, stairs ≥ 0.44; SisFall: an
            older adult's slow jog 0.36, fast stairs 0.34-0.45.
        run_step_s: range of one running step period, s: running cadence 143-240
            steps/min (domain §1.1: running ≥ 150 steps/min; USC-HAD running
            0.28-0.42 s per step). Continuous two-footed hopping has its cycle here too
            but not the left/right alternation; `bout_hv_max` catches it first.
        run_cadence_r_min: a bout whose median autocorrelation peak (of the smoothed
            ‖a‖ over ± `context_half_s`, at a lag in `run_step_s`) reaches this is
            running: its flights are strides. In two-footed jumping half a cycle later
            the body is in the opposite phase, so the autocorrelation has no peak there
            (counted as −1) or a negative one. Tuning note: USC-HAD candidates: running
            0.24-0.95 (5th percentile 0.33); short-flight jumps ≤ 0.40 (95th percentile
            0.16); every value in 0.0-0.25 gives the same counts; 0.15 is picked by
            leave-one-subject-out (`bench/accuracy.py --loso`).
        flight_gap_max_s: runs below the flight threshold closer than this are one
            flight (a brief rise from body rotation). A ground contact cannot be this
            short: contact lasts ≥ 0.08-0.1 s even in sprinting [B]. Tuning note: USC-HAD
            counts are the same for 0.04-0.10 s; 0.05 s is picked by leave-one-subject-out.
        alternation_max: a rhythmic bout (running cadence) with little horizontal motion
            is still running (jogging on the spot, a slow jog, fast stairs) when its median
            left/right alternation (`jumps._alternation`) is below this. Bipedal gait
            sways the pelvis toward the stance foot each step; two-footed hopping repeats
            itself. Tuning note (`bench/bench_jump_cv.py`): rhythmic hopping bouts on USC-HAD
            and SisFall D19 −0.13-0; SisFall slow jogs −0.44 to −0.66, fast stairs −0.13 to
            −0.55; −0.1 is the best of −0.3/−0.2/−0.1 on all 29 people (8 fewer false
            jumps on stairs than −0.2, 3 fewer matched hops) and in most LOSO folds.
        gait_step_max_s: longest step period of a jog, s (120 steps/min). A slow jog
            that falls below the running cadence (`run_step_s`, SisFall SA10's jog ends
            at 0.44 s per step) is still running when it alternates left and right
            (`alternation_max`); two-footed hopping at this period does not alternate.
        rhythm_bout_min: that slower rhythm needs this many candidates in the bout (a
            lone jump's window has autocorrelation peaks too, but no rhythm).
        moving_flight_min_s / passing_bout_max: a bout of at most `passing_bout_max`
            candidates that moves horizontally (median h/v ≥ `bout_hv_max`) without a
            running rhythm and whose median flight is shorter than this is a hop in
            passing (a fast stair step, a stumble), not a jump: a flight of 0.18 s is a
            4 cm rise of the centre of mass (h = g·t²/8). Tuning
            note: labelled jumps' 5th-percentile flight 0.19 s (USC-HAD), SisFall D19 0.18
            s; isolated false flights in stairs, walking and stumbles 0.12-0.18 s, in
            bouts of 1-3 (3 chosen over 1, 2, 4 by `bench/bench_jump_cv.py`). Continuous
            forward hopping (longer bouts) keeps short flights.
        single_landing_min_g: a lone candidate (no other within `bout_half_s`) must land
            at least this hard. Sitting down quickly onto a chair lands 1.6-2.3 g at the
            waist (SisFall D08/D10); lone labelled jumps land ≥ 2.8 g (SisFall D19, 0.5th
            percentile of all labelled landings 2.5 g).
        push_min_g / seated_tilt_min_deg: a lone candidate without push-off (highest ‖a‖
            in the 0.4 s before take-off below `push_min_g`) after which the trunk's
            gravity direction has turned by `seated_tilt_min_deg` or more is a drop onto
            a seat (collapsing into a chair), not a drop landing: a drop jump leaves the
            person standing as before. Tuning note: SisFall collapse (D11) and quick
            sits (D10) push 1.0-1.2 g and turn 8-19°; labelled jumps push ≥ 2.2 g (5th
            percentile); USC-HAD and D19 lone jumps turn ≤ 10° (95th percentile).
    """

    smooth_s: float = 0.03
    flight_g: float = 0.5
    flight_hyst_g: float = 0.7
    flight_min_s: float = 0.12
    flight_max_s: float = 0.8
    flight_gap_max_s: float = 0.05
    flight_vertical_max_g: float = 0.25
    landing_min_g: float = 1.5
    landing_window_s: float = 0.15
    refractory_s: float = 0.25
    merge_s: float = 0.1
    context_half_s: float = 1.0
    bout_half_s: float = 2.0
    bout_flight_min_s: float = 0.2
    bout_hv_max: float = 0.4
    stride_min_g: float = 2.5
    run_step_s: tuple[float, float] = (0.25, 0.42)
    run_cadence_r_min: float = 0.15
    alternation_max: float = -0.1
    gait_step_max_s: float = 0.5
    rhythm_bout_min: int = 2
    moving_flight_min_s: float = 0.18
    passing_bout_max: int = 3
    single_landing_min_g: float = 2.5
    push_min_g: float = 1.5
    seated_tilt_min_deg: float = 10.0


#: The detector defaults as one shared instance.
DEFAULT_JUMP_PARAMS = JumpParams()

#: Sample rates the detectors are specified for, Hz (Polar H10: 25-200 Hz; Movesense
#: up to 416 Hz). Outside this range the inputs are rejected.
FS_RANGE_HZ = (25.0, 416.0)
