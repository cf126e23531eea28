"""docs/prescription.md states every template target: its kind, evidence and source."""

from __future__ import annotations

from pathlib import Path

from osteomonitor.prescription import TEMPLATES

DOC = Path(__file__).resolve().parents[2] / "docs" / "prescription.md"


def test_every_template_target_is_in_the_doc_with_its_kind_and_source() -> None:
    rows = [
        [c.strip() for c in line.strip("|").split("|")]
        for line in DOC.read_text(encoding="utf-8")
        .split("## Every template target", 1)[1]
        .split("## How sessions", 1)[0]
        .splitlines()
        if line.startswith("| `")
    ]
    documented = {(r[0].strip("`"), r[1], r[2].split("`")[1], r[4], r[6]) for r in rows}
    expected = set()
    for name, tpl in TEMPLATES.items():
        for mod, m in tpl.modalities.items():
            targets = list(m.targets.items()) + [kv for ph in m.phases for kv in ph.targets.items()]
            for key, t in targets:
                expected.add((name, mod, key, t.kind, t.source.cite().replace("|", "\\|")))
    assert expected == documented
    assert all(r[5] for r in rows)  # every row says what judges it
