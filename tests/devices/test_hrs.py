"""Heart Rate Service codec against the published vectors and its own encoder."""

from __future__ import annotations

from typing import Any

import pytest
from devices_vectors import EXTRA, VECTORS, vid

from osteomonitor.devices import hrs
from osteomonitor.errors import DecodeError
from osteomonitor.model import HrSample

HRM = VECTORS["heart_rate_measurement_0x2A37"]
T0 = 1_700_000_000_000_000_000


@pytest.mark.parametrize("vec", [v for v in HRM if "error" not in v["expect"]], ids=vid)
def test_hr_vector_decodes_as_its_source_says(vec: dict[str, Any]) -> None:
    s = hrs.decode_hr(bytes.fromhex(vec["hex"]), T0)
    exp = vec["expect"]
    assert s.t_ns == T0
    assert s.hr_bpm == exp["hr_bpm"]
    assert list(s.rr_1024) == exp.get("rr_1024", [])
    if "energy_kj" in exp:
        assert s.energy_kj == exp["energy_kj"]
    else:
        assert s.energy_kj is None
    if "contact" in exp:
        assert s.contact is exp["contact"]
        assert s.contact_supported
    if "contact_supported" in exp:
        assert s.contact_supported is exp["contact_supported"]
        if not exp["contact_supported"]:
            assert s.contact is None


@pytest.mark.parametrize("vec", [v for v in HRM if "error" in v["expect"]], ids=vid)
def test_hr_vector_that_must_be_rejected_raises_decode_error(vec: dict[str, Any]) -> None:
    with pytest.raises(DecodeError, match="HR measurement"):
        hrs.decode_hr(bytes.fromhex(vec["hex"]), T0)


@pytest.mark.parametrize(
    "payload", ["", "00", "0901", "090000FF", "1000FF", "100001020304FF", "0055AA"]
)
def test_short_or_ragged_payloads_are_decode_errors(payload: str) -> None:
    with pytest.raises(DecodeError):
        hrs.decode_hr(bytes.fromhex(payload), T0)


@pytest.mark.parametrize("vec", [v for v in HRM if "error" not in v["expect"]], ids=vid)
def test_encoder_reproduces_vectors_it_can_express(vec: dict[str, Any]) -> None:
    raw = bytes.fromhex(vec["hex"])
    s = hrs.decode_hr(raw, T0)
    again = hrs.encode_hr(s.hr_bpm, s.rr_1024, s.contact, s.energy_kj, uint16=bool(raw[0] & 1))
    # Flag 0x02 alone ("not supported" spelled with bit 1) re-encodes as 0x00.
    expected = bytes([raw[0] & ~0x02 if not raw[0] & 0x04 else raw[0]]) + raw[1:]
    assert again == expected


def test_rr_times_back_date_from_arrival() -> None:
    s = HrSample(t_ns=T0, hr_bpm=60, rr_1024=(1024, 512, 2048))
    # Newest beat at arrival; earlier beats back-dated by the intervals after them.
    assert hrs.rr_times_ns(s) == [T0 - 2_500_000_000, T0 - 2_000_000_000, T0]
    assert hrs.rr_times_ns(HrSample(t_ns=T0, hr_bpm=60)) == []


def test_rr_ms_rounding_is_left_to_callers() -> None:
    # 863/1024 s is 842.77 ms: rounded 843 (Polar SDK), floored 842 (L0rek); we keep exact.
    assert hrs.rr_ms(863) == pytest.approx(842.7734375)


def test_body_sensor_location_vectors() -> None:
    good, empty = EXTRA["heart_rate_extra"]
    assert hrs.decode_body_sensor_location(bytes.fromhex(good["hex"])) == good["expect"]
    with pytest.raises(DecodeError):
        hrs.decode_body_sensor_location(bytes.fromhex(empty["hex"]))
    assert hrs.decode_body_sensor_location(b"\x09") == "reserved-9"


def test_battery_and_device_information() -> None:
    assert hrs.decode_battery_level(b"\x64") == 100
    for bad in (b"", b"\x65", b"\x01\x02"):
        with pytest.raises(DecodeError):
            hrs.decode_battery_level(bad)
    assert hrs.decode_dis_string(b"H10\x00") == "H10"
    with pytest.raises(DecodeError, match="UTF-8"):
        hrs.decode_dis_string(b"\xff\xfe")


def test_uuids_are_128_bit_lowercase() -> None:
    assert hrs.HR_SERVICE_UUID == "0000180d-0000-1000-8000-00805f9b34fb"
    assert hrs.HR_MEASUREMENT_UUID == "00002a37-0000-1000-8000-00805f9b34fb"
    assert hrs.BATTERY_LEVEL_UUID == "00002a19-0000-1000-8000-00805f9b34fb"
    assert hrs.DEVICE_INFO_SERVICE_UUID == "0000180a-0000-1000-8000-00805f9b34fb"


def test_encoder_rejects_values_that_do_not_fit() -> None:
    with pytest.raises(ValueError):
        hrs.encode_hr(70000)
    with pytest.raises(ValueError):
        hrs.encode_hr(60, rr_1024=[70000])
    assert hrs.encode_hr(300)[0] & 1  # > 255 forces uint16
