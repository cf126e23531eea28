"""`osteomonitor config [init]`: where recordings, patients and reports go.

`config` shows the three folders, where each choice came from (environment variable,
config file or default) and the config file's path; `config init` writes a commented
config file (0600) naming the folders in force, for editing.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `config` command."""
    p = sub.add_parser(
        "config",
        help="the recordings, patients and reports folders, and the config file",
        description="Show the folders osteomonitor uses and where each came from. Order: "
        "environment (OSTEOMONITOR_RECORDINGS, OSTEOMONITOR_PATIENTS, OSTEOMONITOR_REPORTS), "
        "then the config file (OSTEOMONITOR_CONFIG, else $XDG_CONFIG_HOME/osteomonitor/"
        "config.toml), then defaults under $XDG_DATA_HOME/osteomonitor.",
    )
    csub = p.add_subparsers(dest="config_command", metavar="ACTION")
    init = csub.add_parser(
        "init", help="write a commented config file (never replaces an existing one)"
    )
    init.set_defaults(func=_init)
    p.set_defaults(func=_show)


def _show(args: argparse.Namespace) -> int:
    from osteomonitor.config import folders

    f = folders()
    for kind in ("recordings", "patients", "reports"):
        print(f"{kind:<11} {getattr(f, kind)}  ({f.origin[kind]})")
    state = "exists" if f.config_file.is_file() else "not written yet: osteomonitor config init"
    print(f"config file {f.config_file}  ({state})")
    return 0


def _init(args: argparse.Namespace) -> int:
    from osteomonitor.config import config_template, folders, write_config_file

    f = folders()
    path = write_config_file(f.config_file, config_template(f))
    print(f"wrote {path}: edit it to move the folders")
    return 0
