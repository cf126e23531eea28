"""Patient records on disk: facts read strictly, dated prescriptions, the one in force,
owner-only files, and bad files reported without being lost (issue 16 item 2)."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from osteomonitor.app.prescribing import DraftRequest, draft
from osteomonitor.errors import PatientError
from osteomonitor.patients import PatientFacts, PatientRecords, facts_toml, parse_facts

FACTS = PatientFacts(
    pseudonym="P07",
    age_y=67,
    fracture_risk="moderate",
    prior_vertebral_fracture=False,
    hr_modulating_medication=False,
    resting_hr_bpm=62.0,
    resting_hr_method="seated-5min",
    resting_hr_date=dt.date(2025, 2, 24),
    sex="female",
    body_mass_kg=64.0,
    timezone="Europe/Helsinki",
    notes='likes "cycling"\nand walking',
)


def _rx_text(
    pseudonym: str = "P07", start: dt.date = dt.date(2025, 3, 3), ceiling: str = "75%hrr"
) -> str:
    req = DraftRequest(
        pseudonym,
        67,
        "moderate",
        False,
        False,
        62.0,
        timezone="Europe/Helsinki",
        start_date=start,
        hr_ceiling=ceiling,
        resting_hr_date=dt.date(2025, 2, 24),
    )
    return draft(req).text


def test_facts_round_trip() -> None:
    assert parse_facts(facts_toml(FACTS), "p") == FACTS
    minimal = PatientFacts("P08", 70, "high", True, True, 58.0, "supine-5min", dt.date(2025, 1, 2))
    assert parse_facts(facts_toml(minimal), "p") == minimal


@pytest.mark.parametrize(
    ("edit", "key", "reason"),
    [
        (("age_y = 67", "age_y = 250"), "age_y", "outside 18–110"),
        (("age_y = 67", "age_y = 67\nweight = 3"), "weight", "unknown key"),
        (('fracture_risk = "moderate"', 'fracture_risk = "severe"'), "fracture_risk", "'severe'"),
        (("date = 2025-02-24", "date = 2999-01-01"), "resting_hr.date", "in the future"),
        (('sex = "female"', 'sex = "f"'), "sex", "not one of female, male, other"),
    ],
)
def test_bad_facts_name_file_key_and_what_to_do(
    edit: tuple[str, str], key: str, reason: str
) -> None:
    text = facts_toml(FACTS)
    assert edit[0] in text
    with pytest.raises(PatientError) as err:
        parse_facts(text.replace(edit[0], edit[1]), "/x/P07/patient.toml")
    msg = str(err.value)
    assert f"/x/P07/patient.toml: {key}: " in msg and reason in msg
    assert "fix the file by hand" in msg


def test_records_are_private_and_never_overwritten(tmp_path: Path) -> None:
    recs = PatientRecords(tmp_path / "patients")
    path = recs.create(FACTS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "patients").stat().st_mode) == 0o700
    before = path.read_bytes()
    with pytest.raises(PatientError, match="already exists"):
        recs.create(FACTS)
    with pytest.raises(PatientError, match="P07 already exists"):
        recs.create(
            PatientFacts("p07", 60, "low", False, False, 60.0, "nocturnal", dt.date(2025, 1, 1))
        )
    assert path.read_bytes() == before
    assert recs.pseudonyms() == ["P07"]
    assert recs.read_facts("P07") == FACTS


def test_prescription_in_force_by_date(tmp_path: Path) -> None:
    recs = PatientRecords(tmp_path)
    recs.create(FACTS)
    first = recs.add_prescription("P07", _rx_text(ceiling="75%hrr"), dt.date(2025, 3, 3))
    second = recs.add_prescription("P07", _rx_text(ceiling="70%hrr"), dt.date(2025, 4, 14))
    same_day = recs.add_prescription("P07", _rx_text(ceiling="65%hrr"), dt.date(2025, 4, 14))
    assert [p.name for p in (first, second, same_day)] == [
        "2025-03-03.toml",
        "2025-04-14.toml",
        "2025-04-14-2.toml",
    ]
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert recs.in_force("P07", dt.date(2025, 3, 2)) is None
    e = recs.in_force("P07", dt.date(2025, 4, 13))
    assert e is not None and e.path == first and e.prescription is not None
    assert e.prescription.safety.hr_ceiling_pct_hrr == 75
    e = recs.in_force("P07", dt.date(2026, 1, 1))
    assert e is not None and e.path == same_day
    assert e.prescription is not None and e.prescription.safety.hr_ceiling_pct_hrr == 65


def test_a_prescription_for_someone_else_is_refused(tmp_path: Path) -> None:
    recs = PatientRecords(tmp_path)
    recs.create(FACTS)
    with pytest.raises(PatientError, match="for 'P09', not 'P07'"):
        recs.add_prescription("P07", _rx_text("P09"), dt.date(2025, 3, 3))
    assert recs.history("P07") == ([], [])


def test_a_damaged_prescription_is_named_and_kept(tmp_path: Path) -> None:
    recs = PatientRecords(tmp_path)
    recs.create(FACTS)
    old = recs.add_prescription("P07", _rx_text(), dt.date(2025, 3, 3))
    bad = recs.add_prescription("P07", _rx_text(), dt.date(2025, 5, 1))
    bad.write_text(bad.read_text().replace("age_y = 67", "age_y = 250"))
    (bad.parent / "notes.txt").write_text("stray")
    history, strays = recs.history("P07")
    assert [e.path for e in history] == [old, bad]
    assert history[1].prescription is None and "patient.age_y" in (history[1].problem or "")
    assert [s.name for s in strays] == ["notes.txt"]
    assert recs.in_force("P07", dt.date(2025, 4, 1)) is not None  # the older one is fine
    with pytest.raises(PatientError) as err:
        recs.in_force("P07", dt.date(2025, 6, 1))  # never falls back to the older one
    assert str(bad) in str(err.value) and "prescription check" in str(err.value)
    assert bad.exists()


def test_unknown_patient_says_how_to_add_one(tmp_path: Path) -> None:
    recs = PatientRecords(tmp_path)
    with pytest.raises(PatientError, match="osteomonitor patient add P07"):
        recs.read_facts("P07")
    with pytest.raises(PatientError, match="not a pseudonym"):
        recs.read_facts("Jane Doe")


def test_facts_are_never_written_through_a_link(tmp_path: Path) -> None:
    recs = PatientRecords(tmp_path / "patients")
    path = recs.create(FACTS)
    target = tmp_path / "elsewhere.toml"
    target.write_text(path.read_text())
    path.unlink()
    path.symlink_to(target)
    with pytest.raises(PatientError, match="symbolic link"):
        recs.save_facts(FACTS)
    assert target.read_text() == facts_toml(FACTS)
    assert [p.name for p in path.parent.iterdir()] == ["patient.toml"]  # no temporary left


def test_unreadable_facts_say_what_to_do(tmp_path: Path) -> None:
    recs = PatientRecords(tmp_path)
    path = recs.create(FACTS)
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(PatientError, match="nothing was changed"):
        recs.read_facts("P07")
    assert path.read_bytes() == b"\xff\xfe not utf-8"
