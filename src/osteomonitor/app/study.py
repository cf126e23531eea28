"""Studies: many recordings analysed on every core into one table of per-session summaries.

`study_row(path)` is the whole per-recording work: a pure function of a file name that
returns plain values (no open files, no shared state), so it is picklable and runs in
any worker: `run_study` maps it over a process pool on this machine, and a study that
outgrows one machine maps the same function with Dask (`docs/ARCHITECTURE.md`,
"Studies"). A recording that cannot be analysed gives a row with its `error`; it never
stops the study.

The table: one row per recording with the fields in `COLUMNS`, written as CSV and as
JSON Lines (`study_csv`, `study_jsonl`).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from osteomonitor.errors import OsteomonitorError

#: The table's columns, in order (units in the names; see docs/metrics.md).
COLUMNS: tuple[str, ...] = (
    "file",
    "patient",
    "kind",
    "start",
    "duration_s",
    "acc_s",
    "jumps",
    "impact_peaks",
    "peaks_above_4_2g",
    "peak_max_g",
    "osteogenic_index",
    "steps",
    "walking_s",
    "cadence_spm",
    "hr_mean_bpm",
    "hr_max_bpm",
    "in_band_s",
    "falls",
    "packets",
    "decode_errors",
    "set_aside",
    "error",
)

#: One table row: column → value (None when unknown or after an error).
Row = dict[str, str | int | float | None]


def study_row(path: str) -> Row:
    """One recording's summary as a table row (pure and picklable: a path in, values out).

    The recording is analysed with its own prescription snapshot (which sets the HR
    band); a file that cannot be read or analysed gives a row holding only `file` and
    `error` (what went wrong, in the user's words).
    """
    from osteomonitor.session.batch import process_recording_batch

    row: Row = dict.fromkeys(COLUMNS)
    row["file"] = path
    try:
        meta, proc = process_recording_batch(path)
        s = proc.summary()
    except OsteomonitorError as exc:
        row["error"] = str(exc)
        return row
    except Exception as exc:
        row["error"] = f"analysis failed: {type(exc).__name__}: {exc}"
        return row
    imp, heart, gait = s.impacts, s.heart, s.gait
    row.update(
        patient=meta.patient,
        kind=meta.kind,
        start=meta.start_iso,
        duration_s=round(s.duration_s, 3),
        acc_s=round(s.acc_s, 3),
        jumps=len(s.jumps),
        impact_peaks=imp.n_peaks,
        peaks_above_4_2g=imp.n_above_4_2g,
        peak_max_g=None if imp.peak_max_g is None else round(imp.peak_max_g, 3),
        osteogenic_index=round(imp.osteogenic_index, 3),
        steps=gait.steps,
        walking_s=round(gait.walking_s, 1),
        cadence_spm=gait.cadence_spm,
        hr_mean_bpm=None if heart.hr_mean_bpm is None else round(heart.hr_mean_bpm, 1),
        hr_max_bpm=None if heart.hr_max_bpm is None else round(heart.hr_max_bpm, 1),
        in_band_s=round(heart.target_s, 1),
        falls=len(s.falls),
        packets=s.packets,
        decode_errors=s.decode_errors,
        set_aside=sum(f.frames for f in s.set_aside),
    )
    return row


def run_study(
    paths: Sequence[str | os.PathLike[str]],
    jobs: int = 1,
    on_row: Callable[[int, int, Row], None] | None = None,
    row_fn: Callable[[str], Row] = study_row,
) -> list[Row]:
    """`row_fn` over every recording, `jobs` at a time; rows in the order of `paths`.

    Args:
        paths: recording files.
        jobs: worker processes (1: in this process).
        on_row: called as each row is done with (done, total, row), for progress.
        row_fn: the per-recording function (top-level, picklable).
    """
    names = [str(p) for p in paths]
    rows: list[Row | None] = [None] * len(names)
    for done, (i, row) in enumerate(_rows(names, jobs, row_fn), start=1):
        rows[i] = row
        if on_row is not None:
            on_row(done, len(names), row)
    return [r for r in rows if r is not None]


def _rows(names: list[str], jobs: int, fn: Callable[[str], Row]) -> Iterator[tuple[int, Row]]:
    if jobs <= 1 or len(names) <= 1:
        for i, name in enumerate(names):
            yield i, fn(name)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(names))) as pool:
        futures = {pool.submit(fn, name): i for i, name in enumerate(names)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                row = fut.result()
            except Exception as exc:
                row = dict.fromkeys(COLUMNS)
                row.update(file=names[i], error=f"worker failed: {type(exc).__name__}: {exc}")
            yield i, row


def study_files(inputs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Recording files named or found (recursively) below the folders named, in order.

    Raises:
        RecordingError: a named folder or file does not exist.
    """
    from osteomonitor.store.library import iter_recording_files

    out: list[Path] = []
    for item in inputs:
        out.extend(iter_recording_files(item))
    return out


def study_csv(rows: Iterable[Row]) -> str:
    """The table as CSV (header row, then one row per recording; empty cells for None)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if r.get(k) is None else r.get(k) for k in COLUMNS})
    return buf.getvalue()


def study_jsonl(rows: Iterable[Row]) -> str:
    """The table as JSON Lines (one object per recording, every column, null for none)."""
    return "".join(
        json.dumps({k: r.get(k) for k in COLUMNS}, ensure_ascii=False) + "\n" for r in rows
    )
