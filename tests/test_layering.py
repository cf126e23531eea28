"""Imports point down only: pure layers never load textual, bleak or bumble."""

from __future__ import annotations

import subprocess
import sys

PURE = [
    "osteomonitor.model",
    "osteomonitor.errors",
    "osteomonitor.store",
    "osteomonitor.store.library",
    "osteomonitor.devices",
    "osteomonitor.analysis",
    "osteomonitor.prescription",
    "osteomonitor.session",
    "osteomonitor.patients",
]


def test_pure_layers_do_not_import_ui_or_radio() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"for name in {PURE!r}:\n"
        "    try:\n"
        "        mod = importlib.import_module(name)\n"
        "    except ModuleNotFoundError as e:\n"
        "        if e.name == name: continue\n"
        "        raise\n"
        "    for info in pkgutil.walk_packages(getattr(mod, '__path__', []), name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'bleak', 'bumble'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"pure layers imported: {out.stdout.strip()}"


def test_headless_cli_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from osteomonitor.cli import build_parser\n"
        "build_parser()\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual','bleak','bumble','numpy'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"building the CLI imported: {out.stdout.strip()}"
