"""The personalised feed, behind one function so that a ranked feed can replace the listing.

For now the feed is the public works of the accounts a user follows, newest first. Pages are
keyed by an opaque cursor naming the last work shown, not by an offset: works published while
someone scrolls appear at the top later instead of pushing what they already saw onto the next
page twice.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from store import artworks

MODES = ("following",)


class InvalidCursor(ValueError):
    """A cursor this server did not hand out (or one from an incompatible version)."""


@dataclass
class FeedPage:
    items: list  # artwork rows, each with a "reason" {"kind", "text"}
    total: int
    page: int
    next_cursor: str | None


def feed(conn, user_id, *, mode="following", cursor=None, limit=20):
    """One page of user_id's feed; `cursor` is the previous page's next_cursor (None to start)."""
    if mode not in MODES:
        raise ValueError(f"unknown feed mode {mode!r}")
    position = decode_cursor(cursor) if cursor else None
    before = (position["t"], position["i"]) if position else None
    # One row more than the page tells whether another page follows.
    rows, total = artworks.followed_artworks(conn, user_id, before=before, limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    for row in rows:
        row["reason"] = {"kind": "following", "text": f"New from {row['artist_name']}, whom you follow"}
    page = position["p"] + 1 if position else 1
    next_cursor = encode_cursor({"p": page, "t": rows[-1]["created_at"], "i": rows[-1]["id"]}) if more else None
    return FeedPage(items=rows, total=total, page=page, next_cursor=next_cursor)


def encode_cursor(position):
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor):
    """The position inside a cursor; InvalidCursor for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor("not a feed cursor") from error
    if not (isinstance(position, dict) and set(position) == {"p", "t", "i"}
            and type(position["p"]) is int and 1 <= position["p"] <= 1_000_000
            and isinstance(position["t"], str) and len(position["t"]) <= 40
            and isinstance(position["i"], str) and len(position["i"]) <= 64):
        raise InvalidCursor("not a feed cursor")
    return position
