"""JSON documents: sessions, compliance and weeks, each with a versioned `schema`.

Documents carry a versioned `schema` ("osteomonitor.session/1", "osteomonitor.week/1")
documented field by field in docs/json-schema.md; a new field is a minor change, a
renamed or removed one a new version.
"""

from __future__ import annotations

import math
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

from osteomonitor import __version__
from osteomonitor.analysis.thresholds import OSTEOGENIC_PEAK_G, is_osteogenic
from osteomonitor.model import NS_PER_S, SessionMeta, SessionSummary
from osteomonitor.prescription.trunk_alerts import session_falls

if TYPE_CHECKING:  # a session's document without a prescription needs none of these
    from osteomonitor.prescription.compliance import SessionCompliance
    from osteomonitor.prescription.fitt import Prescription
    from osteomonitor.prescription.safety import Alert
    from osteomonitor.prescription.week import WeekReport

SESSION_SCHEMA = "osteomonitor.session/1"
WEEK_SCHEMA = "osteomonitor.week/1"
OSTEOGENIC_G = OSTEOGENIC_PEAK_G


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf → None, tuples → lists, dates → ISO text, enums → values."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | bool) or value is None:
        return value.value if hasattr(value, "value") and isinstance(value, str) else value
    return str(value)


def median(values: list[float]) -> float:
    """The median, computed as `statistics.median` does (the same float for the same
    values) without importing `statistics` (and `fractions`, `decimal`) for one number
    of `analyze --json`."""
    data = sorted(values)
    n = len(data)
    if n == 0:
        raise ValueError("median of no values")
    if n % 2 == 1:
        return data[n // 2]
    return (data[n // 2 - 1] + data[n // 2]) / 2


def alert_json(alert: Alert) -> dict[str, Any]:
    """One alert as a JSON object."""
    return _clean(asdict(alert))  # type: ignore[no-any-return]


def _flat(record: Any) -> dict[str, Any]:
    """A dataclass whose fields hold plain values (numbers, text, tuples of them) as a
    dict: what `asdict` gives, without its deep copy of every value (`session_json`
    cleans the whole document once)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _jump_items(summary: SessionSummary) -> list[dict[str, Any]]:
    return [_flat(j) for j in summary.jumps]


def session_json(
    meta: SessionMeta,
    summary: SessionSummary,
    compliance: SessionCompliance | None = None,
    rx: Prescription | None = None,
    recording: str | None = None,
) -> dict[str, Any]:
    """A session (and its compliance) as a `osteomonitor.session/1` document."""
    peaks = [j.peak_g for j in summary.jumps]
    doc: dict[str, Any] = {
        "schema": SESSION_SCHEMA,
        "generated_by": f"osteomonitor {__version__}",
        "recording": recording,
        "session": {
            "patient": meta.patient,
            "kind": summary.kind,
            "start": meta.start_iso,
            "timezone": meta.timezone,
            "simulated": meta.simulated,
            "supervised": meta.supervised,
            "start_t_ns": summary.start_t_ns,
            "end_t_ns": summary.end_t_ns,
            "duration_s": summary.duration_s,
            "packets": summary.packets,
            "decode_errors": summary.decode_errors,
            "dropped": summary.dropped,
            "set_aside": [asdict(a) for a in summary.set_aside],
        },
        "measured": {
            "acc_s": summary.acc_s,
            "acc_coverage": summary.acc_coverage,
            "jumps": {
                "count": len(peaks),
                "osteogenic_threshold_g": OSTEOGENIC_G,
                "osteogenic": sum(1 for p in peaks if is_osteogenic(p)),
                "peak_max_g": max(peaks) if peaks else None,
                "peak_median_g": median(peaks) if peaks else None,
                "clipped": sum(1 for j in summary.jumps if j.clipped),
                "items": _jump_items(summary),
            },
            "impacts": asdict(summary.impacts),
            "heart": asdict(summary.heart),
            "gait": asdict(summary.gait),
            "falls": [
                {**asdict(r.fall), "response": r.response, "live": r.live, "found": r.found}
                for r in session_falls(summary)
            ],
            "posture": asdict(summary.posture) if summary.posture is not None else None,
        },
        "events": [
            {
                "t_s": (e.t_ns - summary.start_t_ns) / NS_PER_S,
                "kind": e.kind,
                "data": dict(e.data),
                "device": e.device,
            }
            for e in summary.events
        ],
        "prescription": None,
        "compliance": None,
        "alerts": [],
    }
    if rx is not None:
        doc["prescription"] = {
            "source": rx.origin,
            "template": rx.template,
            "start_date": rx.start_date,
            "hr_ceiling_bpm": rx.safety.hr_ceiling_bpm,
            "impact_ceiling": rx.safety.impact.mode,
            "impact_ceiling_g": rx.safety.impact.peak_g,
            "effort_scale": rx.effort.scale if rx.effort is not None else None,
            "effort_target": rx.effort.target.text() if rx.effort is not None else None,
            "avoid_spinal_flexion": rx.safety.avoid_spinal_flexion,
            "warnings": list(rx.warnings),
        }
    if compliance is not None:
        doc["compliance"] = compliance_json(compliance)
        doc["alerts"] = [alert_json(a) for a in compliance.alerts]
    return _clean(doc)  # type: ignore[no-any-return]


def compliance_json(c: SessionCompliance) -> dict[str, Any]:
    """A `SessionCompliance` as a JSON object (without its alerts)."""
    d = asdict(c)
    d.pop("alerts")
    d["iso_week"] = f"{c.iso_year}-W{c.iso_week:02d}"
    d.pop("iso_year")
    return _clean(d)  # type: ignore[no-any-return]


def week_json(w: WeekReport) -> dict[str, Any]:
    """A `WeekReport` as a `osteomonitor.week/1` document."""
    return _clean(  # type: ignore[no-any-return]
        {
            "schema": WEEK_SCHEMA,
            "generated_by": f"osteomonitor {__version__}",
            "patient": w.patient,
            "timezone": w.timezone,
            "iso_week": f"{w.iso_year}-W{w.iso_week:02d}",
            "week_start": w.week_start,
            "week_end": w.week_end,
            "as_of": w.as_of,
            "program_week": w.program_week,
            "impacts": w.impacts,
            "impacts_osteogenic": w.impacts_osteogenic,
            "modalities": [asdict(m) for m in w.modalities],
            "days": [asdict(d) for d in w.days],
            "sessions": [
                {
                    "local_date": s.local_date,
                    "kind": s.kind,
                    "duration_s": s.duration_s,
                    "supervised": s.supervised,
                    "modalities": [
                        {
                            "modality": m.modality,
                            "volume_met": m.volume_met,
                            "minutes": m.minutes,
                            "jumps": m.jumps,
                        }
                        for m in s.modalities
                    ],
                }
                for s in w.sessions
            ],
            "alerts": [{"date": d, **alert_json(a)} for d, a in w.alerts],
            "one_rm": [asdict(x) for x in w.one_rm],
            "notes": list(w.notes),
        }
    )
