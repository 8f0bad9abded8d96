"""The feed behind GET /api/feed, in two modes.

for_you (the default): the ranked personal feed of recommend.personal. Its first page ranks up to
200 works and stores them as a snapshot (store.ranking, kept a day); the cursor names the snapshot
and the place reached, so later pages continue the same list however many works arrive or likes
change meanwhile. Each page is checked again as it is served: works since made private, deleted
or liked by the reader are skipped.

following: the public works of the accounts a user follows, newest first, keyed by a cursor naming
the last work shown, not by an offset: works published while someone scrolls appear at the top
later instead of pushing what they already saw onto the next page twice.
"""

import base64
import binascii
import json
import sqlite3
from dataclasses import dataclass

from recommend import personal
from store import artworks, ranking, social

MODES = ("for_you", "following")
DEFAULT_MODEL_MAX_AGE = 300


class InvalidCursor(ValueError):
    """A cursor this server did not hand out (or one from an incompatible version)."""


class ExpiredCursor(InvalidCursor):
    """The ranked list a cursor continues is gone (older than a day)."""


@dataclass
class FeedPage:
    items: list  # artwork rows, each with a "reason" {"kind", "text", "artwork_id"}
    total: int
    page: int
    next_cursor: str | None


def feed(conn: sqlite3.Connection, database: str, user_id: str, *, mode: str = "for_you", cursor: str | None = None,
         limit: int = 20, model_max_age: float = DEFAULT_MODEL_MAX_AGE) -> FeedPage:
    """One page of user_id's feed; `cursor` is the previous page's next_cursor (None to start)."""
    if mode not in MODES:
        raise ValueError(f"unknown feed mode {mode!r}")
    if mode == "following":
        return following_page(conn, user_id, cursor, limit)
    return ranked_page(conn, database, user_id, cursor, limit, model_max_age)


# --- Ranked --------------------------------------------------------------------------------------

def ranked_page(conn, database, user_id, cursor, limit, model_max_age):
    if cursor:
        position = decode_cursor(cursor, {"s": str, "o": int, "p": int})
        entries = ranking.feed_snapshot(conn, position["s"], user_id)
        if entries is None:
            raise ExpiredCursor("this feed has expired")
        snapshot_id, offset, page = position["s"], position["o"], position["p"] + 1
    else:
        entries = snapshot_entries(personal.ranked_feed(conn, database, user_id, model_max_age=model_max_age))
        snapshot_id, offset, page = ranking.save_feed_snapshot(conn, user_id, entries), 0, 1
    rows, offset = _servable(conn, user_id, entries, offset, limit)
    more = offset < len(entries)
    next_cursor = encode_cursor({"s": snapshot_id, "o": offset, "p": page}) if more and rows else None
    return FeedPage(items=rows, total=len(entries), page=page, next_cursor=next_cursor)


def snapshot_entries(picks):
    """What a snapshot keeps of each pick: artwork ids, score, and the reason's kind and liked work
    (its words are written as a page is served, for that page's works only)."""
    return [{"id": pick.artwork_id, "score": pick.score, "kind": pick.source, "because": pick.because_id}
            for pick in picks]


def reason(kind, artist_name, because_id, because_title):
    """{"kind", "text", "artwork_id"}: why a work is in the feed, in words a reader understands."""
    liked = f"“{because_title}”" if because_title is not None else "a work"  # the liked work may be gone
    if kind == "following":
        text = f"New from {artist_name}, whom you follow"
    elif kind == "similar":
        text = f"Similar to {liked}, which you liked"
    elif kind == "co_liked":
        text = f"Popular with people who liked {liked}"
    elif kind == "featured":
        text = "Featured on Easel"
    elif kind == "popular":
        text = "Popular on Easel"
    else:
        text = "Trending this week"
    return {"kind": kind, "text": text, "artwork_id": because_id if because_title is not None else None}


def _servable(conn, user_id, entries, offset, limit):
    """Up to `limit` rows from entries[offset:] that are still public and not liked by the reader;
    returns (rows, the offset after the last entry looked at)."""
    rows = []
    while len(rows) < limit and offset < len(entries):
        chunk = entries[offset:offset + limit - len(rows) + 4]   # a few spare for works skipped
        ids = [entry["id"] for entry in chunk]
        found, liked = artworks.artworks_by_id(conn, ids), social.liked_among(conn, user_id, ids)
        for entry in chunk:
            offset += 1
            row = found.get(entry["id"])
            if row is not None and row["availability_status"] != "private" and entry["id"] not in liked:
                rows.append({**row, "entry": entry})
                if len(rows) == limit:
                    break
    # A liked work that has since turned private is not named: the reason falls back to "a work".
    titles = ranking.visible_artwork_titles(conn, {row["entry"]["because"] for row in rows if row["entry"]["because"]},
                                            user_id)
    for row in rows:
        entry = row.pop("entry")
        row["score"] = entry["score"]
        row["reason"] = reason(entry["kind"], row["artist_name"], entry["because"], titles.get(entry["because"]))
    return rows, offset


# --- Following ------------------------------------------------------------------------------------

def following_page(conn, user_id, cursor, limit):
    position = decode_cursor(cursor, {"p": int, "t": str, "i": str}) if cursor else None
    before = (position["t"], position["i"]) if position else None
    # One row more than the page tells whether another page follows.
    rows, total = artworks.followed_artworks(conn, user_id, before=before, limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    for row in rows:
        row["reason"] = {"kind": "following", "text": f"New from {row['artist_name']}, whom you follow",
                         "artwork_id": None}
    page = position["p"] + 1 if position else 1
    next_cursor = encode_cursor({"p": page, "t": rows[-1]["created_at"], "i": rows[-1]["id"]}) if more else None
    return FeedPage(items=rows, total=total, page=page, next_cursor=next_cursor)


# --- Cursors --------------------------------------------------------------------------------------

def encode_cursor(position):
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor, shape):
    """The position inside a cursor, which must have exactly `shape`'s keys and types (strings up
    to 64 characters; a page "p" from 1 and other numbers from 0, up to a million); InvalidCursor
    for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor("not a feed cursor") from error
    if not isinstance(position, dict) or set(position) != set(shape):
        raise InvalidCursor("not a feed cursor")
    for key, kind in shape.items():
        value = position[key]
        lowest = 1 if key == "p" else 0  # pages count from 1, offsets from 0
        if kind is int and not (type(value) is int and lowest <= value <= 1_000_000):
            raise InvalidCursor("not a feed cursor")
        if kind is str and not (isinstance(value, str) and len(value) <= 64):
            raise InvalidCursor("not a feed cursor")
    return position
