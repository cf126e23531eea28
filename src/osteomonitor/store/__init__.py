"""Recording files: the source of truth (writer, reader, library listing).

May import: model, errors, stdlib (sqlite3). Never numpy, bleak, bumble or textual.

The package imports a module when one of its names is first used (PEP 562,
`osteomonitor.lazy`): reading a recording (`analyze`) loads no writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from osteomonitor.lazy import lazy_attributes

if TYPE_CHECKING:
    from osteomonitor.store.reader import (
        ENDED_CLEANLY,
        ENDED_UNEXPECTEDLY,
        RECORDING,
        RecordingReader,
    )
    from osteomonitor.store.schema import APPLICATION_ID, SCHEMA_VERSION, SUFFIX
    from osteomonitor.store.writer import RecordingWriter

#: Where each name lives.
_HOME: dict[str, str] = {
    **dict.fromkeys(
        ("ENDED_CLEANLY", "ENDED_UNEXPECTEDLY", "RECORDING", "RecordingReader"), "reader"
    ),
    **dict.fromkeys(("APPLICATION_ID", "SCHEMA_VERSION", "SUFFIX"), "schema"),
    "RecordingWriter": "writer",
}

__getattr__, __dir__ = lazy_attributes(__name__, _HOME)

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
