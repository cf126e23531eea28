"""osteomonitor: measure the bone-loading exercise dose prescribed for osteoporosis.

Collects heart rate and acceleration from BLE wearables, records every raw notification
to a crash-safe file, analyses jumps, impacts, heart-rate intensity and steps, and compares
each session and week with the patient's FITT prescription.
"""

import os
import sys


def _installed_version() -> str:
    """The installed distribution's version.

    Read from the name of the `osteomonitor-<version>.dist-info` folder on `sys.path` (a
    directory listing), not with `importlib.metadata`, whose import alone costs more
    than a whole `osteomonitor analyze` of a short file; `importlib.metadata` is the
    fallback.
    """
    prefix, suffix = "osteomonitor-", ".dist-info"
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as found:
                infos = sorted(e.name for e in found if e.name.startswith(prefix))
        except OSError:
            continue
        for info in infos:
            version = info[len(prefix) : -len(suffix)] if info.endswith(suffix) else ""
            if version:
                return version
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("osteomonitor")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0.0.0+src"


__version__ = _installed_version()

__all__ = ["__version__"]
