"""Firmware profiles: what a device family offers, read from `firmware_profiles/*.toml`.

A profile is data, not code: how to recognise the device (advertised services, name
patterns), its GATT streams, accelerometer rates/ranges/units and which protocol
decoder serves it. Files ship inside the package (`osteomonitor/firmware_profiles/`,
installed as files: read from the package's folder, not through `importlib.resources`,
whose import costs every `analyze` ~8 ms). Validation is strict: an unknown key, a
missing required key or a wrong type raises `ProfileError` naming the file and the key.
A bundled profile is read when it is first asked for (`load_profiles` is a mapping that
parses one file per key on first use): decoding a Polar H10 file reads one of them.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from osteomonitor.devices.profile_model import (
    ACC_UNITS,
    ACCESS,
    CARRIES,
    PLACEMENTS,
    PROTOCOLS,
    Profile,
    Recognition,
    StreamSpec,
    normalize_uuid,
)

__all__ = [
    "ACCESS",
    "ACC_UNITS",
    "CARRIES",
    "PLACEMENTS",
    "PROTOCOLS",
    "Profile",
    "Recognition",
    "StreamSpec",
    "bundled_profile_names",
    "get_profile",
    "load_profile_file",
    "load_profile_text",
    "load_profiles",
    "match_profile",
    "match_score",
    "normalize_uuid",
    "parse_profile",
]
from osteomonitor.errors import ProfileError

# --- schema -----------------------------------------------------------------------------
# Each table: key → (type tag, required). Type tags: str, int, num, bool, uuid, list[str],
# list[num], list[uuid], list[access], regex-list, enum:<choices-name>.

_PROFILE_KEYS = {
    "key": ("str", True),
    "display_name": ("str", True),
    "protocol": ("protocol", True),
    "sensor_placement": ("placement", True),
    "vendor": ("str", False),
    "description": ("str", False),
    "models": ("list[str]", False),
    "sources": ("list[str]", False),
}
_RECOGNITION_KEYS = {
    "advertised_services": ("list[uuid]", False),
    "name_patterns": ("list[regex]", False),
    "priority": ("int", False),
}
_STREAM_KEYS = {
    "uuid": ("uuid", True),
    "service": ("uuid", True),
    "access": ("list[access]", True),
    "carries": ("carries", True),
    "optional": ("bool", False),
    "description": ("str", False),
}
_ACC_KEYS = {
    "rates_hz": ("list[num]", True),
    "ranges_g": ("list[num]", True),
    "default_rate_hz": ("num", True),
    "default_range_g": ("num", True),
    "unit": ("acc_unit", True),
    "resolution_bits": ("int", False),
}
#: Protocol-specific options each protocol accepts.
_OPTION_KEYS: dict[str, dict[str, tuple[str, bool]]] = {
    "hrs": {},
    "polar_pmd": {
        "acc_frame_type": ("int", False),
        "acc_compressed": ("bool", False),
        "setting_order": ("setting_order", False),
    },
    "movesense_gsp": {
        "acc_path": ("str", True),
        "hr_path": ("str", True),
        "acc_ref": ("int", True),
        "hr_ref": ("int", True),
    },
    "metawear": {
        "chips": ("list[str]", True),
        "default_chip": ("str", True),
        "packed": ("bool", False),
    },
    "thingy52": {},
    "osteomonitor_imu": {"format_version": ("int", True)},
}
_TOP_KEYS = {"profile", "recognition", "streams", "acc", "options"}

_CHOICES = {
    "protocol": PROTOCOLS,
    "placement": PLACEMENTS,
    "carries": CARRIES,
    "acc_unit": ACC_UNITS,
    "setting_order": ("pdf", "sdk"),
}


class _Checker:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, msg: str) -> ProfileError:
        return ProfileError(f"{self.where}: key '{key}': {msg}")

    def table(self, data: Any, path: str, schema: Mapping[str, tuple[str, bool]]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(path, f"must be a table, got {type(data).__name__}")
        for k in data:
            if k not in schema:
                allowed = ", ".join(schema) or "none"
                raise self.fail(f"{path}.{k}", f"unknown key (allowed in [{path}]: {allowed})")
        out: dict[str, Any] = {}
        for k, (tag, required) in schema.items():
            if k not in data:
                if required:
                    raise self.fail(f"{path}.{k}", "missing (required)")
                continue
            out[k] = self.value(data[k], f"{path}.{k}", tag)
        return out

    def value(self, v: Any, key: str, tag: str) -> Any:
        if tag.startswith("list["):
            inner = tag[5:-1]
            if not isinstance(v, list):
                raise self.fail(key, f"must be a list, got {type(v).__name__}")
            return tuple(self.value(x, f"{key}[{i}]", inner) for i, x in enumerate(v))
        if tag == "str":
            if not isinstance(v, str):
                raise self.fail(key, f"must be a string, got {type(v).__name__}")
            return v
        if tag == "int":
            if not isinstance(v, int) or isinstance(v, bool):
                raise self.fail(key, f"must be an integer, got {type(v).__name__}")
            return v
        if tag == "num":
            if not isinstance(v, int | float) or isinstance(v, bool) or v <= 0:
                raise self.fail(key, f"must be a positive number, got {v!r}")
            return float(v)
        if tag == "bool":
            if not isinstance(v, bool):
                raise self.fail(key, f"must be true or false, got {v!r}")
            return v
        if tag == "uuid":
            try:
                return normalize_uuid(self.value(v, key, "str"))
            except ValueError as exc:
                raise self.fail(key, str(exc)) from None
        if tag == "regex":
            try:
                re.compile(self.value(v, key, "str"))
            except re.error as exc:
                raise self.fail(key, f"bad regular expression: {exc}") from None
            return v
        if tag == "access":
            return self.choice(v, key, ACCESS)
        return self.choice(v, key, _CHOICES[tag])

    def choice(self, v: Any, key: str, choices: Sequence[str]) -> str:
        if v not in choices:
            raise self.fail(key, f"{v!r} is not one of {', '.join(choices)}")
        return str(v)


def parse_profile(data: Mapping[str, Any], where: str) -> Profile:
    """Validate parsed TOML `data` into a Profile; `where` names the file in errors."""
    c = _Checker(where)
    for k in data:
        if k not in _TOP_KEYS:
            raise c.fail(k, f"unknown table (allowed: {', '.join(sorted(_TOP_KEYS))})")
    if "profile" not in data:
        raise c.fail("profile", "missing (required)")
    head = c.table(data["profile"], "profile", _PROFILE_KEYS)
    stem = Path(where).stem
    if where.endswith(".toml") and head["key"] != stem:
        raise c.fail("profile.key", f"{head['key']!r} must equal the file name stem {stem!r}")
    rec = c.table(data.get("recognition", {}), "recognition", _RECOGNITION_KEYS)
    recognition = Recognition(
        rec.get("advertised_services", ()), rec.get("name_patterns", ()), rec.get("priority", 0)
    )
    if not recognition.advertised_services and not recognition.name_patterns:
        raise c.fail("recognition", "needs advertised_services or name_patterns")
    raw_streams = data.get("streams")
    if not isinstance(raw_streams, dict) or not raw_streams:
        raise c.fail("streams", "missing or empty: a profile needs at least one stream")
    streams: dict[str, StreamSpec] = {}
    for name, spec in raw_streams.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise c.fail(f"streams.{name}", "stream names are lowercase snake_case")
        s = c.table(spec, f"streams.{name}", _STREAM_KEYS)
        streams[name] = StreamSpec(name=name, **s)
    acc: dict[str, Any] = {}
    if "acc" in data:
        acc = c.table(data["acc"], "acc", _ACC_KEYS)
        if acc["default_rate_hz"] not in acc["rates_hz"]:
            raise c.fail("acc.default_rate_hz", f"{acc['default_rate_hz']} is not in acc.rates_hz")
        if acc["default_range_g"] not in acc["ranges_g"]:
            raise c.fail("acc.default_range_g", f"{acc['default_range_g']} is not in acc.ranges_g")
    has_acc_stream = any("acc" in s.carries for s in streams.values())
    if has_acc_stream != bool(acc):
        raise c.fail("acc", "a profile with an acc stream needs an [acc] table, and only then")
    options = c.table(data.get("options", {}), "options", _OPTION_KEYS[head["protocol"]])
    return Profile(
        key=head["key"],
        display_name=head["display_name"],
        protocol=head["protocol"],
        sensor_placement=head["sensor_placement"],
        recognition=recognition,
        streams=streams,
        vendor=head.get("vendor", ""),
        description=head.get("description", ""),
        models=head.get("models", ()),
        sources=head.get("sources", ()),
        rates_hz=acc.get("rates_hz", ()),
        ranges_g=acc.get("ranges_g", ()),
        default_rate_hz=acc.get("default_rate_hz"),
        default_range_g=acc.get("default_range_g"),
        acc_unit=acc.get("unit"),
        resolution_bits=acc.get("resolution_bits"),
        options=options,
        path=where,
    )


def load_profile_text(text: str, where: str) -> Profile:
    """Parse and validate TOML text (`where` names it in errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{where}: not valid TOML: {exc}") from None
    return parse_profile(data, where)


def load_profile_file(path: str | Path) -> Profile:
    """Load and validate one profile file.

    Raises:
        ProfileError: unreadable, not TOML, or invalid (names the file and the key).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{p}: cannot read firmware profile: {exc}") from None
    return load_profile_text(text, str(p))


#: The folder of the bundled profiles (the `osteomonitor.firmware_profiles` package).
_BUNDLED = Path(__file__).parent.parent / "firmware_profiles"


def bundled_profile_names() -> list[str]:
    """File names of the profiles shipped in the package."""
    return sorted(name for name in os.listdir(_BUNDLED) if name.endswith(".toml"))


_CACHE: dict[str, Profile] = {}


class BundledProfiles(Mapping[str, Profile]):
    """The bundled profiles by key: each file is read and validated on first use, then
    kept for the process. A profile's key is its file's stem (`parse_profile` checks)."""

    def __init__(self) -> None:
        self._keys = tuple(name.removesuffix(".toml") for name in bundled_profile_names())

    def __getitem__(self, key: str) -> Profile:
        if key not in self._keys:
            raise KeyError(key)
        profile = _CACHE.get(key)
        if profile is None:
            name = f"{key}.toml"
            text = (_BUNDLED / name).read_text(encoding="utf-8")
            profile = _CACHE[key] = load_profile_text(text, f"firmware_profiles/{name}")
        return profile

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def load_profiles() -> Mapping[str, Profile]:
    """Every bundled profile by key (each validated when first used, then cached)."""
    return BundledProfiles()


def get_profile(key: str) -> Profile:
    """A bundled profile by key.

    Raises:
        ProfileError: no such profile (lists the known keys).
    """
    profiles = load_profiles()
    if key not in profiles:
        raise ProfileError(
            f"no firmware profile '{key}'; known profiles: {', '.join(sorted(profiles))}"
        )
    return profiles[key]


def match_score(profile: Profile, name: str | None, service_uuids: Sequence[str]) -> int:
    """How well an advertisement matches: 2 for a name match + 1 for a service match."""
    score = 0
    if name and any(re.search(p, name) for p in profile.name_patterns):
        score += 2
    if profile.advertised_services:
        adv = set()
        for u in service_uuids:
            try:
                adv.add(normalize_uuid(u))
            except ValueError:
                continue
        if adv.intersection(profile.advertised_services):
            score += 1
    return score


def match_profile(
    name: str | None,
    service_uuids: Sequence[str],
    profiles: Mapping[str, Profile] | None = None,
) -> Profile | None:
    """The profile that best fits an advertisement, or None.

    A name-pattern match outweighs a service match (a Polar H10 advertises the
    generic Heart Rate Service too); ties go to the higher `priority`, then the key.
    """
    pool = load_profiles() if profiles is None else profiles
    best: tuple[int, int, str] | None = None
    chosen: Profile | None = None
    for p in pool.values():
        s = match_score(p, name, service_uuids)
        if s == 0:
            continue
        rank = (s, p.recognition.priority, p.key)
        if best is None or rank > best:
            best, chosen = rank, p
    return chosen
