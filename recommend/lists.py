"""Computed lists (featured, rising artists, trending) as every process serves them: one per list
name, period and config version, stored in ranking_snapshots by whichever process computes it
first, and kept in each process's memory after its first read (a stored list never changes)."""

import threading
from collections import OrderedDict

from store import ranking

CACHE_SIZE = 64

_cache: OrderedDict[tuple, list] = OrderedDict()
_lock = threading.Lock()


def stored_list(conn, database, name, period_start, version, compute):
    """The items of list `name` for the period and version; compute() makes them when nobody has."""
    key = (str(database), name, period_start, version)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    items = ranking.snapshot(conn, name, period_start, version)
    if items is None:
        items = ranking.keep_snapshot(conn, name, period_start, version, compute())
    with _lock:
        _cache[key] = items
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return items
