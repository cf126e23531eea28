"""DeviceDecoder: each profile's packets, built with our encoders, decode to samples in host time."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pytest

from osteomonitor.devices import hrs, metawear, movesense, osteomonitor_imu, polar_pmd, thingy52
from osteomonitor.devices.decoder import PROTOCOL_DECODERS, DeviceDecoder, protocol_decoder
from osteomonitor.devices.imu_decoders import MetaWearDecoder, MovesenseDecoder, OsteoImuDecoder
from osteomonitor.devices.profiles import PROTOCOLS, get_profile, load_profiles
from osteomonitor.devices.stream_decoders import HrsDecoder, PmdDecoder, ProtocolDecoder
from osteomonitor.errors import DecodeError
from osteomonitor.model import AccBlock, HrSample, Packet

T0 = 1_700_000_000_000_000_000
H10_EPOCH = polar_pmd.H10_RESET_EPOCH_NS


def _device_t(block: AccBlock) -> npt.NDArray[np.int64]:
    """The block's device-clock sample times (ns); these devices all send them."""
    assert block.device_t_ns is not None
    return block.device_t_ns


def _accs(out: list[HrSample | AccBlock]) -> list[AccBlock]:
    return [s for s in out if isinstance(s, AccBlock)]


def test_every_profile_gets_a_decoder_and_rejects_unknown_streams() -> None:
    for key, prof in load_profiles().items():
        dec = DeviceDecoder(prof)
        with pytest.raises(DecodeError, match="no stream named"):
            dec.feed(Packet(T0, key, "nonsense", b"\x00"))


def test_every_protocol_names_its_decoder_class() -> None:
    """Decoders are imported by protocol name (an H10 never loads the IMU decoders):
    every protocol a profile may name resolves to its class."""
    assert set(PROTOCOL_DECODERS) == set(PROTOCOLS)
    expected = {"hrs": HrsDecoder, "polar_pmd": PmdDecoder, "movesense_gsp": MovesenseDecoder}
    expected |= {"metawear": MetaWearDecoder, "osteomonitor_imu": OsteoImuDecoder}
    for protocol in PROTOCOLS:
        cls = protocol_decoder(protocol)
        assert issubclass(cls, ProtocolDecoder) and cls is not ProtocolDecoder
        assert cls is expected.get(protocol, cls)
    assert protocol_decoder("thingy52").__name__ == "ThingyDecoder"
    with pytest.raises(KeyError):
        protocol_decoder("telepathy")


def test_hr_strap_hr_battery_and_info() -> None:
    dec = DeviceDecoder(get_profile("hr-strap"))
    (s,) = dec.feed(Packet(T0, "strap", "hr", hrs.encode_hr(72, [850, 860], contact=True)))
    assert isinstance(s, HrSample) and s.hr_bpm == 72 and s.rr_1024 == (850, 860) and s.t_ns == T0
    assert dec.feed(Packet(T0, "strap", "battery", b"\x57")) == [] and dec.battery_pct == 87
    assert dec.feed(Packet(T0, "strap", "model", b"H9\x00")) == [] and dec.info["model"] == "H9"
    assert dec.feed(Packet(T0, "strap", "body_location", b"\x01")) == []
    assert dec.body_location == "chest"
    with pytest.raises(DecodeError):
        dec.feed(Packet(T0, "strap", "hr", bytes.fromhex("170101")))
    # A bad packet leaves the decoder usable.
    (again,) = dec.feed(Packet(T0 + 1, "strap", "hr", hrs.encode_hr(73)))
    assert isinstance(again, HrSample) and again.hr_bpm == 73


def _h10_stream(
    n_frames: int, fs: float = 200.0, latency_ns: int = 20_000_000, offset_ns: int = T0
) -> Iterator[tuple[int, npt.NDArray[np.int64], int]]:
    n = polar_pmd.H10_ACC_MAX_SAMPLES_PER_FRAME
    rng = np.random.default_rng(0)
    for k in range(n_frames):
        dev_last = H10_EPOCH + round((k + 1) * n / fs * 1e9)
        samples = rng.integers(-8000, 8000, size=(n, 3))
        arrival = offset_ns + (dev_last - H10_EPOCH) + latency_ns + int(rng.uniform(0, 30e6))
        yield dev_last, samples, arrival


def test_h10_acc_frames_map_to_host_time_with_sdk_sample_times() -> None:
    dec = DeviceDecoder(get_profile("polar-h10"), {"sample_rate": 200, "range_g": 8})
    start = polar_pmd.build_start(polar_pmd.ACC, {"sample_rate": 200, "resolution": 16, "range": 8})
    assert polar_pmd.parse_cp_request(start).settings["sample_rate"] == [200]
    assert (
        dec.feed(Packet(T0, "h10", "pmd_cp", polar_pmd.encode_cp_response(2, 2, 0, b"\x01"))) == []
    )
    blocks: list[AccBlock] = []
    sent = []
    for dev_last, samples, arrival in _h10_stream(400):
        raw = polar_pmd.encode_acc_frame(dev_last, samples)
        blocks += _accs(dec.feed(Packet(arrival, "h10", "pmd_data", raw)))
        sent.append(samples)
    assert len(blocks) == 400
    t_all = np.concatenate([blk.t_ns for blk in blocks])
    assert np.all(np.diff(t_all) > 0)  # host time never runs backwards across blocks
    b = blocks[-1]
    assert b.fs_hz == 200 and b.range_g == 8 and b.acc_g.shape == (36, 3)
    assert np.allclose(b.acc_g, sent[-1] / 1000.0)
    assert np.all(np.diff(_device_t(b)) == 5_000_000)
    # Host times: device time + offset + minimum latency (20 ms), within a few ms.
    true_host = T0 + (_device_t(b) - H10_EPOCH) + 20_000_000
    assert np.abs(b.t_ns - true_host).max() < 3_000_000
    assert dec.gaps == []


def test_h10_lost_frames_show_as_gaps_and_timestamps_restart() -> None:
    dec = DeviceDecoder(get_profile("polar-h10"))
    got = []
    for k, (dev_last, samples, arrival) in enumerate(_h10_stream(30)):
        if k in (10, 11):
            continue
        got += _accs(
            dec.feed(
                Packet(arrival, "h10", "pmd_data", polar_pmd.encode_acc_frame(dev_last, samples))
            )
        )
    assert len(dec.gaps) == 1 and dec.gaps[0].missing_ns == 2 * 180_000_000
    after = _device_t(got[10])
    assert np.all(np.diff(after) == 5_000_000)  # not smeared over the gap


def test_verity_delta_frames_with_factor() -> None:
    dec = DeviceDecoder(get_profile("polar-verity"))
    assert dec.config.rate_hz == 52 and dec.config.range_g == 8
    # Older firmware: start response carries FACTOR and frames are 0x80 (G × factor).
    dec.feed(Packet(T0, "arm", "pmd_cp", bytes.fromhex("F002020000050140DA7F39")))
    raw = polar_pmd.encode_frame(
        polar_pmd.ACC, 10**18, np.array([[0, 0, 4098], [0, 0, 4100]]), 0, True
    )
    (b,) = _accs(dec.feed(Packet(T0, "arm", "pmd_data", raw)))
    assert b.acc_g[0, 2] == pytest.approx(4098 * 2.44e-4, rel=1e-6)
    # ECG or other frames are skipped, not errors.
    ecg = bytes.fromhex("000094357700000000000280FF028000")
    assert dec.feed(Packet(T0, "arm", "pmd_data", ecg)) == []
    assert dec.feed(Packet(T0, "arm", "pmd_cp", bytes.fromhex("010102"))) == []
    assert (
        dec.feed(Packet(T0, "arm", "pmd_cp", bytes.fromhex("0F6E000000000000000000000000000000")))
        == []
    )


def test_movesense_acc_with_part2_and_hr() -> None:
    prof = get_profile("movesense")
    dec = DeviceDecoder(prof, {"sample_rate": 104})
    acc_ref, hr_ref = prof.options["acc_ref"], prof.options["hr_ref"]
    samples = np.arange(16 * 3, dtype=np.float64).reshape(16, 3)  # 196 B: needs DATA_PART2
    payload = movesense.encode_acc(5000, samples)
    parts = movesense.split_parts(movesense.GspResponse.DATA, acc_ref, payload)
    assert len(parts) == 2
    assert dec.feed(Packet(T0, "hip", "gsp_data", parts[0])) == []
    (b,) = _accs(dec.feed(Packet(T0 + 1, "hip", "gsp_data", parts[1])))
    assert np.allclose(b.acc_g * movesense.STANDARD_GRAVITY, samples, atol=1e-5)
    assert _device_t(b)[0] == 5_000_000_000
    # A DATA_PART2 without its DATA is a decode error; an orphaned DATA is counted.
    with pytest.raises(DecodeError, match="without its DATA"):
        dec.feed(Packet(T0, "hip", "gsp_data", parts[1]))
    dec.feed(Packet(T0, "hip", "gsp_data", parts[0]))
    small = movesense.split_parts(2, acc_ref, movesense.encode_acc(6000, samples[:4]))[0]
    assert len(_accs(dec.feed(Packet(T0 + 2, "hip", "gsp_data", small)))) == 1
    assert isinstance(dec.protocol, MovesenseDecoder)
    assert dec.protocol.orphaned_parts == 1
    hr_msg = movesense.split_parts(2, hr_ref, movesense.encode_hr(61.6, [980, 1000]))[0]
    (h,) = dec.feed(Packet(T0, "hip", "gsp_data", hr_msg))
    assert isinstance(h, HrSample) and h.hr_bpm == 62 and h.rr_1024 == (1004, 1024)
    with pytest.raises(DecodeError, match="unknown client reference"):
        dec.feed(Packet(T0, "hip", "gsp_data", movesense.split_parts(2, 7, payload[:52])[0]))


def test_metawear_packed_samples_spaced_at_the_nominal_rate() -> None:
    dec = DeviceDecoder(get_profile("metamotion"), {"sample_rate": 100, "range_g": 8})
    assert dec.feed(Packet(T0, "hip", "mw_notify", bytes.fromhex("03800400"))) == []
    assert isinstance(dec.protocol, MetaWearDecoder)
    assert dec.protocol.chip == "bmi270"
    raw = bytes.fromhex("031C62B7530DE9FD16D04D0E57028AFFA1050A01")
    blocks = []
    for k in range(100):
        blocks += _accs(dec.feed(Packet(T0 + k * 30_000_000 + 5_000_000, "hip", "mw_notify", raw)))
    b = blocks[-1]
    assert b.acc_g[0].tolist() == pytest.approx([-4.539, 0.833, -0.131], abs=1e-3)
    assert np.all(np.diff(b.t_ns) == pytest.approx(10_000_000, abs=10_000))
    assert b.device_t_ns is None


def test_thingy_rate_from_config_and_raw_samples() -> None:
    dec = DeviceDecoder(get_profile("thingy52"))
    cfg = thingy52.build_config(thingy52.MotionConfig(motion_freq_hz=50))
    dec.feed(Packet(T0, "hip", "motion_config", cfg))
    assert dec.config.rate_hz == 50
    out = []
    for k in range(20):
        raw = thingy52.encode_raw(np.array([0.0, 0.0, 1.0]))
        out += _accs(dec.feed(Packet(T0 + k * 20_000_000, "hip", "raw_data", raw)))
    assert len(out) == 20 and out[-1].acc_g.tolist() == [[0.0, 0.0, 1.0]] and out[-1].range_g == 2


def test_osteomonitor_imu_frames_and_lost_samples() -> None:
    dec = DeviceDecoder(get_profile("osteomonitor-imu"))
    acc = np.tile([0.0, 0.0, 1.0], (38, 1))
    out = []
    for k in range(10):
        if k == 4:
            continue
        raw = osteomonitor_imu.encode_frame(k * 190_000, k * 38, acc, 200, 16)
        out += _accs(dec.feed(Packet(T0 + k * 190_000_000 + 8_000_000, "hip", "imu_data", raw)))
    assert isinstance(dec.protocol, OsteoImuDecoder)
    assert dec.protocol.lost_samples == 38
    assert len(dec.gaps) == 1
    assert out[-1].fs_hz == 200 and out[-1].range_g == 16
    assert np.allclose(out[-1].acc_g[:, 2], 1.0, atol=1 / 2048)


def test_metawear_command_vectors_are_reproduced() -> None:
    assert metawear.build_acc_config(200, 8) == bytes.fromhex("03032908")
