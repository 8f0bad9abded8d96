"""Artist profiles, portfolio settings and the portfolio overview."""

import json

from imaging import watermark
from store import escape_like, transaction, utc_now

THEMES = ("minimal", "classic", "dark", "bold", "editorial", "monochrome")
LAYOUTS = ("grid", "masonry", "slideshow")
# The positions the watermark engine knows how to draw.
WATERMARK_POSITIONS = watermark.POSITIONS

_ACCOUNT_COLUMNS = (
    "id, username, email, artist_name, bio, location, specialties, social_links, contact_info, "
    "profile_image_url, account_type, role, created_at, updated_at, last_login_at, "
    "follower_count, following_count, artwork_count, critiques_given, helpful_received, "
    # One pass over the artist's works for every total; strangers get the public_ ones.
    "(SELECT json_object("
    "   'public_artwork_count', count(*) FILTER (WHERE w.availability_status <> 'private'),"
    "   'likes_received', coalesce(sum(w.like_count), 0),"
    "   'public_likes_received', coalesce(sum(w.like_count) FILTER (WHERE w.availability_status <> 'private'), 0),"
    "   'shares_received', coalesce(sum(w.share_count), 0),"
    "   'public_shares_received', coalesce(sum(w.share_count) FILTER (WHERE w.availability_status <> 'private'), 0))"
    " FROM artworks w WHERE w.artist_id = artists.id) AS artwork_totals"
)
# Columns a profile update may write; the keys double as the allow-list for building SQL.
_PROFILE_COLUMNS = ("artist_name", "bio", "location", "specialties", "social_links", "contact_info",
                    "profile_image_url")
_SETTINGS_COLUMNS = ("theme", "layout", "accent_color", "featured_gallery_id", "watermark_enabled",
                     "watermark_text", "watermark_opacity", "watermark_position", "open_for_commissions",
                     "listed_in_directory", "message_previews")
_JSON_COLUMNS = ("specialties", "social_links")
_BOOL_COLUMNS = ("watermark_enabled", "open_for_commissions", "listed_in_directory", "message_previews")
# An account that chose to stay out of the directory (portfolio_settings.listed_in_directory).
UNLISTED = "id IN (SELECT artist_id FROM portfolio_settings WHERE listed_in_directory = 0)"

ACCOUNT_SORTS = {
    "newest": "created_at DESC, id",
    "oldest": "created_at ASC, id",
    "name": "artist_name COLLATE NOCASE ASC, id",
    "followers": "follower_count DESC, created_at DESC, id",
}


def _account(row):
    if row is None:
        return None
    account = dict(row)
    for column in _JSON_COLUMNS:
        account[column] = json.loads(account[column])
    account.update(json.loads(account.pop("artwork_totals")))
    return account


def get_account(conn, artist_id):
    """Every column of an account but its password hash, JSON columns decoded; None if absent."""
    return _account(conn.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM artists WHERE id = ?", (artist_id,)).fetchone())


def get_settings(conn, artist_id):
    row = conn.execute("SELECT * FROM portfolio_settings WHERE artist_id = ?", (artist_id,)).fetchone()
    settings = dict(row)
    for column in _BOOL_COLUMNS:
        settings[column] = bool(settings[column])
    return settings


def portfolio_totals(conn, artist_id):
    """Dashboard totals that get_account() does not carry: galleries and views."""
    row = conn.execute(
        """
        SELECT (SELECT count(*) FROM galleries WHERE artist_id = :id) AS gallery_count,
               coalesce(sum(view_count), 0) AS total_views
          FROM artworks WHERE artist_id = :id
        """,
        {"id": artist_id},
    ).fetchone()
    return dict(row)


def public_overview(conn, artist_id, limit=6):
    """What anyone may see of a portfolio beyond the account row: top works and the public galleries' count."""
    gallery_count = conn.execute(
        "SELECT count(*) FROM galleries WHERE artist_id = ? AND visibility = 'public'", (artist_id,)
    ).fetchone()[0]
    featured = conn.execute(
        "SELECT id, title, medium, like_count, view_count, created_at FROM artworks "
        "WHERE artist_id = ? AND availability_status <> 'private' "
        "ORDER BY like_count DESC, view_count DESC, created_at DESC, id LIMIT ?",
        (artist_id, limit),
    ).fetchall()
    return {"gallery_count": gallery_count, "featured_artworks": [dict(row) for row in featured]}


def gallery_owner_id(conn, gallery_id):
    row = conn.execute("SELECT artist_id FROM galleries WHERE id = ?", (gallery_id,)).fetchone()
    return row["artist_id"] if row else None


def _set_clause(fields, allowed):
    """`a = :a, b = :b, updated_at = :updated_at` for the given columns, all checked against `allowed`."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    return ", ".join([f"{column} = :{column}" for column in fields] + ["updated_at = :updated_at"])


def update_profile(conn, artist_id, profile=None, settings=None):
    """Write the given profile columns and portfolio settings together; absent keys stay as they are."""
    profile = {k: (json.dumps(v) if k in _JSON_COLUMNS else v) for k, v in (profile or {}).items()}
    settings = {k: (int(v) if k in _BOOL_COLUMNS else v) for k, v in (settings or {}).items()}
    stamp = {"updated_at": utc_now(), "artist_id": artist_id}
    with transaction(conn):
        conn.execute(
            f"UPDATE artists SET {_set_clause(profile, _PROFILE_COLUMNS)} WHERE id = :artist_id",
            {**profile, **stamp},
        )
        if settings:
            conn.execute(
                f"UPDATE portfolio_settings SET {_set_clause(settings, _SETTINGS_COLUMNS)} "
                "WHERE artist_id = :artist_id",
                {**settings, **stamp},
            )


def accounts_by_id(conn, artist_ids):
    """{id: account} for those of artist_ids that exist, as get_account() shapes them."""
    if not artist_ids:
        return {}
    marks = ", ".join("?" * len(artist_ids))
    rows = conn.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM artists WHERE id IN ({marks})", list(artist_ids))
    return {row["id"]: _account(row) for row in rows}


def list_accounts(conn, *, limit, offset, sort="newest", account_type=None, location=None):
    """(accounts, total) for the directory, filtered by type and a location substring; accounts
    that asked to be left out of it are."""
    where, params = [f"NOT {UNLISTED}"], {}
    if account_type:
        where.append("account_type = :account_type")
        params["account_type"] = account_type
    if location:
        where.append("location LIKE :location ESCAPE '\\'")
        escaped = escape_like(location)
        params["location"] = f"%{escaped}%"
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    total = conn.execute(f"SELECT count(*) FROM artists {clause}", params).fetchone()[0]
    # Choose the page first: otherwise SQLite computes the per-row subqueries for every match before sorting.
    rows = conn.execute(
        f"WITH page AS (SELECT id FROM artists {clause} ORDER BY {ACCOUNT_SORTS[sort]} "
        "               LIMIT :limit OFFSET :offset) "
        f"SELECT {_ACCOUNT_COLUMNS} FROM artists JOIN page USING (id) ORDER BY {ACCOUNT_SORTS[sort]}",
        {**params, "limit": limit, "offset": offset},
    ).fetchall()
    return [_account(row) for row in rows], total
