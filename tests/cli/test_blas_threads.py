"""The command line runs numpy with one BLAS thread (`cli.BLAS_THREADS`).

OpenBLAS starts a pool of threads when numpy loads; its extra thread spins on start-up
and after split calls, CPU that our small arrays never repay. The setting must be in
place before numpy loads, and a person's own setting wins.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

_PROBE = """
import os, sys
import osteomonitor.cli
assert "numpy" not in sys.modules, "the CLI's import loaded numpy before the setting"
import numpy
print(os.environ["OPENBLAS_NUM_THREADS"], len(os.listdir("/proc/self/task")))
"""


def _run(env_extra: dict[str, str]) -> tuple[str, int]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    }
    env.update(env_extra)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0], int(out[1])


@pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to count threads"
)
def test_cli_process_runs_numpy_on_one_thread() -> None:
    setting, threads = _run({})
    assert setting == "1"
    assert threads == 1  # no BLAS worker thread beside the main one


@pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to count threads"
)
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: OpenBLAS starts no pool anyway")
def test_a_persons_own_setting_wins() -> None:
    setting, threads = _run({"OPENBLAS_NUM_THREADS": "2"})
    assert setting == "2"
    assert threads == 2
