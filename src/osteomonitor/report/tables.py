"""Text tables for people: a session, a week and a prescription."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from osteomonitor import timefmt
from osteomonitor.analysis.thresholds import is_osteogenic
from osteomonitor.model import SessionMeta, SessionSummary, SetAsideFrames
from osteomonitor.prescription.trunk_alerts import session_falls
from osteomonitor.pseudonym import printable
from osteomonitor.report.documents import OSTEOGENIC_G

if TYPE_CHECKING:  # `analyze FILE` without a prescription prints none of them
    from osteomonitor.prescription.compliance import SessionCompliance
    from osteomonitor.prescription.fitt import Prescription
    from osteomonitor.prescription.safety import Alert
    from osteomonitor.prescription.week import ModalityWeek, WeekReport


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain fixed-width table; cells are converted with str()."""
    cells = [[str(c) for c in header]] + [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _clock(t_s: float | None) -> str:
    return timefmt.clock(t_s)


def _num(v: float | None, fmt: str = "{:.1f}") -> str:
    if v is None:
        return "–"
    return str(int(v)) if float(v).is_integer() else fmt.format(v)


def _alerts_table(alerts: Sequence[Alert], dates: Sequence[Any] | None = None) -> str:
    from osteomonitor.prescription.safety import limit_text

    rows = []
    for i, a in enumerate(alerts):
        span = _clock(a.t_s) + (f"–{_clock(a.last_t_s)}" if a.last_t_s is not None else "")
        when = span if dates is None else f"{dates[i]} {span}"
        sep = "" if a.unit.startswith("/") else " "
        value = "" if a.value is None else f"{_num(a.value, '{:.2f}')}{sep}{a.unit}".strip()
        limit = limit_text(a)
        count = f" ×{a.count}" if a.count > 1 else ""
        rows.append((when, a.severity, a.rule + count, value, limit, a.physio_message))
    return format_table(("time", "severity", "rule", "value", "limit", "for the physio"), rows)


def set_aside_lines(items: Sequence[SetAsideFrames]) -> list[str]:
    """One line per device, stream and reason the plausibility gates set frames aside for:
    "3 frames set aside: value outside ±16 g (hip imu_data)"."""
    lines = []
    for a in items:
        what = "event" if a.stream == "events" and not a.device else "frame"
        where = f"{a.device} {a.stream}".strip()
        lines.append(
            f"{a.frames} {what}{'' if a.frames == 1 else 's'} set aside: "
            f"{printable(a.reason)} ({printable(where)})"
        )
    return lines


ANSWERS = {"fine": "answered 'I'm fine'", "help": "answered 'I NEED HELP'"}


def trunk_lines(summary: SessionSummary, rx: Prescription | None) -> list[str]:
    """Suspected falls and the trunk's posture, for the text report."""
    falls = session_falls(summary)
    out = [
        "Falls: none suspected"
        if not falls
        else f"FALLS: {len(falls)} suspected: "
        + "; ".join(
            f"{_clock(r.fall.t_s)} (impact {r.fall.peak_g:.1f} g, posture changed "
            f"{r.fall.tilt_deg:.0f}°, " + ANSWERS.get(r.response or "", "no answer recorded") + ")"
            for r in falls
        )
    ]
    p = summary.posture
    restricted = rx is not None and rx.safety.avoid_spinal_flexion
    if p is None:
        if restricted:
            out.append("Trunk posture: not measured (no trunk sensor); spinal restriction set")
        return out
    if not p.reference_known:
        out.append("Trunk posture: no standing reference (the session did not start still)")
        return out
    out.append(
        f"Trunk posture: inclination median {_num(p.median_deg, '{:.0f}')}°, 95th pct "
        f"{_num(p.p95_deg, '{:.0f}')}°, max {_num(p.max_deg, '{:.0f}')}°; "
        f"{timefmt.plural(p.episodes, 'bend')} beyond {p.limit_deg:g}° for ≥ 2 s (longest "
        f"{p.longest_episode_s:.0f} s), {p.beyond_s:.0f} s beyond; lying or reclined "
        f"{p.reclined_s:.0f} s" + ("; spinal restriction: avoid flexion" if restricted else "")
    )
    return out


def session_text(
    meta: SessionMeta,
    summary: SessionSummary,
    compliance: SessionCompliance | None,
    rx: Prescription | None = None,
) -> str:
    """The session and its compliance as text tables for a person."""
    h = summary.heart
    out = [
        f"Session {printable(meta.patient)} · {summary.kind} · "
        f"{printable(meta.start_iso[:16].replace('T', ' '))} "
        f"({meta.timezone}) · {timefmt.clock(summary.duration_s)} long"
        + (" · simulated" if meta.simulated else ""),
        f"Data: accelerometer {summary.acc_coverage:.0%}, heart rate {h.coverage:.0%} valid; "
        f"{summary.packets} packets, {summary.decode_errors} decode errors, "
        f"{summary.dropped} dropped",
        f"Jumps: {len(summary.jumps)} ({sum(1 for j in summary.jumps if is_osteogenic(j.peak_g))}"
        f" ≥ {OSTEOGENIC_G:g} g); impacts {summary.impacts.n_peaks} "
        f"({summary.impacts.n_above_3_9g} ≥ 3.9 g); steps {summary.gait.steps}; "
        f"HR mean {_num(h.hr_mean_bpm, '{:.0f}')} / max {_num(h.hr_max_bpm, '{:.0f}')} bpm",
    ]
    out += set_aside_lines(summary.set_aside)
    out += trunk_lines(summary, rx)
    if compliance is None:
        out.append("No prescription: nothing to compare against (give --prescription FILE).")
        return "\n".join(out) + "\n"
    c = compliance
    src = f"{rx.origin} ({rx.template or 'hand-written'})" if rx is not None else "?"
    out.append(
        f"Prescription: {src}; programme week {c.program_week}; local date {c.local_date} "
        f"(ISO {c.iso_year}-W{c.iso_week:02d})"
    )
    sup = {True: "supervised", False: "unsupervised", None: "supervision not recorded"}
    out.append(f"Session: {sup[c.supervised]}")
    if rx is not None and rx.effort is not None:
        e = rx.effort
        out.append(f"Effort scale: {e.scale} (target {e.target.text()})")
    if rx is not None and rx.safety.avoid_spinal_flexion:
        out.append(f"Restriction: avoid spinal flexion and twisting ({rx.safety.spinal_source})")
    for warn in rx.warnings if rx is not None else ():
        out.append(f"Warning: {warn}")
    for note in c.notes:
        out.append(f"Note: {note}")
    for m in c.modalities:
        out.append("")
        if not m.prescribed:
            out.append(f"{m.label}: not in this prescription")
            continue
        out.append(f"{m.label} ({m.phase_text})" if m.phase_text else m.label)
        rows = [
            (e.element, e.label, e.target, _num(e.measured), e.status, e.evidence)
            for e in m.elements
        ]
        out.append(
            format_table(("FITT", "element", "target", "measured", "status", "evidence"), rows)
        )
    if c.sets:
        sets = [
            f"{s.exercise} {s.reps if s.reps is not None else '?'}×{_num(s.load_kg)} kg"
            + (f" ({s.pct_1rm:.0f} %1RM)" if s.pct_1rm is not None else "")
            for s in c.sets
        ]
        out += ["", "Sets: " + "; ".join(sets)]
    if c.balance_blocks:
        blocks = [f"{_clock(b.start_s)}–{_clock(b.end_s)} eyes {b.eyes}" for b in c.balance_blocks]
        out += ["", "Balance blocks: " + "; ".join(blocks)]
    if c.stretch_holds:
        holds = [f"{h.exercise} {_num(h.hold_s)} s" for h in c.stretch_holds]
        out += ["", "Stretch holds: " + "; ".join(holds)]
    reports = [f"RPE {_num(r.value)} ({r.scale}) at {_clock(r.t_s)}" for r in c.rpe]
    reports += [
        f"pain {_num(r.value)}/10 {r.note} at {_clock(r.t_s)}".replace("  ", " ") for r in c.pain
    ]
    if reports:
        out += ["", "Reports: " + "; ".join(reports)]
    out += ["", "Alerts" if c.alerts else "Alerts: none"]
    if c.alerts:
        out.append(_alerts_table(c.alerts))
    return "\n".join(out) + "\n"


def week_text(w: WeekReport) -> str:
    """The week view as text tables for a person."""
    out = [
        f"Week {w.iso_year}-W{w.iso_week:02d} ({w.week_start} – {w.week_end}, {w.timezone}) · "
        f"{w.patient} · programme week {w.program_week} · as of {w.as_of}",
        "",
    ]
    rows = []
    for m in w.modalities:
        jumps = "" if m.jumps is None else f"{m.jumps} ({m.jumps_osteogenic})"
        rows.append(
            (
                m.label + ("" if m.prescribed else " (not prescribed)"),
                m.days_target,
                m.days_trained,
                m.days_met,
                m.frequency_status,
                _pct(m.adherence_pct),
                f"{_pct(m.adherence_supervised_pct)} / {_pct(m.adherence_unsupervised_pct)}",
                f"{m.minutes:.1f}",
                jumps,
                m.week_streak,
                m.last_date or "–",
            )
        )
    out.append(
        format_table(
            (
                "modality",
                "target",
                "days",
                "met",
                "frequency",
                "adherence",
                "supervised / not",
                "minutes",
                "jumps (at threshold)",
                "streak",
                "last",
            ),
            rows,
        )
    )
    out += ["", f"Impacts counted: {w.impacts} ({w.impacts_osteogenic} ≥ {OSTEOGENIC_G:g} g)", ""]
    day_rows = [
        (
            d.date.strftime("%a"),
            d.date,
            ", ".join(d.modalities) or "–",
            d.sessions,
            f"{d.minutes:.1f}",
            d.jumps,
            d.alerts,
        )
        for d in w.days
    ]
    out.append(
        format_table(("day", "date", "trained", "sessions", "minutes", "jumps", "alerts"), day_rows)
    )
    doses = [
        f"{m.label} {d.date}: {_num(d.value)} {d.unit} (target {d.target}) "
        f"{'dose day' if d.met else 'not a dose day'}: {d.evidence}"
        for m in w.modalities
        for d in m.day_doses
    ]
    programme = [_programme_line(m) for m in w.modalities if m.programme is not None]
    supervision = [
        f"{m.label}: {m.supervision[0]} supervised, {m.supervision[1]} unsupervised, "
        f"{m.supervision[2]} not recorded"
        + (f"; weight-bearing dose days {m.weight_bearing_days}" if m.weight_bearing_days else "")
        for m in w.modalities
        if m.sessions
    ]
    loads = [x.text for x in w.one_rm]
    warnings = [f"{m.label}: {m.detraining}" for m in w.modalities if m.detraining]
    warnings += [
        f"{m.label}: trained on consecutive days (non-consecutive days prescribed)"
        for m in w.modalities
        if m.consecutive_days
    ]
    progress = [f"{m.label}: {m.progression}" for m in w.modalities if m.progression]
    for title, items in (
        ("Dose days", doses),
        ("Sessions", supervision),
        ("Programme and recent dose", programme),
        ("Resistance loads (1RM)", loads),
        ("Warnings", warnings),
        ("Progression", progress),
        ("Notes", list(w.notes)),
    ):
        if items:
            out += ["", f"{title}:"] + [f"  {x}" for x in items]
    if w.alerts:
        out += ["", "Alerts:", _alerts_table([a for _, a in w.alerts], [d for d, _ in w.alerts])]
    return "\n".join(out) + "\n"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f} %"


def _programme_line(m: ModalityWeek) -> str:
    p = m.programme
    assert p is not None
    months = f"{p.months_completed:.1f}" + (
        f" of ≥ {_num(p.months_target)} months" + (" (complete)" if p.complete else "")
        if p.months_target is not None
        else " months"
    )
    recent = ", ".join(
        f"{r.weeks} wk {r.dose_days}/{r.target_days} ({_pct(r.pct)})" for r in m.recent_dose
    )
    return (
        f"{m.label}: {months}; dose days {p.dose_days}/{p.expected_days} over {p.weeks} weeks "
        f"({_pct(p.adherence_pct)}); last {recent}"
    )


def prescription_text(rx: Prescription) -> str:
    """A prescription as a readable table (`osteomonitor prescription show`)."""
    from osteomonitor.prescription.fitt import MODALITY_LABELS, TARGET_SPECS

    p, s = rx.patient, rx.safety
    hrmax = p.hrmax_text
    c = s.impact
    ceiling = c.text
    out = [
        f"Prescription for {p.pseudonym} ({rx.template or 'hand-written'}) from {rx.start_date}; "
        f"file {rx.origin or '–'}",
        f"Patient: {p.age_y} y, {_num(p.body_mass_kg)} kg, {p.fracture_risk} fracture risk, "
        f"{'prior vertebral fracture' if p.prior_vertebral_fracture else 'no vertebral fracture'}, "
        f"{'HR-modulating medication' if p.hr_modulating_medication else 'no HR medication'}; "
        f"time zone {p.timezone}",
        f"Heart rate: rest {p.resting_hr_bpm:g} bpm ({p.resting_hr_method}, {p.resting_hr_date}); "
        f"HRmax {hrmax}" + ("" if p.hr_trusted else "; RPE-first (HR for information)"),
        f"Safety: HR ceiling {s.hr_ceiling_text}; impact ceiling {ceiling}",
        f"  ({c.source})",
        f"  eyes-closed balance {'allowed' if s.eyes_closed_balance else 'NOT allowed'}; "
        + (
            f"avoid spinal flexion and twisting ({s.spinal_source})"
            if s.avoid_spinal_flexion
            else "no spinal restriction"
        ),
        f"  effort scale: {rx.effort.scale} {rx.effort.target.text()}"
        if rx.effort is not None
        else "  effort scale: none prescribed",
        *(f"  warning: {w}" for w in rx.warnings),
        "",
    ]
    rows: list[tuple[Any, ...]] = []
    for name in TARGET_SPECS:
        m = rx.modalities.get(name)
        label = MODALITY_LABELS[name]
        if m is None:
            rows.append((label, "", "not prescribed", ""))
            continue
        for spec in TARGET_SPECS[name]:
            t = m.targets.get(spec.key)
            if t is not None:
                rows.append((label, spec.label, f"{t.text(spec.unit)} ({t.kind})", t.source.cite()))
                label = ""
        if m.non_consecutive_days:
            rows.append((label, "days", "non-consecutive", ""))
            label = ""
        if m.intensity_text:
            src = m.intensity_source.cite() if m.intensity_source else ""
            rows.append((label, "intensity", m.intensity_text, src))
            label = ""
        if m.types:
            src = m.types_source.cite() if m.types_source else ""
            rows.append((label, "type", ", ".join(m.types), src))
            label = ""
        for i, ph in enumerate(m.phases, start=1):
            when = (
                "on clinician review" if ph.on_review else f"from week {(ph.after_weeks or 0) + 1}"
            )
            changes = ", ".join(
                f"{next(sp.label for sp in TARGET_SPECS[name] if sp.key == k)} "
                f"{t.text(next(sp.unit for sp in TARGET_SPECS[name] if sp.key == k))}"
                for k, t in ph.targets.items()
            )
            rows.append(("", f"phase {i} {when}", changes, ph.source.cite()))
        for ex in m.exercises:
            rows.append(
                (
                    "",
                    f"1RM {ex.name}",
                    f"{ex.one_rm_kg:.1f} kg",
                    f"{ex.test_load_kg:g} kg × {ex.test_reps} ({ex.equation}, {ex.test_date})",
                )
            )
    out.append(format_table(("modality", "element", "target", "source"), rows))
    return "\n".join(out) + "\n"
