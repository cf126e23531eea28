"""The patients folder: one folder per patient with its facts and prescription history.

Layout (folders 0700, files 0600)::

    <patients>/P07/patient.toml                   the facts (`facts.py`)
    <patients>/P07/prescriptions/2025-03-03.toml  a prescription file, in force from that date
    <patients>/P07/prescriptions/2025-04-14.toml  … until the next one
    <patients>/P07/prescriptions/2025-04-14-2.toml  a second one the same day wins that day

Each history file is an ordinary prescription file (what `prescription new` writes,
`prescription check` validates). The prescription in force on a date is the last one
whose date is on or before it. Nothing here deletes or overwrites a prescription; a
file that does not read is reported with its name and never skipped silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from osteomonitor.config import ensure_private_dir
from osteomonitor.errors import OsteomonitorError, PatientError
from osteomonitor.patients.facts import PatientFacts, facts_toml, parse_facts
from osteomonitor.patients.files import write_private_file
from osteomonitor.prescription import Prescription, parse_prescription
from osteomonitor.pseudonym import pseudonym_problem

FACTS_FILE = "patient.toml"
HISTORY_DIR = "prescriptions"
#: History file names: the date the prescription is in force from, and a same-day number.
_HISTORY_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-(\d+))?\.toml$")


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One dated prescription of a patient.

    Attributes:
        in_force_from: first local date it applies. seq: 1, or the same-day number.
        path: its file. text: the file's text ("" when unreadable).
        prescription: the parsed prescription, or None when `problem` says why not.
    """

    in_force_from: dt.date
    seq: int
    path: Path
    text: str
    prescription: Prescription | None
    problem: str | None = None


class PatientRecords:
    """The patient records in one folder (`config.folders().patients`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    # ------------------------------------------------------------------ paths

    def path_of(self, pseudonym: str) -> Path:
        """The folder of a patient (it need not exist).

        Raises:
            PatientError: `pseudonym` is not a pseudonym.
        """
        problem = pseudonym_problem(pseudonym)
        if problem is not None:
            raise PatientError(problem)
        return self.folder / pseudonym

    def facts_path(self, pseudonym: str) -> Path:
        return self.path_of(pseudonym) / FACTS_FILE

    def pseudonyms(self) -> list[str]:
        """Every patient with a facts file, sorted (other folders are ignored)."""
        if not self.folder.is_dir():
            return []
        return sorted(
            p.name
            for p in self.folder.iterdir()
            if p.is_dir() and (p / FACTS_FILE).is_file() and pseudonym_problem(p.name) is None
        )

    def exists(self, pseudonym: str) -> bool:
        return self.facts_path(pseudonym).is_file()

    # ------------------------------------------------------------------ facts

    def read_facts(self, pseudonym: str, today: dt.date | None = None) -> PatientFacts:
        """The facts of a patient.

        Raises:
            PatientError: no such patient, or the file does not read (file, key, what to do).
        """
        path = self.facts_path(pseudonym)
        if not path.is_file():
            known = ", ".join(self.pseudonyms()) or "none yet"
            raise PatientError(
                f"no patient {pseudonym} in {self.folder} (known: {known}); add one with "
                f"'osteomonitor patient add {pseudonym} --age N …'"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PatientError(
                f"{path}: cannot read the patient record ({exc}); it must be UTF-8 text you "
                "can read: fix its permissions or content by hand (nothing was changed)"
            ) from None
        facts = parse_facts(text, str(path), today)
        if facts.pseudonym != pseudonym:
            raise PatientError(
                f"{path}: pseudonym: the file says {facts.pseudonym!r} but lies in the folder "
                f"of {pseudonym!r}; fix one of them by hand (nothing was changed)"
            )
        return facts

    def create(self, facts: PatientFacts) -> Path:
        """Write a new patient's facts; an existing patient is never overwritten.

        Raises:
            PatientError: the patient (or one differing only in letter case) exists.
        """
        for known in self.pseudonyms():
            if known.casefold() == facts.pseudonym.casefold():
                raise PatientError(
                    f"patient {known} already exists in {self.folder}; change it with "
                    f"'osteomonitor patient edit {known} …'"
                )
        ensure_private_dir(self.folder)
        folder = ensure_private_dir(self.path_of(facts.pseudonym))
        return write_private_file(folder / FACTS_FILE, facts_toml(facts), replace=False)

    def save_facts(self, facts: PatientFacts) -> Path:
        """Replace an existing patient's facts (atomically)."""
        path = self.facts_path(facts.pseudonym)
        if not path.is_file():
            raise PatientError(f"no patient {facts.pseudonym} in {self.folder}")
        return write_private_file(path, facts_toml(facts), replace=True)

    # ---------------------------------------------------------------- history

    def history(self, pseudonym: str) -> tuple[list[HistoryEntry], list[Path]]:
        """The dated prescriptions, oldest first, and the files whose name is not a date.

        A file that does not read is kept in the list with its `problem`.
        """
        folder = self.path_of(pseudonym) / HISTORY_DIR
        if not folder.is_dir():
            return [], []
        entries: list[HistoryEntry] = []
        strays: list[Path] = []
        for path in sorted(folder.iterdir()):
            m = _HISTORY_RE.match(path.name)
            day = None
            if m is not None:
                try:
                    day = dt.date.fromisoformat(m.group(1))
                except ValueError:
                    day = None
            if day is None or not path.is_file():
                if not path.name.startswith("."):
                    strays.append(path)
                continue
            assert m is not None
            entries.append(self._entry(path, pseudonym, day, int(m.group(2) or 1)))
        entries.sort(key=lambda e: (e.in_force_from, e.seq))
        return entries, strays

    @staticmethod
    def _entry(path: Path, pseudonym: str, day: dt.date, seq: int) -> HistoryEntry:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return HistoryEntry(day, seq, path, "", None, f"{path}: cannot read it ({exc})")
        try:
            rx = parse_prescription(text, str(path))
        except OsteomonitorError as exc:
            return HistoryEntry(day, seq, path, text, None, str(exc))
        if rx.patient.pseudonym != pseudonym:
            return HistoryEntry(
                day,
                seq,
                path,
                text,
                None,
                f"{path}: patient.pseudonym is {rx.patient.pseudonym!r}, not {pseudonym!r}",
            )
        return HistoryEntry(day, seq, path, text, rx)

    def in_force(self, pseudonym: str, day: dt.date) -> HistoryEntry | None:
        """The prescription in force on local date `day`, or None if none had started.

        Raises:
            PatientError: that prescription's file does not read (an older one is never
                used in its place: the message says which file to fix).
        """
        entries, _ = self.history(pseudonym)
        chosen = None
        for e in entries:
            if e.in_force_from <= day:
                chosen = e
        if chosen is not None and chosen.prescription is None:
            raise PatientError(
                f"{chosen.path}: the prescription in force on {day} does not read; fix it "
                "(osteomonitor prescription check FILE lists every problem) or give "
                f"--prescription FILE:\n  {chosen.problem}"
            )
        return chosen

    def add_prescription(self, pseudonym: str, text: str, in_force_from: dt.date) -> Path:
        """Store a prescription file in the history, in force from `in_force_from`.

        The text is validated first and must name the same patient. A second one on the
        same date gets the next number and wins that day; nothing is overwritten.

        Raises:
            PatientError / PrescriptionError: no such patient, or the text is invalid.
        """
        self.read_facts(pseudonym)  # the patient exists and reads
        rx = parse_prescription(text, f"<prescription for {pseudonym}>")
        if rx.patient.pseudonym != pseudonym:
            raise PatientError(
                f"the prescription is for {rx.patient.pseudonym!r}, not {pseudonym!r}: "
                "it was not added"
            )
        folder = ensure_private_dir(self.path_of(pseudonym) / HISTORY_DIR)
        base = in_force_from.isoformat()
        seq = 1
        while True:
            name = f"{base}.toml" if seq == 1 else f"{base}-{seq}.toml"
            try:
                return write_private_file(folder / name, text, replace=False)
            except PatientError:
                if not (folder / name).exists():
                    raise
                seq += 1
