"""A prescription as text for a terminal: every line within 100 columns, long text wrapped.

`prescription show` prints it. Each modality lists its elements as "label  target", the
guideline cell each value comes from on the next line(s), phases and estimated 1RMs
after them; nothing is cut, long values and citations wrap under their column.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from osteomonitor.pseudonym import printable

if TYPE_CHECKING:
    from osteomonitor.prescription.fitt import Prescription

#: Columns the sheet never exceeds (issue 16: the old table was 230 columns wide).
WIDTH = 100
#: Width of the element column (labels like "minutes per session").
LABEL_W = 24
_INDENT = "  "


def _wrap(text: str, first: str, rest: str, width: int) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _element(label: str, value: str, source: str, width: int) -> list[str]:
    pad = _INDENT + " " * (LABEL_W + 2)
    head = _INDENT + label.ljust(LABEL_W) + "  "
    if len(head) > len(pad):  # a label longer than its column: value on the next line
        lines = _wrap(label, _INDENT, _INDENT, width)
        head = pad
    else:
        lines = []
    lines += _wrap(value, head, pad, width)
    if source:
        lines += _wrap(f"source: {source}", pad, pad + "  ", width)
    return lines


def prescription_sheet(rx: Prescription, width: int = WIDTH) -> str:
    """The prescription as wrapped text no wider than `width` columns."""
    # here, not at the top: report/__init__ imports this module whenever it is imported
    from osteomonitor.prescription.fitt import MODALITY_LABELS, TARGET_SPECS

    p, s = rx.patient, rx.safety
    hrmax = p.hrmax_text
    c = s.impact
    ceiling = c.text
    mass = "body mass not given" if p.body_mass_kg is None else f"{p.body_mass_kg:g} kg"
    head = [
        f"Prescription for {printable(p.pseudonym)} ({rx.template or 'hand-written'}), "
        f"programme week 1 from {rx.start_date}",
        f"File: {printable(rx.origin) or '–'}",
        f"Patient: {p.age_y} y, {mass}, {p.fracture_risk} fracture risk, "
        + ("prior vertebral fracture" if p.prior_vertebral_fracture else "no vertebral fracture")
        + ", "
        + ("HR-modulating medication" if p.hr_modulating_medication else "no HR medication")
        + f"; time zone {p.timezone}",
        f"Heart rate: rest {p.resting_hr_bpm:g} bpm ({p.resting_hr_method}, "
        f"{p.resting_hr_date}); HRmax {hrmax}"
        + ("" if p.hr_trusted else "; RPE-first (HR for information)"),
        f"Safety: HR ceiling {s.hr_ceiling_text}; impact ceiling {ceiling} ({c.source})",
        "Eyes-closed balance "
        + ("allowed" if s.eyes_closed_balance else "NOT allowed")
        + "; "
        + (
            f"avoid spinal flexion and twisting ({s.spinal_source})"
            if s.avoid_spinal_flexion
            else "no spinal restriction"
        ),
        f"Effort scale: {rx.effort.scale} {rx.effort.target.text()}"
        if rx.effort is not None
        else "Effort scale: none prescribed",
        *(f"Warning: {w}" for w in rx.warnings),
    ]
    out: list[str] = []
    for line in head:
        out += _wrap(line, "", _INDENT, width)
    for name in TARGET_SPECS:
        m = rx.modalities.get(name)
        label = MODALITY_LABELS[name]
        out.append("")
        if m is None:
            out.append(f"{label}: not prescribed")
            continue
        out += _wrap(label + (f" (evidence {m.evidence})" if m.evidence else ""), "", "", width)
        for spec in TARGET_SPECS[name]:
            t = m.targets.get(spec.key)
            if t is not None:
                out += _element(
                    spec.label, f"{t.text(spec.unit)} ({t.kind})", t.source.cite(), width
                )
        if m.non_consecutive_days:
            out += _element("days", "non-consecutive", "", width)
        if m.intensity_text:
            src = m.intensity_source.cite() if m.intensity_source else ""
            out += _element("intensity", m.intensity_text, src, width)
        if m.types:
            src = m.types_source.cite() if m.types_source else ""
            out += _element("type", ", ".join(m.types), src, width)
        if m.notes:
            out += _element("notes", printable(m.notes), "", width)
        units = {sp.key: sp for sp in TARGET_SPECS[name]}
        for i, ph in enumerate(m.phases, start=1):
            when = (
                "on clinician review" if ph.on_review else f"from week {(ph.after_weeks or 0) + 1}"
            )
            changes = ", ".join(
                f"{units[k].label} {t.text(units[k].unit)}" for k, t in ph.targets.items()
            )
            if ph.note:
                changes += f" ({printable(ph.note)})"
            out += _element(f"phase {i} {when}", changes or "–", ph.source.cite(), width)
        for ex in m.exercises:
            out += _element(
                f"1RM {printable(ex.name)}",
                f"{ex.one_rm_kg:.1f} kg (from {ex.test_load_kg:g} kg × {ex.test_reps}, "
                f"{ex.equation}, {ex.test_date})",
                "",
                width,
            )
    return "\n".join(out) + "\n"
