"""Row-wise arithmetic of the fall detector's candidate windows (`falls.FallDetector`).

The detector judges the candidates that became ready together as rows of arrays; each
helper here gives, bit for bit, what the one-candidate form computes (numpy's order of
additions kept; `tests/analysis/test_falls.py` compares the two forms).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import SupportsFloat

import numpy as np
import numpy.typing as npt

from .screen import window_sums
from .signal import FloatArray

#: Candidates whose gravity windows are summed per array operation (bounds memory:
#: block × window × 3 values).
MEAN_BLOCK = 256


def window_means(buf: FloatArray, starts: npt.NDArray[np.intp], n: int) -> list[list[float]]:
    """Mean of `buf[s : s + n]` (rows of 3) for every start `s`, as [x, y, z] floats:
    the windows stacked and summed along the window (each window's rows added in order,
    as `buf[s : s + n].sum(axis=0)` adds them), then divided by `n`."""
    out: list[list[float]] = []
    for k in range(0, starts.size, MEAN_BLOCK):
        out += (window_sums(buf, starts[k : k + MEAN_BLOCK], n) / n).tolist()
    return out


def rowwise(
    windows: list[FloatArray],
    many: Callable[[FloatArray], FloatArray],
    one: Callable[[FloatArray], SupportsFloat],
    empty: list[float],
) -> list[float]:
    """`one(w)` of every window (`empty[i]` for an empty one): the windows of the most
    common length stacked as rows and reduced by `many` (row i of `many(m)` is `one` of
    row i, by the same operations), the rest one at a time."""
    out = list(empty)
    lens = [w.shape[0] for w in windows]
    common = max(set(lens), key=lens.count) if lens else 0
    rows = [i for i, k in enumerate(lens) if k == common and k > 0]
    if rows:
        vals = many(np.stack([windows[i] for i in rows])).tolist()
        for i, v in zip(rows, vals, strict=True):
            out[i] = float(v)
    for i, w in enumerate(windows):
        if lens[i] and lens[i] != common:
            out[i] = float(one(np.array(w)))
    return out


def angle3(a: list[float], b: list[float]) -> float:
    """`angle_deg` of two 3-vectors given as floats: the same operations in the same
    order (numpy adds the three products of `(a * a).sum()` from the left), so the
    same bits."""
    na = math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
    nb = math.sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2])
    if na == 0 or nb == 0:
        return 0.0
    c = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (na * nb)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def angle_deg(a: FloatArray, b: FloatArray) -> float:
    """Angle between two vectors, degrees (0 when either is zero)."""
    na = math.sqrt(float((a * a).sum()))
    nb = math.sqrt(float((b * b).sum()))
    if na == 0 or nb == 0:
        return 0.0
    c = float((a * b).sum()) / (na * nb)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))
