"""The garbage collector around work that builds many objects at once."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """No cyclic garbage collection inside the block; collection resumes after it.

    A page of intake builds thousands of rows (model instances, events, their
    JSON) that all live until the page is written: they survive the young
    collections, and each batch of survivors sets off a full collection that walks
    every object of the process again — measured at ~13% of the intake's CPU
    (bench/ingest.py). Those rows are freed by reference counting when the page
    ends; anything cyclic is collected once the collector is back on. Nested or
    concurrent blocks leave it to the outermost one that paused it.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
