"""Trending works and tags: what is growing against its own baseline.

For a window of 24 hours or 7 days, each work (or tag, over the works carrying it) has

    recent   = weighted interactions by others in the window
               (like 1, comment 2, share 3, page view 0.1)
    expected = its weighted interactions over the baseline days before the window
               (7 days for the 24-hour window, 28 for the week), scaled to the window's length
    growth   = (recent + 3) / (expected + 3)

and the list holds those with recent >= 2, by growth, then recent. The 3 keeps one like on a
quiet work from outranking a steady climb; a work that was already popular must beat its own
past, not everybody else's. Lists are computed once an hour and stored like featured lists.
"""

from datetime import UTC, datetime, timedelta

from store import ranking

WINDOWS = {"24h": (timedelta(hours=24), 7), "7d": (timedelta(days=7), 28)}
KINDS = ("artworks", "tags")
WEIGHTS = {"like": 1.0, "comment": 2.0, "share": 3.0, "view": 0.1}
SMOOTHING = 3.0
MIN_RECENT = 2.0
SIZE = 100


def list_name(kind, window):
    return f"trending_{kind}_{window}"


def trending_items(conn, kind, window, *, now=None):
    """The stored trending list of the current hour, computed first when nobody has yet."""
    now = now or datetime.now(UTC)
    hour = ranking.timestamp(now.astimezone(UTC).replace(minute=0, second=0, microsecond=0))
    name = list_name(kind, window)
    items = ranking.snapshot(conn, name, hour, 0)
    if items is None:
        items = ranking.keep_snapshot(conn, name, hour, 0, compute(conn, kind, window, now))
    return items


def compute(conn, kind, window, now):
    """[{key, recent, expected, growth}] best first; key is an artwork id or a tag name."""
    length, baseline_days = WINDOWS[window]
    by = "artwork" if kind == "artworks" else "tag"
    window_start = now - length
    recent = ranking.recent_activity(conn, ranking.timestamp(window_start), WEIGHTS, by=by)
    last_baseline_day = window_start.astimezone(UTC).date()
    first_baseline_day = last_baseline_day - timedelta(days=baseline_days)
    past = ranking.daily_activity(conn, first_baseline_day.isoformat(), last_baseline_day.isoformat(), WEIGHTS, by=by)
    scale = length.total_seconds() / 86400 / baseline_days
    return rank(recent, past, scale)


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
