"""Firmware profiles: every bundled file loads, broken ones are rejected by key."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from devices_vectors import VECTORS

from osteomonitor.devices import hrs, polar_pmd, profiles
from osteomonitor.devices.profiles import (
    PROTOCOLS,
    bundled_profile_names,
    get_profile,
    load_profile_file,
    load_profiles,
    match_profile,
    normalize_uuid,
)
from osteomonitor.errors import ProfileError

EXPECTED_KEYS = {
    "hr-strap",
    "polar-h10",
    "polar-verity",
    "movesense",
    "metamotion",
    "thingy52",
    "osteomonitor-imu",
}
H10_TOML = resources.files("osteomonitor.firmware_profiles").joinpath("polar-h10.toml")


def test_every_bundled_file_loads_and_validates() -> None:
    names = bundled_profile_names()
    profiles = load_profiles()
    assert len(names) == len(profiles)
    assert set(profiles) == EXPECTED_KEYS
    for p in profiles.values():
        assert p.protocol in PROTOCOLS
        assert p.streams and p.display_name
        assert p.sensor_placement in ("chest", "hip", "upper-arm")
        if p.has_acc:
            assert p.default_rate_hz in p.rates_hz and p.default_range_g in p.ranges_g
            assert p.acc_unit


def test_a_bundled_profile_is_read_when_first_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """`analyze` of an H10 file parses the H10's profile, not all seven."""
    monkeypatch.setattr(profiles, "_CACHE", {})
    bundled = load_profiles()
    assert set(bundled) == EXPECTED_KEYS and len(bundled) == len(EXPECTED_KEYS)
    assert "polar-h10" in bundled and "nonsense" not in bundled
    assert profiles._CACHE == {}  # keys come from the file names alone
    h10 = bundled["polar-h10"]
    assert set(profiles._CACHE) == {"polar-h10"}
    assert load_profiles()["polar-h10"] is h10 and get_profile("polar-h10") is h10
    assert bundled.get("nonsense") is None
    with pytest.raises(KeyError):
        bundled["nonsense"]
    assert dict(bundled.items()) == {p.key: p for p in bundled.values()}


def test_repo_symlink_points_at_the_packaged_files() -> None:
    top = Path(__file__).resolve().parents[2] / "firmware_profiles"
    if not top.exists():
        pytest.skip("top-level firmware_profiles symlink not present in this checkout")
    on_disk = sorted(f.name for f in top.glob("*.toml"))
    assert on_disk == bundled_profile_names()
    for f in top.glob("*.toml"):
        assert load_profile_file(f).key == f.stem


def test_h10_profile_facts() -> None:
    h10 = get_profile("polar-h10")
    assert h10.protocol == "polar_pmd" and h10.sensor_placement == "chest"
    assert h10.rates_hz == (25.0, 50.0, 100.0, 200.0) and h10.ranges_g == (2.0, 4.0, 8.0)
    assert (h10.default_rate_hz, h10.default_range_g) == (200, 8)
    assert h10.streams["hr"].uuid == hrs.HR_MEASUREMENT_UUID
    assert h10.streams["pmd_cp"].uuid == polar_pmd.PMD_CP_UUID
    assert h10.streams["pmd_data"].uuid == polar_pmd.PMD_DATA_UUID
    assert h10.stream_for_uuid("2A37") is h10.streams["hr"]
    strap = get_profile("hr-strap")
    assert (
        strap.streams["battery"].uuid == hrs.BATTERY_LEVEL_UUID
        and strap.streams["battery"].optional
    )
    assert strap.advertised_services == (hrs.HR_SERVICE_UUID,)
    assert not strap.has_acc and strap.has_hr and strap.default_rate_hz is None


@pytest.mark.parametrize(
    ("name", "services", "key"),
    [
        ("Polar H10 8C4D2A2B", ["0000180d-0000-1000-8000-00805f9b34fb"], "polar-h10"),
        ("Polar H10 8C4D2A2B", [], "polar-h10"),
        ("Polar H9 1234", ["180D"], "hr-strap"),
        ("TICKR 1A2B", ["0x180d"], "hr-strap"),
        (None, ["0000180d-0000-1000-8000-00805f9b34fb"], "hr-strap"),
        ("Polar Sense B5A3F82C", ["180d"], "polar-verity"),
        ("Movesense 210430000123", [], "movesense"),
        ("MetaWear", ["326a9000-85cb-9195-d9dd-464cfbbae75a"], "metamotion"),
        ("renamed", ["326A9000-85CB-9195-D9DD-464CFBBAE75A"], "metamotion"),
        ("Thingy", [], "thingy52"),
        ("OsteoIMU-hip", [], "osteomonitor-imu"),
        ("Some Speaker", ["110b", "not-a-uuid"], None),
        (None, [], None),
    ],
)
def test_match_profile(name: str | None, services: list[str], key: str | None) -> None:
    got = match_profile(name, services)
    assert (got.key if got else None) == key


def test_normalize_uuid() -> None:
    assert normalize_uuid("0x2A37") == hrs.HR_MEASUREMENT_UUID
    assert normalize_uuid("FB005C80-02E7-F387-1CAD-8ACD2D8DF0C8") == polar_pmd.PMD_SERVICE_UUID
    with pytest.raises(ValueError):
        normalize_uuid("xyz")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("edit", "key", "reason"),
    [
        (
            ("default_range_g = 8", "default_range_g = 8\ncolour = 'red'"),
            "acc.colour",
            "unknown key",
        ),
        (('protocol = "polar_pmd"', 'protocol = "bluetooth"'), "profile.protocol", "not one of"),
        (("rates_hz = [25, 50, 100, 200]", 'rates_hz = "fast"'), "acc.rates_hz", "must be a list"),
        (("default_rate_hz = 200", "default_rate_hz = 400"), "acc.default_rate_hz", "not in"),
        (('key = "polar-h10"', 'key = "h10"'), "profile.key", "file name stem"),
        (('access = ["notify"]', 'access = ["subscribe"]'), "streams.hr.access[0]", "not one of"),
        (
            ("optional = true", "optional = 'yes'"),
            "streams.body_location.optional",
            "true or false",
        ),
        (('uuid = "2a37"', 'uuid = "heart"'), "streams.hr.uuid", "not a UUID"),
        (
            ("acc_frame_type = 1", "acc_frame_type = 1\nturbo = true"),
            "options.turbo",
            "unknown key",
        ),
        (('display_name = "Polar H10"\n', ""), "profile.display_name", "missing"),
        (("[recognition]", "[recognise]"), "recognise", "unknown table"),
        (
            ('name_patterns = ["^Polar H10\\\\b"]', 'name_patterns = ["(unclosed"]'),
            "recognition.name_patterns[0]",
            "regular expression",
        ),
    ],
)
def test_broken_profile_is_rejected_naming_file_and_key(
    tmp_path: Path, edit: tuple[str, str], key: str, reason: str
) -> None:
    text = H10_TOML.read_text(encoding="utf-8")
    old, new = edit
    assert old in text, f"fixture drifted: {old!r} not in polar-h10.toml"
    path = _write(tmp_path, "polar-h10.toml", text.replace(old, new, 1))
    with pytest.raises(ProfileError) as info:
        load_profile_file(path)
    msg = str(info.value)
    assert str(path) in msg and f"'{key}'" in msg and reason in msg


def test_unreadable_and_non_toml_files(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile_file(tmp_path / "missing.toml")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile_file(_write(tmp_path, "x.toml", "[profile\nkey="))


def test_unknown_profile_key_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="polar-h10"):
        get_profile("polar-h11")


def test_h10_profile_matches_the_published_capabilities() -> None:
    caps = VECTORS["polar_pmd"]["h10_capabilities"]
    h10 = get_profile("polar-h10")
    assert list(h10.rates_hz) == caps["acc_rates_hz"]
    assert list(h10.ranges_g) == caps["acc_ranges_g"]
    assert h10.acc_unit == caps["acc_unit"]
