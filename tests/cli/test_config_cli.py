"""`osteomonitor config` shows the folders and where each came from; `config init` writes a
commented, owner-only config file and never replaces one (issue 16 item 2)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from osteomonitor import config
from osteomonitor.cli import main


def test_config_shows_folders_and_their_origin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "cfg" / "config.toml"
    monkeypatch.setenv("OSTEOMONITOR_CONFIG", str(cfg))
    monkeypatch.setenv("OSTEOMONITOR_RECORDINGS", str(tmp_path / "recs"))
    monkeypatch.delenv("OSTEOMONITOR_PATIENTS")
    monkeypatch.delenv("OSTEOMONITOR_REPORTS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert f"recordings  {tmp_path / 'recs'}  (environment (OSTEOMONITOR_RECORDINGS))" in out
    assert f"patients    {tmp_path / 'data' / 'osteomonitor' / 'patients'}  (default)" in out
    assert f"config file {cfg}  (not written yet: osteomonitor config init)" in out

    assert main(["config", "init"]) == 0
    assert f"wrote {cfg}" in capsys.readouterr().out
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.parent.stat().st_mode) == 0o700
    text = cfg.read_text()
    assert text.startswith("# osteomonitor configuration") and "[folders]" in text
    # the file names the folders in force; edited, it is what `config` reports
    cfg.write_text(text.replace(str(tmp_path / "data" / "osteomonitor" / "patients"), "~/clinic/p"))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert f"patients    {tmp_path / 'clinic' / 'p'}  (config file ({cfg}))" in out
    assert "(exists)" in out
    before = cfg.read_bytes()
    assert main(["config", "init"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert cfg.read_bytes() == before
    assert config.folders().recordings == tmp_path / "recs"  # environment still wins
