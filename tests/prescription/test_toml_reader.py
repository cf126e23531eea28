"""Bad prescriptions are rejected with the file, the key and the reason; nothing is defaulted."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rx_builders import make_rx, rx_text

from osteomonitor.errors import OsteomonitorError, PrescriptionError
from osteomonitor.prescription import PrescriptionFileError, load_prescription, parse_prescription
from osteomonitor.prescription.toml_patient import PATIENT_REQUIRED as _PATIENT_KEYS


def set_line(key: str, line: str) -> Callable[[str], str]:
    """Replace the first line assigning `key` (a bare key) with `line` ("" deletes it)."""

    def f(text: str) -> str:
        pat = re.compile(rf"^{re.escape(key)} = .*$\n?", re.M)
        assert pat.search(text), key
        return pat.sub(line + "\n" if line else "", text, count=1)

    return f


def after(header: str, extra: str) -> Callable[[str], str]:
    """Insert `extra` lines right after the table header `header`."""

    def f(text: str) -> str:
        assert header in text
        return text.replace(header + "\n", f"{header}\n{extra}\n", 1)

    return f


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + "\n" + extra + "\n"


PHASES_OK = "[[impact.phases]]\nafter_weeks = 4\njumps_per_session = { min = 20, max = 50 }\n"

# (case, base template, patient overrides, mutation, key, reason fragment)
BAD: list[tuple[str, str, dict[str, object], Callable[[str], str], str, str]] = [
    (
        "unknown key",
        "ksbmr-2023",
        {},
        after("[impact]", "jump_per_session = 20"),
        "impact.jump_per_session",
        "unknown key",
    ),
    (
        "unknown table",
        "ksbmr-2023",
        {},
        append("[impactt]\ndays_per_week = 2"),
        "impactt",
        "unknown key",
    ),
    (
        "unknown patient key",
        "ksbmr-2023",
        {},
        after("[patient]", 'name = "Jane"'),
        "patient.name",
        "unknown key",
    ),
    (
        "wrong type: string for int",
        "ksbmr-2023",
        {},
        set_line("age_y", 'age_y = "67"'),
        "patient.age_y",
        "expected a whole number, got a string ('67')",
    ),
    (
        "wrong type: bool for int",
        "ksbmr-2023",
        {},
        set_line("age_y", "age_y = true"),
        "patient.age_y",
        "expected a whole number",
    ),
    (
        "wrong type: fraction of a day",
        "ksbmr-2023",
        {},
        set_line("days_per_week", "days_per_week = 2.5"),
        "impact.days_per_week",
        "expected a whole number",
    ),
    (
        "wrong type: list for string",
        "ksbmr-2023",
        {},
        set_line("timezone", "timezone = [1]"),
        "patient.timezone",
        "expected a string",
    ),
    (
        "age 250",
        "ksbmr-2023",
        {},
        set_line("age_y", "age_y = 250"),
        "patient.age_y",
        "250 is outside 18–110",
    ),
    ("age 17", "ksbmr-2023", {}, set_line("age_y", "age_y = 17"), "patient.age_y", "outside"),
    (
        "body mass 400 kg",
        "ksbmr-2023",
        {},
        set_line("body_mass_kg", "body_mass_kg = 400"),
        "patient.body_mass_kg",
        "outside 25–300 kg",
    ),
    (
        "resting HR above HRmax",
        "ksbmr-2023",
        {"hrmax_bpm": 100.0},
        set_line(
            "resting_hr", 'resting_hr = { bpm = 110, method = "seated-5min", date = 2025-02-24 }'
        ),
        "patient.resting_hr.bpm",
        "resting HR 110 bpm is not below HRmax 100 bpm",
    ),
    (
        "resting HR implausible",
        "ksbmr-2023",
        {},
        set_line(
            "resting_hr", 'resting_hr = { bpm = 15, method = "seated-5min", date = 2025-02-24 }'
        ),
        "patient.resting_hr.bpm",
        "outside 30–120 bpm",
    ),
    (
        "resting HR method unknown",
        "ksbmr-2023",
        {},
        set_line("resting_hr", 'resting_hr = { bpm = 60, method = "guess", date = 2025-02-24 }'),
        "patient.resting_hr.method",
        "'guess' is not one of",
    ),
    (
        "resting HR date missing",
        "ksbmr-2023",
        {},
        set_line("resting_hr", 'resting_hr = { bpm = 60, method = "seated-5min" }'),
        "patient.resting_hr.date",
        "required key missing",
    ),
    (
        "measured HRmax without date",
        "ksbmr-2023",
        {},
        set_line("hrmax", 'hrmax = { method = "measured", bpm = 158 }'),
        "patient.hrmax.date",
        "required for a measured HRmax",
    ),
    (
        "bpm with a predicted HRmax",
        "ksbmr-2023",
        {},
        set_line("hrmax", 'hrmax = { method = "tanaka", bpm = 158 }'),
        "patient.hrmax.bpm",
        'only for method = "measured"',
    ),
    (
        "bad time zone",
        "ksbmr-2023",
        {},
        set_line("timezone", 'timezone = "Mars/Olympus"'),
        "patient.timezone",
        "not an IANA time zone",
    ),
    (
        "real-name-like pseudonym",
        "ksbmr-2023",
        {},
        set_line("pseudonym", 'pseudonym = "Jane Doe"'),
        "patient.pseudonym",
        "never a real name",
    ),
    (
        "fracture risk unknown",
        "ksbmr-2023",
        {},
        set_line("fracture_risk", 'fracture_risk = "severe"'),
        "patient.fracture_risk",
        "'severe' is not one of low, moderate, high",
    ),
    (
        "missing start date",
        "ksbmr-2023",
        {},
        set_line("start_date", ""),
        "start_date",
        "required key missing",
    ),
    (
        "wrong format",
        "ksbmr-2023",
        {},
        set_line("format", 'format = "osteomonitor-prescription/9"'),
        "format",
        "this osteomonitor reads only that version",
    ),
    (
        "unknown template",
        "ksbmr-2023",
        {},
        set_line("template", 'template = "who-2020"'),
        "template",
        "'who-2020' is not one of",
    ),
    (
        "min above max",
        "ksbmr-2023",
        {},
        set_line("jumps_per_session", "jumps_per_session = { min = 60, max = 50 }"),
        "impact.jumps_per_session",
        "min 60 is above max 50",
    ),
    (
        "target key unknown inside",
        "ksbmr-2023",
        {},
        set_line("jumps_per_session", "jumps_per_session = { least = 10 }"),
        "impact.jumps_per_session.least",
        "unknown key",
    ),
    (
        "second phase out of range",
        "ksbmr-2023",
        {},
        append(PHASES_OK + "\n[[impact.phases]]\nafter_weeks = 8\njumps_per_session = 600"),
        "impact.phases[1].jumps_per_session",
        "600 is outside 1–500 jumps",
    ),
    (
        "phases not in order",
        "ksbmr-2023",
        {},
        append(PHASES_OK + "\n[[impact.phases]]\nafter_weeks = 4\njumps_per_session = 40"),
        "impact.phases[1].after_weeks",
        "must be later than the previous phase (4)",
    ),
    (
        "phase with both timings",
        "ksbmr-2023",
        {},
        append("[[impact.phases]]\nafter_weeks = 4\non_review = true\njumps_per_session = 40"),
        "impact.phases[0]",
        "exactly one of after_weeks",
    ),
    (
        "phase changing nothing",
        "ksbmr-2023",
        {},
        append("[[impact.phases]]\nafter_weeks = 4"),
        "impact.phases[0]",
        "changes nothing",
    ),
    (
        "HR ceiling both ways",
        "ksbmr-2023",
        {},
        set_line("hr_ceiling", "hr_ceiling = { bpm = 130, pct_hrr = 70 }"),
        "safety.hr_ceiling",
        "exactly one of bpm",
    ),
    (
        "HR ceiling above HRmax",
        "ksbmr-2023",
        {},
        set_line("hr_ceiling", "hr_ceiling = { bpm = 170 }"),
        "safety.hr_ceiling.bpm",
        "not above HRmax 158 bpm",
    ),
    (
        "HR ceiling missing",
        "ksbmr-2023",
        {},
        set_line("hr_ceiling", ""),
        "safety.hr_ceiling",
        "required key missing",
    ),
    (
        "eyes closed at high risk",
        "conservative",
        {"fracture_risk": "high"},
        after("[safety]", "eyes_closed_balance = true"),
        "safety.eyes_closed_balance",
        "not for this patient (high fracture risk",
    ),
    (
        "spinal flexion allowed with vertebral fracture",
        "conservative",
        {"prior_vertebral_fracture": True},
        after("[safety]", "avoid_spinal_flexion = false"),
        "safety.avoid_spinal_flexion",
        "cannot be false",
    ),
    (
        "override without reason",
        "ksbmr-2023",
        {},
        after("[safety]", 'impact_ceiling = { mode = "none", reason = " " }'),
        "safety.impact_ceiling.reason",
        "say why",
    ),
    (
        "jumps under a brisk-walk ceiling",
        "ksbmr-2023",
        {},
        after(
            "[safety]", 'impact_ceiling = { mode = "brisk-walk", reason = "vertebral fracture" }'
        ),
        "impact",
        "jumps are prescribed but the impact ceiling is brisk-walk",
    ),
    (
        "1RM from a maximal test",
        "ksbmr-2023",
        {},
        append(
            '[[resistance.exercises]]\nname = "squat"\ntest_load_kg = 50\ntest_reps = 1\n'
            'equation = "epley"\ntest_date = 2025-02-24'
        ),
        "resistance.exercises[0].test_reps",
        "1 is a maximal test",
    ),
    (
        "1RM equation unknown",
        "ksbmr-2023",
        {},
        append(
            '[[resistance.exercises]]\nname = "squat"\ntest_load_kg = 50\ntest_reps = 8\n'
            'equation = "lander"\ntest_date = 2025-02-24'
        ),
        "resistance.exercises[0].equation",
        "'lander' is not one of epley, brzycki",
    ),
    (
        "exercise missing a field",
        "ksbmr-2023",
        {},
        append(
            '[[resistance.exercises]]\nname = "squat"\ntest_load_kg = 50\ntest_reps = 8\n'
            'equation = "epley"'
        ),
        "resistance.exercises[0].test_date",
        "required key missing",
    ),
]


@pytest.mark.parametrize(
    ("case", "tpl", "overrides", "mutate", "key", "reason"), BAD, ids=[b[0] for b in BAD]
)
def test_bad_prescription_is_rejected_with_file_key_and_reason(
    case: str,
    tpl: str,
    overrides: dict[str, Any],
    mutate: Callable[[str], str],
    key: str,
    reason: str,
) -> None:
    text = mutate(rx_text(tpl, **overrides))
    with pytest.raises(PrescriptionFileError) as err:
        parse_prescription(text, "p07.toml")
    problems = err.value.problems
    assert any(p.key == key and reason in p.reason for p in problems), problems
    assert all(p.file == "p07.toml" for p in problems)
    assert f"p07.toml: {key}: " in str(err.value)


def test_body_mass_is_optional() -> None:
    """Only GRF estimates use the mass, and no clinician decides it (issue 16)."""
    rx = parse_prescription(set_line("body_mass_kg", "")(rx_text()), "p07.toml")
    assert rx.patient.body_mass_kg is None
    from osteomonitor.prescription import analysis_params

    assert analysis_params(rx).body_mass_kg is None


@pytest.mark.parametrize("key", _PATIENT_KEYS)
def test_every_patient_field_is_required(key: str) -> None:
    text = set_line(key, "")(rx_text())
    with pytest.raises(PrescriptionFileError) as err:
        parse_prescription(text, "p07.toml")
    assert [(p.key, p.reason) for p in err.value.problems] == [
        (f"patient.{key}", "required key missing")
    ]


def test_all_problems_are_reported_together() -> None:
    text = set_line("age_y", "age_y = 250")(rx_text())
    text = set_line("timezone", 'timezone = "Nowhere"')(text)
    text = after("[impact]", "colour = 1")(text)
    with pytest.raises(PrescriptionFileError) as err:
        parse_prescription(text, "p07.toml")
    keys = {p.key for p in err.value.problems}
    assert {"patient.age_y", "patient.timezone", "impact.colour"} <= keys


def test_not_toml_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PrescriptionError, match=r"p\.toml: not valid TOML"):
        parse_prescription("age = = 3", "p.toml")
    with pytest.raises(PrescriptionError, match="cannot read the prescription"):
        load_prescription(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("pseudonym = 'J\xf6rg'".encode("latin-1"))
    with pytest.raises(PrescriptionError, match="not a UTF-8 text file"):
        load_prescription(bad)


def test_no_modality_is_an_error() -> None:
    text = rx_text()
    head = text.split("\n[impact]")[0]
    with pytest.raises(PrescriptionFileError, match="no modality is prescribed"):
        parse_prescription(head, "p07.toml")


def test_file_round_trip_and_derived_values(tmp_path: Path) -> None:
    path = tmp_path / "p07.toml"
    path.write_text(rx_text(), encoding="utf-8")
    rx = load_prescription(path)
    assert rx.origin == str(path)
    p = rx.patient
    assert (p.pseudonym, p.age_y, p.hrmax_bpm, p.resting_hr_bpm) == ("P07", 67, 158.0, 62.0)
    # 75 %HRR by Karvonen: 62 + 0.75 · (158 − 62) = 134 bpm
    assert rx.safety.hr_ceiling_bpm == pytest.approx(134.0)
    assert rx.safety.impact.mode == "moderate"  # derived from moderate fracture risk
    assert rx.safety.eyes_closed_balance is True
    assert rx.safety.avoid_spinal_flexion is False


def test_predicted_hrmax_uses_the_analysis_equation() -> None:
    text = set_line("hrmax", 'hrmax = { method = "tanaka" }')(rx_text())
    rx = parse_prescription(text, "p07.toml")
    # Tanaka 2001: 208 − 0.7 · 67 = 161.1 bpm
    assert rx.patient.hrmax_bpm == pytest.approx(161.1)
    assert rx.patient.hrmax_method == "tanaka" and rx.patient.hrmax_date is None


def test_hr_medication_needs_a_bpm_ceiling_or_a_measured_hrmax() -> None:
    text = set_line("hrmax", 'hrmax = { method = "gellish" }')(
        rx_text(hr_modulating_medication=True)
    )
    with pytest.raises(PrescriptionFileError) as err:
        parse_prescription(text, "p07.toml")
    assert err.value.problems[0].key == "safety.hr_ceiling.pct_hrr"
    ok = set_line("hr_ceiling", "hr_ceiling = { bpm = 125 }")(text)  # the band tops at 121
    rx = parse_prescription(ok, "p07.toml")
    assert not rx.patient.hr_trusted and rx.safety.hr_ceiling_bpm == 125


def test_edited_value_is_cited_as_the_file() -> None:
    text = set_line("jumps_per_session", "jumps_per_session = { min = 10, max = 40 }")(rx_text())
    rx = parse_prescription(text, "p07.toml")
    t = rx.modalities["impact"].targets["jumps_per_session"]
    assert t.source.ref == "file" and t.source.cite() == "prescription file p07.toml"
    days = rx.modalities["impact"].targets["days_per_week"]
    assert days.source.ref == "ksbmr-2023"


def test_phases_apply_from_their_week() -> None:
    extra = (
        "\n[[impact.phases]]\nafter_weeks = 2\njumps_per_session = { min = 20, max = 50 }\n"
        "\n[[impact.phases]]\nafter_weeks = 6\njumps_per_session = 50\n"
        "\n[[impact.phases]]\non_review = true\ndays_per_week = 4\n"
    )
    rx = make_rx(extra=extra)
    m = rx.modalities["impact"]
    got = {w: m.active(w)[0]["jumps_per_session"].numbers() for w in (1, 2, 3, 7, 30)}
    assert got == {1: (10, 50), 2: (10, 50), 3: (20, 50), 7: (50, 50), 30: (50, 50)}
    assert m.active(30)[0]["days_per_week"].lo == 2  # on_review never starts by itself
    assert [m.phase_index(w) for w in (1, 3, 7)] == [0, 1, 2]


def test_high_risk_conservative_file_derives_the_strict_limits() -> None:
    rx = make_rx("conservative", fracture_risk="high", prior_vertebral_fracture=True)
    s = rx.safety
    assert s.impact.mode == "brisk-walk" and not s.impact.flight_allowed
    assert s.impact.peak_g == 2.5
    assert s.eyes_closed_balance is False and s.avoid_spinal_flexion is True


def test_prescription_errors_are_osteomonitor_errors() -> None:
    assert issubclass(PrescriptionFileError, OsteomonitorError)
