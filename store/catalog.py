"""Import a museum-style catalogue (CSV) as artworks, for evaluation and demos.

Columns used (others are ignored): title and artist (required), medium, classification, year,
date_text, dimensions, width_mm, height_mm, subjects ("; "-separated). Each distinct artist
becomes an account that cannot sign in (its password hash matches no password). Records carry no
image, so each gets a generated placeholder in the work's proportions (imaging.placeholder),
which goes through the real upload pipeline: hashes, palette, colour tags, renditions.
"""

import csv
import re
from concurrent.futures import ProcessPoolExecutor
from datetime import date

import imaging
from imaging.placeholder import placeholder
from store import accounts, artworks, taxonomy

REQUIRED_COLUMNS = ("title", "artist")
# The catalogue's own classifications, mapped onto Easel's default categories.
CLASSIFICATION_CATEGORIES = {"painting": "Painting", "on paper, print": "Printmaking",
                             "on paper, unique": "Drawing", "sculpture": "Sculpture",
                             "installation": "Installation", "relief": "Sculpture"}


class CatalogueError(ValueError):
    pass


def read_catalogue(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise CatalogueError(f"{path}: missing column(s) {', '.join(missing)}")
        return [row for row in reader if (row.get("title") or "").strip() and (row.get("artist") or "").strip()]


def subjects_of(row):
    return [subject.strip() for subject in (row.get("subjects") or "").split(";") if subject.strip()]


def artwork_fields(row, category_ids):
    medium = (row.get("medium") or "").strip()[:100] or None
    when = (row.get("date_text") or row.get("year") or "").strip()
    year = (row.get("year") or "").strip()
    description = ", ".join(part for part in (medium, when) if part)
    return {
        "title": row["title"].strip()[:200],
        "description": (description + ".") if description else None,
        "medium": medium,
        "dimensions": (row.get("dimensions") or "").strip()[:100] or None,
        "creation_date": year if re.fullmatch(r"\d{4}", year) and int(year) <= date.today().year else None,
        "category_id": category_ids.get(CLASSIFICATION_CATEGORIES.get((row.get("classification") or "").strip())),
    }


def tags_of(row):
    tags = []
    for subject in subjects_of(row):
        tag = taxonomy.normalise_tag(subject)
        if tag and len(tag) <= taxonomy.MAX_TAG_LENGTH and tag not in tags:
            tags.append(tag)
    return tags[:taxonomy.MAX_TAGS]


def _picture(row):
    def number(name):
        try:
            return float(row.get(name) or 0)
        except ValueError:
            return 0.0
    data = placeholder(f"{row['artist']}|{row['title']}|{row.get('id', '')}", number("width_mm"), number("height_mm"))
    return data, imaging.process(data)


def import_catalogue(conn, media, rows, *, subjects_as_tags=True, workers=1, progress=None):
    """Create the artists and artworks of `rows`; returns the new artwork id of each row, in order.

    subjects_as_tags=False leaves subjects out of the index (the search evaluation judges by them).
    workers: processes for the image pipeline (the slow part); rows are written in order.
    """
    artists = _artist_accounts(conn, {row["artist"].strip() for row in rows})
    category_ids = {row["name"]: row["id"] for row in conn.execute("SELECT id, name FROM categories")}
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    pictures = pool.map(_picture, rows, chunksize=32) if pool else map(_picture, rows)
    created = []
    try:
        for row, (data, processed) in (progress or (lambda x: x))(zip(rows, pictures, strict=True)):
            created.append(artworks.create_artwork(
                conn, media, artists[row["artist"].strip()], artwork_fields(row, category_ids),
                tags_of(row) if subjects_as_tags else [], processed, data))
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return created


def _artist_accounts(conn, names):
    """{artist name: account id}, reusing accounts an earlier import made."""
    found = {}
    for name in sorted(names):
        base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:24] or "artist"
        row = conn.execute("SELECT id FROM artists WHERE artist_name = ? AND email LIKE '%@catalogue.invalid'",
                           (name,)).fetchone()
        if row:
            found[name] = row["id"]
            continue
        username, suffix = base.ljust(3, "_"), 1
        while conn.execute("SELECT 1 FROM artists WHERE username = ?", (username,)).fetchone():
            suffix += 1
            username = f"{base}_{suffix}"
        found[name] = accounts.create_account(conn, username=username, email=f"{username}@catalogue.invalid",
                                              password_hash=accounts.UNUSABLE_PASSWORD_HASH, artist_name=name[:100])
    return found
