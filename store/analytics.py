"""An artist's analytics, read from the daily totals that triggers keep from activity_events.

Daily series run over the last 30 or 90 UTC days, today included, with a zero for quiet days.
A like taken back and given again, or a re-follow, is recorded once a day for each person and work;
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
_NAMES = {kind: name for name, kind in SERIES.items()}


def window_days(days, today=None):
    """The ISO dates of the window, oldest first."""
    last = date.fromisoformat(today or utc_today())
    return [(last - timedelta(days=offset)).isoformat() for offset in range(days - 1, -1, -1)]


def daily_series(conn, artist_id, days):
    """{series name: [{"date", "count"}, ...]} for every day of the window."""
    dates = window_days(days)
    counts = {name: dict.fromkeys(dates, 0) for name in SERIES}
    for kind, day, count in conn.execute(
            "SELECT kind, day, count FROM activity_daily WHERE artist_id = ? AND day >= ?", (artist_id, dates[0])):
        counts[_NAMES[kind]][day] = count
    return {name: [{"date": day, "count": count} for day, count in by_day.items()] for name, by_day in counts.items()}


def artwork_totals(conn, artist_id, days):
    """{artwork id: {series name: count}} over the window (deleted works included; callers drop them)."""
    totals = {}
    for artwork_id, kind, count in conn.execute(
            "SELECT subject_id, kind, sum(count) FROM activity_daily_subjects "
            "WHERE artist_id = ? AND day >= ? AND kind <> 'gallery_view' GROUP BY subject_id, kind",
            (artist_id, window_days(days)[0])):
        totals.setdefault(artwork_id, dict.fromkeys(ARTWORK_SERIES, 0))[_NAMES[kind]] = count
    return totals


def top_artworks(totals, limit=TOP):
    """{series name: [(artwork id, count)]}, most first, works with none left out."""
    return {name: sorted(((artwork_id, counts[name]) for artwork_id, counts in totals.items() if counts[name]),
                         key=lambda item: (-item[1], item[0]))[:limit]
            for name in ARTWORK_SERIES}


def gallery_views(conn, artist_id, days):
    """[{id, name, visibility, views (in the window), view_count (all time)}], most viewed first."""
    return [dict(row) for row in conn.execute(
        """
        SELECT g.id, g.name, g.visibility, coalesce(v.views, 0) AS views, g.view_count
        FROM galleries g
        LEFT JOIN (SELECT subject_id, sum(count) AS views FROM activity_daily_subjects
                   WHERE artist_id = :artist AND day >= :since AND kind = 'gallery_view'
                   GROUP BY subject_id) v ON v.subject_id = g.id
        WHERE g.artist_id = :artist
        ORDER BY views DESC, g.view_count DESC, g.name
        """, {"artist": artist_id, "since": window_days(days)[0]})]


def conversion(likes, views):
    """Likes per view, or None before anyone has looked."""
    return round(likes / views, 4) if views else None
