"""The on-disk format of a recording file (`*.omrec`): one SQLite database per session.

Identification: `PRAGMA application_id` = `APPLICATION_ID` ("OMRC") and
`PRAGMA user_version` = the schema version. A file without the id is refused as
"not a recording"; a file with a higher version is refused rather than misread.

Tables (all times are host ns since the Unix epoch):

- `meta(key, value)`: JSON values: patient, kind, start_iso, timezone,
  software_version, prescription_toml, simulated, notes, created_ns, and on a clean
  close `ended_ns` and `end_reason`. No host name, user or process id is stored
  (files written by 0.1.0 before this change may hold `writer_pid`/`writer_host`; they still open).
  "Still being written" is the writer's advisory lock (`store.lock`), not a pid.
- A salvage adds `salvaged_from`, `salvaged_ns`, `salvage_lost_packets`,
  `salvage_lost_s`, `salvage_end_lost`, `salvage_lost_streams`, `salvage_problems`.
- `devices(id, key, address, name, profile, model, firmware, battery_pct, settings)`.
- `streams(id, device_id, name)`: one row per (device, stream) seen.
- `packets(seq, t_ns, stream_id, payload)`: every raw notification in arrival order;
  `seq` is the arrival order.
- `events(id, t_ns, kind, device_id, data)`: markers, RPE, pain, link lost/restored …
"""

from __future__ import annotations

APPLICATION_ID = 0x4F4D5243  # "OMRC"
SCHEMA_VERSION = 1
SUFFIX = ".omrec"
SQLITE_MAGIC = b"SQLite format 3\x00"

#: The writer commits at least this often, so a killed writer loses at most this much.
COMMIT_INTERVAL_S = 1.0

DDL = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE devices (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    address     TEXT NOT NULL,
    name        TEXT NOT NULL,
    profile     TEXT NOT NULL,
    model       TEXT,
    firmware    TEXT,
    battery_pct INTEGER,
    settings    TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE streams (
    id        INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices(id),
    name      TEXT NOT NULL,
    UNIQUE (device_id, name)
);
CREATE TABLE packets (
    seq       INTEGER PRIMARY KEY,
    t_ns      INTEGER NOT NULL,
    stream_id INTEGER NOT NULL,
    payload   BLOB NOT NULL
);
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    t_ns      INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    device_id INTEGER,
    data      TEXT NOT NULL DEFAULT '{}'
);
"""
