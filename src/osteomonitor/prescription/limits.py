"""Named limits of the prescription layer, each with its source.

Validation ranges for patient values, the impact-ceiling table, the rules that derive
safety limits from fracture risk, and the thresholds compliance uses to call data
usable. Nothing here is a bare literal inside an algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from osteomonitor.analysis.thresholds import OSTEOGENIC_PEAK_G
from osteomonitor.errors import PrescriptionError
from osteomonitor.prescription.fitt import FractureRisk, ImpactCeiling
from osteomonitor.prescription.sources import REFERENCES


@dataclass(frozen=True, slots=True)
class Bound:
    """An accepted range for a value in a prescription file, inclusive.

    Attributes:
        lo / hi: limits in `unit`.
        unit: printed unit.
        why: the reason, printed in the error message.
    """

    lo: float
    hi: float
    unit: str
    why: str


#: Accepted ranges of patient values.
PATIENT_BOUNDS: dict[str, Bound] = {
    "age_y": Bound(18, 110, "years", "adults; the HRmax equations were fitted on adults"),
    "body_mass_kg": Bound(25, 300, "kg", "plausible adult body mass"),
    "resting_hr.bpm": Bound(30, 120, "bpm", "plausible resting heart rate"),
    "hrmax.bpm": Bound(
        80, 220, "bpm", "plausible measured HRmax (within the HR plausibility range, 30-220 bpm)"
    ),
    "hr_ceiling.bpm": Bound(60, 220, "bpm", "plausible exercise heart rate"),
    "hr_ceiling.pct_hrr": Bound(30, 100, "%HRR", "an HR ceiling below 30 %HRR is rest"),
    "test_load_kg": Bound(0.5, 400, "kg", "plausible training load"),
}

#: HRmax prediction equations accepted in `patient.hrmax.method` (domain.md §3.1);
#: "measured" needs `bpm` and `date`.
HRMAX_METHODS: tuple[str, ...] = ("measured", "tanaka", "gellish", "fox")

#: How resting HR was taken (domain.md §3.2).
RESTING_HR_METHODS: tuple[str, ...] = (
    "supine-5min",
    "seated-5min",
    "morning-average",
    "nocturnal",
    "wearable-average",
    "session-rest-segment",
)

#: Impact ceilings (sources in each entry). Peaks are chest- or hip-equivalent g.
IMPACT_CEILINGS: dict[str, ImpactCeiling] = {
    "none": ImpactCeiling(
        "none",
        None,
        True,
        "low fracture risk: impact loading (jumping, bench stepping) allowed "
        f"({REFERENCES['acsm-osteoporosis']}, Type × Aerobic)",
    ),
    "moderate": ImpactCeiling(
        "moderate",
        5.4,
        True,
        "moderate fracture risk: impact loading allowed (ACSM) but peaks in the highest "
        "Vainionpää band (≥ 5.4 g, Osteoporos Int 2006;17:455) are flagged; osteomonitor "
        "design choice [B], to be tuned",
    ),
    "brisk-walk": ImpactCeiling(
        "brisk-walk",
        2.5,
        False,
        f"impact only up to brisk walking ({REFERENCES['uk-consensus-2022']}); no flight "
        f"phase and peaks ≤ 2.5 g ({REFERENCES['domain-2.5']})",
    ),
}

#: Ceiling derived from fracture risk when the physio does not override it.
CEILING_BY_RISK: dict[str, str] = {
    FractureRisk.LOW: "none",
    FractureRisk.MODERATE: "moderate",
    FractureRisk.HIGH: "brisk-walk",
}


def restriction_reason(risk: str, prior_vertebral_fracture: bool) -> str:
    """Why this patient is restricted, in words that fit the patient ("" when not).

    "high fracture risk", "prior vertebral fracture", or both; never a reason the
    patient does not have.
    """
    why = []
    if risk == FractureRisk.HIGH:
        why.append("high fracture risk")
    if prior_vertebral_fracture:
        why.append("prior vertebral fracture")
    return " and ".join(why)


def derive_impact_ceiling(risk: str, prior_vertebral_fracture: bool) -> ImpactCeiling:
    """The ceiling the guidance implies for this risk (vertebral fracture → brisk-walk).

    The brisk-walk ceiling's source starts with this patient's reason.

    Raises:
        PrescriptionError: unknown risk category.
    """
    if risk not in CEILING_BY_RISK:
        raise PrescriptionError(f"fracture risk {risk!r} is not one of low, moderate, high")
    mode = "brisk-walk" if prior_vertebral_fracture else CEILING_BY_RISK[risk]
    c = IMPACT_CEILINGS[mode]
    if mode == "brisk-walk":
        return replace(
            c, source=f"{restriction_reason(risk, prior_vertebral_fracture)}: {c.source}"
        )
    return c


def eyes_closed_allowed(risk: str, prior_vertebral_fracture: bool = False) -> bool:
    """Eyes-closed balance tasks only at low or moderate fracture risk (ACSM), and not
    with a prior vertebral fracture (treated as high risk, as the impact ceiling does)."""
    return risk != FractureRisk.HIGH and not prior_vertebral_fracture


EYES_CLOSED_SOURCE = (
    "tasks with the eyes closed only for low or moderate (not high) fracture risk "
    f"({REFERENCES['acsm-special']})"
)
SPINAL_SOURCE = (
    "avoid excessive spinal twisting, bending or compression with prior vertebral "
    f"fracture or very low spinal BMD ({REFERENCES['acsm-special']})"
)


def eyes_closed_source(risk: str, prior_vertebral_fracture: bool) -> str:
    """The eyes-closed rule's source, led by this patient's reason when restricted."""
    why = restriction_reason(risk, prior_vertebral_fracture)
    if not why:
        return EYES_CLOSED_SOURCE
    extra = (
        "; a prior vertebral fracture is treated as high risk here, as for the impact "
        "ceiling (osteomonitor's choice [B])"
        if prior_vertebral_fracture
        else ""
    )
    return f"{why}: {EYES_CLOSED_SOURCE}{extra}"


def spinal_source(risk: str, prior_vertebral_fracture: bool) -> str:
    """The spinal restriction's source, led by this patient's reason ("" when none)."""
    if prior_vertebral_fracture:
        return f"prior vertebral fracture: {SPINAL_SOURCE}"
    if risk == FractureRisk.HIGH:
        return f"high fracture risk (taken as very low spinal BMD): {SPINAL_SOURCE}"
    return ""


@dataclass(frozen=True, slots=True)
class Threshold:
    """A number compliance compares against, with its source."""

    value: float
    unit: str
    source: str


#: Thresholds used to judge sessions.
THRESHOLDS: dict[str, Threshold] = {
    # Valid HR or accelerometer time ÷ session time below this: "indeterminate".
    "coverage_min": Threshold(0.8, "fraction", REFERENCES["domain-3.6"]),
    # Landing peaks counted as osteogenic in the evidence text.
    "osteogenic_peak_g": Threshold(OSTEOGENIC_PEAK_G, "g", REFERENCES["vainionpaa-2006"]),
    # HR above the ceiling for this long raises a live alert (one-beat spikes are
    # usually strap artefacts, domain.md §3.5); osteomonitor design choice.
    "hr_ceiling_sustain_s": Threshold(10.0, "s", "osteomonitor design choice [B]"),
    # HR must fall this far below the ceiling before a new HR alert can fire.
    "hr_ceiling_rearm_bpm": Threshold(5.0, "bpm", "osteomonitor design choice [B]"),
    # The same rule does not alert the patient again within this time (counts go on).
    "alert_repeat_s": Threshold(60.0, "s", "osteomonitor design choice [B]"),
    # A prescribed modality without a session for this long: lapse warning.
    "detraining_lapse_days": Threshold(14, "days", REFERENCES["lapse-choice"]),
    # Walking needed before METs are estimated from its cadence; osteomonitor's choice.
    "mets_min_walking_s": Threshold(60.0, "s", "osteomonitor's choice [B]"),
    # A 1RM estimate (test set or logged set) older than this prompts a re-test.
    "one_rm_retest_days": Threshold(84, "days", REFERENCES["retest-choice"]),
    # Logged sets this recent re-estimate the 1RM (older sets describe an older body).
    "one_rm_logged_window_days": Threshold(28, "days", REFERENCES["retest-choice"]),
}
