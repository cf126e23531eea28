"""Many Heart Rate Measurement notifications decoded at once (the batch form of `hrs`).

The notifications lie in one byte buffer; flags, heart rate, energy and RR intervals
are read with array operations for all of them, and each becomes the `HrSample` that
`hrs.decode_hr` gives for it (tested). A notification whose length does not match its
flags is left to `hrs.decode_hr`, so the error is reported exactly as live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.devices.hrs import (
    _FLAG_CONTACT_DETECTED,
    _FLAG_CONTACT_SUPPORTED,
    _FLAG_ENERGY,
    _FLAG_RR,
    _FLAG_UINT16,
)
from osteomonitor.model import HrSample

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    U8Array = npt.NDArray[np.uint8]
    BoolArray = npt.NDArray[np.bool_]


def decode_hr_at(
    buf: U8Array, offs: IntArray, lens: IntArray, t_ns: IntArray
) -> tuple[list[HrSample], BoolArray]:
    """Decode the notifications at `buf[offs[i] : offs[i] + lens[i]]`, arrived at `t_ns[i]`.

    Args:
        buf: bytes holding the notifications, followed by at least 2 more bytes.
        offs / lens / t_ns: (n,) int64 byte offset, length and host arrival (ns) of each.

    Returns:
        (samples of the well-formed notifications in order, (n,) mask of those): the
        others need `hrs.decode_hr` (which raises the DecodeError live decoding raises).
    """
    if offs.size == 0:
        return [], np.zeros(0, dtype=bool)
    flags = buf[offs].astype(np.int64)
    wide = (flags & _FLAG_UINT16) != 0
    energy = (flags & _FLAG_ENERGY) != 0
    has_rr = (flags & _FLAG_RR) != 0
    at_energy = np.where(wide, 3, 2)
    pos = at_energy + np.where(energy, 2, 0)  # first RR byte
    rest = lens - pos
    ok = (lens >= 2) & (~wide | (lens >= 3)) & (~energy | (lens >= pos))
    ok &= np.where(has_rr, (rest > 0) & (rest % 2 == 0), rest == 0)
    good = np.flatnonzero(ok)
    o, f, e, at_e = offs[good], flags[good], energy[good], at_energy[good]
    hr = buf[o + 1].astype(np.int64) | np.where(wide[good], buf[o + 2].astype(np.int64) << 8, 0)
    kj = buf[o + at_e].astype(np.int64) | (buf[o + at_e + 1].astype(np.int64) << 8)
    n_rr = np.where(has_rr[good], rest[good] // 2, 0)
    ends = np.cumsum(n_rr)
    first = ends - n_rr
    total = int(ends[-1]) if ends.size else 0
    k = np.arange(total, dtype=np.int64) - np.repeat(first, n_rr)
    at = np.repeat(o + pos[good], n_rr) + 2 * k
    # (a tuple: each notification's RR intervals are a slice of it, made once)
    rr = tuple((buf[at].astype(np.int64) | (buf[at + 1].astype(np.int64) << 8)).tolist())
    supported = (f & _FLAG_CONTACT_SUPPORTED) != 0
    detected = (f & _FLAG_CONTACT_DETECTED) != 0
    if supported.all():  # (a strap that reports contact, as a rule)
        contact: list[bool | None] = detected.tolist()
    else:
        contact = [
            d if s else None for s, d in zip(supported.tolist(), detected.tolist(), strict=True)
        ]
    if e.any():
        kj_or_none: list[int | None] = [
            v if has else None for v, has in zip(kj.tolist(), e.tolist(), strict=True)
        ]
    else:
        kj_or_none = [None] * e.size
    rr_of = [rr[a:b] for a, b in zip(first.tolist(), ends.tolist(), strict=True)]
    sup = supported.tolist()
    samples = list(map(HrSample, t_ns[good].tolist(), hr.tolist(), rr_of, sup, contact, kj_or_none))
    return samples, ok
