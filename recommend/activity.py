"""Recent interactions in memory, for featured's engagement velocity.

Summing a few weeks of per-day totals in SQL costs about a second at 100,000 works and a million
likes; here the last WINDOW_DAYS of views, likes, comments and shares by other people (the
activity_events that the schema's triggers write) are kept as numpy arrays, one entry per event:
work (doc id), kind and time. Each use first reads the events past the last id applied (one
indexed lookup when nothing happened), so every process keeps in step with the database; the
decayed counts of all works are then a few bincounts.
"""

import threading
from datetime import UTC, datetime

import numpy as np

import store
from store import ranking

KINDS = ("view", "like", "comment", "share")
WINDOW_DAYS = 120
DAY = 86400.0

_EVENTS_SQL = f"""
    SELECT e.id, d.doc_id, e.kind, (julianday(e.occurred_at) - 2440587.5) * {DAY}
    FROM activity_events e JOIN search_documents d ON d.artwork_id = e.artwork_id
    WHERE e.kind IN ({", ".join(f"'{kind}'" for kind in KINDS)})
"""


class RecentActivity:
    def __init__(self):
        self.lock = threading.RLock()
        self.last_id = None
        self.docs = np.zeros(0, np.int64)
        self.kinds = np.zeros(0, np.int8)
        self.times = np.zeros(0)

    @property
    def loaded(self) -> bool:
        """Whether a first refresh has read the recent events in."""
        return self.last_id is not None

    def refresh(self, conn, now):
        """Apply the events written since the last refresh (call inside a read transaction)."""
        store.require_read_snapshot(conn)
        oldest = now - WINDOW_DAYS * DAY
        with self.lock:
            if self.last_id is None:
                newest = conn.execute("SELECT coalesce(max(id), 0) FROM activity_events").fetchone()[0]
                rows = conn.execute(_EVENTS_SQL + " AND e.occurred_at >= ? AND e.id <= ?",
                                    (ranking.timestamp(datetime.fromtimestamp(oldest, UTC)), newest)).fetchall()
                self.last_id = newest
            else:
                rows = conn.execute(_EVENTS_SQL + " AND e.id > ?", (self.last_id,)).fetchall()
            self._append(rows)
            if len(self.times) and (self.times < oldest).mean() > 0.25:
                self._keep(self.times >= oldest)
        return self

    def _append(self, rows):
        if not rows:
            return
        ids, docs, kinds, times = zip(*rows, strict=True)
        self.last_id = max(self.last_id, max(ids))
        code = {kind: i for i, kind in enumerate(KINDS)}
        self.docs = np.concatenate([self.docs, np.asarray(docs, np.int64)])
        self.kinds = np.concatenate([self.kinds, np.asarray([code[kind] for kind in kinds], np.int8)])
        self.times = np.concatenate([self.times, np.asarray(times, float)])

    def _keep(self, mask):
        self.docs, self.kinds, self.times = self.docs[mask], self.kinds[mask], self.times[mask]

    def decayed(self, capacity, now, half_life_days, read_days):
        """{kind: per-doc count of the last read_days, each event weighted 0.5 ** (age / half-life)}."""
        with self.lock:
            age = (now - self.times) / DAY
            recent = (age <= min(read_days, WINDOW_DAYS)) & (age >= 0) & (self.docs < capacity)
            weights = np.power(0.5, age[recent] / half_life_days)
            docs, kinds = self.docs[recent], self.kinds[recent]
            return {kind: np.bincount(docs[kinds == i], weights=weights[kinds == i], minlength=capacity)
                    for i, kind in enumerate(KINDS)}


_activities: dict = {}
_activities_lock = threading.Lock()


def activity_for(database):
    """The process-wide RecentActivity of a database file."""
    with _activities_lock:
        return _activities.setdefault(str(database), RecentActivity())
