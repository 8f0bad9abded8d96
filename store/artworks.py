"""Artworks: rows, their image files and analysis, listing, views and deletion."""

import functools
import json
import logging
import re
import sqlite3
from datetime import timedelta
from pathlib import PurePath

import numpy as np
import PIL

import imaging
from imaging import derivatives, fingerprint, keypoints, vocabulary
from imaging.pipeline import Processed
from store import after_rollback, new_id, taxonomy, transaction, utc_now
from store.media import DISK_FULL, MediaStore

log = logging.getLogger("easel")

AVAILABILITY = ("available", "sold", "exhibition", "private")
# Columns a create or an update may write; the tuple doubles as the allow-list for building SQL.
EDITABLE = ("title", "description", "medium", "dimensions", "creation_date", "price", "currency",
            "availability_status", "category_id", "edition_size")
# Set by PUT only (an upload never asks for critique); critique_questions is a JSON array.
CRITIQUE_FIELDS = ("critique_requested", "critique_questions")
PAGE_VIEW_WINDOW = timedelta(minutes=30)

# The list price in the conversion table's base currency (currency_rates, from CURRENCY_RATES):
# what price sorts and filters compare, so that €1,200 and $5,000 fall in their true order. NULL
# (sorted last, never inside a price filter) for a currency the table has no rate for. A database
# the app never opened has no table yet: its prices compare as they are.
RATE_OF_CURRENCY = ("coalesce((SELECT r.rate FROM currency_rates r WHERE r.currency = a.currency), "
                    "(SELECT CASE WHEN count(*) = 0 THEN 1.0 END FROM currency_rates))")
BASE_PRICE = f"(a.price * {RATE_OF_CURRENCY})"

ARTWORK_SORTS = {
    "newest": "a.created_at DESC, a.id",
    "oldest": "a.created_at ASC, a.id",
    "popular": "a.like_count DESC, a.view_count DESC, a.created_at DESC, a.id",
    "price_asc": f"{BASE_PRICE} IS NULL, {BASE_PRICE} ASC, a.created_at DESC, a.id",
    "price_desc": f"{BASE_PRICE} IS NULL, {BASE_PRICE} DESC, a.created_at DESC, a.id",
    "title": "a.title COLLATE NOCASE ASC, a.id",
}

_COLUMNS = """
    a.id, a.artist_id, a.title, a.description, a.medium, a.dimensions, a.creation_date, a.price,
    a.currency, a.availability_status, a.category_id, a.image_path, a.thumbnail_path, a.file_size,
    a.image_width, a.image_height, a.image_sha256, a.image_format, a.view_count, a.image_view_count,
    a.like_count, a.comment_count, a.share_count, a.exif, a.quality, a.quality_score, a.created_at, a.updated_at,
    a.edition_size, a.editions_remaining, a.critique_requested, a.critique_questions, a.critique_count,
    ar.username AS artist_username, ar.artist_name, ar.profile_image_url AS artist_profile_image_url,
    c.name AS category_name, c.kind AS category_kind,
    (SELECT hex FROM artwork_colours ac WHERE ac.artwork_id = a.id AND ac.rank = 1) AS dominant_colour
"""
_FROM = """
    FROM artworks a
    JOIN artists ar ON ar.id = a.artist_id
    LEFT JOIN categories c ON c.id = a.category_id
"""


def _artwork(row):
    if row is None:
        return None
    artwork = dict(row)
    artwork["exif"] = json.loads(artwork["exif"])
    artwork["quality"] = json.loads(artwork["quality"])
    artwork["critique_questions"] = json.loads(artwork["critique_questions"])
    return artwork


# --- Creating --------------------------------------------------------------------------------

def create_artwork(conn: sqlite3.Connection, media: MediaStore, artist_id: str, fields: dict, tags: list[str],
                   processed: Processed, data: bytes) -> str:
    """insert_artwork() in a transaction of its own; returns the new artwork's id."""
    with transaction(conn):
        return insert_artwork(conn, media, artist_id, fields, tags, processed, data)


def insert_artwork(conn: sqlite3.Connection, media: MediaStore, artist_id: str, fields: dict, tags: list[str],
                   processed: Processed, data: bytes) -> str:
    """Inside the caller's write: insert an artwork with its analysis and tags, and write its files.

    processed: imaging.process(data); data: the uploaded bytes, kept as the original.
    Files are written inside the write transaction: a concurrent delete of the last artwork
    sharing these files holds the same lock, so it cannot remove them between our check and
    our commit. If the write rolls back, the files this call created are removed again.
    """
    artwork_id = new_id()
    _insert_rows(conn, media, artwork_id, artist_id, fields, tags, processed)
    original = media.original(processed.sha256, processed.extension)
    for path, content in [(original, data), *_rendition_files(media, processed)]:
        if media.write(path, content):
            after_rollback(conn, functools.partial(media.remove, path))
    return artwork_id


def _rendition_files(media, processed):
    return [(media.rendition(processed.sha256, f"{size}.{derivatives.EXTENSIONS[fmt]}"), data)
            for (size, fmt), data in processed.renditions.items()]


def _insert_rows(conn, media, artwork_id, artist_id, fields, tags, processed):
    values = {column: fields.get(column) for column in EDITABLE}
    values["availability_status"] = values["availability_status"] or "available"
    values["currency"] = values["currency"] or "USD"
    conn.execute(
        f"""
        INSERT INTO artworks (id, artist_id, {", ".join(EDITABLE)}, image_path, thumbnail_path, file_size,
                              image_width, image_height, image_sha256, image_format, exif, quality,
                              quality_score)
        VALUES (:id, :artist_id, {", ".join(":" + c for c in EDITABLE)}, :image_path, :thumbnail_path,
                :file_size, :width, :height, :sha, :mime, :exif, :quality, :score)
        """,
        {**values, "id": artwork_id, "artist_id": artist_id,
         "image_path": str(media.original(processed.sha256, processed.extension)),
         "thumbnail_path": str(media.rendition(processed.sha256, "medium.jpg")), "file_size": processed.file_size,
         "width": processed.width, "height": processed.height, "sha": processed.sha256, "mime": processed.mime,
         "exif": json.dumps(processed.exif), "quality": json.dumps(processed.quality),
         "score": processed.quality["score"]},
    )
    hashes = processed.hashes
    conn.execute(
        "INSERT INTO image_features (artwork_id, phash, dhash, whash, colorhash, histogram) VALUES (?, ?, ?, ?, ?, ?)",
        (artwork_id, hashes["phash"], hashes["dhash"], hashes["whash"], hashes["colorhash"],
         processed.histogram.astype("<f4").tobytes()))
    store_fingerprint(conn, artwork_id, processed.fingerprint)
    store_keypoints(conn, artwork_id, processed.keypoints, processed.words)
    conn.executemany(
        "INSERT INTO artwork_colours (artwork_id, rank, hex, share, name) VALUES (?, ?, ?, ?, ?)",
        [(artwork_id, rank, c["hex"], c["share"], c["name"]) for rank, c in enumerate(processed.palette, 1)])
    taxonomy.set_tags(conn, artwork_id, tags, source="artist")
    taxonomy.set_tags(conn, artwork_id, processed.colour_tags, source="colour")


def store_fingerprint(conn, artwork_id, prints):
    conn.execute(
        "INSERT OR REPLACE INTO image_fingerprints (artwork_id, full_dct, full_gradient, centre_dct, "
        "centre_gradient, colour) VALUES (?, ?, ?, ?, ?, ?)",
        (artwork_id, prints.full_dct, prints.full_gradient, prints.centre_dct, prints.centre_gradient,
         prints.colour.astype("<f4").tobytes()))


def store_keypoints(conn, artwork_id, found, words):
    """found: imaging.keypoints.Keypoints; words: their visual words (imaging.vocabulary)."""
    positions, descriptors = found.to_blobs()
    conn.execute(
        "INSERT OR REPLACE INTO image_keypoints (artwork_id, width, height, positions, descriptors, words, "
        "vocabulary) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (artwork_id, found.size[0], found.size[1], positions, descriptors,
         np.asarray(words, "<u2").tobytes(), vocabulary.identity()))


def keypoints_of(conn, artwork_ids) -> dict:
    """{artwork id: imaging.keypoints.Keypoints} of those works that have them."""
    found = {}
    for start in range(0, len(artwork_ids), 500):
        chunk = list(artwork_ids[start:start + 500])
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute("SELECT artwork_id, width, height, positions, descriptors FROM image_keypoints "
                                f"WHERE artwork_id IN ({marks})", chunk):
            found[row["artwork_id"]] = keypoints.Keypoints.from_blobs(row["positions"], row["descriptors"],
                                                                      row["width"], row["height"])
    return found


def without_image_entries(conn):
    """[(artwork id, original path)] of works whose fingerprint or keypoints are missing."""
    return [tuple(row) for row in conn.execute(
        "SELECT a.id, a.image_path FROM artworks a "
        "LEFT JOIN image_fingerprints f ON f.artwork_id = a.id LEFT JOIN image_keypoints k ON k.artwork_id = a.id "
        "WHERE a.image_path IS NOT NULL AND (f.artwork_id IS NULL OR k.artwork_id IS NULL)")]


def with_stale_words(conn) -> list[str]:
    """Ids of works whose visual words come from another vocabulary than the shipped one."""
    return [row[0] for row in conn.execute("SELECT artwork_id FROM image_keypoints WHERE vocabulary <> ?",
                                           (vocabulary.identity(),))]


def reword(conn, artwork_ids) -> None:
    """Quantise the stored descriptors of these works with the shipped vocabulary: a new
    vocabulary needs no image decoded again."""
    with transaction(conn):
        for artwork_id, descriptors in conn.execute(
                "SELECT artwork_id, descriptors FROM image_keypoints "
                "WHERE artwork_id IN (SELECT value FROM json_each(?))", (json.dumps(list(artwork_ids)),)).fetchall():
            stored = np.frombuffer(descriptors, np.uint8).reshape(-1, keypoints.DESCRIPTOR_BYTES)
            words = vocabulary.words(stored)
            conn.execute("UPDATE image_keypoints SET words = ?, vocabulary = ? WHERE artwork_id = ?",
                         (np.asarray(words, "<u2").tobytes(), vocabulary.identity(), artwork_id))


def add_image_entries(conn, media, artwork_id, image_path, max_pixels=imaging.DEFAULT_MAX_PIXELS):
    """Fingerprint a stored original and take its keypoints; False when its file is missing or
    unreadable."""
    try:
        small, medium = imaging.pipeline.analysis_copies(media.read(image_path), max_pixels=max_pixels)
    except (OSError, imaging.ImageRejected):
        return False
    found = keypoints.detect_query(medium).strongest(keypoints.STORED_FEATURES)   # as an upload's are
    with transaction(conn):
        store_fingerprint(conn, artwork_id, fingerprint.fingerprint(small))
        store_keypoints(conn, artwork_id, found, vocabulary.words(found.descriptors))
    return True


# --- Reading ---------------------------------------------------------------------------------

def get_artwork(conn: sqlite3.Connection, artwork_id: str) -> dict | None:
    return _artwork(conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE a.id = ?", (artwork_id,)).fetchone())


def artworks_by_id(conn: sqlite3.Connection, artwork_ids) -> dict[str, dict]:
    """{id: artwork} for those of `artwork_ids` that exist."""
    if not artwork_ids:
        return {}
    marks = ", ".join("?" * len(artwork_ids))
    rows = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE a.id IN ({marks})", list(artwork_ids))
    return {row["id"]: _artwork(row) for row in rows}


def is_visible(artwork, viewer_id):
    return artwork["availability_status"] != "private" or artwork["artist_id"] == viewer_id


def palette_of(conn, artwork_id):
    return [dict(row) for row in conn.execute(
        "SELECT hex, share, name FROM artwork_colours WHERE artwork_id = ? ORDER BY rank", (artwork_id,))]


def exhibition_history(conn, artwork_id, *, accepted_only=True):
    """Exhibitions this artwork was accepted into (or, for its artist, submitted to), latest first."""
    return [dict(row) for row in conn.execute(
        """
        SELECT e.id AS exhibition_id, e.title, e.location, e.exhibition_start, e.exhibition_end,
               s.status, s.submitted_at
        FROM exhibition_submission_artworks sa
        JOIN exhibition_submissions s ON s.id = sa.submission_id
        JOIN exhibitions e ON e.id = s.exhibition_id
        WHERE sa.artwork_id = :artwork AND (s.status = 'accepted' OR NOT :accepted_only)
        ORDER BY e.exhibition_start DESC, s.submitted_at DESC
        """, {"artwork": artwork_id, "accepted_only": accepted_only})]


def list_artworks(conn, *, viewer_id, filters, sort="newest", limit=20, offset=0):
    """A page of artworks the viewer may see, and how many match in all.

    filters: artist_id, category_ids, medium, tags (all must match), colour, price_min,
    price_max, availability, created_after (inclusive), created_before (exclusive).
    """
    where, params = _filter_sql(viewer_id, filters)
    sql_where = " AND ".join(where)
    total = conn.execute(f"SELECT count(*) FROM artworks a WHERE {sql_where}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT {_COLUMNS} {_FROM} WHERE {sql_where} ORDER BY {ARTWORK_SORTS[sort]} LIMIT :limit OFFSET :offset",
        {**params, "limit": limit, "offset": offset})
    return [_artwork(row) for row in rows], total


def _filter_sql(viewer_id, f):
    where = ["(a.availability_status <> 'private' OR a.artist_id = :viewer)"]
    params = {"viewer": viewer_id}
    simple = {
        "artist_id": "a.artist_id = :artist_id",
        "medium": "a.medium = :medium COLLATE NOCASE",
        "price_min": f"{BASE_PRICE} >= :price_min",
        "price_max": f"{BASE_PRICE} <= :price_max",
        "availability": "a.availability_status = :availability",
        "created_after": "a.created_at >= :created_after",
        "created_before": "a.created_at < :created_before",
        "colour": "EXISTS (SELECT 1 FROM artwork_tags at JOIN tags t ON t.id = at.tag_id "
                  "WHERE at.artwork_id = a.id AND at.source = 'colour' AND t.name = :colour)",
    }
    for key, clause in simple.items():
        if f.get(key) is not None:
            where.append(clause)
            params[key] = f[key]
    if f.get("category_ids") is not None:
        marks = ", ".join(f":category_{i}" for i in range(len(f["category_ids"])))
        where.append(f"a.category_id IN ({marks})")
        params.update({f"category_{i}": value for i, value in enumerate(f["category_ids"])})
    for i, tag in enumerate(f.get("tags") or []):
        where.append(f"EXISTS (SELECT 1 FROM artwork_tags at JOIN tags t ON t.id = at.tag_id "
                     f"WHERE at.artwork_id = a.id AND t.name = :tag_{i})")
        params[f"tag_{i}"] = tag
    return where, params


def followed_artworks(conn, user_id, *, before=None, limit=20):
    """The public works of the accounts user_id follows, newest first, from just after `before`.

    before: the (created_at, id) of the last work already shown, so that a page starts where the
    previous one ended however many works arrived meanwhile. Returns (rows, total).
    """
    where = """
        a.artist_id IN (SELECT following_id FROM artist_follows WHERE follower_id = :user)
        AND a.availability_status <> 'private'
    """
    params = {"user": user_id, "limit": limit}
    total = conn.execute(f"SELECT count(*) FROM artworks a WHERE {where}", params).fetchone()[0]
    if before is not None:
        where += " AND (a.created_at, a.id) < (:created_at, :id)"
        params.update(created_at=before[0], id=before[1])
    # Choose the page first, so that the per-row columns are computed for its rows only.
    rows = conn.execute(
        f"""
        WITH page AS (SELECT a.id FROM artworks a WHERE {where}
                      ORDER BY a.created_at DESC, a.id DESC LIMIT :limit)
        SELECT {_COLUMNS} {_FROM} JOIN page ON page.id = a.id ORDER BY a.created_at DESC, a.id DESC
        """, params)
    return [_artwork(row) for row in rows], total


# --- Changing --------------------------------------------------------------------------------

def update_artwork(conn: sqlite3.Connection, artwork_id: str, fields: dict, tags: list[str] | None = None) -> bool:
    """Inside the caller's write: set the given columns (and replace the artist's tags when
    `tags` is not None). Returns whether anything was written."""
    columns = [column for column in fields if column in EDITABLE + CRITIQUE_FIELDS]
    if columns:
        assignments = ", ".join(f"{column} = :{column}" for column in columns)
        if "critique_requested" in columns:  # a request waits from when it was (re)opened
            assignments += (", critique_requested_at = CASE WHEN :critique_requested = 0 THEN NULL "
                            "WHEN critique_requested = 1 THEN critique_requested_at ELSE :now END")
        conn.execute(f"UPDATE artworks SET {assignments}, updated_at = :now WHERE id = :id",
                     {**{c: fields[c] for c in columns}, "now": utc_now(), "id": artwork_id})
    if tags is not None:
        taxonomy.set_tags(conn, artwork_id, tags, source="artist")
        conn.execute("UPDATE artworks SET updated_at = ? WHERE id = ?", (utc_now(), artwork_id))
    return bool(columns) or tags is not None


def delete_artwork(conn: sqlite3.Connection, media: MediaStore, artwork_id: str) -> bool:
    """Delete the artwork, everything that hangs off it, and its files unless another artwork shares them.

    Likes, comments, tag links, gallery links, analysis rows and views go by ON DELETE CASCADE
    (counters follow by trigger); tags left unused and the id inside exhibition submissions
    are removed here. Files are removed inside the transaction: see create_artwork().
    """
    with transaction(conn):
        row = conn.execute("SELECT image_sha256, image_path FROM artworks WHERE id = ?", (artwork_id,)).fetchone()
        if row is None:
            return False
        tag_ids = [r[0] for r in conn.execute("SELECT tag_id FROM artwork_tags WHERE artwork_id = ?", (artwork_id,))]
        conn.execute("DELETE FROM artworks WHERE id = ?", (artwork_id,))
        taxonomy.drop_unused_tags(conn, tag_ids)
        conn.execute(
            """
            UPDATE exhibition_submissions
            SET artwork_ids = (SELECT json_group_array(j.value) FROM json_each(artwork_ids) j WHERE j.value <> :id)
            WHERE EXISTS (SELECT 1 FROM json_each(artwork_ids) j WHERE j.value = :id)
            """, {"id": artwork_id})
        sha = row["image_sha256"]
        if sha and not image_in_use(conn, sha):
            media.remove_image(sha, row["image_path"])
    return True


def image_in_use(conn, sha256):
    return conn.execute("SELECT 1 FROM artworks WHERE image_sha256 = ? LIMIT 1", (sha256,)).fetchone() is not None


# --- Views -----------------------------------------------------------------------------------

def record_view(conn, artwork_id, viewer_key, kind="page", window=PAGE_VIEW_WINDOW):
    """Count a view unless this viewer's last one of this kind is within `window` (None: always count).

    One statement, so two concurrent requests from one viewer cannot both pass the check.
    """
    since = utc_now(-window) if window else None
    cursor = conn.execute(
        """
        INSERT INTO artwork_views (artwork_id, viewer_key, kind)
        SELECT :artwork_id, :viewer, :kind
        WHERE :since IS NULL OR NOT EXISTS (
            SELECT 1 FROM artwork_views
            WHERE artwork_id = :artwork_id AND viewer_key = :viewer AND kind = :kind AND viewed_at >= :since)
        """, {"artwork_id": artwork_id, "viewer": viewer_key, "kind": kind, "since": since})
    return cursor.rowcount == 1


# --- Renditions ------------------------------------------------------------------------------

def rendition_name(size, fmt, mark=None):
    suffix = f"-wm-{mark.key()}" if mark is not None else ""
    return f"{size}{suffix}.{derivatives.EXTENSIONS[fmt]}"


def ensure_rendition(conn, media, artwork, size, fmt, mark=None, max_pixels=imaging.DEFAULT_MAX_PIXELS):
    """(relative path, None) of a rendition, rendering and keeping it on first request; (None, bytes)
    when there is no room to keep it (it is served all the same); (None, None) if the work went meanwhile."""
    path = media.rendition(artwork["image_sha256"], rendition_name(size, fmt, mark))
    if media.exists(path):
        return path, None
    data = imaging.render(media.read(artwork["image_path"]), size, fmt, mark=mark, max_pixels=max_pixels)
    try:
        media.write(path, data)
    except OSError as error:
        if error.errno not in DISK_FULL:
            raise
        log.warning("no room to keep a rendition; serving it without keeping it", extra={"fields": {
            "artwork_id": artwork["id"], "rendition": rendition_name(size, fmt, mark)}})
        return None, data
    if not image_in_use(conn, artwork["image_sha256"]):
        media.remove_image(artwork["image_sha256"], artwork["image_path"])
        return None, None  # deleted while we rendered: leave no file behind
    return path, None


# --- Caching -------------------------------------------------------------------------------

def rendition_etag(artwork, size, fmt, mark=None):
    """Strong: a rendition's bytes never change once written, and the Pillow version is part of
    the name so that renditions re-made by another encoder version get a new tag."""
    return f"{artwork['image_sha256'][:24]}-{rendition_name(size, fmt, mark)}-pil{PIL.__version__}"


def title_from_filename(filename):
    """'blue_horses-1911.png' -> 'blue horses 1911': a title until the artist gives one."""
    stem = PurePath(filename or "").stem
    return " ".join(re.sub(r"[_\-.]+", " ", stem).split())[:200] or "Untitled"
