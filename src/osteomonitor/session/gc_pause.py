"""Python's cyclic garbage collector paused for a block of array-to-object work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block; left as it was found after (a caller
    that turned it off keeps it off), also on an error.

    For code that makes tens of thousands of small objects holding no reference cycle
    (an hour's analysis: HR values, RR tuples; a 3-h summary: 17 000 (s, bpm) pairs):
    each container object counts towards a collection, and every collection scans the
    young objects and, in cascades, everything the process holds. Measured with
    `gc.callbacks`: ~4 ms of an hour's ~100 ms analysis (`session.batch`) and 5-20 ms
    of a 3-h summary (`session.heart`, ~3 ms paused). The first collection after the
    block passes over the new objects once.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
