"""One error tree for everything osteomonitor reports to a person.

Every error raised for bad input (a device, a file or a person) derives from
`OsteomonitorError`, carries a message that says what was wrong, where, and what to
do, and never hides data that was already recorded. The command line prints
`str(error)` on one line and exits with `exit_code`; it never shows a traceback
for these.
"""

from __future__ import annotations


class OsteomonitorError(Exception):
    """Root of every error osteomonitor reports to a person."""

    exit_code = 1


class UsageError(OsteomonitorError):
    """A command-line argument is missing or malformed."""

    exit_code = 2


class DecodeError(OsteomonitorError):
    """A notification payload does not match its protocol; callers count and skip it."""


class ProfileError(OsteomonitorError):
    """A firmware profile file is invalid (names the file and the key)."""


class RecordingError(OsteomonitorError):
    """A recording file cannot be created, read or trusted."""


class NotARecording(RecordingError):
    """The file is not an osteomonitor recording at all."""


class NewerRecording(RecordingError):
    """The recording was written by a newer osteomonitor with a schema this one cannot read."""


class CorruptRecording(RecordingError):
    """The recording is damaged; what could be read before the damage is still available."""


class StorageFull(RecordingError):
    """The disk (or the file-size limit) ran out while recording; what fit was kept."""


class PrescriptionError(OsteomonitorError):
    """A prescription file or value is invalid (names the file, the key and the reason)."""


class BluetoothUnavailable(OsteomonitorError):
    """The host has no usable Bluetooth (no adapter, BlueZ not running, permission denied)."""


class DeviceNotFound(OsteomonitorError):
    """No wearable matching the request was seen while scanning."""


class DeviceError(OsteomonitorError):
    """A wearable refused a command (e.g. a PMD control-point error status)."""


class LinkLost(OsteomonitorError):
    """The BLE link to a wearable dropped; the collector reconnects and records the gap."""


class PatientError(OsteomonitorError):
    """A patient record is missing or invalid (names the file, the key and what to do)."""
