"""Search-as-you-type completions: artwork titles, tags, artists and categories.

Each kind answers from its own index with the typed text as a prefix (the last word) and
earlier words required. Private works never lend a title or a tag to anyone but their artist.
"""

from search.query import match_expression, parse, term_expression
from store import escape_like

MIN_LENGTH = 2
# Title matches are ranked by likes among the first matches FTS5 yields; enough for a dropdown.
TITLE_SCAN = 500


def suggest(conn, text, *, viewer_id=None, limit=5):
    """{"titles", "tags", "artists", "categories"}: up to `limit` completions of each kind."""
    query = parse(text)
    typed = " ".join(" ".join(term) for term in query.terms)
    empty = {"titles": [], "tags": [], "artists": [], "categories": []}
    if len(typed) < MIN_LENGTH:
        return empty
    terms = [term_expression(term, prefix=i == len(query.terms) - 1 and len(term) == 1)
             for i, term in enumerate(query.terms)]
    expression = match_expression(terms)
    return {
        "titles": _titles(conn, expression, viewer_id, limit),
        "tags": _tags(conn, typed, viewer_id, limit),
        "artists": _artists(conn, expression, limit),
        "categories": _categories(conn, typed, limit),
    }


def _titles(conn, expression, viewer_id, limit):
    rows = conn.execute(
        f"""
        WITH hits AS (SELECT rowid FROM artworks_fts WHERE artworks_fts MATCH :expression LIMIT {TITLE_SCAN})
        SELECT a.id, a.title, ar.artist_name FROM hits
        JOIN search_documents d ON d.doc_id = hits.rowid
        JOIN artworks a ON a.id = d.artwork_id
        JOIN artists ar ON ar.id = a.artist_id
        WHERE a.availability_status <> 'private' OR a.artist_id = :viewer
        ORDER BY a.like_count DESC, a.view_count DESC, a.created_at DESC
        LIMIT :limit
        """, {"expression": "title : (" + expression + ")", "viewer": viewer_id, "limit": limit})
    return [{"id": row["id"], "text": row["title"], "artist_name": row["artist_name"]} for row in rows]


def _tags(conn, typed, viewer_id, limit):
    escaped = escape_like(typed)
    rows = conn.execute(
        """
        SELECT t.name, count(*) AS uses FROM tags t
        JOIN artwork_tags at ON at.tag_id = t.id
        JOIN artworks a ON a.id = at.artwork_id AND (a.availability_status <> 'private' OR a.artist_id = :viewer)
        WHERE t.name LIKE :prefix ESCAPE '\\'
        GROUP BY t.id ORDER BY uses DESC, t.name LIMIT :limit
        """, {"prefix": escaped + "%", "viewer": viewer_id, "limit": limit})
    return [{"text": row["name"], "count": row["uses"]} for row in rows]


def _artists(conn, expression, limit):
    rows = conn.execute(
        """
        SELECT ar.id, ar.username, ar.artist_name, ar.follower_count FROM artists_fts f
        JOIN artist_search_documents d ON d.doc_id = f.rowid
        JOIN artists ar ON ar.id = d.artist_id
        WHERE artists_fts MATCH :expression AND ar.account_type = 'artist'
              AND ar.id NOT IN (SELECT artist_id FROM portfolio_settings WHERE listed_in_directory = 0)
        ORDER BY ar.follower_count DESC, ar.artist_name LIMIT :limit
        """, {"expression": "{username artist_name} : (" + expression + ")", "limit": limit})
    return [{"id": row["id"], "text": row["artist_name"], "username": row["username"],
             "follower_count": row["follower_count"]} for row in rows]


def _categories(conn, typed, limit):
    escaped = escape_like(typed)
    rows = conn.execute(
        """
        SELECT id, name, kind FROM categories
        WHERE name LIKE :prefix ESCAPE '\\' OR name LIKE :word ESCAPE '\\'
        ORDER BY name LIKE :prefix ESCAPE '\\' DESC, artwork_count DESC, name LIMIT :limit
        """, {"prefix": escaped + "%", "word": "% " + escaped + "%", "limit": limit})
    return [{"id": row["id"], "text": row["name"], "category_kind": row["kind"]} for row in rows]
