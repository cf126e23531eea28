"""What a well-formed row of each table holds, checked before any value is used.

SQLite stores whatever a damaged or hand-edited file holds (text in a timestamp, a
list where an object belongs, a number for a pseudonym). These rules decide which
rows the reader trusts and which ones repair leaves out of a salvage; a file with
rows that break them is reported as damaged, never as intact.
"""

from __future__ import annotations

import json
from typing import Any

#: Types every known metadata key must have (JSON values).
META_TYPES: dict[str, tuple[type, ...]] = {
    "patient": (str,),
    "kind": (str,),
    "start_iso": (str,),
    "timezone": (str,),
    "software_version": (str,),
    "prescription_toml": (str, type(None)),
    "simulated": (bool,),
    "notes": (str,),
    "created_ns": (int,),
    "ended_ns": (int,),
    "end_reason": (str,),
}
#: Keys a recording cannot be read without.
META_REQUIRED = ("patient", "kind", "start_iso", "timezone", "software_version")

#: SQL condition true for a packet row the reader cannot use.
BAD_PACKET_SQL = (
    "typeof(seq) != 'integer' OR typeof(t_ns) != 'integer' "
    "OR typeof(stream_id) != 'integer' OR typeof(payload) != 'blob'"
)


def _type_name(value: Any) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "a list or object" if isinstance(value, list | dict) else "empty"
    )


def meta_problem(meta: dict[str, Any], *, complete: bool = False) -> str | None:
    """What is wrong with decoded metadata, in words, or None.

    Args:
        complete: also require every key in `META_REQUIRED`.
    """
    for key in META_REQUIRED if complete else ():
        if key not in meta:
            return f"the session's {key} is missing"
    for key, types in META_TYPES.items():
        if key in meta and not (
            isinstance(meta[key], types) and not (bool not in types and isinstance(meta[key], bool))
        ):
            return f"the session's {key} is {_type_name(meta[key])}, which it never is"
    return None


def json_object(text: Any) -> dict[str, Any] | None:
    """`text` decoded as a JSON object, or None if it is not one."""
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _opt(value: Any, t: type) -> bool:
    return value is None or (isinstance(value, t) and not isinstance(value, bool))


def device_ok(row: tuple[Any, ...]) -> bool:
    """(id, key, address, name, profile, model, firmware, battery_pct, settings)."""
    dev_id, key, address, name, profile, model, firmware, battery, settings = row
    return (
        isinstance(dev_id, int)
        and all(isinstance(v, str) for v in (key, address, name, profile))
        and bool(key)
        and _opt(model, str)
        and _opt(firmware, str)
        and _opt(battery, int)
        and json_object(settings) is not None
    )


def stream_ok(row: tuple[Any, ...]) -> bool:
    """(id, device_id, name)."""
    sid, dev, name = row
    return isinstance(sid, int) and isinstance(dev, int) and isinstance(name, str)


def packet_ok(row: tuple[Any, ...]) -> bool:
    """(seq, t_ns, stream_id, payload)."""
    seq, t_ns, sid, payload = row
    return all(
        isinstance(v, int) and not isinstance(v, bool) for v in (seq, t_ns, sid)
    ) and isinstance(payload, bytes)


def event_ok(row: tuple[Any, ...]) -> bool:
    """(id, t_ns, kind, device_id, data)."""
    eid, t_ns, kind, dev, data = row
    return (
        isinstance(eid, int)
        and isinstance(t_ns, int)
        and isinstance(kind, str)
        and _opt(dev, int)
        and json_object(data) is not None
    )
