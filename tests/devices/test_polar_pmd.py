"""Polar PMD control point and data frames against the published vectors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from devices_vectors import EXTRA, VECTORS, vid

from osteomonitor.devices import polar_pmd as pmd
from osteomonitor.errors import DecodeError

PMD = VECTORS["polar_pmd"]
CP = PMD["control_point"] + EXTRA["polar_pmd_control_point"]
FRAMES = PMD["data_frames"]

_SETTING_NAMES = {
    "sample_rate_hz": "sample_rate",
    "resolution_bits": "resolution",
    "range_g": "range",
}


def test_uuids_match_the_vectors() -> None:
    u = PMD["uuids"]
    assert u["service"].lower() == pmd.PMD_SERVICE_UUID
    assert u["control_point"].lower() == pmd.PMD_CP_UUID
    assert u["data"].lower() == pmd.PMD_DATA_UUID


@pytest.mark.parametrize("vec", [v for v in CP if v["dir"] == "indication"], ids=vid)
def test_cp_indication(vec: dict[str, Any]) -> None:
    msg = pmd.parse_cp_message(bytes.fromhex(vec["hex"]))
    exp = vec.get("expect", {})
    if "stopped" in exp:
        assert isinstance(msg, pmd.MeasurementStopped)
        assert list(msg.types) == exp["stopped"]
        return
    assert isinstance(msg, pmd.CpResponse)
    for key in ("op", "status"):
        if key in exp:
            assert getattr(msg, key) == exp[key]
    if "type" in exp:
        assert msg.mtype == exp["type"]
    if "status_name" in exp:
        assert msg.status_name == exp["status_name"]
        assert not msg.ok
    settings = msg.settings() if msg.ok else {}
    for key, want in exp.items():
        name = _SETTING_NAMES.get(key, key)
        if name in ("sample_rate", "resolution", "range", "channels"):
            assert settings[name] == want
    if "factor" in exp:
        assert settings["factor"][0] == pytest.approx(exp["factor"], rel=1e-6)


@pytest.mark.parametrize("vec", [v for v in CP if v["dir"] == "params"], ids=vid)
def test_settings_params(vec: dict[str, Any]) -> None:
    raw = bytes.fromhex(vec["hex"])
    parsed = pmd.parse_settings(raw)
    assert parsed == vec["expect"]
    # a copy: encode_settings takes Mapping[PmdSetting | str, ...], whose key type a
    # dict[str, ...] (parse_settings' answer) does not match (Mapping keys are invariant)
    assert pmd.encode_settings({k: v for k, v in parsed.items()}) == raw


def test_cp_writes_are_built_byte_for_byte() -> None:
    acc, ecg = pmd.PmdMeasurementType.ACC, pmd.PmdMeasurementType.ECG
    assert pmd.build_get_settings(acc) == bytes.fromhex("0102")
    assert pmd.build_stop(acc) == bytes.fromhex("0302")
    start = pmd.build_start(acc, {"sample_rate": 200, "resolution": 16, "range": 8})
    assert start == bytes.fromhex("0202020108000001C80001011000")
    assert pmd.build_start(pmd.PmdMeasurementType.SDK_MODE, {}) == bytes.fromhex("0209")
    assert pmd.build_stop(pmd.PmdMeasurementType.SDK_MODE) == bytes.fromhex("0309")
    for vec in CP:
        if vec["dir"] == "write" and "settings" in vec:
            order = pmd.SDK_SETTING_ORDER if vec["order"] == "sdk" else pmd.PDF_SETTING_ORDER
            mtype = vec["hex"][2:4]
            built = pmd.build_start(int(mtype, 16), vec["settings"], order=order)
            assert built == bytes.fromhex(vec["hex"]), vec["meaning"]
    assert pmd.build_start(ecg, {"sample_rate": 130, "resolution": 14}) == bytes.fromhex(
        "02000001820001010E00"
    )


@pytest.mark.parametrize("vec", [v for v in CP if v["dir"] == "write"], ids=vid)
def test_every_cp_write_parses_as_a_request(vec: dict[str, Any]) -> None:
    req = pmd.parse_cp_request(bytes.fromhex(vec["hex"]))
    assert req.op in (1, 2, 3)
    assert not req.offline
    if "settings" in vec:
        assert {k: v[0] for k, v in req.settings.items()} == vec["settings"]


def test_start_request_round_trips_for_every_h10_setting() -> None:
    for rate in (25, 50, 100, 200):
        for rng in (2, 4, 8):
            b = pmd.build_start(pmd.ACC, {"sample_rate": rate, "resolution": 16, "range": rng})
            req = pmd.parse_cp_request(b)
            assert req.op == pmd.PmdOp.REQUEST_MEASUREMENT_START and req.mtype == pmd.ACC
            assert req.settings == {"range": [rng], "sample_rate": [rate], "resolution": [16]}


@pytest.mark.parametrize("vec", [v for v in CP if v["dir"] == "read"], ids=vid)
def test_feature_read(vec: dict[str, Any]) -> None:
    raw = bytes.fromhex(vec["hex"])
    feats = pmd.parse_features(raw)
    assert sorted(pmd.PmdMeasurementType(t).name for t in feats) == sorted(
        vec["expect"]["features"]
    )
    assert pmd.encode_features(feats) == raw


def test_cp_response_encoder_and_multi_part_merge() -> None:
    params = bytes.fromhex("0004190032006400C800010110000203020004000800")
    full = pmd.encode_cp_response(1, 2, 0, params)
    assert full == bytes.fromhex("F0010200000004190032006400C800010110000203020004000800")
    a = pmd.parse_cp_response(pmd.encode_cp_response(1, 2, 0, params[:7], more=1))
    b = pmd.parse_cp_response(pmd.encode_cp_response(1, 2, 0, params[7:]))
    assert a.more and not b.more
    merged = pmd.merge_cp_responses([a, b])
    assert merged.settings() == pmd.parse_cp_response(full).settings()


@pytest.mark.parametrize("bad", ["", "F0", "F00102", "0F", "01", "AA0102"])
def test_malformed_cp_messages_are_decode_errors(bad: str) -> None:
    with pytest.raises(DecodeError, match="PMD"):
        pmd.parse_cp_message(bytes.fromhex(bad))


@pytest.mark.parametrize("bad", ["", "0F", "F00102", "0E0500"])
def test_malformed_feature_reads_are_decode_errors(bad: str) -> None:
    with pytest.raises(DecodeError, match="PMD features"):
        pmd.parse_features(bytes.fromhex(bad))


@pytest.mark.parametrize("bad", ["0001", "0701AA", "000164", "0101FFFF00"])
def test_malformed_settings_are_decode_errors(bad: str) -> None:
    with pytest.raises(DecodeError, match="PMD settings"):
        pmd.parse_settings(bytes.fromhex(bad))


# --- data frames -------------------------------------------------------------------------


def test_h10_raw_frame_from_the_pdf() -> None:
    vec = FRAMES[0]
    f = pmd.decode_frame(bytes.fromhex(vec["hex"]))
    assert f.mtype == pmd.ACC and f.timestamp_ns == vec["expect"]["timestamp_ns"]
    assert f.frame_type == 1 and not f.compressed
    assert f.samples.tolist() == vec["expect"]["samples_mg"]


def test_sdk_raw_type1_frame_of_36_samples() -> None:
    vec = FRAMES[1]
    f = pmd.decode_frame(bytes.fromhex(vec["hex"]))
    assert f.timestamp_ns == vec["expect"]["timestamp_ns"]
    assert len(f) == vec["expect"]["n_samples"] == pmd.H10_ACC_MAX_SAMPLES_PER_FRAME
    assert f.samples[:2].tolist() == vec["expect"]["first_samples_mg"]


def test_sdk_compressed_type0_frame_10_bit_deltas() -> None:
    vec = FRAMES[2]
    raw = bytes.fromhex(vec["hex"])
    f = pmd.decode_frame(raw)
    exp = vec["expect"]
    assert f.compressed and f.frame_type == exp["frame_type"]
    assert len(f) == exp["n_samples"]
    assert f.samples[0].tolist() == exp["reference_raw"]
    assert f.samples[1].tolist() == exp["second_sample_raw"]
    assert (raw[16], raw[17]) == tuple(exp["delta_blocks"][0])
    # factor 2.44e-4 G/LSB × 1000 → mG, as AccData.kt scales type 0 delta frames.
    assert pmd.frame_factor_mg(f, 2.44e-4) == pytest.approx(0.244)


def test_sdk_compressed_type1_frame_and_its_timestamps() -> None:
    vec = FRAMES[3]
    f = pmd.decode_frame(bytes.fromhex(vec["hex"]))
    assert f.samples.tolist() == vec["expect"]["samples_mg"]
    assert pmd.frame_factor_mg(f, 1.0) == 1.0
    ts = pmd.PmdTimestamper()
    ts.timestamps(pmd.ACC, 1, 100, 1, 52.0)  # previous frame at 100 ns
    # AccDataTest.kt: timestamps 100, 101 (dt 0.5 rounds half to even).
    assert ts.timestamps(pmd.ACC, f.frame_type, f.timestamp_ns, len(f), 52.0).tolist() == [100, 101]


def test_ios_delta_vector_two_blocks_14_bit() -> None:
    vec = FRAMES[4]
    s = pmd.decode_delta(
        bytes.fromhex(vec["payload_only_hex"]), vec["channels"], vec["resolution_bits"]
    )
    assert s.tolist() == vec["expect"]["samples"]


def test_ecg_raw_frame() -> None:
    vec = FRAMES[5]
    f = pmd.decode_frame(bytes.fromhex(vec["hex"]))
    assert f.mtype == pmd.ECG and f.timestamp_ns == vec["expect"]["timestamp_ns"]
    assert f.samples[:, 0].tolist() == vec["expect"]["samples_uv"]


def _trimmed(hexstr: str, samples: int) -> bytes:
    """A truncated real delta frame cut to its first `samples` deltas (8-bit, 3 channels)."""
    raw = bytes.fromhex(hexstr)
    head = raw[:16] + bytes([raw[16], samples])
    return head + raw[18 : 18 + 3 * samples]


def test_truncated_real_verity_frames_decode_their_first_deltas() -> None:
    pdf, real443, real331 = EXTRA["polar_pmd_data_frames"]
    f = pmd.decode_frame(_trimmed(pdf["hex"], 2))
    assert f.timestamp_ns == pdf["expect"]["timestamp_ns"] and f.frame_type == 0 and f.compressed
    assert f.samples.tolist() == pdf["expect"]["samples_raw_first"]
    g = pmd.decode_frame(_trimmed(real443["hex"], 1))
    assert g.timestamp_ns == real443["expect"]["timestamp_ns"]
    assert g.samples.tolist() == real443["expect"]["samples_mg_first"]
    raw331 = bytes.fromhex(real331["hex"])
    assert list(raw331[16:18]) == real331["expect"]["first_block"]
    h = pmd.decode_frame(raw331[:16])  # header + reference only
    assert h.samples.tolist() == [real331["expect"]["reference_mg"]]
    with pytest.raises(DecodeError, match="needs"):  # the block itself is cut off
        pmd.decode_frame(raw331)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "02000000",
        "02000000000000000001",  # header, no samples
        "0200000000000000000145FF",  # 2 bytes: not a whole int16 sample
        "0200000000000000000945FFE4FFB503",  # unknown raw frame type 9
        "0200000000000000008101",  # delta: reference cut short
        "020000000000000000810100020003000A",  # dangling block byte
        "0200000000000000008101000200030000 05".replace(" ", ""),  # width 0
        "020000000000000000810100020003000803AA",  # block data cut short
        "0400000000000000000100",  # measurement type 4 has no layout
    ],
)
def test_malformed_frames_are_decode_errors(bad: str) -> None:
    with pytest.raises(DecodeError, match="PMD"):
        pmd.decode_frame(bytes.fromhex(bad))


def test_timestamper_first_frame_and_later_frames() -> None:
    ts = pmd.PmdTimestamper()
    first = ts.timestamps(pmd.ACC, 1, 10_000_000_000, 4, 200.0)
    assert first.tolist() == [9_985_000_000, 9_990_000_000, 9_995_000_000, 10_000_000_000]
    nxt = ts.timestamps(pmd.ACC, 1, 10_020_000_000 + 4, 4, 200.0)
    assert nxt.tolist() == [10_005_000_001, 10_010_000_002, 10_015_000_003, 10_020_000_004]
    # A different frame type keeps its own history.
    other = ts.timestamps(pmd.ACC, 0, 10_020_000_000, 2, 200.0)
    assert other.tolist() == [10_015_000_000, 10_020_000_000]


def test_timestamper_tolerance_restarts_after_lost_frames() -> None:
    sdk, tol = pmd.PmdTimestamper(), pmd.PmdTimestamper(tolerance=0.1)
    for t in (sdk, tol):
        t.timestamps(pmd.ACC, 1, 1_000_000_000, 10, 100.0)
    # Two frames lost: 30 samples' time passed but only 10 arrive.
    gap_sdk = sdk.timestamps(pmd.ACC, 1, 1_300_000_000, 10, 100.0)
    gap_tol = tol.timestamps(pmd.ACC, 1, 1_300_000_000, 10, 100.0)
    assert gap_sdk[0] == 1_030_000_000  # the SDK smears the gap over the frame
    assert gap_tol[0] == 1_210_000_000 and tol.restarts == 1


def test_encode_raw_and_delta_frames_round_trip() -> None:
    rng = np.random.default_rng(1)
    s = np.cumsum(rng.integers(-40, 40, size=(36, 3)), axis=0) + 1000
    for compressed in (False, True):
        raw = pmd.encode_acc_frame(123_456_789, s, compressed=compressed)
        f = pmd.decode_frame(raw)
        assert f.compressed is compressed and f.frame_type == 1
        assert f.timestamp_ns == 123_456_789
        assert np.array_equal(f.samples, s)
    assert len(pmd.encode_acc_frame(0, s)) == 10 + 36 * 6


def test_h10_frame_size_at_its_mtu() -> None:
    assert pmd.H10_ACC_MAX_SAMPLES_PER_FRAME == 36
    assert pmd.max_samples_per_frame(512, 6) == 83
