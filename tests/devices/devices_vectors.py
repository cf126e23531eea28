"""The project's own copy of the protocol vectors (tests/devices/vectors.json).

`vectors.json` is reference/protocol-vectors.json copied verbatim (each vector keeps its
source) plus `added_from_protocols_md`: further vectors from reference/protocols.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS_PATH = Path(__file__).with_name("vectors.json")
VECTORS: dict[str, Any] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
EXTRA: dict[str, Any] = VECTORS["added_from_protocols_md"]


def vid(v: dict[str, Any]) -> str:
    """A readable test id from a vector's hex."""
    h = v.get("hex") or v.get("payload_only_hex") or "empty"
    return h[:24]
