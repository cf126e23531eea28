"""Verdicts kept beside the analyses in the folder's library index.

Judging a kept analysis (`session_review.reviewed`: `evaluate_session` and the review's
alerts) took about a quarter of the review library's warm load, redone for every
recording on every opening. The verdict (`SessionCompliance` and the review's alerts)
is kept in the index's `verdict` table, keyed like the analysis it judged (file
identity, `ANALYSIS_VERSION`) and by `verdict_key`: the prescription it was judged
with (a fingerprint of its text and sources), the supervision flag it was judged with,
and the rules (`VERDICT_VERSION` and a fingerprint of the judging code). Any of those
changing judges again; a row that does not decode is judged again; an old index
without the table gets it (`store/index.py`). A kept verdict equals a fresh one
(tests/app/test_kept_reviews.py).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from osteomonitor.app import library
from osteomonitor.app.library import kept_analysis, rx_key
from osteomonitor.app.session_review import SessionReview, reviewed
from osteomonitor.model import SessionMeta, SessionSummary
from osteomonitor.prescription import Alert, Prescription, SessionCompliance
from osteomonitor.store import summary_codec
from osteomonitor.store.index import FileIdentity, decode_or_none, index_for

#: Bump when what a verdict is made of changes beyond the judging code's own text
#: (which `rules_fingerprint` already covers): e.g. data the rules read elsewhere.
VERDICT_VERSION = "2026-12-06.1"


@dataclass(frozen=True, slots=True)
class KeptVerdict:
    """What the index keeps of one judgement: the compliance verdict and the review's
    alerts (the live monitor's, folded, plus the coverage alerts)."""

    compliance: SessionCompliance
    alerts: tuple[Alert, ...]


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """`VERDICT_VERSION` and a hash of the judging code (the `prescription` package,
    `app/review_alerts.py`, `app/session_review.py`), computed once per process (~1 ms):
    a changed rule judges again without anyone remembering to bump a version."""
    import osteomonitor.prescription as rules
    from osteomonitor.app import review_alerts, session_review

    h = hashlib.sha256(VERDICT_VERSION.encode())
    files = sorted(Path(rules.__file__).parent.glob("*.py"))
    files += [Path(review_alerts.__file__), Path(session_review.__file__)]
    for f in files:
        try:
            h.update(f.name.encode() + b"\0" + f.read_bytes())
        except OSError:  # no sources (a frozen install): the version alone
            h.update(f.name.encode())
    return h.hexdigest()[:32]


_fp_lock = threading.Lock()
_fingerprints: dict[int, tuple[Prescription, str]] = {}
#: Prescriptions whose fingerprint is remembered (a library has a handful).
_FINGERPRINTS_KEPT = 64


_Memo = TypeVar("_Memo", int, tuple[str, str, int, bool | None])


def _remembered(
    table: dict[_Memo, tuple[Prescription, str]],
    memo: _Memo,
    rx: Prescription,
    limit: int,
    compute: Callable[[], str],
) -> str:
    """`compute()` once per `memo` (which holds `id(rx)`): the table keeps `rx` beside
    the value, so its id is not reused meanwhile; cleared when `limit` entries full."""
    with _fp_lock:
        hit = table.get(memo)
        if hit is not None and hit[0] is rx:
            return hit[1]
    value = compute()
    with _fp_lock:
        if len(table) >= limit:
            table.clear()
        table[memo] = (rx, value)
    return value


def rx_fingerprint(rx: Prescription) -> str:
    """A hash of everything in the prescription (its text, targets, sources), once per
    prescription object (the snapshot parser hands the same object to a library's
    recordings)."""
    return _remembered(_fingerprints, id(rx), rx, _FINGERPRINTS_KEPT, lambda: rx_key(rx))


_keys: dict[tuple[str, str, int, bool | None], tuple[Prescription, str]] = {}


def verdict_key(analysis_rx: str, rx: Prescription, supervised: bool | None) -> str:
    """The index key of a verdict: the rules, the analysis it judged (`rx_key` of the
    prescription given, "" for the recording's own), the prescription it was judged
    with and the supervision flag (remembered per prescription object)."""
    rules = rules_fingerprint()

    def key() -> str:
        text = f"{rules}|{analysis_rx}|{rx_fingerprint(rx)}|{supervised!r}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    memo = (rules, analysis_rx, id(rx), supervised)
    return _remembered(_keys, memo, rx, 4 * _FINGERPRINTS_KEPT, key)


def judged(
    path: Path,
    meta: SessionMeta,
    summary: SessionSummary,
    rx: Prescription | None,
    live_alerts: tuple[Alert, ...],
    ident: FileIdentity | None,
    analysis_rx: str = "",
) -> SessionReview:
    """`session_review.reviewed` with memory: the verdict kept in the folder's index for
    this file version (`ident`, None: not kept), else judged now and kept."""
    if rx is None or ident is None:
        return reviewed(path, meta, summary, rx, live_alerts)
    idx = index_for(path.parent)
    key = verdict_key(analysis_rx, rx, meta.supervised)
    text = idx.verdict(path.name, ident, library.ANALYSIS_VERSION, key)
    kept = decode_or_none(KeptVerdict, text) if text is not None else None
    if kept is not None:
        return SessionReview(path, meta, summary, rx, kept.compliance, kept.alerts)
    review = reviewed(path, meta, summary, rx, live_alerts)
    if review.error is None and review.compliance is not None:
        verdict = KeptVerdict(review.compliance, review.alerts)
        idx.put_verdict(
            path.name, ident, library.ANALYSIS_VERSION, key, summary_codec.encode(verdict)
        )
    return review


def kept_review(path: Path, ident: FileIdentity, overrides: bool = True) -> SessionReview | None:
    """The review of this file version (`ident`, stat'ed by the caller) from the folder's
    index with the recording's own prescription, or None when it takes an analysis.

    Args:
        overrides: False when the caller knows there is no review side file (saves
            trying to open it).
    """
    found = kept_analysis(path, ident=ident, overrides=overrides)
    if found is None:
        return None
    meta, summary, rx, live_alerts = found
    return judged(path, meta, summary, rx, live_alerts, ident)
