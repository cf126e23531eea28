"""Polar PMD delta compression: the samples of a compressed data frame after its header.

Delta frames (`BlePMDClient.parseDeltaFramesAll`): a reference sample (one signed
value of ceil(resolution/8) bytes per channel), then blocks
`[bit_width:u8][count:u8][ceil(width·count·channels/8) bytes]` whose bits are read
LSB-first across byte boundaries, sample-major then channel; each delta is
sign-extended and accumulated onto the previous sample.

Source: polarofficial/polar-ble-sdk @ 8fb5311c8f63 `BlePMDClient.kt`; framing in
`pmd_frames.py`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from osteomonitor.errors import DecodeError

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    AnyIntArray = npt.NDArray[np.integer]

#: Widest delta block the decoder accepts, bits (the SDK reads deltas into 32-bit ints).
MAX_DELTA_BITS = 32


@lru_cache(maxsize=64)
def _weights(width: int) -> IntArray:
    return np.left_shift(np.int64(1), np.arange(width, dtype=np.int64))


def _unpack_into(out: IntArray, data: memoryview, pos: int, width: int) -> None:
    """Fill `out` (flat view) with signed `width`-bit integers packed LSB-first at `data[pos:]`."""
    nvals = out.size
    nbytes = (width * nvals + 7) // 8
    raw = np.frombuffer(data, np.uint8, count=nbytes, offset=pos)
    if width == 8:
        out[:] = raw.view(np.int8)
    elif width == 16:
        out[:] = raw.view("<i2")
    else:
        bits = np.unpackbits(raw, count=width * nvals, bitorder="little").reshape(nvals, width)
        np.matmul(bits, _weights(width), out=out)
        sign = 1 << (width - 1)
        np.bitwise_xor(out, sign, out=out)
        np.subtract(out, sign, out=out)


_REF_DTYPES: dict[int, np.dtype[Any]] = {
    1: np.dtype("<i1"),
    2: np.dtype("<i2"),
    4: np.dtype("<i4"),
}


def decode_delta(data: bytes | memoryview, channels: int, resolution_bits: int) -> IntArray:
    """Decode a delta-compressed PMD payload (after the 10-byte header).

    Args:
        data: reference sample followed by delta blocks.
        channels: values per sample.
        resolution_bits: bits of the reference values (bytes = ceil(bits / 8)).

    Returns:
        (n, channels) int64 samples, the reference first.
    """
    mv = memoryview(data)
    n = len(mv)
    ref_size = (resolution_bits + 7) // 8
    pos = ref_size * channels
    if n < pos:
        raise DecodeError(
            f"PMD delta frame: {n} B cannot hold a {channels}-channel reference "
            f"of {ref_size} B per channel"
        )
    # Walk the block headers first (usually 1-3 blocks) to size the output once.
    blocks: list[tuple[int, int, int]] = []
    total = 1
    while pos < n:
        if n - pos < 2:
            raise DecodeError(f"PMD delta frame: dangling byte at offset {pos} (need width, count)")
        width, count = mv[pos], mv[pos + 1]
        if not 1 <= width <= MAX_DELTA_BITS or count == 0:
            raise DecodeError(
                f"PMD delta frame: block at offset {pos} has width {width} bits and {count} "
                f"samples (need 1-{MAX_DELTA_BITS} bits and ≥ 1 sample)"
            )
        nbytes = (width * count * channels + 7) // 8
        if pos + 2 + nbytes > n:
            raise DecodeError(
                f"PMD delta frame: block at offset {pos} needs {nbytes} B, {n - pos - 2} B remain"
            )
        blocks.append((pos + 2, width, count))
        total += count
        pos += 2 + nbytes
    out = np.empty((total, channels), dtype=np.int64)
    dtype = _REF_DTYPES.get(ref_size)
    if dtype is not None:
        out[0] = np.frombuffer(mv, dtype, count=channels)
    else:
        out[0] = [
            int.from_bytes(mv[i * ref_size : (i + 1) * ref_size], "little", signed=True)
            for i in range(channels)
        ]
    row = 1
    flat = out.reshape(-1)
    for start, width, count in blocks:
        _unpack_into(flat[row * channels : (row + count) * channels], mv, start, width)
        row += count
    np.add.accumulate(out, axis=0, out=out)
    return out


def signed_width(values: AnyIntArray) -> int:
    """Fewest bits that hold every value as two's complement (at least 1)."""
    if values.size == 0:
        return 1
    lo, hi = int(values.min()), int(values.max())
    return max(
        1, (hi if hi >= 0 else ~hi).bit_length() + 1, (lo if lo >= 0 else ~lo).bit_length() + 1
    )


def _pack_block(deltas: AnyIntArray, width: int) -> bytes:
    vals = deltas.reshape(-1).astype(np.int64) & ((1 << width) - 1)
    bits = ((vals[:, None] >> np.arange(width, dtype=np.int64)) & 1).astype(np.uint8)
    return np.packbits(bits.reshape(-1), bitorder="little").tobytes()


def encode_delta(samples: AnyIntArray, resolution_bits: int, block_samples: int = 255) -> bytes:
    """Delta-compress (n, channels) samples the way `decode_delta` reads them.

    Args:
        samples: (n, channels) integers; n ≥ 1.
        resolution_bits: width of the reference values.
        block_samples: deltas per block (1-255); each block gets its own bit width.
    """
    s = np.asarray(samples, dtype=np.int64)
    if s.ndim != 2 or s.shape[0] < 1:
        raise ValueError(f"samples must be (n ≥ 1, channels), got shape {s.shape}")
    if not 1 <= block_samples <= 255:
        raise ValueError(f"block_samples {block_samples} outside 1-255")
    ref_size = (resolution_bits + 7) // 8
    lim = 1 << (8 * ref_size - 1)
    if s[0].min() < -lim or s[0].max() >= lim:
        raise ValueError(f"reference sample {s[0].tolist()} does not fit {ref_size} signed bytes")
    out = bytearray(b"".join(int(v).to_bytes(ref_size, "little", signed=True) for v in s[0]))
    deltas = np.diff(s, axis=0)
    for start in range(0, deltas.shape[0], block_samples):
        block = deltas[start : start + block_samples]
        width = signed_width(block)
        if width > MAX_DELTA_BITS:
            raise ValueError(f"delta of {width} bits exceeds {MAX_DELTA_BITS}")
        out += bytes([width, block.shape[0]]) + _pack_block(block, width)
    return bytes(out)
