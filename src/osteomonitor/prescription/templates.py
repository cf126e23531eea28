"""Built-in prescription templates: the guideline tables as data.

Each template reproduces one published source exactly: every number
carries a `Source` naming the table, row and column it came from and the cell text
verbatim, so `prescription new` can write the citation next to each value and the tests
can check every number against the reference tables.

- `ksbmr-2023`: KSBMR/KSEP position statement FITT table (J Bone Metab 2023;30:149).
- `acsm-osteoporosis`: ACSM FITT recommendations for individuals with osteoporosis.
- `conservative`: the patient-facing low-impact guidance of iSpine (2019, updated 2022).

Where a guideline says "gradually" or "may progress" without a week, the phase is
`on_review`: it starts only when the clinician gives it a week.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType

from osteomonitor.prescription.fitt import ModalityRx, Phase, Target
from osteomonitor.prescription.sources import REFERENCES, Source


@dataclass(frozen=True, slots=True)
class Template:
    """A guideline turned into prescription defaults.

    Attributes:
        name: template key.
        title: one-line description.
        modalities: the modalities the guideline prescribes.
        impact_ceiling: (mode, reason) the guideline itself imposes, or None when the
            ceiling follows from the patient's fracture risk.
        spinal: the guideline's own spinal restriction (minimise extreme forward bending
            and twisting) with its source, or None when it states none (the restriction
            then follows from the patient: prior vertebral fracture or high risk).
    """

    name: str
    title: str
    modalities: dict[str, ModalityRx] = field(default_factory=dict)
    impact_ceiling: tuple[str, str] | None = None
    spinal: Source | None = None

    @property
    def spinal_text(self) -> str | None:
        """The template's own spinal restriction with its citation, or None."""
        if self.spinal is None:
            return None
        return f"{self.spinal.cite()} ({REFERENCES[self.spinal.ref]})"

    @property
    def reference(self) -> str:
        """Full citation of the guideline."""
        return REFERENCES[self.name]


# --------------------------------------------------------------------- ksbmr-2023
_K = "ksbmr-2023"
_K_RES, _K_IMP, _K_BAL = "Resistance training", "Impact exercise", "Balance training"
_K_AER, _K_PA = "Weight-bearing aerobic", "Physical activity"
_FREQ, _INT, _TIME, _TYPE = "Frequency", "Intensity", "Time / volume", "Type"

_k_res_f = Source(_K, _K_RES, _FREQ, "≥ 2–3 days/week; 5–12 repetitions/set")
_k_res_i = Source(_K, _K_RES, _INT, "≥ 50% 1RM, starting at 50% and progressing to 85% 1RM")
_k_res_t = Source(_K, _K_RES, _TIME, "2–5 sets per region")
#: The KSBMR intensity ramp as dated phases: (after programme week, min %1RM, max %1RM).
#: KSBMR states the ends ("starting at 50% and progressing to 85% 1RM") and 2–3
#: days/week for 3–12 months, not the schedule: 10 %1RM steps every 4 weeks reaching
#: 85 % in programme week 17 (about 4 months) are osteomonitor's choice ("ksbmr-ramp");
#: the clinician edits `after_weeks` in the file.
KSBMR_RAMP: tuple[tuple[int, float, float], ...] = (
    (4, 60, 70),
    (8, 70, 80),
    (12, 80, 85),
    (16, 85, 85),
)
_k_ramp = Source(
    "ksbmr-ramp", _K_RES, _INT, "≥ 50% 1RM, starting at 50% and progressing to 85% 1RM"
)
_k_res_ty = Source(_K, _K_RES, _TYPE, "free weights and machines, ≥ 3 major muscle groups")
_k_imp_f = Source(_K, _K_IMP, _FREQ, "≥ 2–3 days/week")
_k_imp_t = Source(_K, _K_IMP, _TIME, "10–50 jumps/session")
_k_imp_ty = Source(
    _K, _K_IMP, _TYPE, "jump drop, jumping chin-ups with drop landings, jump rope; ≥ 6 months"
)
_k_bal_f = Source(_K, _K_BAL, _FREQ, "≥ 1–3 days/week")
_k_bal_t = Source(_K, _K_BAL, _TIME, "≥ 15 min/day")
_k_bal_ty = Source(_K, _K_BAL, _TYPE, "dynamic and static balance")
_k_aer_f = Source(_K, _K_AER, _FREQ, "≥ 3 days/week")
_k_aer_i = Source(_K, _K_AER, _INT, "RPE 11–14, 40–60% HRR, 3–6 METs")
_k_aer_t = Source(_K, _K_AER, _TIME, "≥ 20 min/day")
_k_aer_ty = Source(_K, _K_AER, _TYPE, "walking, cycling, stepping, climbing, stair climbing")
_k_pa_f = Source(_K, _K_PA, _FREQ, "≥ 2–5 days/week")
_k_pa_t = Source(_K, _K_PA, _TIME, "10–60 min/day")
_k_pa_ty = Source(
    _K, _K_PA, _TYPE, "Tai Chi, dynamic flamingo, line dance, foot stamps; ≥ 6 months"
)

KSBMR_2023 = Template(
    name=_K,
    title="KSBMR/KSEP 2023 position statement: resistance, impact, balance, aerobic, activity",
    modalities={
        "resistance": ModalityRx(
            "resistance",
            targets={
                "days_per_week": Target(2, 3, at_least=True, source=_k_res_f, kind="minimum"),
                "pct_1rm": Target(50, 60, source=_k_ramp, kind="range"),
                "reps_per_set": Target(5, 12, source=_k_res_f, kind="range"),
                "sets_per_exercise": Target(2, 5, source=_k_res_t, kind="range"),
                "muscle_groups": Target(3, None, source=_k_res_ty, kind="minimum"),
            },
            phases=tuple(
                Phase(
                    after,
                    {"pct_1rm": Target(lo, hi, source=_k_ramp, kind="range")},
                    note=f"intensity ramp: {lo:g}–{hi:g} % 1RM from programme week {after + 1}",
                    source=_k_ramp,
                )
                for after, lo, hi in KSBMR_RAMP
            ),
            types=("free weights", "machines"),
            types_source=_k_res_ty,
            evidence="I / A",
        ),
        "impact": ModalityRx(
            "impact",
            targets={
                "days_per_week": Target(2, 3, at_least=True, source=_k_imp_f, kind="minimum"),
                "jumps_per_session": Target(10, 50, source=_k_imp_t, kind="range"),
                "program_months": Target(6, None, source=_k_imp_ty, kind="minimum"),
            },
            types=("jump drop", "jumping chin-ups with drop landings", "jump rope"),
            types_source=_k_imp_ty,
            evidence="I / A",
        ),
        "balance": ModalityRx(
            "balance",
            targets={
                "days_per_week": Target(1, 3, at_least=True, source=_k_bal_f, kind="minimum"),
                "minutes_per_session": Target(15, None, source=_k_bal_t, kind="minimum"),
            },
            types=("dynamic balance", "static balance"),
            types_source=_k_bal_ty,
            evidence="II / B",
        ),
        "aerobic": ModalityRx(
            "aerobic",
            targets={
                "days_per_week": Target(3, None, source=_k_aer_f, kind="minimum"),
                "hrr_pct": Target(40, 60, source=_k_aer_i, kind="range"),
                "rpe_borg": Target(11, 14, source=_k_aer_i, kind="range"),
                "mets": Target(3, 6, source=_k_aer_i, kind="range"),
                "minutes_per_session": Target(20, None, source=_k_aer_t, kind="minimum"),
            },
            types=("walking", "cycling", "stepping", "climbing", "stair climbing"),
            types_source=_k_aer_ty,
            evidence="II / B",
        ),
        "activity": ModalityRx(
            "activity",
            targets={
                "days_per_week": Target(2, 5, at_least=True, source=_k_pa_f, kind="minimum"),
                "minutes_per_session": Target(10, 60, source=_k_pa_t, kind="range"),
                "program_months": Target(6, None, source=_k_pa_ty, kind="minimum"),
            },
            types=("Tai Chi", "dynamic flamingo", "line dance", "foot stamps"),
            types_source=_k_pa_ty,
            evidence="II / B",
        ),
    },
)

# --------------------------------------------------------------- acsm-osteoporosis
_A = "acsm-osteoporosis"
_A_AER, _A_RES, _A_FLX = "Aerobic", "Resistance", "Flexibility"
_A_F, _A_I, _A_T, _A_TY = "Frequency", "Intensity", "Time", "Type"

_a_aer_f = Source(_A, _A_F, _A_AER, "4–5 days/week")
_a_aer_i = Source(_A, _A_I, _A_AER, "moderate: 40–59% VO2R or HRR; CR-10 rating 3–4")
_a_aer_t = Source(_A, _A_T, _A_AER, "begin with 20 min, progress to ≥ 30 min (max 45–60 min)")
_a_aer_ty = Source(
    _A,
    _A_TY,
    _A_AER,
    "walking, cycling, other; weight-bearing preferred; impact loading (jumping, bench "
    "stepping) only at low or moderate fracture risk",
)
_a_res_f = Source(_A, _A_F, _A_RES, "start 1–2 non-consecutive days/week, progress to 2–3")
_a_res_i = Source(
    _A,
    _A_I,
    _A_RES,
    "last 2 repetitions challenging; high-intensity / high-velocity for those who tolerate it",
)
_a_res_t = Source(
    _A,
    _A_T,
    _A_RES,
    "begin with 1 set of 8–12 reps; 2 sets after ~2 weeks; ≤ 8–10 exercises/session",
)
_a_res_ty = Source(
    _A, _A_TY, _A_RES, "standard equipment with instruction; compound movements best"
)
_a_flx_f = Source(_A, _A_F, _A_FLX, "5–7 days/week")
_a_flx_i = Source(_A, _A_I, _A_FLX, "stretch to tightness or slight discomfort")
_a_flx_t = Source(_A, _A_T, _A_FLX, "hold 10–30 s, 2–4 repetitions each")
_a_flx_ty = Source(_A, _A_TY, _A_FLX, "static stretching of all major joints")

ACSM_OSTEOPOROSIS = Template(
    name=_A,
    title="ACSM FITT recommendations for individuals with osteoporosis: aerobic, "
    "resistance, flexibility",
    modalities={
        "aerobic": ModalityRx(
            "aerobic",
            targets={
                "days_per_week": Target(4, 5, source=_a_aer_f, kind="range"),
                "hrr_pct": Target(40, 59, source=_a_aer_i, kind="range"),
                "cr10": Target(3, 4, source=_a_aer_i, kind="range"),
                "minutes_per_session": Target(20, 60, hi_from=45, source=_a_aer_t, kind="cap"),
            },
            phases=(
                Phase(
                    None,
                    {
                        "minutes_per_session": Target(
                            30, 60, hi_from=45, source=_a_aer_t, kind="cap"
                        )
                    },
                    on_review=True,
                    note="progress gradually to ≥ 30 min",
                    source=_a_aer_t,
                ),
            ),
            types=("walking", "cycling", "other"),
            types_source=_a_aer_ty,
            notes="weight-bearing preferred; impact loading (jumping, bench stepping) only "
            "at low or moderate fracture risk",
        ),
        "resistance": ModalityRx(
            "resistance",
            targets={
                "days_per_week": Target(1, 2, source=_a_res_f, kind="range"),
                "challenging_last_reps": Target(2, 2, source=_a_res_i, kind="range"),
                "reps_per_set": Target(8, 12, source=_a_res_t, kind="range"),
                "sets_per_exercise": Target(1, 1, source=_a_res_t, kind="range"),
                "exercises_per_session": Target(None, 10, hi_from=8, source=_a_res_t, kind="cap"),
            },
            phases=(
                Phase(
                    2,
                    {"sets_per_exercise": Target(2, 2, source=_a_res_t, kind="range")},
                    note="2 sets after about 2 weeks",
                    source=_a_res_t,
                ),
                Phase(
                    None,
                    {"days_per_week": Target(2, 3, source=_a_res_f, kind="range")},
                    on_review=True,
                    note="may progress to 2–3 days/week",
                    source=_a_res_f,
                ),
            ),
            non_consecutive_days=True,
            types=("standard equipment with instruction", "compound movements"),
            types_source=_a_res_ty,
            intensity_text="last 2 repetitions challenging; high-intensity / high-velocity "
            "for those who tolerate it",
            intensity_source=_a_res_i,
        ),
        "flexibility": ModalityRx(
            "flexibility",
            targets={
                "days_per_week": Target(5, 7, source=_a_flx_f, kind="range"),
                "hold_s": Target(10, 30, source=_a_flx_t, kind="range"),
                "reps_per_stretch": Target(2, 4, source=_a_flx_t, kind="range"),
            },
            types=("static stretching of all major joints",),
            types_source=_a_flx_ty,
            intensity_text="stretch to tightness or slight discomfort",
            intensity_source=_a_flx_i,
        ),
    },
)

# -------------------------------------------------------------------- conservative
_C = "conservative"
_c_aer_f = Source(_C, "Aerobic", _FREQ, "Aerobic exercise is recommended 3-5 times per week.")
_c_aer_ty = Source(
    _C,
    "Aerobic",
    _TYPE,
    "Low-impact cardiovascular exercises such as walking, low-impact aerobics, elliptical "
    "trainers or stair step machines are usually recommended over high impact exercise such "
    "as jogging, jumping rope, high impact aerobics and tennis.",
)
_C_STRENGTH = (
    "Strength exercises utilizing your own body weight, hand weights, weight machines or "
    "resistance bands are recommended 2-3 times per week working to strengthen all muscle "
    "groups"
)
_c_res = Source(_C, "Strength", _FREQ, _C_STRENGTH)
_c_res_ty = Source(_C, "Strength", _TYPE, _C_STRENGTH)
_c_bal = Source(
    _C,
    "Balance",
    _TYPE,
    "Simple balance exercises like standing on one foot or movement based exercises like tai "
    "chi are good options",
)
_c_flx = Source(
    _C,
    "Mobility",
    _TYPE,
    "Mobility exercises like stretching or yoga can help to keep your muscles and joints feel "
    "more limber. Minimizing extreme positions of forward bending and twisting is recommended",
)

CONSERVATIVE = Template(
    name=_C,
    title="Patient-facing low-impact guidance (iSpine, 2019/2022): low-impact cardio, strength, "
    "balance, mobility; no jumping",
    modalities={
        "aerobic": ModalityRx(
            "aerobic",
            targets={"days_per_week": Target(3, 5, source=_c_aer_f, kind="range")},
            types=("walking", "low-impact aerobics", "elliptical trainers", "stair step machines"),
            types_source=_c_aer_ty,
            notes="start slowly and gradually increase time and intensity",
        ),
        "resistance": ModalityRx(
            "resistance",
            targets={"days_per_week": Target(2, 3, source=_c_res, kind="range")},
            types=("own body weight", "hand weights", "weight machines", "resistance bands"),
            types_source=_c_res_ty,
            notes="strengthen all muscle groups",
        ),
        "balance": ModalityRx(
            "balance",
            targets={},
            types=("standing on one foot", "tai chi"),
            types_source=_c_bal,
        ),
        "flexibility": ModalityRx(
            "flexibility",
            targets={},
            types=("stretching", "yoga"),
            types_source=_c_flx,
            notes="minimise extreme positions of forward bending and twisting",
        ),
    },
    impact_ceiling=("brisk-walk", _c_aer_ty.quote),
    spinal=_c_flx,
)


def _frozen(t: Template) -> Template:
    """The template with read-only target mappings (templates are shared constants)."""
    mods = {
        k: replace(
            m,
            targets=MappingProxyType(dict(m.targets)),
            phases=tuple(replace(p, targets=MappingProxyType(dict(p.targets))) for p in m.phases),
        )
        for k, m in t.modalities.items()
    }
    return replace(t, modalities=mods)


#: Templates by name.
TEMPLATES: dict[str, Template] = {
    t.name: _frozen(t) for t in (KSBMR_2023, ACSM_OSTEOPOROSIS, CONSERVATIVE)
}

#: The HR ceiling `prescription new` proposes when the clinician gives none, %HRR, with
#: the guideline cell it comes from: the top of the template's moderate aerobic range, so
#: the ceiling alert speaks when the patient leaves the prescribed band upwards. The
#: conservative template states no intensity and takes KSBMR's. Not a default for a
#: patient on HR-modulating medication with a predicted HRmax: %HRR is not reliable then
#: (the clinician gives a ceiling in bpm from a test on medication).
DEFAULT_HR_CEILING_PCT_HRR: dict[str, tuple[float, Source]] = {
    "ksbmr-2023": (60.0, _k_aer_i),
    "acsm-osteoporosis": (59.0, _a_aer_i),
    "conservative": (60.0, _k_aer_i),
}
