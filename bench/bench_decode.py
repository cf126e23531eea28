"""Decode throughput of Polar H10 ACC frames (raw int16 and delta-compressed).

Our `polar_pmd.decode_frame` (numpy, one call per notification) against a peer in the
same run: a straightforward decoder that unpacks each sample with `struct` (raw) or
reads each delta bit by bit (delta), as the Polar SDK's Kotlin loop does. Frames fill
the H10's notification (ATT MTU 232): 36 raw samples, or as many 200 Hz samples as a
delta frame holds. Times are process CPU time (median of repeats), one core; the
machine is shared, so figures are noisy. Target from issue 3: ≥ 2 million samples/s.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table, median_time
from osteomonitor.devices import polar_pmd
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.profiles import get_profile
from osteomonitor.model import Packet

TARGET_SAMPLES_PER_S = 2_000_000
#: Payload bytes of one H10 notification (ATT MTU 232 − 3).
H10_NOTIFICATION_BYTES = polar_pmd.H10_ATT_MTU - 3
_XYZ = struct.Struct("<hhh")


def walk_mg(n: int, seed: int = 0) -> np.ndarray:
    """A 200 Hz-like acceleration trace in mG: gravity plus a bounded random walk."""
    rng = np.random.default_rng(seed)
    steps = rng.integers(-25, 26, size=(n, 3))
    return np.clip(np.cumsum(steps, axis=0) + np.array([0, 0, 1000]), -8000, 8000)


def raw_frames(n_frames: int) -> list[bytes]:
    """Raw int16 frames of 36 samples (an H10 at its MTU)."""
    k = polar_pmd.H10_ACC_MAX_SAMPLES_PER_FRAME
    mg = walk_mg(n_frames * k)
    return [
        polar_pmd.encode_acc_frame(i * 180_000_000, mg[i * k : (i + 1) * k])
        for i in range(n_frames)
    ]


def delta_frames(n_frames: int) -> list[bytes]:
    """Delta frames, each with as many samples as fit one H10 notification."""
    mg = walk_mg(n_frames * 200, seed=1)
    frames, start = [], 0
    for i in range(n_frames):
        k = 2
        while start + k + 1 <= len(mg):
            trial = polar_pmd.encode_acc_frame(i, mg[start : start + k + 1], compressed=True)
            if len(trial) > H10_NOTIFICATION_BYTES:
                break
            k += 1
        frames.append(polar_pmd.encode_acc_frame(i, mg[start : start + k], compressed=True))
        start += k
    return frames


def peer_raw(payload: bytes) -> list[tuple[int, int, int]]:
    """Straightforward raw decoder: one `struct` call per sample."""
    return [_XYZ.unpack_from(payload, off) for off in range(10, len(payload), 6)]


def peer_delta(payload: bytes, channels: int = 3) -> list[list[int]]:
    """Straightforward delta decoder: read every bit in a loop, like the SDK's Kotlin code."""
    ref = list(struct.unpack_from("<hhh", payload, 10))
    out = [ref]
    pos = 16
    while pos < len(payload):
        width, count = payload[pos], payload[pos + 1]
        pos += 2
        bit = 0
        for _ in range(count):
            sample = []
            for ch in range(channels):
                v = 0
                for b in range(width):
                    byte = payload[pos + (bit >> 3)]
                    v |= ((byte >> (bit & 7)) & 1) << b
                    bit += 1
                if v & (1 << (width - 1)):
                    v -= 1 << width
                sample.append(out[-1][ch] + v)
            out.append(sample)
        pos += (bit + 7) // 8
    return out


def _rate(fn, frames: list[bytes], n_samples: int, repeats: int) -> float:
    def run() -> None:
        for f in frames:
            fn(f)

    return n_samples / median_time(run, repeats=repeats)


def run(smoke: bool = False) -> list[Row]:
    """Measure ours and the peer on raw and delta frames; smoke = a few hundred frames."""
    n = 200 if smoke else 5000
    repeats = 3 if smoke else 7
    rows: list[Row] = []
    for label, frames, peer in (
        ("raw int16", raw_frames(n), peer_raw),
        ("delta", delta_frames(n), peer_delta),
    ):
        samples = sum(len(polar_pmd.decode_frame(f)) for f in frames)
        for f in frames[:20]:  # the peer agrees with us
            assert np.array_equal(np.asarray(peer(f)), polar_pmd.decode_frame(f).samples)
        ours = _rate(polar_pmd.decode_frame, frames, samples, repeats)
        theirs = _rate(peer, frames[: max(20, n // 10)], samples * max(20, n // 10) // n, repeats)
        per_frame = samples / len(frames)
        rows.append(
            Row(
                metric=f"H10 ACC {label} decode ({per_frame:.0f} samples/frame)",
                value=ours,
                unit="samples/s",
                target="≥ 2e6",
                ok=ours >= TARGET_SAMPLES_PER_S,
                note=f"peer struct-per-sample {theirs:.3g} samples/s; ratio {ours / theirs:.1f}×",
            )
        )
    # The full path session.py uses: decode + SDK timestamps + clock mapping + AccBlock.
    frames = raw_frames(n)
    dec = DeviceDecoder(get_profile("polar-h10"))
    packets = [
        Packet(1_700_000_000_000_000_000 + i * 180_000_000, "h10", "pmd_data", f)
        for i, f in enumerate(frames)
    ]

    def feed() -> None:
        d = DeviceDecoder(get_profile("polar-h10"))
        for p in packets:
            d.feed(p)

    del dec
    samples = n * polar_pmd.H10_ACC_MAX_SAMPLES_PER_FRAME
    full = samples / median_time(feed, repeats=repeats)
    rows.append(
        Row(
            metric="H10 ACC raw through DeviceDecoder.feed (timestamps + clock)",
            value=full,
            unit="samples/s",
            note="informational: the path live, replay and batch use",
        )
    )
    return rows


if __name__ == "__main__":
    print(format_table(run(smoke="--smoke" in sys.argv)))
