"""SQL for the ranking engines: curator config versions, computed lists, feed snapshots, and the
engagement, like and follow data that the scores and the offline evaluation read.

Works are named by their search_documents.doc_id here (as in the in-memory indexes) wherever a
score is computed, and by artwork id wherever something is stored or served.
"""

import json
from datetime import UTC, datetime, timedelta

import numpy as np

from store import new_id, transaction, utc_now

INTERACTION_KINDS = ("view", "like", "comment", "share")
FEED_SNAPSHOT_LIFETIME = timedelta(hours=24)
FEED_SNAPSHOTS_KEPT = 10   # per reader: one per open tab or recent refresh


# --- Featured config versions -------------------------------------------------------------------

def live_config(conn):
    """The newest saved config version as a dict, or None before any was saved."""
    row = conn.execute(f"{_CONFIG_SQL} ORDER BY c.version DESC LIMIT 1").fetchone()
    return _config_row(row) if row else None


def live_config_text(conn):
    """(version, config JSON text) of the newest version; (0, None) before any was saved."""
    row = conn.execute("SELECT version, config FROM featured_configs ORDER BY version DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, None)


def config_version(conn, version):
    row = conn.execute(f"{_CONFIG_SQL} WHERE c.version = ?", (version,)).fetchone()
    return _config_row(row) if row else None


def config_history(conn, *, limit, offset):
    rows = conn.execute(f"{_CONFIG_SQL} ORDER BY c.version DESC LIMIT ? OFFSET ?", (limit, offset))
    total = conn.execute("SELECT count(*) FROM featured_configs").fetchone()[0]
    return [_config_row(row) for row in rows], total


def save_config(conn, config, *, author_id, note, expected_version, forced=False, reason=None, evaluation=None,
                rollback_of=None):
    """Save `config` as the next version; None when another version was saved since
    `expected_version` (the one the caller evaluated against), so nothing is saved blind."""
    with transaction(conn):
        newest = conn.execute("SELECT coalesce(max(version), 0) FROM featured_configs").fetchone()[0]
        if newest != expected_version:
            return None
        conn.execute(
            """INSERT INTO featured_configs (version, config, author_id, note, forced, reason, evaluation, rollback_of,
                                             created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (newest + 1, json.dumps(config), author_id, note or "", int(forced), reason,
             json.dumps(evaluation) if evaluation is not None else None, rollback_of, utc_now()))
    return config_version(conn, newest + 1)


_CONFIG_SQL = """
    SELECT c.version, c.config, c.note, c.forced, c.reason, c.evaluation, c.rollback_of, c.created_at,
           c.author_id, u.username AS author_username, u.artist_name AS author_artist_name
    FROM featured_configs c LEFT JOIN artists u ON u.id = c.author_id
"""


def _config_row(row):
    shaped = dict(row)
    shaped["config"] = json.loads(row["config"])
    shaped["evaluation"] = json.loads(row["evaluation"]) if row["evaluation"] else None
    shaped["forced"] = bool(row["forced"])
    return shaped


# --- Computed lists -------------------------------------------------------------------------------

def snapshot(conn, list_name, period_start, config_version):
    """The stored items of one list for one period and config version, or None."""
    row = conn.execute("SELECT items FROM ranking_snapshots WHERE list = ? AND period_start = ? AND config_version = ?",
                       (list_name, period_start, config_version)).fetchone()
    return json.loads(row[0]) if row else None


def keep_snapshot(conn, list_name, period_start, config_version, items):
    """Store a computed list unless another process stored one first; returns the stored items,
    so that every process serves the same list."""
    with transaction(conn):
        conn.execute("""INSERT INTO ranking_snapshots (list, period_start, config_version, items) VALUES (?, ?, ?, ?)
                        ON CONFLICT DO NOTHING""", (list_name, period_start, config_version, json.dumps(items)))
    return snapshot(conn, list_name, period_start, config_version)


def last_featured(conn, before_period, *, top, since):
    """{artist_id: period_start of their latest appearance in the first `top` featured works}, over
    the periods from `since` up to (not including) `before_period`."""
    rows = conn.execute(
        """SELECT json_extract(item.value, '$.artist_id'), max(s.period_start)
           FROM ranking_snapshots s, json_each(s.items) AS item
           WHERE s.list = 'featured_artworks' AND s.period_start >= ? AND s.period_start < ? AND item.key < ?
           GROUP BY 1""", (since, before_period, top))
    return dict(rows.fetchall())


def existing_artist_ids(conn, artist_ids):
    if not artist_ids:
        return set()
    marks = ", ".join("?" * len(artist_ids))
    return {row[0] for row in conn.execute(f"SELECT id FROM artists WHERE id IN ({marks})", list(artist_ids))}


def visible_artwork_ids(conn, artwork_ids):
    """The subset of artwork_ids that still exist and are not private."""
    if not artwork_ids:
        return set()
    marks = ", ".join("?" * len(artwork_ids))
    return {row[0] for row in conn.execute(
        f"SELECT id FROM artworks WHERE id IN ({marks}) AND availability_status <> 'private'", list(artwork_ids))}


# --- Engagement -----------------------------------------------------------------------------------

def follows_between(conn, start_day, end_day):
    """[(artist_id, kind, count)] of follows and unfollows from daily totals, days in [start, end)."""
    return conn.execute(
        """SELECT artist_id, kind, sum(count) FROM activity_daily
           WHERE day >= ? AND day < ? AND kind IN ('follow', 'unfollow') GROUP BY artist_id, kind""",
        (start_day, end_day)).fetchall()


def artist_interactions_between(conn, start_day, end_day):
    """[(artist_id, kind, count)] of interactions by others on each artist's works, days in [start, end)."""
    marks = ", ".join("?" * len(INTERACTION_KINDS))
    return conn.execute(
        f"""SELECT artist_id, kind, sum(count) FROM activity_daily
            WHERE day >= ? AND day < ? AND kind IN ({marks}) GROUP BY artist_id, kind""",
        (start_day, end_day, *INTERACTION_KINDS)).fetchall()


def follower_counts(conn):
    return dict(conn.execute("SELECT id, follower_count FROM artists").fetchall())


def docs_of_artworks(conn, artwork_ids, *, public_only=False):
    """[(doc_id, artwork_id)] of those artworks that exist (and, with public_only, are not private)."""
    if not artwork_ids:
        return []
    marks = ", ".join("?" * len(artwork_ids))
    visible = "AND a.availability_status <> 'private'" if public_only else ""
    return conn.execute(
        f"""SELECT d.doc_id, a.id FROM artworks a JOIN search_documents d ON d.artwork_id = a.id
            WHERE a.id IN ({marks}) {visible}""", list(artwork_ids)).fetchall()


def doc_tag_pairs(conn):
    """(doc ids, tag names): one entry per tag on each public work, as two parallel sequences."""
    rows = conn.execute("""SELECT d.doc_id, t.name FROM artwork_tags at JOIN tags t ON t.id = at.tag_id
                           JOIN artworks a ON a.id = at.artwork_id AND a.availability_status <> 'private'
                           JOIN search_documents d ON d.artwork_id = at.artwork_id""").fetchall()
    return np.asarray([row[0] for row in rows], np.int64), [row[1] for row in rows]


def doc_artwork_ids(conn, doc_ids):
    """{doc_id: artwork_id} for the given doc ids."""
    if not doc_ids:
        return {}
    marks = ", ".join("?" * len(doc_ids))
    return dict(conn.execute(f"SELECT doc_id, artwork_id FROM search_documents WHERE doc_id IN ({marks})",
                             list(doc_ids)).fetchall())


def tfidf_blobs(conn, doc_ids):
    """[(doc_id, tfidf blob or None)] for the given works."""
    if not len(doc_ids):
        return []
    marks = ", ".join("?" * len(doc_ids))
    return conn.execute(f"SELECT doc_id, tfidf FROM search_documents WHERE doc_id IN ({marks})",
                        [int(d) for d in doc_ids]).fetchall()


def all_tfidf_blobs(conn):
    return conn.execute("SELECT doc_id, tfidf FROM search_documents WHERE tfidf IS NOT NULL").fetchall()


# --- Likes and follows --------------------------------------------------------------------------

def all_likes(conn):
    """[(user_id, doc_id, liked_at)] of every like, oldest first per user."""
    return conn.execute(
        """SELECT l.user_id, d.doc_id, l.liked_at FROM artwork_likes l
           JOIN search_documents d ON d.artwork_id = l.artwork_id ORDER BY l.user_id, l.liked_at, l.rowid""").fetchall()


def liked_docs(conn, user_id):
    """The doc ids of the works user_id likes, most recently liked first."""
    return [row[0] for row in conn.execute(
        """SELECT d.doc_id FROM artwork_likes l JOIN search_documents d ON d.artwork_id = l.artwork_id
           WHERE l.user_id = ? ORDER BY l.liked_at DESC, l.rowid DESC""", (user_id,))]


def followed_artist_ids(conn, user_id):
    return [row[0] for row in conn.execute("SELECT following_id FROM artist_follows WHERE follower_id = ?",
                                           (user_id,))]


def all_follows(conn):
    """[(follower_id, following_id)]."""
    return conn.execute("SELECT follower_id, following_id FROM artist_follows").fetchall()


def recent_docs_by_artists(conn, artist_ids, since, limit):
    """[(doc_id, created_at)] of the public works of `artist_ids` created since `since`, newest first."""
    if not artist_ids:
        return []
    marks = ", ".join("?" * len(artist_ids))
    return conn.execute(
        f"""SELECT d.doc_id, a.created_at FROM artworks a JOIN search_documents d ON d.artwork_id = a.id
            WHERE a.artist_id IN ({marks}) AND a.availability_status <> 'private' AND a.created_at >= ?
            ORDER BY a.created_at DESC LIMIT ?""", (*artist_ids, since, limit)).fetchall()


def visible_artwork_titles(conn, artwork_ids, viewer_id):
    """{id: title} of those works the viewer may see: public ones and the viewer's own."""
    if not artwork_ids:
        return {}
    marks = ", ".join("?" * len(artwork_ids))
    return dict(conn.execute(
        f"SELECT id, title FROM artworks WHERE id IN ({marks}) "
        f"AND (availability_status <> 'private' OR artist_id = ?)", [*artwork_ids, viewer_id]).fetchall())


# --- Simulation -----------------------------------------------------------------------------------

def simulation_works(conn):
    """[(artwork id, artist id, medium key, dominant colour name, created_at)] of the public works."""
    return conn.execute(
        """SELECT a.id, a.artist_id, lower(trim(a.medium)),
                  (SELECT c.name FROM artwork_colours c WHERE c.artwork_id = a.id AND c.rank = 1), a.created_at
           FROM artworks a WHERE a.availability_status <> 'private' ORDER BY a.rowid""").fetchall()


def tag_ids_by_artwork(conn):
    found = {}
    for artwork_id, tag_id in conn.execute("SELECT artwork_id, tag_id FROM artwork_tags"):
        found.setdefault(artwork_id, set()).add(tag_id)
    return found


def next_simulated_number(conn):
    """One more than the highest sim_NNNNN reader so far (1 for the first)."""
    row = conn.execute("SELECT max(CAST(substr(username, 5) AS INTEGER)) FROM artists "
                       "WHERE email LIKE '%@simulated.invalid'").fetchone()
    return (row[0] or 0) + 1


def spread_uploads(conn, start, end):
    """Give every work a publication time spread evenly over [start, end], in upload order (an
    imported catalogue arrives all at once; simulated readers need works to have a past)."""
    ids = [row[0] for row in conn.execute("SELECT id FROM artworks ORDER BY created_at, rowid")]
    step = (end - start) / max(len(ids), 1)
    with transaction(conn):
        conn.executemany("UPDATE artworks SET created_at = ? WHERE id = ?",
                         [(timestamp(start + step * i), artwork_id) for i, artwork_id in enumerate(ids)])


def record_simulated(conn, user_id, views, likes, follows):
    """Write one simulated reader's page views, likes and follows ([(id, timestamp)] each), with
    the counters and analytics kept by the schema's triggers (and no notifications)."""
    with transaction(conn):
        conn.executemany("INSERT INTO artwork_views (artwork_id, viewer_key, kind, viewed_at) VALUES (?, ?, 'page', ?)",
                         [(artwork_id, user_id, at) for artwork_id, at in views])
        conn.executemany("INSERT OR IGNORE INTO artwork_likes (artwork_id, user_id, liked_at) VALUES (?, ?, ?)",
                         [(artwork_id, user_id, at) for artwork_id, at in likes])
        conn.executemany(
            "INSERT OR IGNORE INTO artist_follows (follower_id, following_id, followed_at) VALUES (?, ?, ?)",
            [(user_id, artist_id, at) for artist_id, at in follows])


# --- Feed snapshots -------------------------------------------------------------------------------

def save_feed_snapshot(conn, user_id, items):
    """Store a ranked feed and return its id. Snapshots older than a day go at the same time, and
    so do the reader's beyond their latest FEED_SNAPSHOTS_KEPT (a reader refreshing all day)."""
    snapshot_id = new_id()
    with transaction(conn):
        conn.execute("DELETE FROM feed_snapshots WHERE created_at < ?", (utc_now(-FEED_SNAPSHOT_LIFETIME),))
        conn.execute("""DELETE FROM feed_snapshots WHERE user_id = ? AND id NOT IN (
                            SELECT id FROM feed_snapshots WHERE user_id = ? ORDER BY created_at DESC LIMIT ?)""",
                     (user_id, user_id, FEED_SNAPSHOTS_KEPT - 1))
        conn.execute("INSERT INTO feed_snapshots (id, user_id, items) VALUES (?, ?, ?)",
                     (snapshot_id, user_id, json.dumps(items, separators=(",", ":"))))
    return snapshot_id


def feed_snapshot(conn, snapshot_id, user_id):
    """The items of user_id's snapshot, or None when it is gone or not theirs."""
    row = conn.execute("SELECT items FROM feed_snapshots WHERE id = ? AND user_id = ? AND created_at >= ?",
                       (snapshot_id, user_id, utc_now(-FEED_SNAPSHOT_LIFETIME))).fetchone()
    return json.loads(row[0]) if row else None


# --- Time -----------------------------------------------------------------------------------------

def timestamp(moment):
    """A datetime in the schema's timestamp format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_timestamp(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
