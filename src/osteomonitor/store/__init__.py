"""Recording files: the source of truth (writer, reader, library listing).

May import: model, errors, stdlib (sqlite3). Never numpy, bleak, bumble or textual.
"""

from osteomonitor.store.reader import (
    ENDED_CLEANLY,
    ENDED_UNEXPECTEDLY,
    RECORDING,
    RecordingReader,
)
from osteomonitor.store.schema import APPLICATION_ID, SCHEMA_VERSION, SUFFIX
from osteomonitor.store.writer import RecordingWriter

__all__ = [
    "APPLICATION_ID",
    "ENDED_CLEANLY",
    "ENDED_UNEXPECTEDLY",
    "RECORDING",
    "SCHEMA_VERSION",
    "SUFFIX",
    "RecordingReader",
    "RecordingWriter",
]
