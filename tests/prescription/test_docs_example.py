"""The example in docs/prescription.md is a valid prescription and means what it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from osteomonitor.prescription import parse_prescription
from osteomonitor.prescription.fitt import TARGET_SPECS

DOC = Path(__file__).resolve().parents[2] / "docs" / "prescription.md"


def example() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Example", 1)[1]
    found = re.search(r"```toml\n(.*?)```", section, re.S)
    assert found is not None, f"no TOML block under '## Example' in {DOC}"
    return found.group(1)


def test_docs_example_parses_and_progresses() -> None:
    rx = parse_prescription(example(), "docs/prescription.md")
    # Tanaka: 208 − 0.7·67 = 161.1; ceiling 62 + 0.75·99.1 = 136.3 bpm
    assert rx.patient.hrmax_bpm == pytest.approx(161.1)
    assert rx.safety.hr_ceiling_bpm == pytest.approx(136.3, abs=0.05)
    imp = rx.modalities["impact"]
    assert [imp.active(w)[0]["jumps_per_session"].lo for w in (1, 4, 5, 12, 13)] == [
        10,
        10,
        20,
        20,
        50,
    ]
    assert rx.modalities["aerobic"].active(5)[0]["minutes_per_session"].lo == 30
    assert rx.modalities["resistance"].active(3)[0]["sets_per_exercise"].lo == 3
    assert rx.modalities["resistance"].exercises[0].one_rm_kg == pytest.approx(40 * (1 + 8 / 30))


def test_docs_list_every_target_key() -> None:
    text = DOC.read_text(encoding="utf-8")
    for specs in TARGET_SPECS.values():
        for spec in specs:
            assert f"`{spec.key}`" in text, spec.key
