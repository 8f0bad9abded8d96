"""Whether this process is ready for traffic: its database answers and its in-memory indexes
(text search, image search, recent activity and the feed's item model) are loaded.

Each worker process holds its own indexes, so readiness is per process. Loading happens on one
background thread per database, started at boot when SEARCH_WARM is on, or by the first readiness
probe otherwise: a load balancer that waits for /api/ready never sends a user the cold first search.
"""

import logging
import threading
import time

import store
from recommend import activity, model
from search import images
from search.index import index_for

log = logging.getLogger("easel")

_started: set = set()
_lock = threading.Lock()


def indexes_loaded(database) -> bool:
    return (index_for(database).loaded and images.index_for(database).loaded
            and activity.activity_for(database).loaded and model.is_loaded(database))


def start_loading(database, feed_model_max_age):
    """Load the indexes in the background, once per process and database."""
    with _lock:
        if str(database) in _started:
            return
        _started.add(str(database))
    threading.Thread(target=load_indexes, args=(database, feed_model_max_age), name="search-warm",
                     daemon=True).start()


def load_indexes(database, feed_model_max_age):
    """Read every index into memory in one read snapshot; a failure is logged and the next probe retries."""
    conn = store.connect(database)
    try:
        conn.execute("BEGIN")
        words = index_for(database).refresh(conn)
        images.index_for(database).refresh(conn)
        activity.activity_for(database).refresh(conn, time.time())
        model.model_for(conn, database, words.capacity, feed_model_max_age)
        conn.execute("COMMIT")
    except Exception:
        log.exception("could not load the search indexes")
        with _lock:
            _started.discard(str(database))
    finally:
        conn.close()
