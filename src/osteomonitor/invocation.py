"""How the person ran this program, so printed hints can be pasted as they are.

After the README's install (``python3 -m venv .venv && .venv/bin/pip install .``) the
``osteomonitor`` command lives in ``.venv/bin`` and is not on ``PATH`` until the venv is
activated. A hint such as "replay it: osteomonitor replay FILE" would then fail when
pasted, so hints name the program the way it was started:

- ``osteomonitor`` when that name on ``PATH`` is this very program;
- the path that was typed otherwise (``.venv/bin/osteomonitor``, relative to the
  current folder when it lies inside it);
- ``python -m osteomonitor`` (with that interpreter's path) when run as a module;
- ``osteomonitor`` when embedded (tests, another program calling `cli.main`).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from pathlib import Path

#: The installed command's name.
PROGRAM = "osteomonitor"

#: A command quoted in a message: `osteomonitor …` or 'osteomonitor …'.
_QUOTED_COMMAND = re.compile(r"(['`])" + PROGRAM + r"(?= )")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _as_typed(path: str, cwd: str) -> str:
    """`path` as a command a shell runs: relative to `cwd` when inside it, else absolute."""
    full = Path(cwd, path).resolve() if not os.path.isabs(path) else Path(path)
    try:
        rel = full.relative_to(Path(cwd).resolve())
    except ValueError:
        return shlex.quote(str(full))
    text = str(rel)
    return shlex.quote(text if os.sep in text else f".{os.sep}{text}")


def command(
    argv0: str | None = None,
    *,
    path_env: str | None = None,
    cwd: str | None = None,
    executable: str | None = None,
) -> str:
    """The command to type for this program, as the person ran it.

    Args:
        argv0: the program path as started (default ``sys.argv[0]``).
        path_env: the search path (default ``$PATH``).
        cwd: the current folder (default the process's).
        executable: the Python interpreter (default ``sys.executable``).
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    cwd = os.getcwd() if cwd is None else cwd
    if not argv0:
        return PROGRAM
    p = Path(argv0)
    if p.name == "__main__.py" and p.parent.name == PROGRAM:
        python = executable or sys.executable or "python3"
        on_path = shutil.which(Path(python).name, path=path_env)
        py = Path(python).name if on_path and _same_file(on_path, python) else python
        if os.sep in py:
            py = _as_typed(py, cwd)
        return f"{py} -m {PROGRAM}"
    if p.name != PROGRAM:
        return PROGRAM  # embedded: tests, or another program calling the CLI
    started = argv0 if os.path.isabs(argv0) else os.path.join(cwd, argv0)
    on_path = shutil.which(PROGRAM, path=path_env)
    if on_path and _same_file(on_path, started):
        return PROGRAM
    return _as_typed(argv0, cwd)


def in_hints(text: str, program: str | None = None) -> str:
    """`text` with every quoted `osteomonitor …` command spelled as `program` runs it."""
    program = command() if program is None else program
    if program == PROGRAM:
        return text
    return _QUOTED_COMMAND.sub(lambda m: m.group(1) + program, text)
