"""Refit the shipped fall model (`src/osteomonitor/analysis/fall_model.json`).

    .venv/bin/python tools/train_fall_model.py [--check]

Fits the logistic model of `osteomonitor.analysis.falls` on every person of SisFall
(waist, 200 Hz, 12 young and 7 older adults) and USC-HAD (hip, 100 Hz, 10 young
adults, activities only) with the labels and fit of `bench/fall_training.py`, and
writes the coefficients as JSON. The fit is deterministic: the same data give the same
file byte for byte (`--check` exits 1 when the stored file differs). How well a model
fitted this way generalises is measured leave-one-subject-out by
`bench/accuracy_falls.py`, not here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
MODEL = ROOT / "src" / "osteomonitor" / "analysis" / "fall_model.json"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the stored model")
    args = ap.parse_args()
    import fall_training as ft
    import trunk_datasets as td

    if not td.available():
        print(f"datasets not found under {td.SHARED / 'datasets'}; set OSTEOMONITOR_SHARED")
        return 2
    rows = ft.extract_cached()
    subjects = sorted({r.subject for r in rows})
    source = (
        f"logistic fit (tools/train_fall_model.py) on {len(subjects)} people: SisFall "
        "SA01-SA12, SE01-SE07 (waist, 200 Hz) and USC-HAD subjects 1-10 (hip, 100 Hz); "
        "threshold from bench/accuracy_falls.py leave-one-subject-out"
    )
    text = ft.fit(rows, source).to_json()
    if args.check:
        same = MODEL.read_text(encoding="utf-8") == text
        print("fall model is up to date" if same else "fall model differs from a refit")
        return 0 if same else 1
    MODEL.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL.relative_to(ROOT)}")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
