"""The per-session supervision flag on the command line (`--supervised/--unsupervised`).

Supervised training appears superior to unsupervised (Front Sports Act Living
2025;7:1655404), so each recording says which it was; without either option the flag is
left unknown (as in recordings made before it existed). Review corrects it beside the
recording: `osteomonitor recordings supervised FILE yes|no|unknown`.
"""

from __future__ import annotations

import argparse
from typing import Any

#: Words `recordings supervised` accepts.
CHOICES: dict[str, bool | None] = {"yes": True, "no": False, "unknown": None}


def add_supervision_flag(parser: Any) -> None:
    """Add `--supervised` / `--unsupervised` (dest `supervised`, default None)."""
    g = parser.add_mutually_exclusive_group()
    g.add_argument(
        "--supervised",
        dest="supervised",
        action="store_true",
        default=None,
        help="a professional supervised the session",
    )
    g.add_argument(
        "--unsupervised",
        dest="supervised",
        action="store_false",
        help="the patient exercised alone (default: not recorded)",
    )


def supervision_of(args: argparse.Namespace) -> bool | None:
    """The flag given on the command line, or None."""
    value = getattr(args, "supervised", None)
    return value if isinstance(value, bool) else None
