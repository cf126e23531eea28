"""The prescription as data: a frozen dataclass tree (patient, modalities, phases, safety).

A `Prescription` holds one patient's FITT targets per modality (impact, weight-bearing
aerobic, resistance, balance, physical activity, flexibility). Each numeric target is a
`Target` range keyed by a name from `TARGET_SPECS`; phases override targets from a
programme week on. Parsing and validation live in `toml_reader`, emission in
`toml_writer`, the guideline tables in `templates`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from osteomonitor.analysis.params import AnalysisParams
from osteomonitor.prescription.sources import Source
from osteomonitor.prescription.targets import (
    MODALITY_LABELS,
    TARGET_KINDS,
    TARGET_SPECS,
    Element,
    FractureRisk,
    Modality,
    Target,
    TargetKind,
    TargetSpec,
    derived_kind,
    spec_for,
)

__all__ = [
    "EFFORT_SCALES",
    "MODALITY_LABELS",
    "TARGET_KINDS",
    "TARGET_SPECS",
    "EffortTarget",
    "Element",
    "ExerciseLoad",
    "FractureRisk",
    "ImpactCeiling",
    "Modality",
    "ModalityRx",
    "Patient",
    "Phase",
    "Prescription",
    "Safety",
    "Target",
    "TargetKind",
    "TargetSpec",
    "analysis_params",
    "derived_kind",
    "spec_for",
]


@dataclass(frozen=True, slots=True)
class Phase:
    """Targets that replace the base targets from a programme week on.

    Attributes:
        after_weeks: the phase starts after this many programme weeks (week after_weeks+1);
            None when the phase waits for the clinician's review (`on_review`).
        on_review: the progression happens when the clinician decides (the guideline
            says "gradually" or "may progress"); it never starts by itself.
        targets: keys it overrides.
        non_consecutive_days: override of the modality's flag, or None.
        note: free text.
        source: where the progression rule came from.
    """

    after_weeks: int | None
    targets: Mapping[str, Target]
    on_review: bool = False
    non_consecutive_days: bool | None = None
    note: str = ""
    source: Source = field(default=Source("file"), compare=False)


@dataclass(frozen=True, slots=True)
class ExerciseLoad:
    """A resistance exercise whose 1RM is estimated from a submaximal test set.

    Attributes:
        name: exercise name as the patient marks it (e.g. "squat").
        test_load_kg / test_reps: the submaximal set, kg and repetitions to fatigue.
        equation: "epley" or "brzycki".
        test_date: when the set was done.
        one_rm_kg: the estimate, kg.
    """

    name: str
    test_load_kg: float
    test_reps: int
    equation: str
    test_date: dt.date
    one_rm_kg: float


@dataclass(frozen=True, slots=True)
class ModalityRx:
    """One modality's prescription.

    Attributes:
        modality: `Modality` value.
        targets: base numeric targets (programme week 1).
        phases: later phases in order.
        non_consecutive_days: training days must not follow each other.
        types: exercise types (free text), with `types_source`.
        intensity_text: qualitative intensity ("stretch to slight discomfort"), with source.
        evidence: guideline evidence level / grade, e.g. "I / A".
        exercises: resistance exercises with estimated 1RM.
        notes: free text for the patient and physio.
    """

    modality: str
    targets: Mapping[str, Target]
    phases: tuple[Phase, ...] = ()
    non_consecutive_days: bool = False
    types: tuple[str, ...] = ()
    types_source: Source | None = None
    intensity_text: str = ""
    intensity_source: Source | None = None
    evidence: str = ""
    exercises: tuple[ExerciseLoad, ...] = ()
    notes: str = ""

    def active(self, week: int) -> tuple[dict[str, Target], bool]:
        """Targets and the non-consecutive flag in force in programme week `week` (1-based)."""
        targets = dict(self.targets)
        non_consecutive = self.non_consecutive_days
        for ph in self.phases:
            if ph.on_review or ph.after_weeks is None or week <= ph.after_weeks:
                continue
            targets.update(ph.targets)
            if ph.non_consecutive_days is not None:
                non_consecutive = ph.non_consecutive_days
        return targets, non_consecutive

    def phase_index(self, week: int) -> int:
        """0 for the base phase, else 1 + index of the last week-based phase started."""
        idx = 0
        for i, ph in enumerate(self.phases):
            if not ph.on_review and ph.after_weeks is not None and week > ph.after_weeks:
                idx = i + 1
        return idx

    def phase_words(self, week: int) -> str:
        """The progression step in force in programme week `week`, in words: "programme
        phase 1 of 2: the starting targets; the next from programme week 9", or "one
        phase: the same targets for the whole programme"."""
        total = 1 + len(self.phases)
        if total == 1:
            return "one phase: the same targets for the whole programme"
        idx = self.phase_index(week)
        if idx == 0:
            now = "the starting targets"
        else:
            started = self.phases[idx - 1].after_weeks
            now = f"targets progressed in programme week {(started or 0) + 1}"
        text = f"programme phase {idx + 1} of {total}: {now}"
        if idx < len(self.phases):
            nxt = self.phases[idx]
            if nxt.on_review or nxt.after_weeks is None:
                text += "; the next when the clinician reviews progress"
            else:
                text += f"; the next from programme week {nxt.after_weeks + 1}"
        return text

    def exercise(self, name: str) -> ExerciseLoad | None:
        """The exercise with this name (case-insensitive), or None."""
        for ex in self.exercises:
            if ex.name.casefold() == name.casefold():
                return ex
        return None


@dataclass(frozen=True, slots=True)
class Patient:
    """The patient, by pseudonym only.

    Attributes:
        pseudonym: never a real name.
        age_y: years. body_mass_kg: kg, or None when not given (only ground-reaction-force
            estimates need it). timezone: IANA zone name.
        fracture_risk: `FractureRisk` value.
        prior_vertebral_fracture / hr_modulating_medication: clinical flags.
        resting_hr_bpm / resting_hr_method / resting_hr_date: HRrest and how it was taken.
        hrmax_bpm: HRmax in use, bpm; hrmax_method: "measured" or the prediction equation;
        hrmax_date: date of the measurement (None for predictions).
    """

    pseudonym: str
    age_y: int
    body_mass_kg: float | None
    timezone: str
    fracture_risk: str
    prior_vertebral_fracture: bool
    hr_modulating_medication: bool
    resting_hr_bpm: float
    resting_hr_method: str
    resting_hr_date: dt.date
    hrmax_bpm: float
    hrmax_method: str
    hrmax_date: dt.date | None = None

    @property
    def hr_trusted(self) -> bool:
        """False when HR-modulating medication is taken and HRmax is only predicted.

        Then %HRR is shown for information and RPE is the intensity criterion
        (Eston & Thompson, BJSM 1997;31:114).
        """
        return not (self.hr_modulating_medication and self.hrmax_method != "measured")

    @property
    def hrmax_text(self) -> str:
        """HRmax as written: "182 bpm (measured 2026-03-02)" or "163.4 bpm (tanaka equation)"."""
        if self.hrmax_method == "measured":
            return f"{self.hrmax_bpm:.0f} bpm (measured {self.hrmax_date})"
        return f"{self.hrmax_bpm:.1f} bpm ({self.hrmax_method} equation)"


@dataclass(frozen=True, slots=True)
class ImpactCeiling:
    """The highest impact the patient may take.

    Attributes:
        mode: "none", "moderate" or "brisk-walk" (`limits.IMPACT_CEILINGS`).
        peak_g: highest landing/impact peak allowed, g (chest- or hip-equivalent), or None.
        flight_allowed: False forbids any flight phase (jumps, hops).
        source: citation of the rule that set it.
        override_reason: the clinician's reason when the mode was set by hand, else "".
    """

    mode: str
    peak_g: float | None
    flight_allowed: bool
    source: str
    override_reason: str = ""

    @property
    def text(self) -> str:
        """The ceiling as written: "none" or "moderate: peaks ≤ 4 g, no flight phases"."""
        if self.peak_g is None:
            return self.mode
        flight = "flight phases allowed" if self.flight_allowed else "no flight phases"
        return f"{self.mode}: peaks ≤ {self.peak_g:g} g, {flight}"


@dataclass(frozen=True, slots=True)
class Safety:
    """Safety limits in force.

    Attributes:
        impact: the impact ceiling.
        hr_ceiling_bpm: HR above which an alert is raised, bpm.
        eyes_closed_balance: eyes-closed balance tasks allowed; with its source.
        avoid_spinal_flexion: avoid loaded/extreme spinal flexion and twisting.
        hr_ceiling_pct_hrr: the ceiling as given in %HRR, None when given in bpm.
    """

    impact: ImpactCeiling
    hr_ceiling_bpm: float
    eyes_closed_balance: bool
    eyes_closed_source: str
    avoid_spinal_flexion: bool
    spinal_source: str
    hr_ceiling_pct_hrr: float | None = None

    @property
    def hr_ceiling_text(self) -> str:
        """The ceiling as written: "138 bpm (75 %HRR)" or "140 bpm"."""
        bpm = f"{self.hr_ceiling_bpm:.0f} bpm"
        if self.hr_ceiling_pct_hrr is None:
            return bpm
        return f"{bpm} ({self.hr_ceiling_pct_hrr:g} %HRR)"


#: Effort scales an RPE event may carry (`{"rpe": value, "scale": …}`), with their
#: valid values: Borg 6-20 (Borg 1982) and Borg CR-10 (0-10; ACSM's "CR-10 rating 3–4").
#: An event without "scale" is Borg 6-20 (recordings made before the CR-10 dialog).
EFFORT_SCALES: dict[str, tuple[float, float, str]] = {
    "borg6-20": (6.0, 20.0, "RPE (Borg 6-20)"),
    "cr10": (0.0, 10.0, "effort (Borg CR-10)"),
}


@dataclass(frozen=True, slots=True)
class EffortTarget:
    """The effort scale a prescription judges aerobic intensity on.

    Attributes:
        scale: "borg6-20" or "cr10" (a key of `EFFORT_SCALES`).
        key: the aerobic target key ("rpe_borg" or "cr10").
        target: the prescribed range on that scale.
    """

    scale: str
    key: str
    target: Target


@dataclass(frozen=True, slots=True)
class Prescription:
    """One patient's exercise prescription.

    Attributes:
        patient: who it is for.
        start_date: first day of programme week 1 (patient's local date).
        modalities: prescribed modalities by `Modality` value; absent = not prescribed.
        safety: limits in force.
        template: the built-in template it started from, or None.
        origin: file name it was read from ("" when built in memory).
        warnings: what the reader changed or doubts (e.g. a recording's snapshot whose
            %HRR band rose above its HR ceiling: the band was cut at the ceiling).
    """

    patient: Patient
    start_date: dt.date
    modalities: Mapping[str, ModalityRx]
    safety: Safety
    template: str | None = None
    origin: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def effort(self) -> EffortTarget | None:
        """The effort scale the aerobic prescription uses and its target, or None.

        CR-10 when the aerobic targets give `cr10` (ACSM), else Borg 6-20 when they give
        `rpe_borg` (KSBMR); RPE events on the other scale are not converted.
        """
        aer = self.modalities.get("aerobic")
        if aer is None:
            return None
        for key, scale in (("cr10", "cr10"), ("rpe_borg", "borg6-20")):
            t = aer.targets.get(key)
            if t is not None:
                return EffortTarget(scale, key, t)
        return None

    def week_of(self, day: dt.date) -> int:
        """Programme week (1-based) of a local date; 0 or less before the start."""
        return (day - self.start_date).days // 7 + 1

    def week_start(self, week: int) -> dt.date:
        """First local date of programme week `week`."""
        return self.start_date + dt.timedelta(days=7 * (week - 1))


def analysis_params(rx: Prescription) -> AnalysisParams:
    """The `analysis.params.AnalysisParams` a prescription implies.

    HRrest and HRmax with their methods, body mass, the aerobic %HRR band (when the
    prescription sets one; an open band "≥ 40" ends at 100) and the RPE-first flag
    (HR-modulating medication with a predicted HRmax).
    """
    p = rx.patient
    params = AnalysisParams(
        hrrest_bpm=p.resting_hr_bpm,
        hrrest_method=p.resting_hr_method,
        hrmax_bpm=p.hrmax_bpm,
        hrmax_method=p.hrmax_method,
        rpe_first=not p.hr_trusted,
        body_mass_kg=p.body_mass_kg,
    )
    aerobic = rx.modalities.get("aerobic")
    band = aerobic.targets.get("hrr_pct") if aerobic is not None else None
    if band is not None and band.lo is not None:
        params = replace(params, target_pct=(band.lo, band.hi if band.hi is not None else 100.0))
    return params
