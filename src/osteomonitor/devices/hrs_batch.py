"""Many Heart Rate Measurement notifications decoded at once (the batch form of `hrs`).

The notifications lie in one byte buffer; flags, heart rate, energy and RR intervals
are read with array operations for all of them, into `HrColumns`: one list per
`HrSample` field, whose rows are the samples `hrs.decode_hr` gives (tested), without an
object per notification (an hour's 3600 frozen `HrSample`s cost ~4 ms to make and as
much to take apart again). A notification whose length does not match its flags is left
to `hrs.decode_hr`, so the error is reported exactly as live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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


@dataclass(eq=False)
class HrColumns:
    """Heart Rate Measurement notifications as columns, one row per notification.

    Attributes (lists of equal length):
        order: each notification's place in the recording's item order.
        t_ns: host arrival, ns since the Unix epoch.
        bpm: heart rate, beats/min.
        supported / contact / energy_kj / rr_1024: `HrSample.contact_supported`,
            `.contact`, `.energy_kj` (kJ) and `.rr_1024` (RR intervals, 1/1024 s).
    """

    order: list[int] = field(default_factory=list)
    t_ns: list[int] = field(default_factory=list)
    bpm: list[int] = field(default_factory=list)
    supported: list[bool] = field(default_factory=list)
    contact: list[bool | None] = field(default_factory=list)
    energy_kj: list[int | None] = field(default_factory=list)
    rr_1024: list[tuple[int, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.order)

    def _columns(self) -> tuple[list[Any], ...]:
        return (
            self.order, self.t_ns, self.bpm, self.supported, self.contact, self.energy_kj,
            self.rr_1024,
        )  # fmt: skip

    def append(self, order: int, s: HrSample) -> None:
        """Add one decoded sample (a notification decoded alone) as the last row."""
        rr = tuple(s.rr_1024)
        row = (order, s.t_ns, s.hr_bpm, s.contact_supported, s.contact, s.energy_kj, rr)
        for col, v in zip(self._columns(), row, strict=True):
            col.append(v)

    def extend(self, other: HrColumns) -> None:
        """Add `other`'s rows after these."""
        for col, more in zip(self._columns(), other._columns(), strict=True):
            col.extend(more)

    def in_order(self) -> HrColumns:
        """The rows sorted by `order` (stable; these themselves when already sorted)."""
        order = self.order
        if order == sorted(order):
            return self
        by = sorted(range(len(order)), key=order.__getitem__)
        return HrColumns(*([col[i] for i in by] for col in self._columns()))

    def sample(self, i: int) -> HrSample:
        """Row `i` as the `HrSample` `hrs.decode_hr` gives."""
        return HrSample(
            self.t_ns[i], self.bpm[i], self.rr_1024[i], self.supported[i], self.contact[i],
            self.energy_kj[i],
        )  # fmt: skip

    def samples(self) -> list[HrSample]:
        """Every row as an `HrSample`, in row order."""
        return list(
            map(HrSample, self.t_ns, self.bpm, self.rr_1024, self.supported, self.contact,
                self.energy_kj)
        )  # fmt: skip


def decode_hr_at(
    buf: U8Array, offs: IntArray, lens: IntArray, t_ns: IntArray, order: IntArray | None = None
) -> tuple[HrColumns, BoolArray]:
    """Decode the notifications at `buf[offs[i] : offs[i] + lens[i]]`, arrived at `t_ns[i]`.

    Args:
        buf: bytes holding the notifications, followed by at least 2 more bytes.
        offs / lens / t_ns: (n,) int64 byte offset, length and host arrival (ns) of each.
        order: (n,) int64 each one's place in the item order (default 0, 1, …).

    Returns:
        (the well-formed notifications in order, as columns; (n,) mask of those): the
        others need `hrs.decode_hr` (which raises the DecodeError live decoding raises).
    """
    if offs.size == 0:
        return HrColumns(), np.zeros(0, dtype=bool)
    if order is None:
        order = np.arange(offs.size, dtype=np.int64)
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
    cols = HrColumns(
        order[good].tolist(), t_ns[good].tolist(), hr.tolist(), sup, contact, kj_or_none, rr_of
    )
    return cols, ok
