"""The session report: one recording as a printable page for the patient file.

Built from what `osteomonitor analyze` prints (the same `SessionSummary`, the same
`SessionCompliance` from `prescription.evaluate_session`), plus the session's impact
peaks so jump landings can be drawn apart from steps. Sections (their ids): summary,
prescription, heart-rate, jumps, impacts, fitt, alerts, effort-pain, data.
"""

from __future__ import annotations

from collections.abc import Sequence

from osteomonitor import timefmt
from osteomonitor.analysis.thresholds import OSTEOGENIC_PEAK_G, is_osteogenic
from osteomonitor.model import Impact, SessionMeta, SessionSummary
from osteomonitor.prescription.compliance import SessionCompliance
from osteomonitor.prescription.fitt import Prescription
from osteomonitor.prescription.safety import Alert
from osteomonitor.report.html_page import (
    Cell,
    bullet_list,
    esc,
    figure,
    figures,
    page,
    paragraph,
    section,
    table,
)
from osteomonitor.report.session_plots import (
    heart_band,
    heart_rate_svg,
    impact_bands_svg,
    jump_timeline_svg,
    split_peaks,
)
from osteomonitor.report.tables import set_aside_lines, trunk_lines


def num(v: float | None, digits: int = 1) -> str:
    """A measured number as the text report writes it: integers bare, else `digits`."""
    if v is None:
        return "–"
    return str(int(v)) if float(v).is_integer() else f"{v:.{digits}f}"


def _when(start_iso: str) -> str:
    return start_iso[:16].replace("T", " ")


def summary_section(summary: SessionSummary, alerts: Sequence[Alert]) -> str:
    """Key figures (each with a `data-metric` key)."""
    h, peaks = summary.heart, [j.peak_g for j in summary.jumps]
    items = [
        ("duration", "duration", timefmt.clock(summary.duration_s)),
        ("jumps", "jumps", str(len(peaks))),
        (
            "jumps_osteogenic",
            f"jumps ≥ {OSTEOGENIC_PEAK_G:g} g",
            str(sum(1 for p in peaks if is_osteogenic(p))),
        ),
        ("landing_peak_max_g", "highest landing (g)", num(max(peaks) if peaks else None)),
        ("impacts", "impact peaks", str(summary.impacts.n_peaks)),
        ("steps", "steps (outside jumps)", str(summary.gait.steps)),
        ("hr_mean_bpm", "mean HR (bpm)", num(h.hr_mean_bpm, 0)),
        ("hr_max_bpm", "max HR (bpm)", num(h.hr_max_bpm, 0)),
        ("band_min", "minutes in band", num(h.target_s / 60.0)),
        ("hr_coverage", "heart-rate data", f"{h.coverage:.0%}"),
        ("acc_coverage", "accelerometer data", f"{summary.acc_coverage:.0%}"),
        ("alerts", "alerts", str(len(alerts))),
    ]
    return section("summary", "Summary", figures(items))


def prescription_section(rx: Prescription | None, c: SessionCompliance | None) -> str:
    """The prescription in force (from the recording's snapshot unless one was given)."""
    if rx is None:
        return section(
            "prescription",
            "Prescription",
            paragraph(
                "No prescription: the recording holds no snapshot and none was given; "
                "nothing is judged."
            ),
        )
    p, s = rx.patient, rx.safety
    imp = s.impact
    impact = imp.mode + (f", landing peaks ≤ {imp.peak_g:g} g" if imp.peak_g is not None else "")
    impact += "" if imp.flight_allowed else ", no flight phase"
    rows: list[tuple[str, object]] = [
        ("source", rx.origin or "–"),
        ("template", rx.template or "hand-written"),
        ("programme start", rx.start_date),
        ("programme week", c.program_week if c is not None else "–"),
        (
            "patient",
            f"{p.age_y} y, {p.fracture_risk} fracture risk, "
            + (
                "prior vertebral fracture"
                if p.prior_vertebral_fracture
                else "no vertebral fracture"
            )
            + ", "
            + ("HR-modulating medication" if p.hr_modulating_medication else "no HR medication"),
        ),
        (
            "heart rate",
            f"rest {p.resting_hr_bpm:g} bpm ({p.resting_hr_method}), "
            f"HRmax {p.hrmax_bpm:.0f} bpm ({p.hrmax_method})"
            + ("" if p.hr_trusted else "; RPE-first (HR for information)"),
        ),
        ("HR ceiling", s.hr_ceiling_text),
        ("impact ceiling", f"{impact} ({imp.source})"),
        (
            "effort target",
            f"{rx.effort.scale} {rx.effort.target.text()}" if rx.effort is not None else "none",
        ),
        (
            "balance",
            "eyes-closed tasks allowed"
            if s.eyes_closed_balance
            else "eyes-closed tasks NOT allowed",
        ),
        (
            "spine",
            f"avoid flexion and twisting ({s.spinal_source})"
            if s.avoid_spinal_flexion
            else "no spinal restriction",
        ),
    ]
    if c is not None:
        for m in c.modalities:
            if m.prescribed:
                rows.append(
                    (f"{m.label}", f"phase {m.phase} ({'base' if m.phase == 0 else 'progressed'})")
                )
    body = table(("item", "in force"), rows, table_id="rx-table")
    warnings = [f"Warning: {w}" for w in rx.warnings]
    return section("prescription", "Prescription in force", body + bullet_list(warnings))


def heart_section(summary: SessionSummary, rx: Prescription | None) -> str:
    """HR over time with the band and the ceiling, and the time in band."""
    h = summary.heart
    band = heart_band(h, rx.safety.hr_ceiling_bpm if rx is not None else None)
    svg = heart_rate_svg(summary.hr_points, band, summary.duration_s)
    text = (
        f"{num(h.target_s / 60.0)} min in the band "
        f"(longest bout {timefmt.clock(h.longest_bout_s)}), "
        f"mean {num(h.hr_mean_bpm, 0)} bpm, max {num(h.hr_max_bpm, 0)} bpm; "
        f"HRrest {num(h.hrrest_bpm, 0)} ({h.hrrest_method or '–'}), "
        f"HRmax {num(h.hrmax_bpm, 0)} ({h.hrmax_method or '–'}); valid heart rate "
        f"{h.coverage:.0%} of the session."
    )
    cap = "Heart rate (bpm) over session time; shaded: the prescribed band; dashed: the HR ceiling."
    return section("heart-rate", "Heart rate", figure(svg, cap) + paragraph(text))


def jumps_section(summary: SessionSummary, rx: Prescription | None, other: Sequence[Impact]) -> str:
    """Jumps at their landing times with the landing peak, and a table of every jump."""
    imp = rx.safety.impact if rx is not None else None
    svg = jump_timeline_svg(
        summary.jumps,
        other,
        summary.duration_s,
        imp.peak_g if imp is not None else None,
        imp.mode if imp is not None else "",
    )
    cap = (
        f"Each jump at its landing with its landing peak (g); dotted: the osteogenic threshold "
        f"{OSTEOGENIC_PEAK_G:g} g (Vainionpää 2006); dashed: the prescription's impact ceiling; "
        "grey dots: other acceleration peaks (steps, walking)."
    )
    ceiling = imp.peak_g if imp is not None else None
    rows = [
        (
            i,
            timefmt.clock(j.landing_s, tenths=True),
            f"{j.flight_s:.2f}",
            f"{j.height_m * 100:.0f}",
            f"{j.peak_g:.2f}",
            f"{j.slope_g_s:.0f}",
            Cell(
                ("osteogenic" if is_osteogenic(j.peak_g) else "below threshold")
                + (" · above ceiling" if ceiling is not None and j.peak_g > ceiling else "")
                + (" · clipped" if j.clipped else ""),
            ),
        )
        for i, j in enumerate(summary.jumps, start=1)
    ]
    body = figure(svg, cap)
    if rows:
        body += table(
            ("#", "landing", "flight (s)", "height (cm)", "peak (g)", "slope (g/s)", "note"),
            rows,
            numeric=(0, 2, 3, 4, 5),
            table_id="jump-table",
        )
    else:
        body += paragraph("No jump was detected in this session.")
    return section("jumps", "Jumps", body)


def impacts_section(summary: SessionSummary, jump_peaks: int, other: Sequence[Impact]) -> str:
    """Impact peaks per band, jump landings apart from the other peaks."""
    imp, g = summary.impacts, summary.gait
    svg = impact_bands_svg(imp, summary.jumps, other)
    cap = (
        "Peaks per acceleration band; left: one landing peak per jump, right: peaks outside "
        "any jump (steps, walking); hatched bands are at or above the osteogenic threshold."
    )
    cadence = f", cadence {g.cadence_spm:.0f}/min" if g.cadence_spm else ""
    text = (
        f"{imp.n_peaks} peaks counted ({imp.n_above_3_9g} ≥ {OSTEOGENIC_PEAK_G:g} g, max "
        f"{num(imp.peak_max_g)} g, {imp.placement}-equivalent): {len(summary.jumps)} jump "
        f"landings, {jump_peaks} peaks within a jump (take-off and landing), {len(other)} others. "
        f"Steps outside jumps {g.steps}, walking {timefmt.clock(g.walking_s)}{cadence}. "
        f"Osteogenic index {imp.osteogenic_index:.1f}."
    )
    return section("impacts", "Impacts", figure(svg, cap) + paragraph(text))


def fitt_section(c: SessionCompliance | None) -> str:
    """The FITT table per modality: target, measured, verdict, evidence and source."""
    if c is None:
        return section(
            "fitt", "FITT against the prescription", paragraph("Not judged: no prescription.")
        )
    parts = []
    for m in c.modalities:
        if not m.prescribed:
            parts.append(f"<h3>{esc(m.label)}</h3>" + paragraph("Not in this prescription."))
            continue
        rows = [
            (
                e.element,
                e.label,
                e.target,
                num(e.measured) + (f" {e.unit}" if e.measured is not None and e.unit else ""),
                Cell(e.status, f"status status-{e.status}"),
                e.evidence,
                e.source,
            )
            for e in m.elements
        ]
        parts.append(
            f"<h3>{esc(m.label)} (phase {m.phase})</h3>"
            + table(
                ("FITT", "element", "target", "measured", "verdict", "evidence", "source"),
                rows,
                numeric=(3,),
                table_id=f"fitt-{m.modality}",
            )
        )
    return section("fitt", "FITT against the prescription", "".join(parts) + bullet_list(c.notes))


def alert_rows(alerts: Sequence[Alert]) -> list[tuple[object, ...]]:
    """One table row per alert: when, severity, rule, value, limit, full text, source."""
    rows: list[tuple[object, ...]] = []
    for a in alerts:
        when = timefmt.clock(a.t_s) + (
            f"–{timefmt.clock(a.last_t_s)}" if a.last_t_s is not None else ""
        )
        sep = "" if a.unit.startswith("/") else " "
        value = "" if a.value is None else f"{num(a.value, 2)}{sep}{a.unit}".strip()
        rows.append(
            (
                when,
                Cell(a.severity, f"sev-{a.severity}"),
                a.rule + (f" ×{a.count}" if a.count > 1 else ""),
                value,
                "" if a.limit is None else num(a.limit, 2),
                a.physio_message,
                a.patient_message,
                a.source,
            )
        )
    return rows


ALERT_HEADER = (
    "time",
    "severity",
    "rule",
    "value",
    "limit",
    "for the physio",
    "told the patient",
    "source",
)


def alerts_section(alerts: Sequence[Alert], judged: bool) -> str:
    """Every safety alert with its full text and the rule's source."""
    if not judged:
        return section("alerts", "Alerts", paragraph("Not judged: no prescription."))
    if not alerts:
        return section("alerts", "Alerts", paragraph("No alert in this session."))
    return section(
        "alerts", "Alerts", table(ALERT_HEADER, alert_rows(alerts), table_id="alert-table")
    )


def effort_section(c: SessionCompliance | None, rx: Prescription | None) -> str:
    """Pain and effort (RPE) reports, and what the patient marked (sets, blocks, holds)."""
    if c is None:
        return section("effort-pain", "Pain and effort", paragraph("Not judged: no prescription."))
    reports = [(r, f"effort ({r.scale})") for r in c.rpe] + [(r, "pain (0–10)") for r in c.pain]
    reports.sort(key=lambda x: x[0].t_s)
    rows = [(timefmt.clock(r.t_s), what, num(r.value), r.note) for r, what in reports]
    body = ""
    if rx is not None and rx.effort is not None:
        body += paragraph(f"Effort target: {rx.effort.scale} {rx.effort.target.text()}.")
    body += (
        table(("time", "report", "value", "note"), rows, numeric=(2,), table_id="report-table")
        if rows
        else paragraph("The patient reported neither effort nor pain.")
    )
    marked = [
        f"set {s.exercise}: {s.reps if s.reps is not None else '?'} × {num(s.load_kg)} kg at "
        f"{timefmt.clock(s.t_s)}"
        for s in c.sets
    ]
    marked += [
        f"balance {timefmt.span(b.start_s, b.end_s)}, eyes {b.eyes}" for b in c.balance_blocks
    ]
    marked += [f"stretch {h.exercise}: held {num(h.hold_s)} s" for h in c.stretch_holds]
    if marked:
        body += "<h3>Marked during the session</h3>" + bullet_list(marked)
    return section("effort-pain", "Pain and effort", body)


def data_section(meta: SessionMeta, summary: SessionSummary, rx: Prescription | None) -> str:
    """Data quality, set-aside frames, falls and trunk posture."""
    lines = [
        f"{summary.packets} packets, {summary.decode_errors} decode errors, "
        f"{summary.dropped} dropped; accelerometer {summary.acc_coverage:.0%}, heart rate "
        f"{summary.heart.coverage:.0%} valid",
        *set_aside_lines(summary.set_aside),
        *trunk_lines(summary, rx),
    ]
    if meta.notes:
        lines.append(f"Notes: {meta.notes}")
    return section("data", "Data and safety checks", bullet_list(lines))


def session_html(
    meta: SessionMeta,
    summary: SessionSummary,
    compliance: SessionCompliance | None,
    rx: Prescription | None,
    peaks: Sequence[Impact] = (),
    recording_name: str = "",
) -> str:
    """The session report page.

    Args:
        meta / summary: the analysed recording.
        compliance / rx: the verdict and the prescription it was judged with (None: not judged).
        peaks: every impact peak of the primary accelerometer (`SessionProcessor.impact_peaks`).
        recording_name: the file's name, shown in the subtitle.
    """
    alerts = compliance.alerts if compliance is not None else ()
    in_jumps, other = split_peaks(peaks, summary.jumps)
    sup = {True: "supervised", False: "unsupervised", None: "supervision not recorded"}
    subtitle = " · ".join(
        x
        for x in (
            f"{_when(meta.start_iso)} ({meta.timezone})",
            summary.kind,
            timefmt.clock(summary.duration_s),
            sup[meta.supervised],
            "simulated" if meta.simulated else "",
            recording_name,
        )
        if x
    )
    body = [
        summary_section(summary, alerts),
        prescription_section(rx, compliance),
        heart_section(summary, rx),
        jumps_section(summary, rx, other),
        impacts_section(summary, len(in_jumps), other),
        fitt_section(compliance),
        alerts_section(alerts, compliance is not None),
        effort_section(compliance, rx),
        data_section(meta, summary, rx),
    ]
    return page(f"Session report: {meta.patient}", subtitle, body)
