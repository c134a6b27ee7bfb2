"""A per-process cache of configuration (rules, SLA policies and calendars).

Configuration is read on every intake but edited rarely: each entry is reused
for SADA_RULES_TTL_SECONDS, then kept only if its stamp (e.g. the newest
updated_at of the rows it was built from: one cheap query) has not changed. So
an edit reaches every web and worker process within that many seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings


class ConfigCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._local = threading.local()
        self._entries: dict[Hashable, tuple[Any, Any, float]] = {}  # key -> (stamp, value, checked)

    def get(self, key: Hashable, stamp: Callable[[], Any], load: Callable[[], Any]) -> Any:
        now = time.monotonic()
        entry = self._entries.get(key)
        held = getattr(self._local, "held", None)
        if entry is not None and held is not None and key in held:
            return entry[1]
        if held is not None:
            held.add(key)
        if entry is not None and now - entry[2] < settings.SADA_RULES_TTL_SECONDS:
            return entry[1]
        current = stamp()
        if entry is not None and entry[0] == current:
            value = entry[1]
        else:
            value = load()
        with self._lock:
            self._entries[key] = (current, value, now)
        return value

    @contextmanager
    def held(self) -> Iterator[None]:
        """Within the block, each entry is checked at most once: a page of mentions
        is decided on one version of the configuration, in a fixed number of queries."""
        outer = getattr(self._local, "held", None)
        if outer is None:
            self._local.held = set()
        try:
            yield
        finally:
            if outer is None:
                self._local.held = None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


config_cache = ConfigCache()
