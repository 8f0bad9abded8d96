"""Conversations: direct messages between accounts, and the threads commissions, enquiries and
mentorships carry.

Only members read a conversation. Blocking works one way: a blocked account cannot start a
conversation with, nor write to, whoever blocked it, and the blocker's messages are hidden
from it (the messages trigger does not even count them as unread). Messages are never
indexed for search.
"""

import json

from store import new_id, notifications, transaction, utc_now

SUBJECT_KINDS = ("artwork", "commission", "enquiry", "order", "license", "mentorship")
# Subjects that carry exactly one conversation, made with the subject itself.
THREAD_KINDS = ("commission", "enquiry", "mentorship")
MAX_MEMBERS = 20
PREVIEW_CHARS = 140

_MESSAGE_COLUMNS = """m.id, m.conversation_id, m.body, m.attachment_sha256, m.attachment_type, m.attachment_width,
    m.attachment_height, m.removed_at, m.created_at, u.id AS author_id, u.username AS author_username,
    u.artist_name AS author_artist_name, u.profile_image_url AS author_profile_image_url,
    u.account_type AS author_account_type"""
# A message the viewer may see: not written by someone who blocked the viewer.
_VISIBLE = "NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = m.author_id AND b.blocked_id = :viewer)"


# --- Blocks -----------------------------------------------------------------------------------

def has_blocked(conn, blocker_id, blocked_id) -> bool:
    return conn.execute("SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?",
                        (blocker_id, blocked_id)).fetchone() is not None


def blockers_among(conn, author_id, member_ids) -> list[str]:
    """The members who blocked author_id: the author may not write to them."""
    marks = ", ".join("?" * len(member_ids))
    rows = conn.execute(f"SELECT blocker_id FROM blocks WHERE blocked_id = ? AND blocker_id IN ({marks})",
                        (author_id, *member_ids))
    return [row[0] for row in rows]


def block(conn, blocker_id, blocked_id) -> bool:
    """True when the block is new."""
    with transaction(conn):
        cursor = conn.execute("INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)",
                              (blocker_id, blocked_id, utc_now()))
        _recount_unread(conn, blocked_id, blocker_id)
    return cursor.rowcount == 1


def unblock(conn, blocker_id, blocked_id) -> bool:
    with transaction(conn):
        cursor = conn.execute("DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?", (blocker_id, blocked_id))
        _recount_unread(conn, blocked_id, blocker_id)
    return cursor.rowcount == 1


def _recount_unread(conn, viewer_id, other_id):
    """The viewer's unread counts in the conversations shared with other_id, after a block
    between them hid (or an unblock showed again) other_id's messages."""
    conn.execute(
        f"UPDATE conversation_members SET unread_count = (SELECT count(*) FROM messages m "
        f"WHERE m.conversation_id = conversation_members.conversation_id AND m.id > last_read_id "
        f"AND m.author_id IS NOT :viewer AND {_VISIBLE}) "
        "WHERE account_id = :viewer AND conversation_id IN (SELECT conversation_id FROM conversation_members "
        "WHERE account_id = :other)", {"viewer": viewer_id, "other": other_id})


def blocks_of(conn, blocker_id, *, limit=20, offset=0):
    total = conn.execute("SELECT count(*) FROM blocks WHERE blocker_id = ?", (blocker_id,)).fetchone()[0]
    rows = conn.execute(
        "SELECT b.created_at, a.id, a.username, a.artist_name, a.profile_image_url, a.account_type "
        "FROM blocks b JOIN artists a ON a.id = b.blocked_id WHERE b.blocker_id = ? "
        "ORDER BY b.created_at DESC, a.id LIMIT ? OFFSET ?", (blocker_id, limit, offset))
    return [dict(row) for row in rows], total


# --- Strangers --------------------------------------------------------------------------------

_DEALINGS = """
    SELECT 1 FROM artist_follows WHERE (follower_id = :a AND following_id = :b)
                                    OR (follower_id = :b AND following_id = :a)
    UNION ALL SELECT 1 FROM artist_follows mine JOIN artist_follows theirs ON theirs.following_id = mine.following_id
              WHERE mine.follower_id = :a AND theirs.follower_id = :b
    UNION ALL SELECT 1 FROM conversation_members mine JOIN conversation_members theirs
              ON theirs.conversation_id = mine.conversation_id WHERE mine.account_id = :a AND theirs.account_id = :b
    UNION ALL SELECT 1 FROM orders
              WHERE (buyer_id = :a AND artist_id = :b) OR (buyer_id = :b AND artist_id = :a)
    UNION ALL SELECT 1 FROM commissions
              WHERE (client_id = :a AND artist_id = :b) OR (client_id = :b AND artist_id = :a)
    UNION ALL SELECT 1 FROM enquiries
              WHERE (collector_id = :a AND artist_id = :b) OR (collector_id = :b AND artist_id = :a)
"""


def is_stranger(conn, account_id, other_id) -> bool:
    """No follow either way, nobody followed in common, and no conversation, order, commission
    or enquiry between the two: a start that needs the tighter budget."""
    return conn.execute(f"SELECT EXISTS ({_DEALINGS})", {"a": account_id, "b": other_id}).fetchone()[0] == 0


def stranger_starts_since(conn, account_id, since) -> tuple[int, str | None]:
    """(how many, the oldest's time) of the account's starts with strangers since `since`."""
    row = conn.execute("SELECT count(*), min(created_at) FROM conversations WHERE started_by = ? AND to_stranger = 1 "
                       "AND created_at >= ?", (account_id, since)).fetchone()
    return row[0], row[1]


# --- Starting ---------------------------------------------------------------------------------

def open_thread(conn, subject_kind, subject_id, member_ids, started_by) -> str:
    """The one conversation of a commission, enquiry or mentorship, made in the caller's
    transaction with the subject; its id is the subject's."""
    now = utc_now()
    conn.execute("INSERT INTO conversations (id, subject_kind, subject_id, started_by, created_at) "
                 "VALUES (?, ?, ?, ?, ?)", (subject_id, subject_kind, subject_id, started_by, now))
    _add_members(conn, subject_id, member_ids, now)
    return subject_id


def _add_members(conn, conversation_id, member_ids, now):
    conn.executemany("INSERT OR IGNORE INTO conversation_members (conversation_id, account_id, last_activity_at, "
                     "joined_at) VALUES (?, ?, ?, ?)",
                     [(conversation_id, member, now, now) for member in dict.fromkeys(member_ids) if member])


def start(conn, starter_id, member_ids, message, *, subject=None, to_stranger=False) -> tuple[str, int]:
    """(conversation id, first message id): a new conversation of starter and members."""
    conversation_id, now = new_id(), utc_now()
    kind, subject_id = subject or (None, None)
    with transaction(conn):
        conn.execute("INSERT INTO conversations (id, subject_kind, subject_id, started_by, to_stranger, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     (conversation_id, kind, subject_id, starter_id, int(to_stranger), now))
        _add_members(conn, conversation_id, [starter_id, *member_ids], now)
        message_id = insert_message(conn, conversation_id, starter_id, body=message)
        notify_members(conn, conversation_id, starter_id, message_id, message)
    return conversation_id, message_id


# --- Reading ----------------------------------------------------------------------------------

def get_conversation(conn, conversation_id):
    row = conn.execute("SELECT * FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    return dict(row) if row else None


def thread_of(conn, subject_kind, subject_id):
    row = conn.execute("SELECT id FROM conversations WHERE subject_kind = ? AND subject_id = ?",
                       (subject_kind, subject_id)).fetchone()
    return row[0] if row else None


def membership(conn, conversation_id, account_id):
    row = conn.execute("SELECT * FROM conversation_members WHERE conversation_id = ? AND account_id = ?",
                       (conversation_id, account_id)).fetchone()
    return dict(row) if row else None


def members_of(conn, conversation_ids):
    """{conversation id: [member rows]} with each member's profile basics and read position."""
    if not conversation_ids:
        return {}
    marks = ", ".join("?" * len(conversation_ids))
    rows = conn.execute(
        "SELECT cm.conversation_id, cm.last_read_id, a.id, a.username, a.artist_name, a.profile_image_url, "
        f"a.account_type FROM conversation_members cm JOIN artists a ON a.id = cm.account_id "
        f"WHERE cm.conversation_id IN ({marks}) ORDER BY cm.joined_at, a.id", tuple(conversation_ids))
    found: dict[str, list] = {cid: [] for cid in conversation_ids}
    for row in rows:
        found[row["conversation_id"]].append(dict(row))
    return found


def inbox(conn, account_id, *, limit=20, offset=0, unread_only=False):
    """(conversations, total): the account's conversations, newest activity first, each with
    its unread count and the newest message the account may see."""
    where = "cm.account_id = :viewer AND (:unread = 0 OR cm.unread_count > 0)"
    params = {"viewer": account_id, "unread": int(unread_only), "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) FROM conversation_members cm WHERE {where}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT c.*, cm.unread_count, cm.last_read_id, cm.last_activity_at FROM conversation_members cm "
        f"JOIN conversations c ON c.id = cm.conversation_id WHERE {where} "
        "ORDER BY cm.last_activity_at DESC, cm.conversation_id DESC LIMIT :limit OFFSET :offset", params).fetchall()
    conversations = [dict(row) for row in rows]
    for conversation in conversations:
        newest = messages_page(conn, conversation["id"], account_id, limit=1)[0]
        conversation["last_message"] = newest[0] if newest else None
    return conversations, total


def inbox_state(conn, account_id, *, limit=20) -> dict:
    """What a live client needs to know it should refresh: the unread total and the latest
    conversations' activity, read from the inbox index alone."""
    latest = [dict(row) for row in conn.execute(
        "SELECT conversation_id AS id, unread_count, last_activity_at FROM conversation_members "
        "WHERE account_id = ? ORDER BY last_activity_at DESC, conversation_id DESC LIMIT ?", (account_id, limit))]
    unread = conn.execute("SELECT coalesce(sum(unread_count), 0) FROM conversation_members WHERE account_id = ?",
                          (account_id,)).fetchone()[0]
    return {"unread_total": unread, "latest": latest}


def messages_page(conn, conversation_id, viewer_id, *, before=None, after=None, limit=50):
    """(messages, more): up to `limit` messages the viewer may see, newest first, older than
    `before` or newer than `after` (message ids: a keyset, so a page costs the same anywhere)."""
    params = {"conversation": conversation_id, "viewer": viewer_id, "before": before, "after": after,
              "limit": limit + 1}
    order = "ASC" if after is not None and before is None else "DESC"
    # Only the bounds given go into the SQL: "(:before IS NULL OR m.id < :before)" would keep
    # SQLite from seeking the index to the bound, and a deep page would walk every newer row.
    bounds = "".join(clause for clause, value in ((" AND m.id < :before", before), (" AND m.id > :after", after))
                     if value is not None)
    rows = conn.execute(
        f"SELECT {_MESSAGE_COLUMNS} FROM messages m LEFT JOIN artists u ON u.id = m.author_id "
        f"WHERE m.conversation_id = :conversation{bounds} AND {_VISIBLE} ORDER BY m.id {order} LIMIT :limit",
        params).fetchall()
    messages = [dict(row) for row in rows[:limit]]
    if order == "ASC":
        messages.reverse()
    return messages, len(rows) > limit


def get_message(conn, message_id):
    row = conn.execute(f"SELECT {_MESSAGE_COLUMNS} FROM messages m LEFT JOIN artists u ON u.id = m.author_id "
                       "WHERE m.id = ?", (message_id,)).fetchone()
    return dict(row) if row else None


def visible_to(conn, message, viewer_id) -> bool:
    return message["author_id"] is None or not has_blocked(conn, message["author_id"], viewer_id)


# --- Writing ----------------------------------------------------------------------------------

def insert_message(conn, conversation_id, author_id, *, body=None, attachment=None) -> int:
    """A message in the caller's transaction; attachment: {"sha256", "type", "width", "height"}."""
    attachment = attachment or {}
    cursor = conn.execute(
        "INSERT INTO messages (conversation_id, author_id, body, attachment_sha256, attachment_type, "
        "attachment_width, attachment_height, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (conversation_id, author_id, body, attachment.get("sha256"), attachment.get("type"),
         attachment.get("width"), attachment.get("height"), utc_now()))
    return cursor.lastrowid


def post(conn, conversation_id, author_id, *, body=None, attachment=None) -> int:
    with transaction(conn):
        message_id = insert_message(conn, conversation_id, author_id, body=body, attachment=attachment)
        notify_members(conn, conversation_id, author_id, message_id, body)
    return message_id


def notify_members(conn, conversation_id, author_id, message_id, body):
    """One unread notification per member and conversation, counting the messages since it was
    read, so a lively thread does not flood the inbox; its text only for members who opted in."""
    author = conn.execute("SELECT artist_name FROM artists WHERE id = ?", (author_id,)).fetchone()
    recipients = conn.execute(
        "SELECT cm.account_id, coalesce(s.message_previews, 0) AS previews FROM conversation_members cm "
        "LEFT JOIN portfolio_settings s ON s.artist_id = cm.account_id "
        "WHERE cm.conversation_id = ? AND cm.account_id <> ? AND NOT EXISTS (SELECT 1 FROM blocks "
        "WHERE blocker_id = ? AND blocked_id = cm.account_id)", (conversation_id, author_id, author_id)).fetchall()
    for recipient, previews in recipients:
        data = {"conversation_id": conversation_id, "message_id": message_id,
                "message": f"{author[0] if author else 'Someone'} sent you a message."}
        if previews and body:
            data["preview"] = body[:PREVIEW_CHARS]
        _coalesce(conn, recipient, author_id, conversation_id, data)


def _coalesce(conn, recipient_id, author_id, conversation_id, data):
    unread = conn.execute("SELECT id, data FROM notifications WHERE recipient_id = ? AND kind = 'message' "
                          "AND subject_id = ? AND read_at IS NULL", (recipient_id, conversation_id)).fetchone()
    if unread is None:
        notifications.notify(conn, recipient_id, "message", actor_id=author_id, subject_id=conversation_id,
                             data={**data, "count": 1})
        return
    count = json.loads(unread["data"]).get("count", 1) + 1
    conn.execute("UPDATE notifications SET data = ?, actor_id = ?, created_at = ? WHERE id = ?",
                 (json.dumps({**data, "count": count}), author_id, utc_now(), unread["id"]))


def mark_read(conn, conversation_id, account_id, *, up_to=None):
    """Read everything the account may see up to message id `up_to` (all when None)."""
    params = {"conversation": conversation_id, "viewer": account_id, "up_to": up_to}
    with transaction(conn):
        bound = "" if up_to is None else " AND m.id <= :up_to"
        newest = conn.execute(f"SELECT m.id FROM messages m WHERE m.conversation_id = :conversation{bound} "
                              f"AND {_VISIBLE} ORDER BY m.id DESC LIMIT 1", params).fetchone()
        newest = newest[0] if newest else 0
        params["newest"] = newest
        conn.execute(
            f"UPDATE conversation_members SET last_read_id = max(last_read_id, :newest), unread_count = "
            f"(SELECT count(*) FROM messages m WHERE m.conversation_id = :conversation AND m.id > max(last_read_id, "
            f":newest) AND m.author_id IS NOT :viewer AND {_VISIBLE}) "
            "WHERE conversation_id = :conversation AND account_id = :viewer", params)
        conn.execute("UPDATE notifications SET read_at = ? WHERE recipient_id = ? AND kind = 'message' "
                     "AND subject_id = ? AND read_at IS NULL", (utc_now(), account_id, conversation_id))


def attachment_in_use(conn, sha256) -> bool:
    return conn.execute("SELECT 1 FROM messages WHERE attachment_sha256 = ? LIMIT 1", (sha256,)).fetchone() is not None


def remove_message(conn, message_id):
    """Moderation's removal, in the caller's transaction: the row stays (the thread keeps its
    shape), its text and image go."""
    conn.execute("UPDATE messages SET body = NULL, attachment_sha256 = NULL, attachment_type = NULL, "
                 "removed_at = ? WHERE id = ?", (utc_now(), message_id))
