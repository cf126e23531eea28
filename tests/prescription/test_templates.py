"""Every number of the guideline tables is reproduced by its template.

Two independent checks:
1. an explicit table, transcribed by hand from reference/fitt-targets.md, of every
   template value (template, modality, key, min, max, "≥" wording, ranged cap);
2. a parser of reference/fitt-targets.md itself (and of seeds/003 for `conservative`):
   for every table cell, the numbers in the cell equal the numbers of the template
   values citing that cell, and every cited quote is the cell text verbatim.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rx_builders import rx_text

from osteomonitor.prescription import TEMPLATES, parse_prescription
from osteomonitor.prescription.fitt import ModalityRx, Target
from osteomonitor.prescription.sources import Source

# (template, modality, key, lo, hi, at_least, hi_from) — from fitt-targets.md.
EXPECTED_TARGETS: list[tuple[str, str, str, float | None, float | None, bool, float | None]] = [
    # KSBMR 2023, resistance: "≥ 2–3 days/week; 5–12 repetitions/set", "≥ 50% 1RM … 85% 1RM",
    # "2–5 sets per region", "≥ 3 major muscle groups"
    ("ksbmr-2023", "resistance", "days_per_week", 2, 3, True, None),
    ("ksbmr-2023", "resistance", "reps_per_set", 5, 12, False, None),
    # the ramp's first phase (50–60 %; the ramp's dates are osteomonitor's choice)
    ("ksbmr-2023", "resistance", "pct_1rm", 50, 60, False, None),
    ("ksbmr-2023", "resistance", "sets_per_exercise", 2, 5, False, None),
    ("ksbmr-2023", "resistance", "muscle_groups", 3, None, False, None),
    # impact: "≥ 2–3 days/week", "10–50 jumps/session", "≥ 6 months"
    ("ksbmr-2023", "impact", "days_per_week", 2, 3, True, None),
    ("ksbmr-2023", "impact", "jumps_per_session", 10, 50, False, None),
    ("ksbmr-2023", "impact", "program_months", 6, None, False, None),
    # balance: "≥ 1–3 days/week", "≥ 15 min/day"
    ("ksbmr-2023", "balance", "days_per_week", 1, 3, True, None),
    ("ksbmr-2023", "balance", "minutes_per_session", 15, None, False, None),
    # weight-bearing aerobic: "≥ 3 days/week", "RPE 11–14, 40–60% HRR, 3–6 METs", "≥ 20 min/day"
    ("ksbmr-2023", "aerobic", "days_per_week", 3, None, False, None),
    ("ksbmr-2023", "aerobic", "rpe_borg", 11, 14, False, None),
    ("ksbmr-2023", "aerobic", "hrr_pct", 40, 60, False, None),
    ("ksbmr-2023", "aerobic", "mets", 3, 6, False, None),
    ("ksbmr-2023", "aerobic", "minutes_per_session", 20, None, False, None),
    # physical activity: "≥ 2–5 days/week", "10–60 min/day", "≥ 6 months"
    ("ksbmr-2023", "activity", "days_per_week", 2, 5, True, None),
    ("ksbmr-2023", "activity", "minutes_per_session", 10, 60, False, None),
    ("ksbmr-2023", "activity", "program_months", 6, None, False, None),
    # ACSM aerobic: "4–5 days/week", "40–59% VO2R or HRR; CR-10 rating 3–4",
    # "begin with 20 min, progress to ≥ 30 min (max 45–60 min)"
    ("acsm-osteoporosis", "aerobic", "days_per_week", 4, 5, False, None),
    ("acsm-osteoporosis", "aerobic", "hrr_pct", 40, 59, False, None),
    ("acsm-osteoporosis", "aerobic", "cr10", 3, 4, False, None),
    ("acsm-osteoporosis", "aerobic", "minutes_per_session", 20, 60, False, 45),
    # ACSM resistance: "start 1–2 … days/week", "last 2 repetitions challenging",
    # "1 set of 8–12 reps", "≤ 8–10 exercises/session"
    ("acsm-osteoporosis", "resistance", "days_per_week", 1, 2, False, None),
    ("acsm-osteoporosis", "resistance", "challenging_last_reps", 2, 2, False, None),
    ("acsm-osteoporosis", "resistance", "reps_per_set", 8, 12, False, None),
    ("acsm-osteoporosis", "resistance", "sets_per_exercise", 1, 1, False, None),
    ("acsm-osteoporosis", "resistance", "exercises_per_session", None, 10, False, 8),
    # ACSM flexibility: "5–7 days/week", "hold 10–30 s, 2–4 repetitions each"
    ("acsm-osteoporosis", "flexibility", "days_per_week", 5, 7, False, None),
    ("acsm-osteoporosis", "flexibility", "hold_s", 10, 30, False, None),
    ("acsm-osteoporosis", "flexibility", "reps_per_stretch", 2, 4, False, None),
    # conservative (seeds/003): aerobic 3-5 times per week, strength 2-3 times per week
    ("conservative", "aerobic", "days_per_week", 3, 5, False, None),
    ("conservative", "resistance", "days_per_week", 2, 3, False, None),
]

# (template, modality, phase index, after_weeks or None for on_review, key, lo, hi, hi_from)
EXPECTED_PHASES = [
    # "progress to ≥ 30 min (max 45–60 min)": no week given → clinician review
    ("acsm-osteoporosis", "aerobic", 0, None, "minutes_per_session", 30, 60, 45),
    # "2 sets after ~2 weeks"
    ("acsm-osteoporosis", "resistance", 0, 2, "sets_per_exercise", 2, 2, None),
    # "progress to 2–3" (days/week): no week given → clinician review
    ("acsm-osteoporosis", "resistance", 1, None, "days_per_week", 2, 3, None),
    # KSBMR "starting at 50% and progressing to 85% 1RM": dated ramp (osteomonitor's dates)
    ("ksbmr-2023", "resistance", 0, 4, "pct_1rm", 60, 70, None),
    ("ksbmr-2023", "resistance", 1, 8, "pct_1rm", 70, 80, None),
    ("ksbmr-2023", "resistance", 2, 12, "pct_1rm", 80, 85, None),
    ("ksbmr-2023", "resistance", 3, 16, "pct_1rm", 85, 85, None),
]

EXPECTED_MODALITIES = {
    "ksbmr-2023": {"resistance", "impact", "balance", "aerobic", "activity"},
    "acsm-osteoporosis": {"aerobic", "resistance", "flexibility"},
    "conservative": {"aerobic", "resistance", "balance", "flexibility"},
}


@pytest.mark.parametrize(("tpl", "mod", "key", "lo", "hi", "at_least", "hi_from"), EXPECTED_TARGETS)
def test_template_value(
    tpl: str, mod: str, key: str, lo: float, hi: float, at_least: bool, hi_from: float
) -> None:
    t = TEMPLATES[tpl].modalities[mod].targets[key]
    assert (t.lo, t.hi, t.at_least, t.hi_from) == (lo, hi, at_least, hi_from)
    assert t.source.ref in (tpl, "ksbmr-ramp") and t.source.quote


def test_no_template_value_missing_from_the_expected_table() -> None:
    listed = {(t, m, k) for t, m, k, *_ in EXPECTED_TARGETS}
    actual = {
        (name, mod, key)
        for name, tpl in TEMPLATES.items()
        for mod, m in tpl.modalities.items()
        for key in m.targets
    }
    assert actual == listed


@pytest.mark.parametrize(
    ("tpl", "mod", "i", "after", "key", "lo", "hi", "hi_from"), EXPECTED_PHASES
)
def test_template_phase(
    tpl: str, mod: str, i: int, after: int | None, key: str, lo: float, hi: float, hi_from: float
) -> None:
    ph = TEMPLATES[tpl].modalities[mod].phases[i]
    assert ph.after_weeks == after and ph.on_review == (after is None)
    t = ph.targets[key]
    assert (t.lo, t.hi, t.hi_from) == (lo, hi, hi_from)


def test_template_modalities() -> None:
    assert {k: set(t.modalities) for k, t in TEMPLATES.items()} == EXPECTED_MODALITIES
    assert TEMPLATES["acsm-osteoporosis"].modalities["resistance"].non_consecutive_days
    assert TEMPLATES["conservative"].impact_ceiling is not None
    assert TEMPLATES["conservative"].impact_ceiling[0] == "brisk-walk"


# ------------------------------------------------------- against the reference file

_STRIP = re.compile(r"1RM|VO2R|CR-10")
_NUM = re.compile(r"\d+(?:\.\d+)?")


def numbers(text: str) -> set[float]:
    """Numbers stated in a guideline cell (unit names like 1RM, VO2R, CR-10 removed)."""
    return {float(x) for x in _NUM.findall(_STRIP.sub(" ", text))}


def md_table(md: str, heading: str) -> dict[tuple[str, str], str]:
    """The first markdown table after `heading`: (row label, column header) → cell."""
    after = md.split(heading, 1)[1]
    lines = [ln for ln in after.splitlines() if ln.startswith("|")]
    block: list[str] = []
    for ln in after.splitlines():
        if ln.startswith("|"):
            block.append(ln)
        elif block:
            break
    assert block and lines
    header = [c.strip() for c in block[0].strip("|").split("|")]
    cells: dict[tuple[str, str], str] = {}
    for ln in block[2:]:
        row = [c.strip() for c in ln.strip("|").split("|")]
        for col, text in zip(header[1:], row[1:], strict=True):
            cells[(row[0], col)] = text
    return cells


def cited_values(m: ModalityRx) -> list[tuple[Source, tuple[float, ...]]]:
    """(source, numbers) for every value of a template modality that cites a source."""
    out: list[tuple[Source, tuple[float, ...]]] = []

    def add(t: Target) -> None:
        out.append((t.source, t.numbers()))

    for t in m.targets.values():
        add(t)
    for ph in m.phases:
        if ph.after_weeks is not None and ph.source.ref != "ksbmr-ramp":  # ramp dates: ours
            out.append((ph.source, (float(ph.after_weeks),)))
        for t in ph.targets.values():
            add(t)
    for src in (m.types_source, m.intensity_source):
        if src is not None:
            out.append((src, ()))
    return out


@pytest.fixture(scope="module")
def fitt_md(shared_dir: Path) -> str:
    return (shared_dir / "reference" / "fitt-targets.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("tpl", "heading"),
    [
        ("ksbmr-2023", "## Template `ksbmr-2023`"),
        ("acsm-osteoporosis", "## Template `acsm-osteoporosis`"),
    ],
)
def test_every_number_of_the_reference_table_is_in_its_template(
    fitt_md: str, tpl: str, heading: str
) -> None:
    cells = md_table(fitt_md, heading)
    cited: dict[tuple[str, str], set[float]] = {}
    ramp: dict[tuple[str, str], list[float]] = {}
    for m in TEMPLATES[tpl].modalities.values():
        for src, nums in cited_values(m):
            if src.ref == "ksbmr-ramp":  # the ramp's steps are ours; its ends are the cell's
                assert src.quote == cells[(src.row, src.column)]
                ramp.setdefault((src.row, src.column), []).extend(nums)
                continue
            assert src.ref == tpl
            key = (src.row, src.column)
            assert key in cells, f"{tpl} cites a cell that is not in the table: {key}"
            assert src.quote == cells[key], f"quote of {key} differs from the table"
            cited.setdefault(key, set()).update(nums)
    for key, nums_ in ramp.items():
        cited.setdefault(key, set()).update({min(nums_), max(nums_)})
    for key, text in cells.items():
        if key[1] == "Evidence":
            continue
        assert cited.get(key, set()) == numbers(text), f"{tpl} {key}: {text!r}"
    # evidence levels are kept too
    if tpl == "ksbmr-2023":
        rows = {
            "Resistance training": "resistance",
            "Impact exercise": "impact",
            "Balance training": "balance",
            "Weight-bearing aerobic": "aerobic",
            "Physical activity": "activity",
        }
        for row, mod in rows.items():
            assert TEMPLATES[tpl].modalities[mod].evidence == cells[(row, "Evidence")]


def test_conservative_template_quotes_the_seed(shared_dir: Path, fitt_md: str) -> None:
    seed = next((shared_dir / "seeds").glob("003_*.txt")).read_text(encoding="utf-8")
    flat = " ".join(seed.split())
    by_quote: dict[str, set[float]] = {}
    for m in TEMPLATES["conservative"].modalities.values():
        for src, nums in cited_values(m):
            assert src.ref == "conservative"
            assert " ".join(src.quote.split()) in flat, src.quote
            by_quote.setdefault(src.quote, set()).update(nums)
    for quote, quoted in by_quote.items():
        assert quoted <= numbers(quote)
    # the figures fitt-targets.md attributes to the seed
    assert "low-impact cardio 3–5×/week, strength 2–3×/week" in " ".join(fitt_md.split())
    days = {
        m: TEMPLATES["conservative"].modalities[m].targets["days_per_week"]
        for m in ("aerobic", "resistance")
    }
    assert (days["aerobic"].lo, days["aerobic"].hi) == (3, 5)
    assert (days["resistance"].lo, days["resistance"].hi) == (2, 3)


@pytest.mark.parametrize("tpl", sorted(TEMPLATES))
def test_drafted_file_reproduces_the_template_and_its_citations(tpl: str) -> None:
    text = rx_text(tpl)
    rx = parse_prescription(text, "p07.toml")
    for mod, m in TEMPLATES[tpl].modalities.items():
        got = rx.modalities[mod]
        for key, t in m.targets.items():
            assert got.targets[key].same_numbers(t)
            assert got.targets[key].source == t.source  # cited from the template again
            assert f"# {t.source.cite()}" in text  # and the comment says so
        assert [(p.after_weeks, p.on_review) for p in got.phases] == [
            (p.after_weeks, p.on_review) for p in m.phases
        ]
        assert got.types == m.types
