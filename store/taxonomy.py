"""Categories (a tree of disciplines and a list of mediums) and tags."""

import sqlite3
from datetime import timedelta

from store import escape_like, is_rowid, utc_now

CATEGORY_KINDS = ("category", "medium")
MAX_TAGS = 20
MAX_TAG_LENGTH = 32


class CategoryNameTaken(ValueError):
    pass


# --- Categories ------------------------------------------------------------------------------

def category_tree(conn, kind=None):
    """Root categories with nested `children`, each with its usage counts; ordered by name.

    artwork_count counts public works filed directly under a category; total_artwork_count adds
    its descendants. A medium's count is of public works whose medium text names it. Private works
    are never counted: the counts are shown to everybody.
    """
    rows = [dict(row) for row in conn.execute(
        """
        SELECT c.id, c.name, c.description, c.kind, c.parent_id, c.created_at,
               CASE c.kind WHEN 'medium'
                    THEN (SELECT count(*) FROM artworks a WHERE a.medium = c.name COLLATE NOCASE
                          AND a.availability_status <> 'private')
                    ELSE c.public_artwork_count END AS artwork_count
        FROM categories c
        WHERE :kind IS NULL OR c.kind = :kind
        ORDER BY c.name COLLATE NOCASE
        """, {"kind": kind})]
    by_id = {row["id"]: {**row, "children": []} for row in rows}
    roots = []
    for node in by_id.values():
        parent = by_id.get(node["parent_id"])
        (parent["children"] if parent else roots).append(node)
    for root in roots:
        _add_totals(root)
    return roots, len(rows)


def _add_totals(node):
    node["total_artwork_count"] = node["artwork_count"] + sum(_add_totals(child) for child in node["children"])
    return node["total_artwork_count"]


def get_category(conn, category_id):
    if not is_rowid(category_id):
        return None  # no row has an id past SQLite's 64-bit range
    row = conn.execute("SELECT id, name, description, kind, parent_id, public_artwork_count AS artwork_count, "
                       "created_at FROM categories WHERE id = ?", (category_id,)).fetchone()
    return dict(row) if row else None


def find_category(conn, id_or_name):
    """A category by id (digits) or by name, case-insensitively; None if there is none."""
    text = str(id_or_name).strip()
    if text.isascii() and text.isdigit():
        return get_category(conn, int(text))
    row = conn.execute("SELECT id FROM categories WHERE name = ?", (text,)).fetchone()
    return get_category(conn, row["id"]) if row else None


def with_descendants(conn, category_id):
    """The category's id and all of its descendants' ids."""
    return [row[0] for row in conn.execute(
        """
        WITH RECURSIVE tree(id) AS (
            SELECT ?
            UNION SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id
        )
        SELECT id FROM tree
        """, (category_id,))]


def create_category(conn, *, name, description=None, parent_id=None, kind="category"):
    try:
        cursor = conn.execute("INSERT INTO categories (name, description, parent_id, kind) VALUES (?, ?, ?, ?)",
                              (name, description, parent_id, kind))
    except sqlite3.IntegrityError as error:
        if "UNIQUE" in str(error):
            raise CategoryNameTaken(name) from error
        raise
    return get_category(conn, cursor.lastrowid)


# --- Tags ------------------------------------------------------------------------------------

def normalise_tag(raw):
    """Trimmed, lower-case, inner whitespace collapsed; None for an empty tag."""
    tag = " ".join(str(raw).split()).lower()
    return tag or None


def set_tags(conn, artwork_id, names, source="artist"):
    """Replace the artwork's tags of one source; tags no artwork uses any more are deleted."""
    old_ids = [row[0] for row in conn.execute(
        "SELECT tag_id FROM artwork_tags WHERE artwork_id = ? AND source = ?", (artwork_id, source))]
    conn.execute("DELETE FROM artwork_tags WHERE artwork_id = ? AND source = ?", (artwork_id, source))
    for name in names:
        conn.execute("INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING", (name,))
        conn.execute(
            "INSERT INTO artwork_tags (artwork_id, tag_id, source) SELECT ?, id, ? FROM tags WHERE name = ? "
            "ON CONFLICT (artwork_id, tag_id) DO NOTHING", (artwork_id, source, name))
    drop_unused_tags(conn, old_ids)


def drop_unused_tags(conn, tag_ids):
    conn.executemany("DELETE FROM tags WHERE id = ? AND usage_count = 0", [(tag_id,) for tag_id in tag_ids])


def tags_on_public_works(conn, names):
    """The subset of tag `names` that at least one public work carries now."""
    if not names:
        return set()
    marks = ", ".join("?" * len(names))
    return {row[0] for row in conn.execute(
        f"""SELECT DISTINCT t.name FROM tags t JOIN artwork_tags at ON at.tag_id = t.id
            JOIN artworks a ON a.id = at.artwork_id AND a.availability_status <> 'private'
            WHERE t.name IN ({marks})""", list(names))}


def tags_of(conn, artwork_ids):
    """{artwork_id: {"tags": [...], "colour_tags": [...]}} in name order."""
    result = {artwork_id: {"tags": [], "colour_tags": []} for artwork_id in artwork_ids}
    if not artwork_ids:
        return result
    marks = ", ".join("?" * len(artwork_ids))
    for row in conn.execute(
            f"SELECT at.artwork_id, at.source, t.name FROM artwork_tags at JOIN tags t ON t.id = at.tag_id "
            f"WHERE at.artwork_id IN ({marks}) ORDER BY t.name", list(artwork_ids)):
        result[row["artwork_id"]]["tags" if row["source"] == "artist" else "colour_tags"].append(row["name"])
    return result


def tag_usage(conn, *, prefix=None, days=7):
    """Every tag public works use, with its usage, in one pass over the taggings.

    Private artworks neither count nor reveal their tags. recent_uses and previous_uses count
    taggings in the last `days` and the `days` before; growth is (recent + 1) / (previous + 1),
    so a tag going from 0 to 5 outranks one going from 100 to 104. One pass serves every sort
    (see rank_tags), so the tags route computes it once for its page and its trending preview.
    """
    escaped = escape_like(prefix) if prefix else None
    rows = conn.execute(
        """
        SELECT t.id, t.name, count(*) AS usage_count,
               sum(at.tagged_at >= :since AND at.tagged_at <= :now) AS recent_uses,
               sum(at.tagged_at >= :before AND at.tagged_at < :since) AS previous_uses
        FROM tags t
        JOIN artwork_tags at ON at.tag_id = t.id
        JOIN artworks a ON a.id = at.artwork_id AND a.availability_status <> 'private'
        WHERE :prefix IS NULL OR t.name LIKE :prefix || '%' ESCAPE '\\'
        GROUP BY t.id
        """,
        {"since": utc_now(-timedelta(days=days)), "before": utc_now(-timedelta(days=2 * days)),
         "now": utc_now(), "prefix": escaped})
    return [{**dict(row), "growth": round((row["recent_uses"] + 1) / (row["previous_uses"] + 1), 3)}
            for row in rows]


TAG_SORTS = {
    "popular": lambda tag: (-tag["usage_count"], tag["name"]),
    "name": lambda tag: tag["name"],
    "trending": lambda tag: (-tag["growth"], -tag["recent_uses"], -tag["usage_count"], tag["name"]),
}


def rank_tags(usage, sort="popular"):
    """tag_usage() rows in `sort` order; trending keeps only tags used more than the period before."""
    if sort == "trending":
        usage = [tag for tag in usage if tag["recent_uses"] > tag["previous_uses"]]
    return sorted(usage, key=TAG_SORTS[sort])
