"""Denormalised counters and the rows they count: checking and repairing them.

Triggers keep every counter exact; this is the audit for a database edited by hand, restored
from a partial backup, or written by a bug. View counts are left out on purpose: they count a
history that may be pruned, not rows that must exist.
"""

from store import transaction

# name: (table, counter column, what it must equal, as SQL correlated on the table's name)
COUNTERS = {
    "artists.artwork_count": (
        "artists", "artwork_count", "SELECT count(*) FROM artworks x WHERE x.artist_id = artists.id"),
    "artists.follower_count": (
        "artists", "follower_count", "SELECT count(*) FROM artist_follows x WHERE x.following_id = artists.id"),
    "artists.following_count": (
        "artists", "following_count", "SELECT count(*) FROM artist_follows x WHERE x.follower_id = artists.id"),
    "artworks.like_count": (
        "artworks", "like_count", "SELECT count(*) FROM artwork_likes x WHERE x.artwork_id = artworks.id"),
    "artworks.comment_count": (
        "artworks", "comment_count",
        "SELECT count(*) FROM artwork_comments x WHERE x.artwork_id = artworks.id AND x.deleted_at IS NULL"),
    "artworks.share_count": (
        "artworks", "share_count", "SELECT count(*) FROM artwork_shares x WHERE x.artwork_id = artworks.id"),
    "galleries.artwork_count": (
        "galleries", "artwork_count", "SELECT count(*) FROM gallery_artworks x WHERE x.gallery_id = galleries.id"),
    "tags.usage_count": (
        "tags", "usage_count", "SELECT count(*) FROM artwork_tags x WHERE x.tag_id = tags.id"),
    "categories.artwork_count": (
        "categories", "artwork_count", "SELECT count(*) FROM artworks x WHERE x.category_id = categories.id"),
    "categories.public_artwork_count": (
        "categories", "public_artwork_count",
        "SELECT count(*) FROM artworks x WHERE x.category_id = categories.id AND x.availability_status <> 'private'"),
}


def check(conn, names=None):
    """{counter name: [(row id, stored, actual), ...]} for every row whose counter is wrong."""
    found = {}
    for name in names or COUNTERS:
        table, column, actual = COUNTERS[name]
        found[name] = [tuple(row) for row in conn.execute(
            f"SELECT id, {column}, ({actual}) AS actual FROM {table} WHERE {column} IS NOT ({actual}) ORDER BY id")]
    return found


def fix(conn, names=None):
    """Set every wrong counter to its count, in one transaction; returns {counter name: rows fixed}."""
    fixed = {}
    with transaction(conn):
        for name in names or COUNTERS:
            table, column, actual = COUNTERS[name]
            fixed[name] = conn.execute(
                f"UPDATE {table} SET {column} = ({actual}) WHERE {column} IS NOT ({actual})").rowcount
    return fixed
