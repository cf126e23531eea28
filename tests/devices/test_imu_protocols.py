"""MetaWear, Movesense, Thingy:52 and osteomonitor-imu codecs against the vectors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from devices_vectors import EXTRA, VECTORS, vid

from osteomonitor.devices import metawear, movesense, osteomonitor_imu, thingy52
from osteomonitor.errors import DecodeError

MW = VECTORS["metawear"]
MS = VECTORS["movesense_gsp"]
TH = VECTORS["thingy52_motion"]


def test_uuids_match_the_vectors() -> None:
    assert MW["uuids"]["service"] == metawear.MW_SERVICE_UUID
    assert MW["uuids"]["command"] == metawear.MW_COMMAND_UUID
    assert MW["uuids"]["notify"] == metawear.MW_NOTIFY_UUID
    assert MS["uuids"]["service"] == movesense.GSP_SERVICE_UUID
    assert MS["uuids"]["command"] == movesense.GSP_COMMAND_UUID
    assert MS["uuids"]["data"] == movesense.GSP_DATA_UUID
    assert TH["uuids"]["service"].lower() == thingy52.MOTION_SERVICE_UUID
    assert TH["uuids"]["raw_data"].lower() == thingy52.RAW_DATA_UUID
    assert TH["uuids"]["config"].lower() == thingy52.MOTION_CONFIG_UUID


_MW_BUILDERS = {
    "03032803": lambda: metawear.build_acc_config(100, 2, "bmi160"),
    "03032908": lambda: metawear.build_acc_config(200, 8, "bmi160"),
    "030401": lambda: metawear.build_acc_subscribe(packed=False),
    "031C01": lambda: metawear.build_acc_subscribe(packed=True, chip="bmi160"),
    "03020100": metawear.build_acc_enable_sampling,
    "030101": metawear.build_acc_start,
    "030100": metawear.build_acc_stop,
}


@pytest.mark.parametrize("vec", MW["commands"], ids=vid)
def test_metawear_command_vectors(vec: dict[str, Any]) -> None:
    assert _MW_BUILDERS[vec["hex"]]() == bytes.fromhex(vec["hex"])


@pytest.mark.parametrize(
    "vec", [v for v in EXTRA["metawear"] if "odr_hz" in v and "hex" in v], ids=vid
)
def test_metawear_config_vectors_both_chips(vec: dict[str, Any]) -> None:
    raw = bytes.fromhex(vec["hex"])
    assert metawear.build_acc_config(vec["odr_hz"], vec["range_g"], vec["chip"]) == raw
    assert metawear.parse_acc_config(raw, vec["chip"]) == (vec["odr_hz"], vec["range_g"])


def test_metawear_odr_byte_tables() -> None:
    for v in (x for x in EXTRA["metawear"] if "odr_bytes_bmi160" in x):
        for chip in ("bmi160", "bmi270"):
            want = bytes.fromhex(v[f"odr_bytes_{chip}"])
            got = bytes(metawear.build_acc_config(hz, 2, chip)[2] for hz in v["odr_hz"])
            assert got == want, chip


def test_metawear_other_command_vectors() -> None:
    e = {v["meaning"]: bytes.fromhex(v["hex"]) for v in EXTRA["metawear"] if "meaning" in v}
    assert metawear.build_acc_subscribe(packed=True, chip="bmi270") == e["subscribe packed, BMI270"]
    assert metawear.build_acc_disable_sampling() == e["disable sampling"]
    assert (
        metawear.build_connection_parameters(750, 1000, 128, 16384)
        == e["connection parameters 750 ms, 1000 ms, latency 128, timeout 16384 ms"]
    )
    assert metawear.parse_module_info(e["module info: BMI160"]) == "bmi160"
    assert metawear.parse_module_info(e["module info: BMI270"]) == "bmi270"
    assert metawear.build_module_info_read() == bytes.fromhex("0380")


@pytest.mark.parametrize(
    "vec", MW["data"] + [v for v in EXTRA["metawear"] if "expect" in v], ids=vid
)
def test_metawear_data_vectors(vec: dict[str, Any]) -> None:
    acc = metawear.decode_acc(bytes.fromhex(vec["hex"]), vec["range_g"])
    assert acc == pytest.approx(np.array(vec["expect"]["samples_g"]), abs=5e-4)


@pytest.mark.parametrize(
    "bad", ["", "03", "0304", "030416C494A22A", "031C62B7530DE9FD16D0", "0404000000000000"]
)
def test_metawear_malformed_data(bad: str) -> None:
    with pytest.raises(DecodeError, match="MetaWear"):
        metawear.decode_acc(bytes.fromhex(bad), 4)


def test_movesense_command_vectors() -> None:
    sub, unsub = MS["commands"]
    assert movesense.build_subscribe(99, "/Meas/Acc/13") == bytes.fromhex(sub["hex"])
    assert movesense.build_unsubscribe(99) == bytes.fromhex(unsub["hex"])
    extra = {v["meaning"]: v for v in EXTRA["movesense"]}
    assert movesense.build_subscribe(99, movesense.acc_path(52)) == bytes.fromhex(
        extra["subscribe /Meas/Acc/52 ref 99"]["hex"]
    )
    hello = movesense.parse_message(bytes.fromhex(extra["HELLO reply 'Hello' for ref 99"]["hex"]))
    assert hello.kind == movesense.GspResponse.COMMAND_RESULT and hello.body == b"Hello"
    assert movesense.parse_command(bytes.fromhex(sub["hex"])) == (
        movesense.GspCommand.SUBSCRIBE,
        99,
        b"/Meas/Acc/13",
    )
    assert movesense.result_code(bytes.fromhex("01FB")) == 507


def test_movesense_data_vector() -> None:
    (vec,) = MS["data"]
    msg = movesense.parse_message(bytes.fromhex(vec["hex"]))
    assert msg.kind == movesense.GspResponse.DATA and msg.ref == 0x63
    ts, acc = movesense.decode_acc(msg.body)
    assert ts == vec["expect"]["timestamp_ms"]
    assert acc.tolist() == vec["expect"]["samples_m_s2"]
    assert movesense.split_parts(2, 0x63, movesense.encode_acc(ts, acc)) == [
        bytes.fromhex(vec["hex"])
    ]


@pytest.mark.parametrize("bad", ["", "02", "0963", "026340E20100", "026340E201000000803F"])
def test_movesense_malformed(bad: str) -> None:
    with pytest.raises(DecodeError):
        msg = movesense.parse_message(bytes.fromhex(bad))
        movesense.decode_acc(msg.body)


def test_thingy_vectors() -> None:
    (vec,) = TH["data"]
    acc, gyro, mag = thingy52.decode_raw(bytes.fromhex(vec["hex"]))
    assert acc.tolist() == vec["expect"]["acc_g"]
    assert gyro.tolist() == vec["expect"]["gyro_dps"]
    assert mag.tolist() == vec["expect"]["mag_ut"]
    assert thingy52.encode_raw(acc, gyro, mag) == bytes.fromhex(vec["hex"])
    (cfg_vec,) = EXTRA["thingy52"]
    cfg = thingy52.parse_config(bytes.fromhex(cfg_vec["hex"]))
    assert cfg == thingy52.MotionConfig(**cfg_vec["expect"]) == thingy52.MotionConfig()
    assert thingy52.build_config(cfg) == bytes.fromhex(cfg_vec["hex"])
    for bad in ("", "0000", "E803F401F4010A00", "E803F401F401D20701"):  # 2002 Hz is out of range
        with pytest.raises(DecodeError, match="Thingy"):
            (thingy52.parse_config if len(bad) >= 16 else thingy52.decode_raw)(bytes.fromhex(bad))


def test_osteomonitor_imu_layout_is_as_the_readme_specifies() -> None:
    raw = osteomonitor_imu.encode_frame(
        123_456_789, 7, np.array([[0.0, 0.0, 1.0], [-16.0, 0.5, 0.0]]), 200, 16
    )
    # version 1, ±16 g, 200 Hz, first index 7, t = 123456789 µs, then int16 samples.
    assert raw[:16] == bytes.fromhex("0110C8000700000015CD5B0700000000")
    assert raw[16:] == bytes.fromhex("000000000008008000040000")
    f = osteomonitor_imu.decode_frame(raw)
    assert (f.t_us, f.first_index, f.rate_hz, f.range_g) == (123_456_789, 7, 200, 16)
    assert f.acc_g.tolist() == [[0.0, 0.0, 1.0], [-16.0, 0.5, 0.0]]
    assert osteomonitor_imu.parse_command(osteomonitor_imu.build_start(200, 16)) == (
        "start",
        200,
        16,
    )
    assert osteomonitor_imu.build_start(200, 16) == bytes.fromhex("01C80010")
    assert osteomonitor_imu.parse_command(b"\x02") == ("stop", None, None)
    header = "C8000700000015CD5B0700000000"
    for bad in (
        "",
        "0110C800",  # short header
        "0210" + header + "000000000008",  # format version 2
        "0111" + header + "000000000008",  # ±17 g
        "0110" + header + "0000000000",  # half a sample
    ):
        with pytest.raises(DecodeError, match="osteomonitor-imu"):
            osteomonitor_imu.decode_frame(bytes.fromhex(bad))
