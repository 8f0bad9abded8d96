"""Artist search: FTS5 bm25 over accounts, nudged by followers.

Accounts are few next to artworks, so FTS5 ranks them itself. A follower count multiplies the
relevance by 1 + 0.1 ln(1 + followers): 100 followers lift a match by half, never past a much
better match.
"""

from search.highlight import FTS_CLOSE, FTS_OPEN
from search.query import match_expression, parse, term_expression

# username, artist_name, bio, location, specialties
COLUMN_WEIGHTS = (4.0, 8.0, 1.0, 2.0, 3.0)
_ARTIST_COLUMNS = """
    ar.id, ar.username, ar.artist_name, ar.bio, ar.location, ar.specialties, ar.profile_image_url,
    ar.follower_count, ar.artwork_count, ar.created_at
"""


def expression_for(text):
    """The MATCH text for artists: every word, the last one also as a prefix."""
    query = parse(text)
    required = [term_expression(term, prefix=i == query.prefix_at) for i, term in enumerate(query.terms)]
    return match_expression(required, [term_expression(term) for term in query.excluded])


# Accounts that asked to stay out of the directory (portfolio_settings.listed_in_directory).
_UNLISTED = "SELECT artist_id FROM portfolio_settings WHERE listed_in_directory = 0"


def search_artists(conn, expression, *, offset=0, limit=20):
    """(rows, total) of artist accounts matching `expression` (None: every artist, most followed first)."""
    if expression is None:
        listed = f"account_type = 'artist' AND id NOT IN ({_UNLISTED})"
        total = conn.execute(f"SELECT count(*) FROM artists WHERE {listed}").fetchone()[0]
        rows = conn.execute(f"SELECT {_ARTIST_COLUMNS}, NULL AS highlighted_name FROM artists ar "
                            f"WHERE {listed} ORDER BY follower_count DESC, created_at, id "
                            "LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return rows, total
    weights = ", ".join(str(w) for w in COLUMN_WEIGHTS)
    matches = f"""
        FROM artists_fts f
        JOIN artist_search_documents d ON d.doc_id = f.rowid
        JOIN artists ar ON ar.id = d.artist_id
        WHERE artists_fts MATCH :expression AND ar.account_type = 'artist'
              AND ar.id NOT IN ({_UNLISTED})
    """
    total = conn.execute(f"SELECT count(*) {matches}", {"expression": expression}).fetchone()[0]
    rows = conn.execute(
        f"""
        SELECT {_ARTIST_COLUMNS}, highlight(artists_fts, 1, :open, :close) AS highlighted_name
        {matches}
        ORDER BY bm25(artists_fts, {weights}) * (1 + 0.1 * ln(1 + ar.follower_count)), ar.id
        LIMIT :limit OFFSET :offset
        """, {"expression": expression, "limit": limit, "offset": offset, "open": FTS_OPEN,
              "close": FTS_CLOSE}).fetchall()
    return rows, total
