"""`ReviewCache`: analysed recordings kept by (file, prescription), in memory and in
the folder's library index, so the library, detail and weeks screens analyse a file once.
"""

from __future__ import annotations

import threading
from pathlib import Path

from osteomonitor.app.session_review import (
    FileKey,
    SessionReview,
    file_key,
    review_session,
    reviewed,
)
from osteomonitor.errors import OsteomonitorError
from osteomonitor.prescription import Prescription


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
        prescription), or None when it would take an analysis."""
        from osteomonitor.app.library import kept_analysis

        cached = self.get(path)
        if cached is not None or not self.indexed:
            return cached
        try:
            found = kept_analysis(path)
            key = (file_key(path), 0)
        except (OsteomonitorError, OSError):
            return None
        if found is None:
            return None
        result = reviewed(path, *found)
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
