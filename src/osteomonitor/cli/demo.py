"""`osteomonitor demo`: a simulated Polar H10 plays a built-in session into the live screen.

The full path runs, nothing is faked: a virtual H10 advertises on a virtual BLE radio
(bumble), bleak connects to it through the simulation backend, the collector records
every notification to a file, the live analysis reads the same packets, the dashboard
shows them. The session is the demo's own (`sim.session_model.DEMO_PLAN`): a short
warm-up walk, the first jump within 30 s, three blocks of jumps with rests, walking and
a cool-down. The patient is "DEMO" with a KSBMR-2023 prescription drafted on the spot;
the recording goes into the recordings folder (`osteomonitor.config.folders()`, made
owner-only), its path is printed before and after, and it can be replayed.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from osteomonitor.cli.supervision import add_supervision_flag, supervision_of
from osteomonitor.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.app.collection import CollectionPlan

#: The demo patient: a pseudonym and plausible facts for a fit 67-year-old at moderate
#: fracture risk (the HR ceiling is 75 %HRR; the template is the KSBMR 2023 statement).
#: With HRrest 56 bpm and Tanaka HRmax 161 bpm the target band 40–60 %HRR is 98–119 bpm,
#: so the simulated walk (~100 bpm) sits in it and the jumps (~128 bpm) above it.
DEMO_PATIENT = "DEMO"
DEMO_TEMPLATE = "ksbmr-2023"
DEMO_AGE_Y = 67
DEMO_MASS_KG = 62.0
DEMO_RESTING_HR_BPM = 56.0
DEMO_HR_CEILING_PCT_HRR = 75.0
#: Length of the built-in session the virtual H10 plays (it repeats after), s.
DEMO_SESSION_S = 600.0
#: The built-in session the demo plays (`sim.session_model.SESSION_PLANS`).
DEMO_SESSION = "demo"


def demo_prescription_toml(
    patient: str = DEMO_PATIENT,
    start_date: dt.date | None = None,
    timezone: str = "UTC",
    *,
    fracture_risk: str = "moderate",
    hr_ceiling_bpm: float | None = None,
) -> str:
    """A valid prescription for a demo patient, drafted from the KSBMR-2023 template.

    Args:
        patient: pseudonym. start_date: programme week 1 (default: two weeks ago).
        timezone: the patient's IANA zone.
        fracture_risk: "low", "moderate" or "high" (high forbids flight phases).
        hr_ceiling_bpm: the HR ceiling in bpm instead of 75 %HRR.
    """
    from osteomonitor.prescription import Patient, draft_prescription

    start = start_date or dt.date.today() - dt.timedelta(days=14)
    who = Patient(
        pseudonym=patient,
        age_y=DEMO_AGE_Y,
        body_mass_kg=DEMO_MASS_KG,
        timezone=timezone,
        fracture_risk=fracture_risk,
        prior_vertebral_fracture=False,
        hr_modulating_medication=False,
        resting_hr_bpm=DEMO_RESTING_HR_BPM,
        resting_hr_method="seated-5min",
        resting_hr_date=start,
        hrmax_bpm=0.0,
        hrmax_method="tanaka",
    )
    text, _notes = draft_prescription(
        DEMO_TEMPLATE,
        patient=who,
        start_date=start,
        hr_ceiling_bpm=hr_ceiling_bpm,
        hr_ceiling_pct_hrr=None if hr_ceiling_bpm is not None else DEMO_HR_CEILING_PCT_HRR,
    )
    return text


def register(sub: Any) -> None:
    """Add the `demo` command."""
    p = sub.add_parser(
        "demo",
        help="watch a simulated Polar H10 session in the live dashboard (no hardware)",
        description="A virtual Polar H10 on a virtual Bluetooth link plays a built-in "
        "session (a short warm-up walk, the first jump within 30 s, three blocks of jumps "
        "with rests, walking, cool-down) into the live dashboard. Press q, then y, to "
        "stop; the recording is kept in the recordings folder and can be replayed.",
    )
    p.add_argument(
        "--speed",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="simulated seconds per real second (default 1; 4 plays the session 4 times faster)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help="recording file (default: a new file in the recordings folder, see the README)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the simulated session")
    add_supervision_flag(p)
    p.set_defaults(func=_demo)


def demo_plan(
    *,
    speed: float = 1.0,
    seed: int = 0,
    output: Path | None = None,
    supervised: bool | None = None,
    timezone: str = "UTC",
) -> tuple[CollectionPlan, str]:
    """The demo's collection plan and its prescription (TOML text).

    Args:
        speed: simulated seconds per wall second. seed: the simulated session's seed.
        output: the recording; None = a new file in the recordings folder
            (`config.folders().recordings`, created owner-only).
        supervised: whether the session is supervised (None: not said).
        timezone: the patient's IANA zone.

    Raises:
        UsageError: the speed is out of range. ConfigError: the folder cannot be made.
    """
    from osteomonitor.app.collection import CollectionPlan, new_recording_path
    from osteomonitor.config import ensure_private_dir, folders

    if not 0 < speed <= 64:
        raise UsageError("--speed: give a factor above 0 and at most 64")
    if output is None:
        folder = ensure_private_dir(folders().recordings)
        output = new_recording_path(DEMO_PATIENT, "impact", folder)
    toml = demo_prescription_toml(timezone=timezone)
    plan = CollectionPlan(
        patient=DEMO_PATIENT,
        kind="impact",
        simulate=("h10",),
        prescription_toml=toml,
        output=output,
        sim_speed=speed,
        sim_seed=seed,
        sim_duration_s=DEMO_SESSION_S,
        sim_session=DEMO_SESSION,
        notes="osteomonitor demo",
        supervised=supervised,
    )
    return plan, toml


def _demo(args: argparse.Namespace) -> int:
    from osteomonitor.config import local_timezone
    from osteomonitor.prescription import parse_prescription
    from osteomonitor.tui.services.live_session import run_live

    plan, toml = demo_plan(
        speed=args.speed,
        seed=args.seed,
        output=args.output,
        supervised=supervision_of(args),
        timezone=local_timezone(),
    )
    rx = parse_prescription(toml, "<demo prescription>")
    return run_live(plan, rx)
