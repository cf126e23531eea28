"""Where osteomonitor keeps recordings, patients and reports: one config for every command.

The folders come, in this order of precedence, from

1. the environment: ``OSTEOMONITOR_RECORDINGS``, ``OSTEOMONITOR_PATIENTS``,
   ``OSTEOMONITOR_REPORTS``;
2. the config file: ``$OSTEOMONITOR_CONFIG``, else ``$XDG_CONFIG_HOME/osteomonitor/config.toml``
   (``~/.config/osteomonitor/config.toml``), a TOML table::

       [folders]
       recordings = "~/clinic/recordings"
       patients = "~/clinic/patients"
       reports = "~/clinic/reports"

   (``~`` is expanded; a relative path is relative to the config file's folder);
3. the defaults under ``$XDG_DATA_HOME/osteomonitor`` (``~/.local/share/osteomonitor``):
   ``recordings/``, ``patients/``, ``reports/``.

Nothing here creates a folder until a command writes into it (`ensure_private_dir`); the
folders are made owner-only (0700) because they hold health data.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from osteomonitor.errors import OsteomonitorError

#: The folder kinds a config names, with the environment variable that overrides each.
FOLDER_ENV = {
    "recordings": "OSTEOMONITOR_RECORDINGS",
    "patients": "OSTEOMONITOR_PATIENTS",
    "reports": "OSTEOMONITOR_REPORTS",
}


class ConfigError(OsteomonitorError):
    """The config file cannot be read or names a folder badly."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Folders:
    """The three folders osteomonitor reads and writes, and where each choice came from."""

    recordings: Path
    patients: Path
    reports: Path
    #: For each kind, "environment (VAR)", "config file (PATH)" or "default".
    origin: dict[str, str]
    config_file: Path


def config_file(env: dict[str, str] | None = None) -> Path:
    """The config file's path (it need not exist)."""
    env = dict(os.environ) if env is None else env
    if env.get("OSTEOMONITOR_CONFIG"):
        return Path(env["OSTEOMONITOR_CONFIG"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")) / ".config")
    return Path(base).expanduser() / "osteomonitor" / "config.toml"


def data_home(env: dict[str, str] | None = None) -> Path:
    """The default parent of the three folders (``$XDG_DATA_HOME/osteomonitor``)."""
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")) / ".local" / "share")
    return Path(base).expanduser() / "osteomonitor"


def _read_file(path: Path) -> dict[str, Path]:
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"{path}: cannot read the osteomonitor config ({exc}); fix or remove the file, "
            "or point OSTEOMONITOR_CONFIG at another one"
        ) from exc
    folders = doc.get("folders", {})
    if not isinstance(folders, dict):
        raise ConfigError(f"{path}: [folders] must be a table of folder paths")
    out: dict[str, Path] = {}
    for key, value in folders.items():
        if key not in FOLDER_ENV:
            known = ", ".join(FOLDER_ENV)
            raise ConfigError(f"{path}: [folders] {key}: unknown folder (known: {known})")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}: [folders] {key}: must be a folder path in quotes")
        p = Path(value).expanduser()
        out[key] = p if p.is_absolute() else (path.parent / p)
    return out


def folders(env: dict[str, str] | None = None) -> Folders:
    """The folders in force for this process (environment, then config file, then defaults)."""
    env = dict(os.environ) if env is None else env
    cfg = config_file(env)
    from_file = _read_file(cfg)
    home = data_home(env)
    chosen: dict[str, Path] = {}
    origin: dict[str, str] = {}
    for kind, var in FOLDER_ENV.items():
        if env.get(var):
            chosen[kind] = Path(env[var]).expanduser()
            origin[kind] = f"environment ({var})"
        elif kind in from_file:
            chosen[kind] = from_file[kind]
            origin[kind] = f"config file ({cfg})"
        else:
            chosen[kind] = home / kind
            origin[kind] = "default"
    return Folders(
        recordings=chosen["recordings"],
        patients=chosen["patients"],
        reports=chosen["reports"],
        origin=origin,
        config_file=cfg,
    )


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing, owner-only (0700); returns it."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot create the folder ({exc.strerror or exc}); choose another one in "
            f"{config_file()} or with the OSTEOMONITOR_* environment variables"
        ) from exc
    return path


def config_template(current: Folders) -> str:
    """A commented config file naming the folders `current` resolves to (`config init`)."""
    lines = [
        "# osteomonitor configuration (TOML). Environment variables override these:",
        "# " + ", ".join(FOLDER_ENV.values()) + ".",
        "# '~' is your home folder; a relative path is relative to this file's folder.",
        "# Folders are created owner-only (0700) when a command first writes into them.",
        "",
        "[folders]",
        "# recordings: where record, live and demo write sessions (.omrec)",
        f"recordings = {_toml_str(current.recordings)}",
        "# patients: one folder per patient (facts and dated prescriptions)",
        f"patients = {_toml_str(current.patients)}",
        "# reports: where reports and exports are written",
        f"reports = {_toml_str(current.reports)}",
    ]
    return "\n".join(lines) + "\n"


def _toml_str(path: Path) -> str:
    import json

    return json.dumps(str(path), ensure_ascii=False)


def write_config_file(path: Path, text: str) -> Path:
    """Create the config file owner-only (0600); an existing file is never replaced.

    Raises:
        ConfigError: it exists, or cannot be written.
    """
    ensure_private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise ConfigError(
            f"{path} already exists; edit it, or move it away and run 'osteomonitor config "
            "init' again"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the config file ({exc.strerror})") from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def local_timezone() -> str:
    """The IANA name of the local time zone ("Europe/Helsinki"), or "UTC" if unknown.

    Read from $TZ, then the /etc/localtime symlink, then /etc/timezone.
    """
    tz = os.environ.get("TZ", "").lstrip(":")
    if re.fullmatch(r"[A-Za-z_]+(/[A-Za-z0-9_+-]+)+|UTC", tz):
        return tz
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    try:
        name = Path("/etc/timezone").read_text().strip()
        if name:
            return name
    except OSError:
        pass
    return "UTC"
