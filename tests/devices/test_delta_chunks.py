"""Equal delta frames decoded a chunk at a time (`pmd_delta_batch._uniform`) equal
`pmd_frames.decode_frame` frame by frame.

Frames of one block each, every delta width 1-31 (the 32-bit windows up to 25 bits,
int32 sums up to 23, the 64-bit windows beyond), deltas at the edges of their width
(−2^(w−1) and 2^(w−1) − 1), chunks of 1, 3, 7 and the default size, frames in buffer
order (each chunk copies its own bytes) and shuffled (one copy of the buffer), the
last frame against the buffer's end.
"""

from __future__ import annotations

import numpy as np
import pytest
from frame_buffers import laid_out

from osteomonitor.devices import pmd_delta_batch
from osteomonitor.devices import pmd_frames as pf
from osteomonitor.devices.pmd_batch import decode_acc_frames_at


def _frame(rng: np.random.Generator, i: int, width: int, n: int) -> bytes:
    """An ACC delta frame of `n` samples whose one block is exactly `width` bits wide."""
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    deltas = rng.integers(lo, hi, size=(n - 1, 3), endpoint=True)
    deltas.reshape(-1)[rng.integers(0, deltas.size)] = lo if i % 2 else hi  # the edge
    ref = rng.integers(-32768, 32767, size=(1, 3), endpoint=True)
    samples = np.concatenate([ref, ref + np.cumsum(deltas, axis=0)])
    frame = pf.encode_acc_frame(10**15 + i * 7, samples, compressed=True)
    assert frame[10 + 6] == width  # one block, of the intended width
    return frame


@pytest.mark.parametrize("chunk", [1, 3, 7, pmd_delta_batch.CHUNK])
@pytest.mark.parametrize("widths", [(1, 2, 3), (4, 8, 13, 16), (22, 23), (24, 25), (5, 26, 31)])
@pytest.mark.parametrize("shuffled", [False, True])
def test_chunked_delta_frames_equal_one_by_one(
    monkeypatch: pytest.MonkeyPatch, chunk: int, widths: tuple[int, ...], shuffled: bool
) -> None:
    monkeypatch.setattr(pmd_delta_batch, "CHUNK", chunk)
    rng = np.random.default_rng(sum(widths) * 100 + chunk)
    n = 36
    frames = [_frame(rng, i, int(rng.choice(widths)), n) for i in range(40)]
    order = rng.permutation(len(frames)) if shuffled else np.arange(len(frames))
    buf, offs, lens = laid_out(frames, order)
    batch = decode_acc_frames_at(buf, offs, lens)
    assert batch is not None
    want = np.concatenate([pf.decode_frame(f).samples for f in frames])
    assert batch.counts.tolist() == [n] * len(frames)
    assert np.array_equal(batch.samples, want)
    assert batch.samples.dtype == (np.int32 if max(widths) <= 23 else np.int64)


def test_a_long_run_of_real_sized_frames_crosses_many_chunks() -> None:
    rng = np.random.default_rng(5)
    widths = rng.choice([6, 7, 8, 9, 12], size=pmd_delta_batch.CHUNK * 3 + 17)
    frames = [_frame(rng, i, int(w), 36) for i, w in enumerate(widths)]
    buf, offs, lens = laid_out(frames, np.arange(len(frames)))
    batch = decode_acc_frames_at(buf, offs, lens)
    assert batch is not None
    assert np.array_equal(
        batch.samples, np.concatenate([pf.decode_frame(f).samples for f in frames])
    )
