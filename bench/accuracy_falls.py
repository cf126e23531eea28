"""Fall detection scored leave-one-subject-out on SisFall and USC-HAD.

Data (see `trunk_datasets.py`): SisFall (Sucerquia et al., Sensors 2017;17:198) waist
IMU at 200 Hz: 15 kinds of fall (F01-F15, 5 trials each) by 12 young adults and one
older adult (SE06), 19 activities of daily living (D01-D19) by 12 young and 7 older
adults; USC-HAD (Zhang & Sawchuk 2012) hip IMU at 100 Hz: 12 activities incl. running
and continuous jumping by 10 young adults (activities only).

Leave-one-subject-out: for each of the 29 people, the logistic model is fitted
(`fall_training.fit`) on the other 28 and that person's trials are scored with it. A
fall trial is detected when the detector raises at least one alarm in it; every alarm
in an activity trial is a false alarm, counted per hour of that activity. The in-sample
figures (the shipped model, fitted on everyone) are shown beside the cross-validated
ones. Rate robustness: each held-out person is also scored at 50 and 25 Hz (block means
of 4 and 8 / 2 and 4 samples) with the model fitted at the native rates.

Anchors: SisFall's own threshold features reach 96 % accuracy (Sucerquia 2017); learned
detectors report 99.5-99.8 % on its waist data. Those are per-trial accuracies over
falls and activities together, not false alarms per hour.

Run: `nice -n 10 .venv/bin/python bench/accuracy_falls.py [--smoke] [--trials]`.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table

#: The issue's targets (cross-validated).
SENSITIVITY_TARGET = 0.98
FALSE_ALARMS_PER_10H_TARGET = 1.0
#: Smoke run: a few people, seconds.
SMOKE_SUBJECTS = ("SA01", "SA02", "SE06", "SE01", "U1", "U2")
#: Other probability thresholds scored leave-one-subject-out (the trade-off behind the
#: shipped 0.9).
OPERATING_POINTS = (0.5, 0.97, 0.99)


def _loso(rows, rate_rows=None):  # type: ignore[no-untyped-def]
    """Per-trial alarms with each person held out: {(subject, code, trial): alarms}, the
    same for each decimated copy in `rate_rows` ({label: rows}), and at each threshold
    of `OPERATING_POINTS` ({threshold: alarms})."""
    import dataclasses

    import fall_training as ft

    subjects = sorted({r.subject for r in rows})
    out: dict[tuple[str, str, int], int] = {}
    out_rate: dict[str, dict[tuple[str, str, int], int]] = defaultdict(dict)
    out_thr: dict[float, dict[tuple[str, str, int], int]] = defaultdict(dict)
    for s in subjects:
        model = ft.fit([r for r in rows if r.subject != s])
        for r in rows:
            if r.subject == s:
                out[(r.subject, r.code, r.trial)] = ft.alarms(model, r)
                for thr in OPERATING_POINTS:
                    m = dataclasses.replace(model, threshold=thr)
                    out_thr[thr][(r.subject, r.code, r.trial)] = ft.alarms(m, r)
        for label, rr in (rate_rows or {}).items():
            for r in rr:
                if r.subject == s:
                    out_rate[label][(r.subject, r.code, r.trial)] = ft.alarms(model, r)
    return out, out_rate, out_thr


def _score(rows, alarms, tag: str, per_kind: bool) -> list[Row]:  # type: ignore[no-untyped-def]
    import trunk_datasets as td

    found: Counter[str] = Counter()
    falls: Counter[str] = Counter()
    fa: Counter[str] = Counter()
    hours: Counter[str] = Counter()
    kind_found: Counter[str] = Counter()
    kind_n: Counter[str] = Counter()
    act_fa: Counter[str] = Counter()
    act_h: Counter[str] = Counter()
    for r in rows:
        a = alarms[(r.subject, r.code, r.trial)]
        if r.is_fall:
            falls[r.group] += 1
            found[r.group] += a > 0
            kind_n[r.code] += 1
            kind_found[r.code] += a > 0
        else:
            key = f"{r.dataset} {r.code} {_activity(td, r)}"
            fa[r.group] += a
            hours[r.group] += r.duration_s / 3600
            act_fa[key] += a
            act_h[key] += r.duration_s / 3600
    out: list[Row] = []
    n_all, f_all = sum(falls.values()), sum(found.values())
    if n_all:
        sens = f_all / n_all
        out.append(
            Row(
                f"falls detected, {tag}",
                100 * sens,
                "%",
                f"≥ {100 * SENSITIVITY_TARGET:g}",
                sens >= SENSITIVITY_TARGET,
                f"{f_all}/{n_all} trials; "
                + "; ".join(f"{g} {found[g]}/{falls[g]}" for g in sorted(falls)),
            )
        )
    h_all = sum(hours.values())
    if h_all:
        rate = 10 * sum(fa.values()) / h_all
        out.append(
            Row(
                f"false alarms per 10 h of activities, {tag}",
                rate,
                "/10 h",
                f"≤ {FALSE_ALARMS_PER_10H_TARGET:g}",
                rate <= FALSE_ALARMS_PER_10H_TARGET,
                f"{sum(fa.values())} in {h_all:.2f} h; "
                + "; ".join(
                    f"{g} {fa[g]} in {hours[g]:.2f} h ({10 * fa[g] / hours[g]:.1f}/10 h)"
                    for g in sorted(hours)
                ),
            )
        )
    if per_kind:
        for code in sorted(kind_n):
            out.append(
                Row(
                    f"  {code} {td.SISFALL_CODES[code]}, {tag}",
                    100 * kind_found[code] / kind_n[code],
                    "% detected",
                    note=f"{kind_found[code]}/{kind_n[code]}",
                )
            )
        for key in sorted(act_h):
            if act_fa[key]:
                out.append(
                    Row(
                        f"  false alarms in {key}, {tag}",
                        10 * act_fa[key] / act_h[key],
                        "/10 h",
                        note=f"{act_fa[key]} in {60 * act_h[key]:.1f} min",
                    )
                )
        quiet = [k for k in sorted(act_h) if not act_fa[k]]
        out.append(
            Row(
                f"  activities without a false alarm, {tag}",
                len(quiet),
                "activities",
                note=", ".join(k.split(" ", 1)[1] for k in quiet),
            )
        )
    return out


def _activity(td, r) -> str:  # type: ignore[no-untyped-def]
    if r.dataset == "usc-had":
        return td.USC_ACTIVITIES[int(r.code[1:])]
    return td.SISFALL_CODES[r.code]


def run(smoke: bool = False) -> list[Row]:
    """Cross-validated and in-sample fall-detection figures (see module docstring)."""
    import fall_training as ft
    import trunk_datasets as td
    from osteomonitor.analysis.falls import default_model

    if not td.available():
        return [Row("fall detection", 0, "", note=f"skipped: no datasets under {td.SHARED}")]
    if smoke:
        sis = [s for s in SMOKE_SUBJECTS if s.startswith("S")]
        usc = [int(s[1:]) for s in SMOKE_SUBJECTS if s.startswith("U")]
        trials = [*td.sisfall_trials(sis), *td.usc_trials(usc)]
        rows = ft.extract(trials)
        rate_rows = {"25 Hz": ft.extract([t for t in trials if t.dataset == "sisfall"], decimate=8)}
    else:
        rows = ft.extract_cached()
        rate_rows = {"50 Hz": ft.extract_cached(4), "25 Hz": ft.extract_cached(8)}
    alarms, alarms_rate, alarms_thr = _loso(rows, rate_rows)
    out = _score(rows, alarms, "LOSO", per_kind=not smoke)
    for thr, al in alarms_thr.items():
        out += [
            Row(r.metric, r.value, r.unit, note=r.note)
            for r in _score(rows, al, f"LOSO at probability ≥ {thr:g}", per_kind=False)
        ]
    for label, rr in rate_rows.items():
        out += _score(rr, alarms_rate[label], f"LOSO, SisFall at {label}", per_kind=False)
    shipped = default_model()
    insample = {(r.subject, r.code, r.trial): ft.alarms(shipped, r) for r in rows}
    for r in _score(rows, insample, "in-sample (shipped model)", per_kind=False):
        out.append(Row(r.metric, r.value, r.unit, note=r.note))
    return out


if __name__ == "__main__":
    print(format_table(run(smoke="--smoke" in sys.argv)))
