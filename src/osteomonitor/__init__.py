"""osteomonitor: measure the bone-loading exercise dose prescribed for osteoporosis.

Collects heart rate and acceleration from BLE wearables, records every raw notification
to a crash-safe file, analyses jumps, impacts, heart-rate intensity and steps, and compares
each session and week with the patient's FITT prescription.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("osteomonitor")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+src"

__all__ = ["__version__"]
