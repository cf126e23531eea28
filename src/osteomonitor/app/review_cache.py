"""`ReviewCache`: analysed recordings kept by (file, prescription), in memory and in
the folder's library index, so the library, detail and weeks screens analyse a file once.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from osteomonitor.app.session_review import (
    FileKey,
    SessionReview,
    file_key,
    review_session,
)
from osteomonitor.errors import OsteomonitorError
from osteomonitor.prescription import Prescription
from osteomonitor.store.index import FileIdentity


class ReviewCache:
    """Analysed recordings by (file, prescription); thread-safe.

    A review depends on the prescription it was analysed with, so a file reviewed with
    its own snapshot and with another prescription are two entries. With `indexed` (the
    default) a file not in memory is read from the folder's library index before it is
    analysed (and kept there afterwards).
    """

    def __init__(self, indexed: bool = True) -> None:
        self.indexed = indexed
        self._lock = threading.Lock()
        self._items: dict[tuple[FileKey, int], SessionReview] = {}

    def get(self, path: Path, prescription: Prescription | None = None) -> SessionReview | None:
        """The cached review of `path` if the file has not changed since."""
        try:
            key = (file_key(path), id(prescription) if prescription is not None else 0)
        except OSError:
            return None
        with self._lock:
            return self._items.get(key)

    def kept(self, path: Path) -> SessionReview | None:
        """The review from memory or from the folder's library index (the recording's own
        prescription, its verdict kept too: `app/kept_reviews.py`), or None when it would
        take an analysis. The file is stat'ed once."""
        from osteomonitor.app.kept_reviews import kept_review

        try:
            st = os.stat(path)
            key = (file_key(path, st), 0)
        except OSError:
            return None
        with self._lock:
            cached = self._items.get(key)
        if cached is not None or not self.indexed:
            return cached
        ident = FileIdentity(st.st_size, st.st_mtime_ns, st.st_ino)
        try:
            result = kept_review(path, ident, overrides=key[0][3] != 0)
        except (OsteomonitorError, OSError):
            return None
        if result is None:
            return None
        with self._lock:
            self._items[key] = result
        return result

    def review(self, path: Path, prescription: Prescription | None = None) -> SessionReview:
        """The cached review, or analyse now (slow: call from a worker thread)."""
        try:
            key: tuple[FileKey, int] | None = (
                file_key(path),
                id(prescription) if prescription is not None else 0,
            )
        except OSError:
            key = None
        if key is not None:
            with self._lock:
                cached = self._items.get(key)
            if cached is not None:
                return cached
        result = review_session(path, prescription, indexed=self.indexed)
        if key is not None:
            with self._lock:
                self._items[key] = result
        return result
