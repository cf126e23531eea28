"""A whole recording analysed at once: the batch path of `osteomonitor analyze`.

Gives the processor the live view and replay use exactly the state it would have after
being fed the recording packet by packet (`tests/session/test_batch_equivalence.py`
compares every summary field), with the work done as array operations:

1. one query per stream (`store.columns`), packets put in arrival order by `seq` and
   events merged in as `recording._merged` does;
2. the arrival-time gate over every item (a loop only when something is set aside);
3. each device's packets decoded at once (`devices.batch.decode_device`: joined PMD
   frames, timestamps and the clock fit as arrays);
4. each device's accelerometer split into analysis segments by the live rule (a pause
   over `ACC_GAP_S` or a rate change) and each segment analysed whole
   (`BatchAccTrack`): ‖a‖ once, jumps, one impact-peak search (steps are its peaks
   under a wider window), falls and posture;
5. heart rate handed over as the per-notification arrays the live processor keeps.

The batch processor raises no live safety alerts (a review judges the summary with
`prescription.evaluate_session`); everything in `SessionSummary` is the same.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.analysis.heart_rate import CONTACT_LOST, CONTACT_OK, CONTACT_UNSUPPORTED
from osteomonitor.analysis.impacts import ImpactCounter, wider_peaks
from osteomonitor.analysis.jumps import JumpDetector
from osteomonitor.analysis.signal import magnitude
from osteomonitor.analysis.steps import STEP_MERGE_S, STEP_MIN_PEAK_G, StepCounter
from osteomonitor.analysis.thresholds import IMPACT_MERGE_S, IMPACT_MIN_PEAK_G
from osteomonitor.devices.batch import DeviceOut, decode_device
from osteomonitor.devices.plausibility import SetAside
from osteomonitor.errors import CorruptRecording
from osteomonitor.model import NS_PER_S, Event, HrSample, SessionMeta
from osteomonitor.session.acc_track import ACC_GAP_S, AccTrack
from osteomonitor.session.processor import SessionProcessor

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    from osteomonitor.prescription import Prescription
    from osteomonitor.store.columns import StreamColumns

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]


#: Samples handed to the detectors at a time (≈ 11 min at 200 Hz). The detectors give
#: the same answer for any chunking; pieces that stay in the CPU's cache make a 3-hour
#: segment cost 3 one-hour ones instead of 4-5.
BATCH_CHUNK = 1 << 17


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
    feed_columns(proc, cols, events)
    return meta, proc


def feed_columns(
    proc: SessionProcessor, cols: Sequence[StreamColumns], events: Sequence[Event]
) -> None:
    """Bring a fresh processor to the state feeding these packets and events gives."""
    proc._monitor = None  # no live alerts in batch: reviews judge the summary
    none = np.empty(0, dtype=np.int64)
    seq = np.concatenate([np.asarray(c.seq, dtype=np.int64) for c in cols] or [none])
    t_p = np.concatenate([np.asarray(c.t_ns, dtype=np.int64) for c in cols] or [none])
    col_of = np.repeat(np.arange(len(cols)), [len(c.seq) for c in cols])
    by_seq = np.argsort(seq, kind="stable")
    t_p, col_of = t_p[by_seq].astype(np.int64), col_of[by_seq]
    at_in_col = (np.arange(seq.size) - np.repeat(np.cumsum([0] + [len(c.seq) for c in cols])[:-1],
                                                  [len(c.seq) for c in cols]))[by_seq]  # fmt: skip
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
    admitted = _gate(proc, item_t, key_p, key_e, cols, col_of, at_in_col)
    proc.packets = int(t_p.size)
    if admitted.any():
        proc._start_ns = int(item_t[np.argmax(admitted)])
        proc._end_ns = int(item_t[admitted].max())
    outs: dict[str, DeviceOut] = {}
    errors: list[tuple[int, str]] = []
    ok_p = admitted[key_p]
    for dev in {c.device for c in cols}:
        mine = [i for i, c in enumerate(cols) if c.device == dev]
        sel = np.flatnonzero(ok_p & np.isin(col_of, mine))
        if not sel.size:
            continue
        decoder = proc._decoders.get(dev)
        if decoder is None:
            errors += [(int(key_p[j]), f"packet from unknown device {dev!r}") for j in sel]
            continue
        streams = [cols[col_of[j]].stream for j in sel.tolist()]
        payloads = [cols[col_of[j]].payloads[at_in_col[j]] for j in sel.tolist()]
        outs[dev] = decode_device(decoder, dev, key_p[sel], t_p[sel], streams, payloads)
        errors += outs[dev].errors
    proc.decode_errors = len(errors)
    if errors:
        proc.last_decode_error = max(errors)[1]
    ok_e = admitted[key_e]
    for e, ok in zip(events, ok_e.tolist(), strict=True):
        if ok:
            proc._on_event(e)
    _heart_into(proc, outs)
    for key in proc._order:
        out = outs.get(key)
        if out is not None and out.acc.order:
            proc._acc[key] = _acc_track(proc, key, out)


def _gate(
    proc: SessionProcessor,
    item_t: IntArray,
    key_p: IntArray,
    key_e: IntArray,
    cols: Sequence[StreamColumns],
    col_of: IntArray,
    at_in_col: IntArray,
) -> npt.NDArray[np.bool_]:
    """Which items the arrival-time gate admits (set-asides counted as live does)."""
    n = item_t.size
    admitted = np.ones(n, dtype=bool)
    if n == 0:
        return admitted
    gate = proc._arrival
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
        return admitted
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
            proc._late[(dev, stream, exc.reason)] += 1
    return admitted


def _heart_into(proc: SessionProcessor, outs: dict[str, DeviceOut]) -> None:
    """The HR notifications of the first device that reported one (live's rule)."""
    firsts = [(out.hr[0][0], dev) for dev, out in outs.items() if out.hr]
    if not firsts:
        return
    dev = min(firsts)[1]
    proc._hr_device = dev
    samples: list[HrSample] = [s for _, s in sorted(outs[dev].hr, key=lambda o: o[0])]
    proc._hr_t = [s.t_ns for s in samples]
    proc._hr_bpm = [float(s.hr_bpm) for s in samples]
    proc._hr_contact = [
        CONTACT_UNSUPPORTED
        if not s.contact_supported
        else (CONTACT_OK if s.contact else CONTACT_LOST)
        for s in samples
    ]
    proc._rr = [tuple(s.rr_1024) for s in samples]


def _acc_track(proc: SessionProcessor, key: str, out: DeviceOut) -> AccTrack:
    acc = out.acc
    order = np.concatenate(acc.order)
    by = np.argsort(order, kind="stable")
    first = np.concatenate(acc.first_ns)[by]
    last = np.concatenate(acc.last_ns)[by]
    counts = np.concatenate(acc.counts)
    fs = np.concatenate(acc.fs_hz)[by]
    rng = np.concatenate(acc.range_g)[by]
    samples = np.concatenate(acc.acc_g)
    if not np.all(by[1:] > by[:-1]):  # frames decoded one by one came in between
        rows = np.split(samples, np.cumsum(counts)[:-1])
        samples = np.concatenate([rows[i] for i in by.tolist()])
        counts = counts[by]
    start = int(proc._start_ns) if proc._start_ns is not None else int(first[0])
    track = BatchAccTrack(key, proc._placements.get(key, "chest"), start)
    # a new segment: a pause over ACC_GAP_S (+ one period) or a rate change
    new = np.ones(first.size, dtype=bool)
    new[1:] = (first[1:] - last[:-1] > ACC_GAP_S * NS_PER_S + NS_PER_S / fs[1:]) | (
        fs[1:] != fs[:-1]
    )
    heads = [*np.flatnonzero(new).tolist(), first.size]
    row = np.concatenate(([0], np.cumsum(counts)))
    for a, b in itertools.pairwise(heads):
        track.add_segment(
            int(first[a]), int(last[b - 1]), samples[row[a] : row[b]], float(fs[a]),
            float(rng[a]),
        )  # fmt: skip
    return track


class BatchAccTrack(AccTrack):
    """An `AccTrack` fed whole segments: each analysed in one pass (in `BATCH_CHUNK`
    pieces), with ‖a‖ computed once and one impact-peak search for impacts and steps."""

    def add_segment(
        self, first_ns: int, last_ns: int, acc: FloatArray, fs_hz: float, range_g: float
    ) -> None:
        """Analyse one whole segment (host times of its first and last sample, ns)."""
        self.fs_hz, self.range_g = fs_hz, range_g
        self._seg_t0_ns = first_ns
        t0_s = (first_ns - self.origin_ns) / NS_PER_S
        mag = magnitude(acc)
        jd = JumpDetector(fs_hz, range_g)
        ic = ImpactCounter(fs_hz, range_g)
        jumps, peaks = [], []
        if self.trunk is not None:
            self.trunk.start(fs_hz, t0_s)
        for k in range(0, max(1, acc.shape[0]), BATCH_CHUNK):  # cache-sized pieces
            a, m = acc[k : k + BATCH_CHUNK], mag[k : k + BATCH_CHUNK]
            jumps += jd.feed(a, mag=m)
            peaks += ic.feed(a, mag=m)
            if self.trunk is not None:
                self.trunk.feed(a, m)
        self.jumps.extend(self._shift_jumps(jumps + jd.flush()))
        peaks += ic.flush()
        self.peaks.extend(self._shift_peaks(peaks))
        sc = StepCounter(fs_hz)
        r_step = max(1, round(STEP_MERGE_S * fs_hz))
        if STEP_MIN_PEAK_G >= IMPACT_MIN_PEAK_G and r_step >= max(1, round(IMPACT_MERGE_S * fs_hz)):
            idx = np.rint(np.array([p.t_s for p in peaks]) * fs_hz).astype(np.intp)
            step_idx = wider_peaks(mag, idx, STEP_MIN_PEAK_G, r_step)
            times = sc.feed_peak_times((step_idx / fs_hz).tolist())
            sc.end()
        else:  # thresholds that break the subset rule: a second search
            times = sc.feed(acc) + sc.flush()
        self.step_times_s.extend(self._shift_times(times))
        r = sc.result()
        w, wc = self._closed_walking
        self._closed_walking = (w + r.walking_s, wc + (r.cadence_spm or 0.0) * r.walking_s)
        r_n, r_s = self._closed_running
        self._closed_running = (r_n + jd.running_strides, r_s + jd.running_s)
        self.covered_ns += last_ns - first_ns
        if self.trunk is not None:
            self.trunk.end()
        self._last_ns = self.analysed_until_ns = last_ns
