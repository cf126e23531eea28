"""PMD frames laid in one byte buffer, as `store.columns` hands them to the batch
decoders (tests of `devices.pmd_batch` / `pmd_delta_batch` import this)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from osteomonitor.devices.pmd_batch import SLACK

Laid = tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64], npt.NDArray[np.int64]]


def laid_out(frames: list[bytes], order: npt.NDArray[np.integer]) -> Laid:
    """Frames placed in the buffer in `order` (a byte between them, `SLACK` zeros
    after), found by offset: (buffer, offsets, lengths), frame k at offsets[k]."""
    parts, offs, at = [], np.zeros(len(frames), np.int64), 0
    for k in order.tolist():
        parts.append(b"\x5a" + frames[k])
        offs[k] = at + 1
        at += 1 + len(frames[k])
    buf = np.frombuffer(b"".join(parts) + bytes(SLACK), dtype=np.uint8)
    return buf, offs, np.array([len(f) for f in frames], np.int64)
