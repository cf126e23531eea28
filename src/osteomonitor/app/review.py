"""Review use cases: a recording analysed and judged, its exports, a patient's weeks.

Headless (no Textual, no printing): `osteomonitor analyze` / `osteomonitor week` print
what these return, the review screens render it. Both therefore judge a session the
same way:

- a session is analysed by `session.process_recording_batch` (the summary the
  driver live and replay give, computed on whole arrays) with the prescription it
  is judged against, and judged by `prescription.evaluate_session`;
- a patient's weeks follow ONE prescription rule (`weeks_prescription`): the one
  given, else the snapshot stored in the patient's newest recording; every session of
  the weeks is analysed AND judged with that same prescription (its HRrest, HRmax and
  %HRR band decide the minutes in band that its targets then judge).

This module gathers the public names of four smaller ones: `session_review` (one
recording analysed and judged), `review_cache` (`ReviewCache`), `review_exports` (its
documents) and `review_weeks` (a patient's weeks).
"""

from __future__ import annotations

from osteomonitor.app.review_cache import ReviewCache
from osteomonitor.app.review_exports import (
    export_review,
    jumps_csv,
    minutes_csv,
    session_json_text,
    session_text,
)
from osteomonitor.app.review_weeks import (
    PatientWeeks,
    iso_weeks_between,
    patient_weeks,
    week_report,
    week_reports,
    weeks_prescription,
)
from osteomonitor.app.session_review import (
    FileKey,
    SessionReview,
    analyse_file,
    file_key,
    judge,
    review_session,
    set_supervised,
)
from osteomonitor.report import set_aside_lines
from osteomonitor.session import recording_prescription, recording_set_aside
from osteomonitor.store.library import RecordingInfo, list_recordings

__all__ = [
    "FileKey",
    "PatientWeeks",
    "RecordingInfo",
    "ReviewCache",
    "SessionReview",
    "analyse_file",
    "export_review",
    "file_key",
    "iso_weeks_between",
    "judge",
    "jumps_csv",
    "list_recordings",
    "minutes_csv",
    "patient_weeks",
    "recording_prescription",
    "recording_set_aside",
    "review_session",
    "session_json_text",
    "session_text",
    "set_aside_lines",
    "set_supervised",
    "week_report",
    "week_reports",
    "weeks_prescription",
]
