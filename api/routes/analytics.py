"""An artist's own analytics: views, likes and shares over time, conversion, top works, and
how their galleries, commissions and exhibition entries did."""

from typing import Any

from flask import jsonify

from api.access import account_or_404
from api.auth import require_user
from api.db import get_db
from api.parsing import Choice, Query
from api.problems import ApiError
from api.routes import bp
from api.routing import operation
from api.shapes import Shape, summaries
from store import analytics, commissions, exhibitions


class AnalyticsQuery(Query):
    days: Choice(tuple(str(days) for days in analytics.WINDOWS)) = "30"


class Analytics(Shape):
    artist_id: str
    days: int
    totals: dict[str, int]
    conversion: dict[str, Any]
    series: dict[str, list[dict[str, Any]]]
    top_artworks: dict[str, list[dict[str, Any]]]
    galleries: Any
    commissions: Any
    exhibitions: Any


def _top_artworks_json(top, totals):
    shown = summaries({artwork_id for ranked in top.values() for artwork_id, _ in ranked})
    return {name: [{"artwork": shown[artwork_id], "count": count,
                    "likes_per_view": analytics.conversion(totals[artwork_id]["likes"], totals[artwork_id]["views"])}
                   for artwork_id, count in ranked if artwork_id in shown]
            for name, ranked in top.items()}



@operation(bp, "GET", "/artists/<artist_id>/analytics", access="user", query=AnalyticsQuery, response=Analytics)
def artist_analytics(artist_id, query):
    user_id = require_user()
    account_or_404(artist_id)
    if user_id != artist_id:
        raise ApiError(403, "Only the artist can see their analytics.")
    days = int(query.days)
    conn = get_db()
    series = analytics.daily_series(conn, artist_id, days)
    totals = {name: sum(point["count"] for point in points) for name, points in series.items()}
    per_artwork = analytics.artwork_totals(conn, artist_id, days)
    return jsonify({
        "artist_id": artist_id, "days": days, "from": series["views"][0]["date"], "to": series["views"][-1]["date"],
        "totals": totals,
        "conversion": {"views": totals["views"], "likes": totals["likes"],
                       "likes_per_view": analytics.conversion(totals["likes"], totals["views"])},
        "series": series,
        "top_artworks": _top_artworks_json(analytics.top_artworks(per_artwork), per_artwork),
        "galleries": analytics.gallery_views(conn, artist_id, days),
        "commissions": commissions.outcomes_for(conn, artist_id),
        "exhibitions": exhibitions.outcomes_for(conn, artist_id),
    })
