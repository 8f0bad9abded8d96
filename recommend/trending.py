"""Trending works and tags: what is growing against its own baseline.

For a window of 24 hours or 7 days, each work (or tag, over the works carrying it) has

    recent   = weighted interactions by others in the window
               (like 1, comment 2, share 3, page view 0.1)
    expected = its weighted interactions over the baseline just before the window
               (7 days for the 24-hour window, 28 for the week), scaled to the window's length
    growth   = (recent + 3) / (expected + 3)

and the list holds those with recent >= 2, by growth, then recent. The 3 keeps one like on a
quiet work from outranking a steady climb; a work that was already popular must beat its own
past, not everybody else's. Lists are computed once an hour, from the interactions that
recommend.activity keeps in memory, and stored like featured lists.
"""

from datetime import UTC, datetime, timedelta

import numpy as np

from recommend import activity, lists
from store import ranking, taxonomy

DAY = 86400.0
WINDOWS = {"24h": (timedelta(hours=24), 7), "7d": (timedelta(days=7), 28)}
KINDS = ("artworks", "tags")
WEIGHTS = {"like": 1.0, "comment": 2.0, "share": 3.0, "view": 0.1}
SMOOTHING = 3.0
MIN_RECENT = 2.0
SIZE = 100


def list_name(kind, window):
    return f"trending_{kind}_{window}"


def trending_items(conn, database, kind, window, *, now=None):
    """The stored trending list of the current hour, computed first when nobody has yet. A tag that
    only private works carry any longer is left out at once, not at the next hour's list."""
    now = now or datetime.now(UTC)
    hour = ranking.timestamp(now.astimezone(UTC).replace(minute=0, second=0, microsecond=0))
    items = lists.stored_list(conn, database, list_name(kind, window), hour, 0,
                              lambda: compute(conn, database, kind, window, now))
    if kind == "tags":
        public = taxonomy.tags_on_public_works(conn, [item["key"] for item in items])
        items = [item for item in items if item["key"] in public]
    return items


def compute(conn, database, kind, window, now):
    """[{key, recent, expected, growth}] best first; key is an artwork id or a tag name."""
    length, baseline_days = WINDOWS[window]
    conn.execute("BEGIN")
    try:
        events = activity.activity_for(database).refresh(conn, now.timestamp())
        recent, past = _window_counts(events, now.timestamp(), length.total_seconds(), baseline_days * DAY)
        pairs = ranking.doc_tag_pairs(conn) if kind == "tags" else None
    finally:
        conn.execute("COMMIT")
    scale = length.total_seconds() / (baseline_days * DAY)
    if kind == "tags":
        docs, tags = pairs
        names = sorted(set(tags))
        code = {name: i for i, name in enumerate(names)}
        tag_codes = np.asarray([code[name] for name in tags], np.int64)
        inside = docs < len(recent)
        recent = np.bincount(tag_codes[inside], weights=recent[docs[inside]], minlength=len(names))
        past = np.bincount(tag_codes[inside], weights=past[docs[inside]], minlength=len(names))
        return rank(_nonzero(recent, names), _nonzero(past, names), scale)
    items = rank(_nonzero(recent), _nonzero(past), scale)
    ids = ranking.doc_artwork_ids(conn, [item["key"] for item in items])
    return [{**item, "key": ids[item["key"]]} for item in items if item["key"] in ids]


def _window_counts(events, now, length, baseline):
    """Per-doc weighted interactions in the window, and in the baseline just before it."""
    with events.lock:
        age = now - events.times
        weights = np.asarray([WEIGHTS[kind] for kind in activity.KINDS])[events.kinds]
        size = int(events.docs.max()) + 1 if len(events.docs) else 0
        in_window = (age >= 0) & (age < length)
        in_baseline = (age >= length) & (age < length + baseline)
        return (np.bincount(events.docs[in_window], weights=weights[in_window], minlength=size),
                np.bincount(events.docs[in_baseline], weights=weights[in_baseline], minlength=size))


def _nonzero(values, names=None):
    found = np.flatnonzero(values)
    return {(names[i] if names else int(i)): float(values[i]) for i in found}


def rank(recent, past, scale):
    """The growth list from {key: recent} and {key: baseline total} (scale: window / baseline length)."""
    items = []
    for key, count in recent.items():
        if count < MIN_RECENT:
            continue
        expected = past.get(key, 0.0) * scale
        growth = (count + SMOOTHING) / (expected + SMOOTHING)
        items.append({"key": key, "recent": round(count, 2), "expected": round(expected, 2),
                      "growth": round(growth, 3)})
    items.sort(key=lambda item: (-item["growth"], -item["recent"], str(item["key"])))
    return items[:SIZE]
