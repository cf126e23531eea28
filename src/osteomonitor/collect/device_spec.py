"""What a person asks the collector to record: `--device [KEY=]ADDRESS|NAME[@PROFILE]`.

Examples: ``--device "Polar H10"`` (name or name prefix), ``--device C0:9E:1A:00:00:01``,
``--device hip=MetaWear@metamotion`` (key "hip", profile forced). The key names the
device inside the recording; without one it is derived from the profile ("polar-h10").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from osteomonitor.devices.profiles import Profile, load_profiles, match_profile
from osteomonitor.errors import DeviceNotFound, ProfileError, UsageError

_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class DeviceSpec:
    """One wearable to record.

    Attributes:
        target: Bluetooth address, advertised name or name prefix.
        key: the device's key in the recording, or None to derive it from the profile.
        profile: firmware profile key to use, or None to recognise it from the advertisement.
        rate_hz / range_g: accelerometer settings, or None for the profile defaults.
    """

    target: str
    key: str | None = None
    profile: str | None = None
    rate_hz: float | None = None
    range_g: float | None = None


def parse_device(
    text: str, rate_hz: float | None = None, range_g: float | None = None
) -> DeviceSpec:
    """Parse one `--device` value.

    Raises:
        UsageError: empty target or a key that is not a short lowercase identifier.
    """
    rest = text.strip()
    key = None
    if "=" in rest:
        key, rest = (s.strip() for s in rest.split("=", 1))
        if not _KEY_RE.match(key):
            raise UsageError(
                f"--device {text!r}: key {key!r} must be a short lowercase name "
                "(letters, digits, '-' or '_'), e.g. hip=MetaWear"
            )
    profile = None
    if "@" in rest:
        rest, profile = (s.strip() for s in rest.rsplit("@", 1))
        if not profile:
            raise UsageError(f"--device {text!r}: nothing after '@' (expected a profile key)")
    if not rest:
        raise UsageError(f"--device {text!r}: give a Bluetooth address or a device name")
    return DeviceSpec(target=rest, key=key, profile=profile, rate_hz=rate_hz, range_g=range_g)


def unique_keys(wanted: list[str]) -> list[str]:
    """Make keys unique by suffixing repeats: ["hr-strap", "hr-strap"] → [.., "hr-strap-2"]."""
    seen: dict[str, int] = {}
    out = []
    for k in wanted:
        n = seen.get(k, 0) + 1
        seen[k] = n
        out.append(k if n == 1 else f"{k}-{n}")
    return out


def profile_for(spec: DeviceSpec, name: str | None, uuids: Sequence[str]) -> Profile:
    """The firmware profile of a found device: the one `spec` names, else the one its
    advertised name and services match.

    Raises:
        ProfileError: `spec` names a profile that does not exist.
        DeviceNotFound: no profile matches the device.
    """
    if spec.profile is not None:
        profiles = load_profiles()
        if spec.profile not in profiles:
            raise ProfileError(
                f"--device {spec.target!r}: no firmware profile {spec.profile!r} "
                f"(known: {', '.join(sorted(profiles))})"
            )
        return profiles[spec.profile]
    profile = match_profile(name, uuids)
    if profile is None:
        raise DeviceNotFound(
            f"{spec.target!r} ({name or 'no name'}) matches no firmware profile: add "
            "'@PROFILE' to --device to say what it is, e.g. --device 'X@hr-strap'"
        )
    return profile
