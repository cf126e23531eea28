"""One config for the recordings, patients and reports folders."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from osteomonitor import config


def test_defaults_under_xdg_data_home(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    f = config.folders(env)
    assert f.recordings == tmp_path / "data" / "osteomonitor" / "recordings"
    assert f.patients == tmp_path / "data" / "osteomonitor" / "patients"
    assert f.reports == tmp_path / "data" / "osteomonitor" / "reports"
    assert f.origin == {"recordings": "default", "patients": "default", "reports": "default"}
    assert f.config_file == tmp_path / ".config" / "osteomonitor" / "config.toml"


def test_file_then_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg" / "osteomonitor" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[folders]\nrecordings = "rec"\npatients = "/srv/pts"\n')
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    f = config.folders(env)
    assert f.recordings == cfg.parent / "rec"
    assert f.patients == Path("/srv/pts")
    assert f.origin["reports"] == "default"
    env["OSTEOMONITOR_RECORDINGS"] = str(tmp_path / "elsewhere")
    f = config.folders(env)
    assert f.recordings == tmp_path / "elsewhere"
    assert f.origin["recordings"] == "environment (OSTEOMONITOR_RECORDINGS)"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[folders\n", "cannot read"),
        ('[folders]\nvideos = "x"\n', "unknown folder"),
        ("[folders]\nrecordings = 3\n", "folder path in quotes"),
        ('folders = "x"\n', "table"),
    ],
)
def test_bad_config_file_says_where_and_what(tmp_path: Path, text: str, says: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(text)
    with pytest.raises(config.ConfigError) as err:
        config.folders({"HOME": str(tmp_path), "OSTEOMONITOR_CONFIG": str(cfg)})
    assert str(cfg) in str(err.value) and says in str(err.value)


def test_ensure_private_dir_is_owner_only(tmp_path: Path) -> None:
    d = config.ensure_private_dir(tmp_path / "a" / "recordings")
    assert d.is_dir() and stat.S_IMODE(d.stat().st_mode) == 0o700
