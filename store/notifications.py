"""Notifications: written by the action that causes them, in its transaction, and read as an inbox."""

import json

from store import new_id, transaction, utc_now

KINDS = ("like", "comment", "reply", "follow", "commission", "exhibition", "copy_alert", "enquiry", "offer", "order",
         "license", "message", "critique", "mentorship")
MAX_MARK = 100

# Columns of the inbox; an artwork the recipient may no longer see (made private since) is left out.
_INBOX = """
    FROM notifications n
    LEFT JOIN artists u ON u.id = n.actor_id
    LEFT JOIN artworks w ON w.id = n.artwork_id
    LEFT JOIN artwork_comments c ON c.id = n.comment_id
    WHERE n.recipient_id = :recipient
      AND (w.id IS NULL OR w.availability_status <> 'private' OR w.artist_id = n.recipient_id)
"""


def notify(conn, recipient_id, kind, *, actor_id=None, artwork_id=None, comment_id=None, subject_id=None,
           data=None):
    """Add a notification inside the caller's transaction; nobody is told about their own actions.

    Returns the new id, or None when nothing was written.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if recipient_id is None or recipient_id == actor_id:
        return None
    notification_id = new_id()
    conn.execute(
        "INSERT INTO notifications (id, recipient_id, kind, actor_id, artwork_id, comment_id, subject_id, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (notification_id, recipient_id, kind, actor_id, artwork_id, comment_id, subject_id, json.dumps(data or {})),
    )
    return notification_id


def withdraw(conn, kind, *, actor_id, artwork_id=None, recipient_id=None):
    """Remove the notifications of an action that was undone (an unlike, an unfollow).

    Liking and unliking over and over then leaves at most one notification, not one per click.
    """
    conn.execute(
        "DELETE FROM notifications WHERE kind = :kind AND actor_id = :actor "
        "AND artwork_id IS :artwork AND (:recipient IS NULL OR recipient_id = :recipient)",
        {"kind": kind, "actor": actor_id, "artwork": artwork_id, "recipient": recipient_id},
    )


def inbox(conn, recipient_id, *, unread_only=False, limit=20, offset=0):
    """(rows, total, unread) for a page of the inbox: unread first, then newest first."""
    params = {"recipient": recipient_id, "limit": limit, "offset": offset}
    only_unread = " AND n.read_at IS NULL" if unread_only else ""
    counts = conn.execute(f"SELECT count(*), count(*) FILTER (WHERE n.read_at IS NULL) {_INBOX}", params).fetchone()
    rows = conn.execute(
        f"""
        SELECT n.id, n.kind, n.subject_id, n.data, n.created_at, n.read_at,
               u.id AS actor_id, u.username AS actor_username, u.artist_name AS actor_artist_name,
               u.profile_image_url AS actor_profile_image_url, u.account_type AS actor_account_type,
               w.id AS artwork_id, w.title AS artwork_title, w.image_sha256 AS artwork_image_sha256,
               c.id AS comment_id, c.comment_text, c.deleted_at AS comment_deleted_at
        {_INBOX} {only_unread}
        ORDER BY n.read_at IS NULL DESC, n.created_at DESC, n.rowid DESC
        LIMIT :limit OFFSET :offset
        """,
        params,
    ).fetchall()
    total = counts[1] if unread_only else counts[0]
    return [_notification(row) for row in rows], total, counts[1]


def _notification(row):
    notification = dict(row)
    notification["data"] = json.loads(notification["data"])
    return notification


def mark_read(conn, recipient_id, ids=None):
    """Mark the given notifications (or, with ids None, all of them) read.

    Returns (how many changed, the ids not found among the recipient's). Unknown ids are reported
    rather than refused: a notification can be withdrawn (an unlike) between listing and marking.
    """
    now = utc_now()
    with transaction(conn):
        if ids is None:
            changed = conn.execute("UPDATE notifications SET read_at = ? WHERE recipient_id = ? AND read_at IS NULL",
                                   (now, recipient_id)).rowcount
            return changed, []
        marks = ", ".join("?" * len(ids))
        mine = {row[0] for row in conn.execute(
            f"SELECT id FROM notifications WHERE recipient_id = ? AND id IN ({marks})", (recipient_id, *ids))}
        changed = conn.execute(
            f"UPDATE notifications SET read_at = ? WHERE recipient_id = ? AND read_at IS NULL AND id IN ({marks})",
            (now, recipient_id, *ids)).rowcount
    return changed, [notification_id for notification_id in ids if notification_id not in mine]


def unread_count(conn, recipient_id):
    return conn.execute(f"SELECT count(*) {_INBOX} AND n.read_at IS NULL", {"recipient": recipient_id}).fetchone()[0]
