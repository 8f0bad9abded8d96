"""Galleries: an artist's ordered collections of their own works and other artists' public ones.

Positions run 1..n without gaps. Inserting or moving shifts the works in between, and a work
leaving the gallery (removed, or deleted altogether) closes its gap by trigger, so no code path
can leave a hole. Visibility: a private gallery exists for its owner only; an unlisted one opens
by id but is never listed for anyone else. Inside any gallery, a private artwork is shown to its
own artist only, so counts and covers are worked out per viewer.
"""

from store import artworks, new_id, transaction, utc_now

VISIBILITIES = ("public", "private", "unlisted")
MAX_ARTWORKS = 2000
PREVIEW_SIZE = 4
VIEW_WINDOW = artworks.PAGE_VIEW_WINDOW
UPDATABLE = ("name", "description", "theme", "visibility", "cover_artwork_id")

_COLUMNS = """
    g.id, g.artist_id, g.name, g.description, g.theme, g.visibility, g.cover_artwork_id, g.artwork_count,
    g.view_count, g.created_at, g.updated_at, u.username AS artist_username, u.artist_name AS artist_artist_name,
    u.profile_image_url AS artist_profile_image_url, u.account_type AS artist_account_type
"""
_FROM = "FROM galleries g JOIN artists u ON u.id = g.artist_id"

# A gallery row's works that `:viewer` may see (a private work only by its own artist).
_VISIBLE_WORKS = """
    FROM gallery_artworks ga JOIN artworks a ON a.id = ga.artwork_id
    WHERE ga.gallery_id = :gallery AND (a.availability_status <> 'private' OR a.artist_id IS :viewer)
"""


class GalleryError(ValueError):
    """A change the gallery cannot take; `field` names the request field at fault."""

    def __init__(self, message, field=None, conflict=False):
        super().__init__(message)
        self.field, self.conflict = field, conflict


def get_gallery(conn, gallery_id):
    row = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE g.id = ?", (gallery_id,)).fetchone()
    return dict(row) if row else None


def can_open(gallery, viewer_id):
    """Whether the viewer may open the gallery by id (unlisted ones included)."""
    return gallery["visibility"] != "private" or gallery["artist_id"] == viewer_id


def create_gallery(conn, artist_id, fields):
    """Create the gallery; a cover given at creation becomes its first work."""
    gallery_id, now = new_id(), utc_now()
    cover = fields.get("cover_artwork_id")
    with transaction(conn):
        conn.execute(
            "INSERT INTO galleries (id, artist_id, name, description, theme, visibility, created_at, updated_at) "
            "VALUES (:id, :artist_id, :name, :description, :theme, :visibility, :now, :now)",
            {"id": gallery_id, "artist_id": artist_id, "name": fields["name"], "description": fields.get("description"),
             "theme": fields.get("theme"), "visibility": fields.get("visibility") or "public", "now": now})
        if cover is not None:
            _insert_at(conn, gallery_id, cover, 1)
            conn.execute("UPDATE galleries SET cover_artwork_id = ? WHERE id = ?", (cover, gallery_id))
    return gallery_id


def update_gallery(conn, gallery_id, changes):
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    with transaction(conn):
        cover = changes.get("cover_artwork_id")
        if cover is not None and position_of(conn, gallery_id, cover) is None:
            raise GalleryError("must be an artwork in this gallery", "cover_artwork_id")
        assignments = ", ".join([f"{column} = :{column}" for column in changes] + ["updated_at = :updated_at"])
        conn.execute(f"UPDATE galleries SET {assignments} WHERE id = :id",
                     {**changes, "updated_at": utc_now(), "id": gallery_id})


def delete_gallery(conn, gallery_id):
    """The gallery and its placements go; the artworks stay."""
    with transaction(conn):
        return conn.execute("DELETE FROM galleries WHERE id = ?", (gallery_id,)).rowcount == 1


def position_of(conn, gallery_id, artwork_id):
    row = conn.execute("SELECT position FROM gallery_artworks WHERE gallery_id = ? AND artwork_id = ?",
                       (gallery_id, artwork_id)).fetchone()
    return row[0] if row else None


def _size(conn, gallery_id):
    return conn.execute("SELECT count(*) FROM gallery_artworks WHERE gallery_id = ?", (gallery_id,)).fetchone()[0]


def _insert_at(conn, gallery_id, artwork_id, position):
    conn.execute("UPDATE gallery_artworks SET position = position + 1 WHERE gallery_id = ? AND position >= ?",
                 (gallery_id, position))
    conn.execute("INSERT INTO gallery_artworks (gallery_id, artwork_id, position) VALUES (?, ?, ?)",
                 (gallery_id, artwork_id, position))


def _touch(conn, gallery_id):
    conn.execute("UPDATE galleries SET updated_at = ? WHERE id = ?", (utc_now(), gallery_id))


def add_artwork(conn, gallery_id, artwork_id, position=None):
    """Place the artwork at `position` (default: last), shifting the works from there on down one.

    Returns the position it took. The caller checks that the adder may show this artwork.
    """
    with transaction(conn):
        if position_of(conn, gallery_id, artwork_id) is not None:
            raise GalleryError("This artwork is in the gallery already; move it instead.", "artwork_id",
                               conflict=True)
        size = _size(conn, gallery_id)
        if size >= MAX_ARTWORKS:
            raise GalleryError(f"A gallery holds at most {MAX_ARTWORKS} artworks.", "artwork_id", conflict=True)
        position = size + 1 if position is None else position
        if not 1 <= position <= size + 1:
            raise GalleryError(f"must be between 1 and {size + 1}", "position")
        _insert_at(conn, gallery_id, artwork_id, position)
        _touch(conn, gallery_id)
    return position


def move_artwork(conn, gallery_id, artwork_id, position):
    """Move a work to `position`; the works it passes shift by one to close and open the gap."""
    with transaction(conn):
        current = position_of(conn, gallery_id, artwork_id)
        if current is None:
            raise LookupError(artwork_id)
        size = _size(conn, gallery_id)
        if not 1 <= position <= size:
            raise GalleryError(f"must be between 1 and {size}", "position")
        if position < current:
            conn.execute("UPDATE gallery_artworks SET position = position + 1 "
                         "WHERE gallery_id = ? AND position >= ? AND position < ?", (gallery_id, position, current))
        elif position > current:
            conn.execute("UPDATE gallery_artworks SET position = position - 1 "
                         "WHERE gallery_id = ? AND position > ? AND position <= ?", (gallery_id, current, position))
        conn.execute("UPDATE gallery_artworks SET position = ? WHERE gallery_id = ? AND artwork_id = ?",
                     (position, gallery_id, artwork_id))
        _touch(conn, gallery_id)


def remove_artwork(conn, gallery_id, artwork_id):
    """Take a work out (the trigger closes the gap); False when it was not there."""
    with transaction(conn):
        removed = conn.execute("DELETE FROM gallery_artworks WHERE gallery_id = ? AND artwork_id = ?",
                               (gallery_id, artwork_id)).rowcount == 1
        if removed:
            _touch(conn, gallery_id)
    return removed


def list_galleries(conn, *, artist_id, viewer_id, visibility=None, limit=20, offset=0):
    """(galleries, total) of one artist: all of them for the owner, the public ones for anyone else."""
    where = ["g.artist_id = :artist"]
    if viewer_id != artist_id:
        where.append("g.visibility = 'public'")
    if visibility:
        where.append("g.visibility = :visibility")
    clause = " AND ".join(where)
    params = {"artist": artist_id, "visibility": visibility, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) FROM galleries g WHERE {clause}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE {clause} "
                        "ORDER BY g.updated_at DESC, g.id LIMIT :limit OFFSET :offset", params)
    return [dict(row) for row in rows], total


def visible_count(conn, gallery_id, viewer_id):
    return conn.execute(f"SELECT count(*) {_VISIBLE_WORKS}", {"gallery": gallery_id, "viewer": viewer_id}).fetchone()[0]


def preview(conn, gallery, viewer_id):
    """(cover artwork id or None, the first PREVIEW_SIZE work ids) as the viewer may see them.

    The cover is the chosen one while the viewer may see it, otherwise the first visible work.
    """
    first = [row[0] for row in conn.execute(
        f"SELECT ga.artwork_id {_VISIBLE_WORKS} ORDER BY ga.position LIMIT :limit",
        {"gallery": gallery["id"], "viewer": viewer_id, "limit": PREVIEW_SIZE})]
    cover = gallery["cover_artwork_id"]
    if cover is not None:
        row = conn.execute("SELECT availability_status, artist_id FROM artworks WHERE id = ?", (cover,)).fetchone()
        if row is None or not artworks.is_visible(row, viewer_id):
            cover = None
    return cover or (first[0] if first else None), first


def gallery_artworks(conn, gallery_id, viewer_id, *, limit=20, offset=0):
    """[(position, artwork id, added_at)] of a page of the works the viewer may see, in position order
    (statistics() counts them)."""
    params = {"gallery": gallery_id, "viewer": viewer_id, "limit": limit, "offset": offset}
    rows = conn.execute(f"SELECT ga.position, ga.artwork_id, ga.added_at {_VISIBLE_WORKS} "
                        "ORDER BY ga.position LIMIT :limit OFFSET :offset", params)
    return [tuple(row) for row in rows]


def statistics(conn, gallery, viewer_id):
    """Totals over the works the viewer may see, and the gallery's own views."""
    row = conn.execute(
        f"SELECT count(*), coalesce(sum(a.view_count), 0), coalesce(sum(a.like_count), 0), "
        f"coalesce(sum(a.comment_count), 0) {_VISIBLE_WORKS}",
        {"gallery": gallery["id"], "viewer": viewer_id}).fetchone()
    return {"artwork_count": row[0], "view_count": gallery["view_count"], "artwork_views": row[1],
            "artwork_likes": row[2], "artwork_comments": row[3]}


def record_view(conn, gallery_id, viewer_key, window=VIEW_WINDOW):
    """Count a view unless this viewer's last one is within `window`; one statement, as for artworks."""
    cursor = conn.execute(
        """
        INSERT INTO gallery_views (gallery_id, viewer_key)
        SELECT :gallery, :viewer
        WHERE NOT EXISTS (SELECT 1 FROM gallery_views
                          WHERE gallery_id = :gallery AND viewer_key = :viewer AND viewed_at >= :since)
        """, {"gallery": gallery_id, "viewer": viewer_key, "since": utc_now(-window)})
    return cursor.rowcount == 1
