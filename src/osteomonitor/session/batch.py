"""A whole recording analysed at once: the batch path of `osteomonitor analyze`.

Gives the processor the live view and replay use exactly the state it would have after
being fed the recording packet by packet (`tests/session/test_batch_equivalence.py`
compares every summary field), with the work done as array operations:

1. one query (`store.columns`: payloads in one buffer), packets put in arrival order by `seq` and
   events merged in as `recording._merged` does;
2. the arrival-time gate over every item (a loop only when something is set aside);
3. each device's packets decoded at once (`devices.batch.decode_packets`: PMD
   frames, timestamps and the clock fit as arrays);
4. each device's accelerometer split into analysis segments by the live rule (a pause
   over `ACC_GAP_S` or a rate change), each segment handed to the processor's own
   `AccTrack` as one block (analysed in one pass: the detectors are chunking-invariant);
5. every HR value handed to the processor's HR bookkeeping in arrival order.

The batch processor raises no live safety alerts (a review judges the summary with
`prescription.evaluate_session`); everything in `SessionSummary` is the same.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.devices.batch import DeviceOut, Packets, decode_packets
from osteomonitor.devices.plausibility import ArrivalGate, SetAside
from osteomonitor.errors import CorruptRecording
from osteomonitor.model import NS_PER_S, AccBlock, Event, SessionMeta
from osteomonitor.session.acc_track import ACC_GAP_S
from osteomonitor.session.gc_pause import collector_paused
from osteomonitor.session.processor import SessionProcessor

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    from osteomonitor.devices.hrs_batch import HrColumns
    from osteomonitor.prescription import Prescription
    from osteomonitor.store.columns import StreamColumns

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]


def process_recording_batch(
    path: str | Path, prescription: Prescription | None = None
) -> tuple[SessionMeta, SessionProcessor]:
    """`recording.process_recording` with the work done on whole arrays.

    A file with damaged rows or pages is read packet by packet instead (the same answer
    and the same error, naming how many packets were read before the damage).

    Raises:
        RecordingError and subclasses: the file cannot be read.
        PrescriptionError: the stored prescription snapshot is invalid.
    """
    from osteomonitor.session.recording import process_recording, recording_prescription
    from osteomonitor.store import RecordingReader
    from osteomonitor.store.columns import packet_columns

    with RecordingReader(path) as reader:
        meta = reader.meta
        try:
            cols = packet_columns(reader)
        except CorruptRecording:  # damaged pages: the row-by-row reader says where
            cols = None
        events = reader.events()
        devices = reader.devices
    if cols is None:
        return process_recording(path, prescription)
    if prescription is None:
        prescription = recording_prescription(meta, path)
    proc = SessionProcessor(devices, meta, prescription=prescription)
    with collector_paused():
        feed_columns(proc, cols, events)
    return meta, proc


def feed_columns(
    proc: SessionProcessor, cols: Sequence[StreamColumns], events: Sequence[Event]
) -> None:
    """Bring a fresh processor to the state feeding these packets and events gives."""
    gate, decoders = proc.batch_inputs()
    none = np.empty(0, dtype=np.int64)
    seq = np.concatenate([np.asarray(c.seq, dtype=np.int64) for c in cols] or [none])
    t_p = np.concatenate([np.asarray(c.t_ns, dtype=np.int64) for c in cols] or [none])
    col_of = np.repeat(np.arange(len(cols)), [len(c.seq) for c in cols])
    by_seq = np.argsort(seq, kind="stable")
    t_p, col_of = t_p[by_seq].astype(np.int64), col_of[by_seq]
    offs = np.concatenate([c.offsets for c in cols] or [none])[by_seq]
    lens = np.concatenate([c.lengths for c in cols] or [none])[by_seq]
    # events go before the first packet (in arrival order) later than them
    t_e = np.asarray([e.t_ns for e in events], dtype=np.int64)
    pos = np.searchsorted(np.maximum.accumulate(t_p), t_e, side="right") if t_p.size else (
        np.zeros(t_e.size, dtype=np.int64)
    )  # fmt: skip
    pos = np.maximum.accumulate(pos) if pos.size else pos
    key_p = np.arange(t_p.size) + np.searchsorted(pos, np.arange(t_p.size), side="right")
    key_e = pos + np.arange(t_e.size)
    item_t = np.empty(t_p.size + t_e.size, dtype=np.int64)
    item_t[key_p], item_t[key_e] = t_p, t_e
    admitted, late = _gate(gate, item_t, key_p, key_e, cols, col_of)
    span = (
        (int(item_t[np.argmax(admitted)]), int(item_t[admitted].max())) if admitted.any() else None
    )
    outs: dict[str, DeviceOut] = {}
    errors: list[tuple[int, str]] = []
    ok_p = admitted[key_p]
    for dev in {c.device for c in cols}:
        mine = [i for i, c in enumerate(cols) if c.device == dev]
        sel = np.flatnonzero(ok_p & np.isin(col_of, mine))
        if not sel.size:
            continue
        decoder = decoders.get(dev)
        if decoder is None:
            errors += [(int(key_p[j]), f"packet from unknown device {dev!r}") for j in sel]
            continue
        # (all columns hold their payloads in the recording's one buffer: `store.columns`)
        names, data = tuple(c.stream for c in cols), cols[mine[0]].data
        packets = Packets(key_p[sel], t_p[sel], col_of[sel], names, data, offs[sel], lens[sel])
        outs[dev] = decode_packets(decoder, dev, packets)
        errors += outs[dev].errors
    ok_e = admitted[key_e].tolist()
    proc.adopt_batch(
        packets=int(t_p.size),
        span_ns=span,
        late=late,
        errors=[m for _, m in sorted(errors)],
        events=[e for e, ok in zip(events, ok_e, strict=True) if ok],
        hr=_heart(outs),
        acc={key: _segments(key, out) for key, out in outs.items() if out.acc.order},
    )


def _gate(
    gate: ArrivalGate,
    item_t: IntArray,
    key_p: IntArray,
    key_e: IntArray,
    cols: Sequence[StreamColumns],
    col_of: IntArray,
) -> tuple[npt.NDArray[np.bool_], Counter[tuple[str, str, str]]]:
    """Which items the arrival-time gate admits, and the set-asides counted as live
    counts them: (device, stream, reason) → count."""
    n = item_t.size
    admitted = np.ones(n, dtype=bool)
    late: Counter[tuple[str, str, str]] = Counter()
    if n == 0:
        return admitted, late
    try:  # the first item sets the anchor; then all at once unless something fails
        gate.check(int(item_t[0]))
        anchor = gate.anchor_ns
        assert anchor is not None
        from osteomonitor.devices.plausibility import limit

        back = item_t < anchor - limit("host_backward_s") * NS_PER_S
        jump = item_t[1:] > np.maximum.accumulate(item_t)[:-1] + limit("host_jump_s") * NS_PER_S
        clean = not back.any() and not jump.any()
    except SetAside:
        clean = False
    if clean:
        gate.latest_ns = int(item_t.max())
        return admitted, late
    gate.anchor_ns = gate.latest_ns = None
    what = np.empty(n, dtype=np.int64)  # ≥ 0: packet column; −1: event
    what[key_p], what[key_e] = col_of, -1
    for i, t in enumerate(item_t.tolist()):
        try:
            gate.check(t)
        except SetAside as exc:
            admitted[i] = False
            c = int(what[i])
            dev, stream = ("", "events") if c < 0 else (cols[c].device, cols[c].stream)
            late[(dev, stream, exc.reason)] += 1
    return admitted, late


def _heart(outs: dict[str, DeviceOut]) -> dict[str, HrColumns]:
    """Each device's HR values in arrival order (the processor keeps the first device
    that reports)."""
    return {dev: out.hr.in_order() for dev, out in outs.items() if len(out.hr)}


def _segments(key: str, out: DeviceOut) -> list[AccBlock]:
    """A device's frames, split into analysis segments by the live rule, each one block
    (the processor's `AccTrack` analyses a block that long at once)."""
    acc = out.acc
    order = np.concatenate(acc.order)
    by = np.argsort(order, kind="stable")
    first = np.concatenate(acc.first_ns)[by]
    last = np.concatenate(acc.last_ns)[by]
    counts = np.concatenate(acc.counts)
    fs = np.concatenate(acc.fs_hz)[by]
    rng = np.concatenate(acc.range_g)[by]
    # (one decoded run, the usual case: its samples as they are, not a copy)
    samples = (
        np.ascontiguousarray(acc.acc_g[0], dtype=np.float64)
        if len(acc.acc_g) == 1
        else np.concatenate(acc.acc_g)
    )
    if not np.all(by[1:] > by[:-1]):  # frames decoded one by one came in between
        rows = np.split(samples, np.cumsum(counts)[:-1])
        samples = np.concatenate([rows[i] for i in by.tolist()])
        counts = counts[by]
    # a new segment: a pause over ACC_GAP_S (+ one period) or a rate change
    new = np.ones(first.size, dtype=bool)
    new[1:] = (first[1:] - last[:-1] > ACC_GAP_S * NS_PER_S + NS_PER_S / fs[1:]) | (
        fs[1:] != fs[:-1]
    )
    heads = [*np.flatnonzero(new).tolist(), first.size]
    row = np.concatenate(([0], np.cumsum(counts)))
    blocks = []
    for a, b in itertools.pairwise(heads):
        n = int(row[b] - row[a])
        # the track reads only the first and the last time (`AccTrack.feed`): those two
        # set, the rest left 0 (np.zeros maps zero pages: no 8 bytes per sample written)
        t = np.zeros(n, dtype=np.int64)
        t[0], t[-1] = int(first[a]), int(last[b - 1])
        blocks.append(AccBlock(key, t, samples[row[a] : row[b]], float(fs[a]), float(rng[a])))
    return blocks
