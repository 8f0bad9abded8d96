"""An artist's collectors, derived from what people did with them: bought (a paid order), had an
offer accepted, commissioned, enquired or followed. Nothing here is stored but the artist's own
notes and tags (collector_notes); the figures are computed from orders each time.
"""

import json

from store import transaction, utc_now

SOURCES = ("order", "offer", "commission", "enquiry", "follow")
SORTS = {
    "lifetime_value": "lifetime_value_base IS NULL, lifetime_value_base DESC, last_contact DESC, collector_id",
    "last_purchase": "last_purchase IS NULL, last_purchase DESC, collector_id",
    "recent": "last_contact DESC, collector_id",
    "name": "artist_name COLLATE NOCASE, collector_id",
}
_PAID = "('paid', 'shipped', 'delivered', 'completed')"

# Everyone connected to :artist, with the first and last time, and how.
_PEOPLE = f"""
    people (collector_id, source, at) AS (
        SELECT buyer_id, 'order', paid_at FROM orders
        WHERE artist_id = :artist AND status IN {_PAID} AND buyer_id IS NOT NULL
        UNION ALL SELECT buyer_id, 'offer', updated_at FROM offers WHERE artist_id = :artist AND status = 'accepted'
        UNION ALL SELECT client_id, 'commission', created_at FROM commissions
                  WHERE artist_id = :artist AND client_id IS NOT NULL
        UNION ALL SELECT collector_id, 'enquiry', created_at FROM enquiries WHERE artist_id = :artist
        UNION ALL SELECT follower_id, 'follow', followed_at FROM artist_follows WHERE following_id = :artist
    ),
    connected AS (
        SELECT collector_id, json_group_array(DISTINCT source) AS sources, max(at) AS last_contact
        FROM people WHERE collector_id <> :artist GROUP BY collector_id
    ),
    bought AS (
        SELECT buyer_id AS collector_id, count(*) AS purchases, sum(total_base) AS lifetime_value_base,
               min(paid_at) AS first_purchase, max(paid_at) AS last_purchase
        FROM orders WHERE artist_id = :artist AND status IN {_PAID} GROUP BY buyer_id
    ),
    rows AS (
        SELECT c.collector_id, c.sources, c.last_contact, coalesce(b.purchases, 0) AS purchases,
               b.lifetime_value_base, b.first_purchase, b.last_purchase, a.username, a.artist_name,
               a.profile_image_url, a.account_type, a.contact_info, a.location,
               n.notes, coalesce(n.tags, '[]') AS tags,
               EXISTS (SELECT 1 FROM enquiries q WHERE q.artist_id = :artist AND q.collector_id = c.collector_id)
                   AS enquired
        FROM connected c JOIN artists a ON a.id = c.collector_id
        LEFT JOIN bought b ON b.collector_id = c.collector_id
        LEFT JOIN collector_notes n ON n.artist_id = :artist AND n.collector_id = c.collector_id
    )
"""


def list_collectors(conn, artist_id, *, sort="lifetime_value", tag=None, repeat=None, source=None, limit=20,
                    offset=0):
    """(collectors, total) of the artist, each with figures, works bought and the artist's notes."""
    where, params = [], {"artist": artist_id, "limit": limit, "offset": offset, "tag": tag, "source": source}
    if tag:
        where.append("EXISTS (SELECT 1 FROM json_each(tags) WHERE value = :tag)")
    if repeat is not None:
        where.append("purchases >= 2" if repeat else "purchases < 2")
    if source:
        where.append("EXISTS (SELECT 1 FROM json_each(sources) WHERE value = :source)")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    total = conn.execute(f"WITH {_PEOPLE} SELECT count(*) FROM rows {clause}", params).fetchone()[0]
    found = [dict(row) for row in conn.execute(
        f"WITH {_PEOPLE} SELECT * FROM rows {clause} ORDER BY {SORTS[sort]} LIMIT :limit OFFSET :offset", params)]
    return _with_purchases(conn, artist_id, found), total


def get_collector(conn, artist_id, collector_id):
    """One of the artist's collectors, or None when they have no connection."""
    row = conn.execute(f"WITH {_PEOPLE} SELECT * FROM rows WHERE collector_id = :collector",
                       {"artist": artist_id, "collector": collector_id}).fetchone()
    return _with_purchases(conn, artist_id, [dict(row)])[0] if row else None


def _with_purchases(conn, artist_id, collectors):
    ids = [collector["collector_id"] for collector in collectors]
    bought = {collector_id: [] for collector_id in ids}
    values = {collector_id: {} for collector_id in ids}
    if ids:
        marks = ", ".join("?" * len(ids))
        for row in conn.execute(
                f"SELECT id, buyer_id, artwork_id, title, quantity, total, currency, paid_at FROM orders "
                f"WHERE artist_id = ? AND status IN {_PAID} AND buyer_id IN ({marks}) ORDER BY paid_at",
                (artist_id, *ids)):
            bought[row["buyer_id"]].append({"order_id": row["id"], "artwork_id": row["artwork_id"],
                                            "title": row["title"], "quantity": row["quantity"],
                                            "total": row["total"], "currency": row["currency"],
                                            "paid_at": row["paid_at"]})
            per_currency = values[row["buyer_id"]]
            per_currency[row["currency"]] = per_currency.get(row["currency"], 0) + row["total"]
    for collector in collectors:
        collector["sources"] = json.loads(collector["sources"])
        collector["tags"] = json.loads(collector["tags"])
        collector["works_bought"] = bought[collector["collector_id"]]
        collector["lifetime_value"] = dict(sorted(values[collector["collector_id"]].items()))
        collector["may_contact"] = collector["purchases"] > 0 or bool(collector["enquired"])
    return collectors


def save_notes(conn, artist_id, collector_id, *, notes=None, tags=None, keep_notes=False, keep_tags=False):
    """Set the artist's notes and/or tags for a collector (keep_*: leave that one as it is)."""
    with transaction(conn):
        current = conn.execute("SELECT notes, tags FROM collector_notes WHERE artist_id = ? AND collector_id = ?",
                               (artist_id, collector_id)).fetchone()
        if keep_notes and current:
            notes = current["notes"]
        tags_json = current["tags"] if keep_tags and current else json.dumps(tags or [])
        conn.execute("INSERT INTO collector_notes (artist_id, collector_id, notes, tags, updated_at) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT (artist_id, collector_id) DO UPDATE SET "
                     "notes = excluded.notes, tags = excluded.tags, updated_at = excluded.updated_at",
                     (artist_id, collector_id, notes, tags_json, utc_now()))


def dealt_with(conn, collector_id, artist_id) -> bool:
    """Whether the collector bought from, or enquired with, the artist: what lets the artist see
    the collector's contact details."""
    if artist_id is None or collector_id == artist_id:
        return False
    return conn.execute(
        f"SELECT EXISTS (SELECT 1 FROM orders WHERE buyer_id = :c AND artist_id = :a AND status IN {_PAID}) "
        "OR EXISTS (SELECT 1 FROM enquiries WHERE collector_id = :c AND artist_id = :a)",
        {"c": collector_id, "a": artist_id}).fetchone()[0] == 1
