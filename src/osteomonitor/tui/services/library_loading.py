"""The review library's loading, run in a worker thread (`LibraryScreen._load_library`).

One path: the folder's rows and the analyses its index keeps are read and their table
rows built here (`views.library_cells`), then posted at once (`LibraryListed`); the
files the index does not know are analysed in a separate process
(`app.library.analyse_new`, never holding this interpreter's lock), read back and posted
in batches (`SessionsReviewed`) with progress on the status line (`LibraryProgress`).

The event loop shares this interpreter's lock with the worker. Pure Python here hands
the lock over when the loop asks (at most every 5 ms, `sys.getswitchinterval`), and the
worker also lets go of it between small batches (`YIELD_EVERY`); what held it for tens
of ms at a time were full garbage collections walking the reviews piling up, which
`_settle_heap` keeps short.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

from textual.message import Message

from osteomonitor.app.library_view import library_rows
from osteomonitor.app.review import ReviewCache, SessionReview
from osteomonitor.tui.messages import LibraryListed, LibraryProgress, SessionsReviewed
from osteomonitor.tui.views.library_cells import TableRow, library_row

#: Recordings decoded (or rows built) between two releases of the interpreter lock (one
#: kept review, analysis and verdict, decodes in ≈ 0.3-0.5 ms).
YIELD_EVERY = 8
#: Recordings decoded between two `_settle_heap` calls.
SETTLE_EVERY = 100
#: How long the worker lets go of the lock, s: 0 (a longer sleep costs wall time on a
#: busy machine, ≈ 1 s over 1000 recordings at 0.5 ms, and measured no fewer stalls).
YIELD_S = 0.0
#: The worker posts analysed rows at most this often, s (each post is one batch of
#: table updates on the event loop).
POST_EVERY_S = 0.1


def _settle_heap() -> None:
    """Collect the young generations (cheap: a few thousand objects), then move every
    object alive out of the collector's full passes (`gc.freeze`, as `OsteomonitorApp`
    does once its first screen is up).

    The reviews decoded here live as long as the screen's `ReviewCache` (the app's life
    in review); without this, each full collection while they pile up walks them all,
    holding the interpreter lock 15-45 ms (measured at 1000 recordings), in whichever
    thread allocates: the event loop stalls for it."""
    gc.collect(1)
    gc.freeze()


def load_library(
    folder: Path,
    cache: ReviewCache,
    post: Callable[[Message], object],
    cancelled: Callable[[], bool],
) -> None:
    """List `folder` and post its rows, then analyse the new files (see the module
    docstring); stops early when `cancelled()`."""
    from osteomonitor.app.library import analyse_new
    from osteomonitor.app.library import library_rows as list_library

    def reading(done: int, total: int) -> None:
        post(LibraryProgress(f"reading new recordings: {done} of {total}"))

    _settle_heap()
    infos = list_library(folder, progress=reading)
    paths = [i.path for i in infos if i.error is None]
    first: dict[Path, SessionReview] = {}
    new: list[Path] = []
    for k, path in enumerate(paths, start=1):
        if cancelled():
            return
        kept = cache.kept(path)  # memory, else the index; None: it takes an analysis
        if kept is None:
            new.append(path)
        else:
            first[path] = kept
        if k % YIELD_EVERY == 0:
            time.sleep(YIELD_S)
        if k % SETTLE_EVERY == 0:
            _settle_heap()
    rows: dict[Path, tuple[SessionReview | None, TableRow]] = {}
    for k, row in enumerate(library_rows(infos, first.get), start=1):
        rows[row.path] = (row.review, library_row(row))
        if k % (4 * YIELD_EVERY) == 0:
            time.sleep(YIELD_S)
    _settle_heap()
    post(LibraryListed(infos, tuple(first.values()), rows))
    batch: list[SessionReview] = []
    last = time.monotonic()
    for done, (path, error) in enumerate(analyse_new(new, cancelled=cancelled), start=1):
        if error is None:
            batch.append(cache.review(path))  # kept in the index by the process
        else:
            batch.append(SessionReview(path, error=error))
        now = time.monotonic()
        if now - last >= POST_EVERY_S or done == len(new):
            post(SessionsReviewed(tuple(batch)))
            text = f"analysing new recordings: {done} of {len(new)}"
            post(LibraryProgress("" if done == len(new) else text))
            batch, last = [], now
    if not new:
        post(LibraryProgress(""))
