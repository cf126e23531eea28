"""ACC frames decoded straight to g (`pmd_batch.decode_acc_g_at`) equal the integers
decoded first and multiplied after, bit for bit.

The chunked forms (delta frames of one block each, equal raw 8/16-bit frames) against
`decode_acc_frames_at(...).samples` × the scale, `np.multiply(..., dtype=float64)` as
live decoding computes it: delta widths 1-25 (int32 and int64 running sums), chunks of
1, 3, 7 frames and the default, frames shuffled in the buffer; the forms that multiply
after decoding (wider deltas, several blocks, raw int24, raw frames of several lengths,
several frame types, scales that differ per type, a scale of 0, < 0, NaN or inf); the
largest |value| overall and per frame; whole H10 recordings as the bench writes them
(delta and raw); and `devices.batch.decode_packets` against `DeviceDecoder.feed` when a
frame is out of range in a run of one layout (the per-frame check behind the overall one).
"""

from __future__ import annotations

import sys
from contextlib import suppress
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from frame_buffers import Laid, laid_out

from osteomonitor.devices import pmd_batch, pmd_delta_batch
from osteomonitor.devices import pmd_frames as pf
from osteomonitor.devices.batch import decode_device
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.pmd_batch import (
    SLACK,
    AccFramesG,
    decode_acc_frames_at,
    decode_acc_g_at,
    joined,
)
from osteomonitor.devices.profiles import get_profile
from osteomonitor.errors import DecodeError
from osteomonitor.model import AccBlock, Packet
from osteomonitor.store import RecordingReader
from osteomonitor.store.columns import packet_columns

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from recording_files import h10_recording

#: g per integer of an H10 frame (mG), and a factor as a start response may give one.
MG = 1e-3
ODD = 0.001 * 1.2207031


def _delta(rng: np.random.Generator, i: int, width: int, n: int = 36, ftype: int = 1) -> bytes:
    """A delta frame of `n` samples whose one block is `width` bits wide."""
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    deltas = rng.integers(lo, hi, size=(n - 1, 3), endpoint=True)
    deltas.reshape(-1)[rng.integers(0, deltas.size)] = lo if i % 2 else hi  # the edge
    ref = rng.integers(-32768, 32767, size=(1, 3), endpoint=True)
    samples = np.concatenate([ref, ref + np.cumsum(deltas, axis=0)])
    frame = pf.encode_acc_frame(10**15 + i * 7, samples, compressed=True, frame_type=ftype)
    assert frame[10 + 6] == width
    return frame


def _raw(rng: np.random.Generator, i: int, ftype: int, n: int = 36) -> bytes:
    hi = {0: 127, 1: 32767, 2: 2**23 - 1}[ftype]
    samples = rng.integers(-hi - 1, hi, size=(n, 3), endpoint=True)
    samples[rng.integers(0, n), rng.integers(0, 3)] = -hi - 1 if i % 2 else hi
    return pf.encode_acc_frame(10**15 + i * 7, samples, compressed=False, frame_type=ftype)


def _laid_out(frames: list[bytes], rng: np.random.Generator, shuffled: bool) -> Laid:
    """Frames in the buffer (in `rng`'s order when shuffled), a byte between them."""
    return laid_out(frames, rng.permutation(len(frames)) if shuffled else np.arange(len(frames)))


def _scale_of(table: dict[tuple[int, bool], float]) -> pmd_batch.ScaleOf:
    return lambda ftype, compressed: table[(ftype, compressed)]


def _assert_as_multiplied(
    got: AccFramesG | None,
    buf: npt.NDArray[np.uint8],
    offs: npt.NDArray[np.int64],
    lens: npt.NDArray[np.int64],
    scale_of: pmd_batch.ScaleOf,
) -> None:
    """`got` equals the integers decoded first, each frame × its scale, bit for bit."""
    ints = decode_acc_frames_at(buf, offs, lens)
    assert got is not None and ints is not None
    scale = np.array(
        [scale_of(int(t), bool(c)) for t, c in zip(ints.frame_type, ints.compressed, strict=True)]
    )
    want = np.concatenate(
        [
            np.multiply(ints.samples[a : a + n], s, dtype=np.float64)
            for a, n, s in zip(ints.starts.tolist(), ints.counts.tolist(), scale, strict=True)
        ]
    )
    assert got.acc_g.dtype == np.float64 and got.acc_g.shape == want.shape
    assert np.array_equal(got.acc_g, want, equal_nan=True)
    assert np.array_equal(got.counts, ints.counts)
    assert np.array_equal(got.timestamp_ns, ints.timestamp_ns)
    assert np.array_equal(got.frame_type, ints.frame_type)
    assert np.array_equal(got.compressed, ints.compressed)
    per_frame = [
        np.abs(want[a : a + n]).max() for a, n in zip(ints.starts, ints.counts, strict=True)
    ]
    assert np.array_equal(got.peaks_g(), per_frame, equal_nan=True)
    assert np.array_equal(got.abs_max_g, np.abs(want).max(), equal_nan=True)


@pytest.mark.parametrize("chunk", [1, 3, 7, pmd_delta_batch.CHUNK])
@pytest.mark.parametrize("widths", [(1, 2, 3), (6, 7, 8, 9, 13), (16, 22, 23), (24, 25)])
@pytest.mark.parametrize("shuffled", [False, True])
def test_delta_frames_to_g_a_chunk_at_a_time_equal_multiplied_after(
    monkeypatch: pytest.MonkeyPatch, chunk: int, widths: tuple[int, ...], shuffled: bool
) -> None:
    monkeypatch.setattr(pmd_delta_batch, "CHUNK", chunk)
    rng = np.random.default_rng(sum(widths) * 10 + chunk)
    frames = [_delta(rng, i, int(rng.choice(widths))) for i in range(40)]
    buf, offs, lens = _laid_out(frames, rng, shuffled)
    for g in (MG, ODD):
        scale_of = _scale_of({(1, True): g})
        got = decode_acc_g_at(buf, offs, lens, scale_of)
        _assert_as_multiplied(got, buf, offs, lens, scale_of)


@pytest.mark.parametrize("chunk", [1, 3, pmd_batch._RAW_CHUNK])
@pytest.mark.parametrize("ftype", [0, 1])
def test_equal_raw_frames_to_g_a_chunk_at_a_time_equal_multiplied_after(
    monkeypatch: pytest.MonkeyPatch, chunk: int, ftype: int
) -> None:
    monkeypatch.setattr(pmd_batch, "_RAW_CHUNK", chunk)
    rng = np.random.default_rng(ftype * 100 + chunk)
    frames = [_raw(rng, i, ftype) for i in range(int(rng.integers(1, 30)) + chunk * 2)]
    buf, offs, lens = _laid_out(frames, rng, shuffled=True)
    scale_of = _scale_of({(ftype, False): MG})
    _assert_as_multiplied(decode_acc_g_at(buf, offs, lens, scale_of), buf, offs, lens, scale_of)


def test_one_frame_and_the_buffers_last_byte() -> None:
    rng = np.random.default_rng(2)
    for frame in (_delta(rng, 0, 7), _raw(rng, 1, 1), _delta(rng, 2, 25, n=2)):
        buf, offs, lens = joined([frame])  # the frame ends where the slack starts
        scale_of = _scale_of({(1, True): MG, (1, False): MG})
        _assert_as_multiplied(decode_acc_g_at(buf, offs, lens, scale_of), buf, offs, lens, scale_of)


def test_layouts_multiplied_after_decoding_equal_too() -> None:
    """Wider deltas, several blocks, int24, unequal raw frames, several types."""
    rng = np.random.default_rng(11)
    several_blocks = pf.encode_acc_frame(
        10**15, np.cumsum(rng.integers(-3000, 3000, size=(200, 3)), axis=0), compressed=True
    )
    runs = {
        "wide deltas": [_delta(rng, i, int(rng.choice([26, 31]))) for i in range(9)],
        "unequal delta frames": [_delta(rng, i, 7, n=int(rng.choice([2, 36]))) for i in range(9)],
        "several blocks": [several_blocks, _delta(rng, 1, 9)],
        "int24": [_raw(rng, i, 2) for i in range(9)],
        "unequal raw frames": [_raw(rng, i, 1, n=int(rng.choice([1, 36, 50]))) for i in range(9)],
        "several types": [
            f for i in range(9) for f in (_raw(rng, i, 1), _delta(rng, i, 8), _raw(rng, i, 0))
        ],
    }
    for frames in runs.values():
        buf, offs, lens = _laid_out(frames, rng, shuffled=False)
        for table in (
            {(0, False): MG, (1, False): MG, (2, False): MG, (1, True): MG},
            {(0, False): 0.5, (1, False): MG, (2, False): ODD, (1, True): 2.0},  # mixed
        ):
            scale_of = _scale_of(table)
            got = decode_acc_g_at(buf, offs, lens, scale_of)
            _assert_as_multiplied(got, buf, offs, lens, scale_of)


@pytest.mark.parametrize("scale", [0.0, -MG, float("nan"), float("inf")])
def test_a_scale_that_is_not_finite_and_positive_is_multiplied_after(scale: float) -> None:
    rng = np.random.default_rng(4)
    for frames in ([_delta(rng, i, 7) for i in range(9)], [_raw(rng, i, 1) for i in range(9)]):
        buf, offs, lens = _laid_out(frames, rng, shuffled=False)
        scale_of = _scale_of({(1, True): scale, (1, False): scale})
        _assert_as_multiplied(decode_acc_g_at(buf, offs, lens, scale_of), buf, offs, lens, scale_of)


def test_frames_the_array_form_does_not_cover_give_none() -> None:
    rng = np.random.default_rng(5)
    good = [_delta(rng, i, 7) for i in range(5)]
    scale_of = _scale_of({(1, True): MG})
    for bad in (good[1][:13], b"\x02\x00"):
        assert decode_acc_g_at(*joined([*good, bad]), scale_of) is None
    empty = np.zeros(0, np.int64)
    assert decode_acc_g_at(np.zeros(SLACK, np.uint8), empty, empty, scale_of) is None


@pytest.mark.parametrize("compressed", [True, False])
def test_whole_h10_recordings_equal_multiplied_after(tmp_path: Path, compressed: bool) -> None:
    path = tmp_path / "h10.omrec"
    h10_recording(path, 0.1, seed=3, compressed=compressed)
    with RecordingReader(path) as r:
        cols = packet_columns(r)
    assert cols is not None
    acc = next(c for c in cols if c.stream == "pmd_data")
    scale_of = _scale_of({(1, compressed): MG})
    got = decode_acc_g_at(acc.data, acc.offsets, acc.lengths, scale_of)
    _assert_as_multiplied(got, acc.data, acc.offsets, acc.lengths, scale_of)
    assert got is not None and got.acc_g.shape[0] > 200 * 300


@pytest.mark.parametrize("compressed", [True, False])
def test_a_frame_out_of_range_in_a_run_of_one_layout_is_set_aside_as_live(
    compressed: bool,
) -> None:
    """One layout, one scale (the chunked form): the largest value overall exceeds the
    range, so each frame is checked; the batch sets aside what `feed` sets aside."""
    rng = np.random.default_rng(6)
    t0 = 1_700_000_000 * 10**9
    packets = []
    for i in range(120):
        mg = np.cumsum(rng.integers(-40, 41, size=(36, 3)), axis=0)
        if i in (30, 31, 77):
            mg[5, 1] = 12000 if i != 31 else -12000  # beyond ±8 g and its margin (10 g)
        if i == 50:
            mg[7, 2] = -9990  # inside the margin: kept
        f = pf.encode_acc_frame(10**15 + i * 180_000_000, mg, compressed=compressed)
        packets.append(Packet(t0 + i * 180_000_000 + 9_000_000, "h10", "pmd_data", f))
    settings_ = {"sample_rate": 200, "range_g": 8}
    one = DeviceDecoder(get_profile("polar-h10"), settings_)
    blocks: list[AccBlock] = []
    for p in packets:
        with suppress(DecodeError):  # set aside: counted by the decoder
            blocks.extend(s for s in one.feed(p) if isinstance(s, AccBlock))
    batch = DeviceDecoder(get_profile("polar-h10"), settings_)
    out = decode_device(
        batch, "h10", np.arange(len(packets)), np.array([p.t_ns for p in packets]),
        [p.stream for p in packets], [p.payload for p in packets],
    )  # fmt: skip
    assert sum(one.set_aside.values()) == 3 and batch.set_aside == one.set_aside
    assert np.array_equal(np.concatenate(out.acc.acc_g), np.concatenate([b.acc_g for b in blocks]))
    assert np.concatenate(out.acc.first_ns).tolist() == [int(b.t_ns[0]) for b in blocks]
