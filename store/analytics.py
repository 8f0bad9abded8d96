"""An artist's analytics, read from activity_events (written by triggers as things happen).

Daily series run over the last 30 or 90 UTC days, today included, with a zero for quiet days.
A like taken back and given again, or a re-follow, counts once a day for each person and work;
views count as artwork views do (once per viewer per 30 minutes).
"""

from datetime import date, timedelta

from store import utc_today

WINDOWS = (30, 90)
TOP = 5
# Series name: event kind.
SERIES = {
    "views": "view",
    "image_views": "image_view",
    "likes": "like",
    "comments": "comment",
    "shares": "share",
    "new_followers": "follow",
    "lost_followers": "unfollow",
    "gallery_views": "gallery_view",
}
ARTWORK_SERIES = ("views", "image_views", "likes", "comments", "shares")
_ONCE_A_DAY = "('like', 'follow', 'unfollow')"
# One per event, or one per person and work for the kinds that can be toggled.
_COUNTED = f"""count(DISTINCT CASE WHEN kind IN {_ONCE_A_DAY}
                                   THEN coalesce(artwork_id, '') || '|' || coalesce(actor_key, '')
                                   ELSE id END)"""


def window_days(days, today=None):
    """The ISO dates of the window, oldest first."""
    last = date.fromisoformat(today or utc_today())
    return [(last - timedelta(days=offset)).isoformat() for offset in range(days - 1, -1, -1)]


def daily_series(conn, artist_id, days):
    """{series name: [{"date", "count"}, ...]} for every day of the window."""
    dates = window_days(days)
    counts = {name: dict.fromkeys(dates, 0) for name in SERIES}
    names = {kind: name for name, kind in SERIES.items()}
    for kind, day, count in conn.execute(
            f"SELECT kind, substr(occurred_at, 1, 10) AS day, {_COUNTED} FROM activity_events "
            "WHERE artist_id = ? AND occurred_at >= ? GROUP BY kind, day", (artist_id, dates[0])):
        counts[names[kind]][day] = count
    return {name: [{"date": day, "count": count} for day, count in by_day.items()] for name, by_day in counts.items()}


def artwork_totals(conn, artist_id, days):
    """{artwork id: {series name: count}} over the window, for the works that still exist."""
    since = window_days(days)[0]
    names = {kind: name for name, kind in SERIES.items()}
    totals = {}
    for artwork_id, kind, count in conn.execute(
            f"SELECT artwork_id, kind, {_COUNTED} FROM activity_events "
            "WHERE artist_id = ? AND occurred_at >= ? AND artwork_id IS NOT NULL "
            "GROUP BY artwork_id, kind, substr(occurred_at, 1, 10)", (artist_id, since)):
        per_work = totals.setdefault(artwork_id, dict.fromkeys(ARTWORK_SERIES, 0))
        per_work[names[kind]] += count
    return totals


def top_artworks(totals, limit=TOP):
    """{series name: [(artwork id, count)]}, most first, works with none left out."""
    return {name: sorted(((artwork_id, counts[name]) for artwork_id, counts in totals.items() if counts[name]),
                         key=lambda item: (-item[1], item[0]))[:limit]
            for name in ARTWORK_SERIES}


def gallery_views(conn, artist_id, days):
    """[{id, name, visibility, views (in the window), view_count (all time)}], most viewed first."""
    since = window_days(days)[0]
    return [dict(row) for row in conn.execute(
        """
        SELECT g.id, g.name, g.visibility, count(e.id) AS views, g.view_count
        FROM galleries g
        LEFT JOIN activity_events e ON e.gallery_id = g.id AND e.kind = 'gallery_view' AND e.occurred_at >= :since
        WHERE g.artist_id = :artist
        GROUP BY g.id ORDER BY views DESC, g.view_count DESC, g.name
        """, {"artist": artist_id, "since": since})]


def conversion(likes, views):
    """Likes per view, or None before anyone has looked."""
    return round(likes / views, 4) if views else None
