"""The cache of the pages' reads in this process (ui/actions.py keys them).

Each result is kept and handed out pickled, so no page can change what another reads;
at most MAX_ENTRIES results, the least recently used dropped first, each for TTL_SECONDS.
st.cache_data did the same with bookkeeping of its own (hashing its arguments, recording
the Streamlit calls made inside, statistics) that cost about 0.2 ms a read, two dozen
reads a dashboard, and more than the reads of a warm page.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict
from typing import Any

MAX_ENTRIES = 2000
TTL_SECONDS = 600

_MISSING = object()
_lock = threading.Lock()
_entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()  # key -> (expires, result)


def get(key: str) -> Any:
    """The result kept under `key` (a copy of its own), or MISSING."""
    with _lock:
        found = _entries.get(key)
        if found is None:
            return _MISSING
        if found[0] <= time.monotonic():
            del _entries[key]
            return _MISSING
        _entries.move_to_end(key)
        data = found[1]
    return pickle.loads(data)


def put(key: str, result: Any) -> None:
    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    with _lock:
        _entries[key] = (time.monotonic() + TTL_SECONDS, data)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def clear() -> None:
    """Forgets every result (tests between databases, the benchmark's cold runs)."""
    with _lock:
        _entries.clear()


def is_missing(value: Any) -> bool:
    return value is _MISSING
