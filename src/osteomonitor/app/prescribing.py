"""Drafting a prescription with visible defaults, and reading one from any file.

`draft` needs only what a clinician must decide (age, fracture risk, prior vertebral
fracture, HR-modulating medication, resting HR) and fills the rest with defaults it
names in `Draft.defaults`: the template (KSBMR 2023), start today, the system's time
zone, resting HR taken today seated, HRmax by Tanaka, no body mass, and the template's
HR ceiling (`prescription.templates.DEFAULT_HR_CEILING_PCT_HRR`). Shared by
`prescription new` and `patient prescribe`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from osteomonitor.errors import PrescriptionError, UsageError
from osteomonitor.prescription import Patient, Prescription, draft_prescription
from osteomonitor.prescription import parse_prescription as _parse

#: What `draft` uses when it is not told (each use is listed in `Draft.defaults`).
DEFAULT_TEMPLATE = "ksbmr-2023"
DEFAULT_HRMAX_METHOD = "tanaka"
DEFAULT_RESTING_HR_METHOD = "seated-5min"

_CEILING_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%\s*hrr|%)?\s*$", re.I)
_BPM_RE = re.compile(r"^\d+(\.\d+)?$")
#: The first 16 bytes of a SQLite database: a recording (sqlite.org/fileformat).
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class DraftRequest:
    """What the clinician said; None means "use the default".

    Attributes:
        hrmax: an equation name (tanaka, gellish, fox) or a measured value in bpm as text.
        hr_ceiling: "135" (bpm) or "75%hrr".
    """

    patient: str
    age_y: int
    fracture_risk: str
    prior_vertebral_fracture: bool
    hr_modulating_medication: bool
    resting_hr_bpm: float
    template: str | None = None
    body_mass_kg: float | None = None
    resting_hr_method: str | None = None
    resting_hr_date: dt.date | None = None
    hrmax: str | None = None
    hrmax_date: dt.date | None = None
    timezone: str | None = None
    start_date: dt.date | None = None
    hr_ceiling: str | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """A drafted prescription: its TOML text, parsed, with notes and the defaults used."""

    text: str
    prescription: Prescription
    notes: tuple[str, ...]
    defaults: tuple[str, ...]


def parse_hr_ceiling(text: str) -> tuple[float | None, float | None]:
    """ "135" → (135, None) bpm; "75%hrr" → (None, 75) %HRR.

    Raises:
        UsageError: neither.
    """
    m = _CEILING_RE.match(text)
    if not m:
        raise UsageError(f"--hr-ceiling {text!r}: write bpm (135) or %HRR (75%hrr)")
    value = float(m.group(1))
    return (None, value) if m.group(2) is not None else (value, None)


def system_timezone() -> str:
    """The IANA name of this computer's time zone ("UTC" if unknown)."""
    from osteomonitor.config import local_timezone

    return local_timezone()


def draft(req: DraftRequest, today: dt.date | None = None) -> Draft:
    """A validated prescription from the clinician's answers and visible defaults.

    Raises:
        UsageError: an answer does not fit (a resting-HR date in the future, a measured
            HRmax without its date, no ceiling where %HRR is unreliable …).
        PrescriptionError: a value is invalid as `prescription check` reports it.
    """
    today = today or dt.date.today()
    used: list[str] = []
    template = req.template
    if template is None:
        template = DEFAULT_TEMPLATE
        used.append(f"template {template} (--template)")
    rest_method = req.resting_hr_method
    if rest_method is None:
        rest_method = DEFAULT_RESTING_HR_METHOD
        used.append(f"resting HR taken {rest_method} (--resting-hr-method)")
    rest_date = req.resting_hr_date
    if rest_date is None:
        rest_date = today
        used.append(f"resting HR taken today, {today} (--resting-hr-date)")
    elif rest_date > today:
        raise UsageError(
            f"the resting-HR date {rest_date} is in the future (today is {today}): give the "
            "date it was taken"
        )
    hrmax_text = (req.hrmax or "").strip().lower()
    if not hrmax_text:
        hrmax_text = DEFAULT_HRMAX_METHOD
        used.append("HRmax by the Tanaka equation, 208 − 0.7·age (--hrmax)")
    if _BPM_RE.fullmatch(hrmax_text):
        if req.hrmax_date is None:
            raise UsageError("--hrmax given in bpm (measured): add --hrmax-date YYYY-MM-DD")
        if req.hrmax_date > today:
            raise UsageError(f"the HRmax date {req.hrmax_date} is in the future")
        hrmax_bpm, hrmax_method, hrmax_date = float(hrmax_text), "measured", req.hrmax_date
    else:
        if req.hrmax_date is not None:
            raise UsageError(f"--hrmax-date is only for a measured HRmax, not {hrmax_text!r}")
        hrmax_bpm, hrmax_method, hrmax_date = 0.0, hrmax_text, None
    tz = req.timezone
    if tz is None:
        tz = system_timezone()
        used.append(f"time zone {tz}, this computer's (--timezone)")
    start = req.start_date
    if start is None:
        start = today
        used.append(f"programme week 1 starts today, {today} (--start)")
    patient = Patient(
        pseudonym=req.patient,
        age_y=req.age_y,
        body_mass_kg=req.body_mass_kg,
        timezone=tz,
        fracture_risk=req.fracture_risk,
        prior_vertebral_fracture=req.prior_vertebral_fracture,
        hr_modulating_medication=req.hr_modulating_medication,
        resting_hr_bpm=req.resting_hr_bpm,
        resting_hr_method=rest_method,
        resting_hr_date=rest_date,
        hrmax_bpm=hrmax_bpm,
        hrmax_method=hrmax_method,
        hrmax_date=hrmax_date,
    )
    ceiling_bpm, ceiling_pct = _ceiling(req, template, patient, used)
    text, notes = draft_prescription(
        template,
        patient=patient,
        start_date=start,
        hr_ceiling_pct_hrr=ceiling_pct,
        hr_ceiling_bpm=ceiling_bpm,
    )
    rx = _parse(text, f"<new {req.patient}>")
    return Draft(text, rx, tuple(notes), tuple(used))


def _ceiling(
    req: DraftRequest, template: str, p: Patient, used: list[str]
) -> tuple[float | None, float | None]:
    from osteomonitor.prescription.templates import DEFAULT_HR_CEILING_PCT_HRR, TEMPLATES

    if req.hr_ceiling is not None:
        return parse_hr_ceiling(req.hr_ceiling)
    if template not in TEMPLATES:
        raise PrescriptionError(f"unknown template {template!r}: use one of {', '.join(TEMPLATES)}")
    if p.hr_modulating_medication and p.hrmax_method != "measured":
        raise UsageError(
            "HR-modulating medication with a predicted HRmax: %HRR is not reliable, so there "
            "is no default HR ceiling; give one in bpm from a test on medication "
            "(--hr-ceiling 120), or a measured HRmax (--hrmax 150 --hrmax-date YYYY-MM-DD)"
        )
    pct, source = DEFAULT_HR_CEILING_PCT_HRR[template]
    used.append(f"HR ceiling {pct:g} %HRR, the top of {source.cite()} (--hr-ceiling)")
    return None, pct


def read_prescription_file(path: Path) -> Prescription:
    """A prescription from a TOML file, or the snapshot stored inside a recording.

    Raises:
        PrescriptionError: the file does not read, or the recording holds no prescription.
        RecordingError: the recording cannot be read.
    """
    from osteomonitor.prescription import load_prescription

    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise PrescriptionError(f"{path}: cannot read the prescription ({exc.strerror})") from None
    if head != _SQLITE_MAGIC:
        return load_prescription(path)
    from osteomonitor.session import recording_prescription
    from osteomonitor.session.recording import read_header

    rx = recording_prescription(read_header(path).meta, path)
    if rx is None:
        raise PrescriptionError(
            f"{path}: this recording was made without a prescription, so it holds none"
        )
    return rx
