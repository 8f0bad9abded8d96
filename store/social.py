"""Likes, threaded comments, follows and shares.

Each change runs in one BEGIN IMMEDIATE transaction with the notification it causes, so two
requests racing on the same like or follow are serialised: the second sees the first's row.
Counters (like_count, comment_count, share_count, follower_count, following_count) are kept by
the schema's triggers. Lists break ties of their millisecond timestamps by rowid, which grows
with insertion, so that things done in the same millisecond keep the order they were done in.
"""

from datetime import timedelta

from store import new_id, notifications, transaction, utc_now

MAX_COMMENT_LENGTH = 2000
# Replies nest at most this deep; a reply to a comment at this depth joins that comment's parent.
MAX_REPLY_DEPTH = 5
# The text a deleted comment keeps in place of its words (the column may not be empty).
ERASED_TEXT = "[deleted]"

SHARE_CHANNELS = ("x", "facebook", "linkedin", "pinterest", "reddit", "whatsapp", "telegram", "email", "link",
                  "embed", "other")
# One visitor sharing on one channel counts once in this window, however often they press the button.
SHARE_WINDOW = timedelta(minutes=10)

# The profile basics shown beside a like, a comment or a follow.
PERSON = "u.id, u.username, u.artist_name, u.profile_image_url, u.account_type"


class InvalidParent(ValueError):
    """The comment replied to does not exist on this artwork, or was deleted."""


# --- Likes ------------------------------------------------------------------------------------

def set_like(conn, artwork, user_id, liked=None):
    """Toggle the like (liked None) or set it; returns (liked, like_count) as committed."""
    with transaction(conn):
        exists = conn.execute("SELECT 1 FROM artwork_likes WHERE artwork_id = ? AND user_id = ?",
                              (artwork["id"], user_id)).fetchone() is not None
        wanted = not exists if liked is None else liked
        if wanted and not exists:
            conn.execute("INSERT INTO artwork_likes (artwork_id, user_id) VALUES (?, ?)", (artwork["id"], user_id))
            notifications.notify(conn, artwork["artist_id"], "like", actor_id=user_id, artwork_id=artwork["id"])
        elif exists and not wanted:
            conn.execute("DELETE FROM artwork_likes WHERE artwork_id = ? AND user_id = ?", (artwork["id"], user_id))
            notifications.withdraw(conn, "like", actor_id=user_id, artwork_id=artwork["id"])
        count = conn.execute("SELECT like_count FROM artworks WHERE id = ?", (artwork["id"],)).fetchone()[0]
    return wanted, count


def likers(conn, artwork_id, *, limit, offset):
    """The people who liked an artwork, most recent first."""
    return [dict(row) for row in conn.execute(
        f"SELECT {PERSON}, l.liked_at FROM artwork_likes l JOIN artists u ON u.id = l.user_id "
        "WHERE l.artwork_id = ? ORDER BY l.liked_at DESC, l.rowid DESC LIMIT ? OFFSET ?",
        (artwork_id, limit, offset))]


def liked_among(conn, user_id, artwork_ids):
    """The ids among artwork_ids that user_id likes."""
    if user_id is None or not artwork_ids:
        return set()
    marks = ", ".join("?" * len(artwork_ids))
    return {row[0] for row in conn.execute(
        f"SELECT artwork_id FROM artwork_likes WHERE user_id = ? AND artwork_id IN ({marks})",
        (user_id, *artwork_ids))}


# --- Comments ---------------------------------------------------------------------------------

_COMMENT = """
    SELECT c.id, c.artwork_id, c.parent_comment_id, c.thread_id, c.depth, c.comment_text, c.created_at,
           c.deleted_at, c.commenter_id, u.username AS commenter_username,
           u.artist_name AS commenter_artist_name, u.profile_image_url AS commenter_profile_image_url,
           u.account_type AS commenter_account_type
    FROM artwork_comments c LEFT JOIN artists u ON u.id = c.commenter_id
"""


def get_comment(conn, comment_id):
    row = conn.execute(f"{_COMMENT} WHERE c.id = ?", (comment_id,)).fetchone()
    return _comment(row) if row else None


def _comment(row):
    comment = dict(row)
    if comment["deleted_at"] is not None:
        comment["comment_text"] = None
    return comment


def add_comment(conn, artwork, commenter_id, text, parent_id=None):
    """Insert a comment or a reply with its notifications; returns the new comment's id.

    The artwork's artist hears of every comment; the author of the comment replied to hears of
    the reply (once, if they are the artist too).
    """
    comment_id = new_id()
    with transaction(conn):
        replied_to = _reply_target(conn, artwork["id"], parent_id)
        parent = replied_to
        if parent is not None and parent["depth"] >= MAX_REPLY_DEPTH:
            parent = get_comment(conn, parent["parent_comment_id"])
        conn.execute(
            "INSERT INTO artwork_comments (id, artwork_id, commenter_id, comment_text, parent_comment_id, depth, "
            "thread_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (comment_id, artwork["id"], commenter_id, text, parent["id"] if parent else None,
             parent["depth"] + 1 if parent else 0, parent["thread_id"] if parent else comment_id),
        )
        reply_recipient = replied_to["commenter_id"] if replied_to else None
        notifications.notify(conn, reply_recipient, "reply", actor_id=commenter_id, artwork_id=artwork["id"],
                             comment_id=comment_id)
        if artwork["artist_id"] != reply_recipient:
            notifications.notify(conn, artwork["artist_id"], "comment", actor_id=commenter_id,
                                 artwork_id=artwork["id"], comment_id=comment_id)
    return comment_id


def _reply_target(conn, artwork_id, parent_id):
    if parent_id is None:
        return None
    parent = get_comment(conn, parent_id)
    if parent is None or parent["artwork_id"] != artwork_id:
        raise InvalidParent("must be the id of a comment on this artwork")
    if parent["deleted_at"] is not None:
        raise InvalidParent("is a deleted comment, which takes no replies")
    return parent


def delete_comment(conn, comment_id):
    """Delete a comment. One with replies stays as an erased shell so the thread keeps its shape;
    one without goes, and so do the shells above it that it was the last reply of."""
    with transaction(conn):
        if _has_replies(conn, comment_id):
            conn.execute("UPDATE artwork_comments SET deleted_at = ?, comment_text = ? WHERE id = ?",
                         (utc_now(), ERASED_TEXT, comment_id))
            conn.execute("DELETE FROM notifications WHERE comment_id = ?", (comment_id,))
            return
        while comment_id is not None:
            parent_id = conn.execute("DELETE FROM artwork_comments WHERE id = ? RETURNING parent_comment_id",
                                     (comment_id,)).fetchone()[0]
            comment_id = parent_id if parent_id and _is_empty_shell(conn, parent_id) else None


def _has_replies(conn, comment_id):
    return conn.execute("SELECT 1 FROM artwork_comments WHERE parent_comment_id = ? LIMIT 1",
                        (comment_id,)).fetchone() is not None


def _is_empty_shell(conn, comment_id):
    deleted = conn.execute("SELECT deleted_at IS NOT NULL FROM artwork_comments WHERE id = ?",
                           (comment_id,)).fetchone()[0]
    return deleted and not _has_replies(conn, comment_id)


def comment_threads(conn, artwork_id, *, newest_first=True, limit=20, offset=0):
    """(threads, total): a page of top-level comments, each with its replies nested under "replies"
    in the order they were written. total counts top-level comments."""
    total = conn.execute("SELECT count(*) FROM artwork_comments WHERE artwork_id = ? AND parent_comment_id IS NULL",
                         (artwork_id,)).fetchone()[0]
    order = "DESC" if newest_first else "ASC"
    roots = [_comment(row) for row in conn.execute(
        f"{_COMMENT} WHERE c.artwork_id = ? AND c.parent_comment_id IS NULL "
        f"ORDER BY c.created_at {order}, c.rowid {order} LIMIT ? OFFSET ?", (artwork_id, limit, offset))]
    if not roots:
        return [], total
    marks = ", ".join("?" * len(roots))
    replies = [_comment(row) for row in conn.execute(
        f"{_COMMENT} WHERE c.thread_id IN ({marks}) AND c.parent_comment_id IS NOT NULL "
        "ORDER BY c.created_at, c.rowid", [root["id"] for root in roots])]
    return _nest(roots, replies), total


def _nest(roots, replies):
    by_id = {comment["id"]: comment for comment in [*roots, *replies]}
    for comment in by_id.values():
        comment["replies"] = []
    for reply in replies:  # in time order, so each parent's list is too
        by_id[reply["parent_comment_id"]]["replies"].append(reply)
    return roots


# --- Follows ----------------------------------------------------------------------------------

def set_follow(conn, follower_id, following_id, following=None):
    """Toggle (following None) or set a follow; returns (following, follower's following_count,
    followed account's follower_count) as committed."""
    with transaction(conn):
        exists = is_following(conn, follower_id, following_id)
        wanted = not exists if following is None else following
        if wanted and not exists:
            conn.execute("INSERT INTO artist_follows (follower_id, following_id) VALUES (?, ?)",
                         (follower_id, following_id))
            notifications.notify(conn, following_id, "follow", actor_id=follower_id)
        elif exists and not wanted:
            conn.execute("DELETE FROM artist_follows WHERE follower_id = ? AND following_id = ?",
                         (follower_id, following_id))
            notifications.withdraw(conn, "follow", actor_id=follower_id, recipient_id=following_id)
        counts = conn.execute(
            "SELECT (SELECT following_count FROM artists WHERE id = ?), "
            "(SELECT follower_count FROM artists WHERE id = ?)", (follower_id, following_id)).fetchone()
    return wanted, counts[0], counts[1]


def is_following(conn, follower_id, following_id):
    if follower_id is None:
        return False
    return conn.execute("SELECT 1 FROM artist_follows WHERE follower_id = ? AND following_id = ?",
                        (follower_id, following_id)).fetchone() is not None


def _follow_list(conn, join_on, where, artist_id, viewer_id, limit, offset):
    return [dict(row) for row in conn.execute(
        f"""
        SELECT {PERSON}, u.follower_count, f.followed_at,
               EXISTS (SELECT 1 FROM artist_follows v WHERE v.follower_id = :viewer AND v.following_id = u.id)
                   AS followed_by_viewer
        FROM artist_follows f JOIN artists u ON u.id = f.{join_on}
        WHERE f.{where} = :artist
        ORDER BY f.followed_at DESC, f.rowid DESC LIMIT :limit OFFSET :offset
        """,
        {"artist": artist_id, "viewer": viewer_id, "limit": limit, "offset": offset})]


def followers(conn, artist_id, *, viewer_id=None, limit=20, offset=0):
    """Who follows artist_id, most recent first; followed_by_viewer says whom the viewer follows."""
    return _follow_list(conn, "follower_id", "following_id", artist_id, viewer_id, limit, offset)


def following(conn, artist_id, *, viewer_id=None, limit=20, offset=0):
    """Whom artist_id follows, most recent first."""
    return _follow_list(conn, "following_id", "follower_id", artist_id, viewer_id, limit, offset)


# --- Shares -----------------------------------------------------------------------------------

def record_share(conn, artwork_id, *, channel, viewer_key, user_id=None, window=SHARE_WINDOW):
    """Count a share unless this viewer shared on this channel within the window.

    Returns (counted, share_count)."""
    with transaction(conn):
        recent = conn.execute(
            "SELECT 1 FROM artwork_shares WHERE artwork_id = ? AND viewer_key = ? AND channel = ? AND shared_at >= ?",
            (artwork_id, viewer_key, channel, utc_now(-window))).fetchone()
        if recent is None:
            conn.execute("INSERT INTO artwork_shares (artwork_id, user_id, viewer_key, channel) VALUES (?, ?, ?, ?)",
                         (artwork_id, user_id, viewer_key, channel))
        count = conn.execute("SELECT share_count FROM artworks WHERE id = ?", (artwork_id,)).fetchone()[0]
    return recent is None, count
