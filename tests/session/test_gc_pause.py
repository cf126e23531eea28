"""`session.gc_pause.collector_paused` (used while `session.batch` analyses a recording
and while `session.heart` makes the summary's points) pauses Python's cycle collector
for its block only, and leaves it as it found it (on, off, or after an error)."""

from __future__ import annotations

import gc

import pytest

from osteomonitor.session.gc_pause import collector_paused


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was_found(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() == enabled
        with pytest.raises(ValueError), collector_paused():
            raise ValueError("a damaged recording")
        assert gc.isenabled() == enabled
    finally:
        (gc.enable if was else gc.disable)()
