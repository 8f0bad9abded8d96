"""Enquiries: a collector's question about a work, and the thread in which the artist answers.

Only the two parties can read a thread. The first message opens it; the enquiry's status says
whose turn it is (open: the artist's, answered: the collector's) until either party closes it.
The thread is the enquiry's conversation (store.conversations, same id): one message store, so
the two can also write to it from their conversations.
"""

from store import conversations, new_id, notifications, transaction, utc_now

STATUSES = ("open", "answered", "closed")
ROLES = ("artist", "collector")

_COLUMNS = """
    e.id, e.artwork_id, e.artwork_title, e.artist_id, e.collector_id, e.status, e.message_count,
    e.last_message_at, e.created_at,
    c.username AS collector_username, c.artist_name AS collector_artist_name,
    c.profile_image_url AS collector_profile_image_url, c.account_type AS collector_account_type,
    c.contact_info AS collector_contact_info,
    a.username AS artist_username, a.artist_name AS artist_artist_name,
    a.profile_image_url AS artist_profile_image_url, a.account_type AS artist_account_type
"""
_FROM = "FROM enquiries e JOIN artists c ON c.id = e.collector_id JOIN artists a ON a.id = e.artist_id"


def role_of(enquiry, user_id):
    if user_id is not None and user_id == enquiry["artist_id"]:
        return "artist"
    return "collector" if user_id is not None and user_id == enquiry["collector_id"] else None


def get_enquiry(conn, enquiry_id):
    row = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE e.id = ?", (enquiry_id,)).fetchone()
    return dict(row) if row else None


def create_enquiry(conn, collector_id, artwork, message):
    """Open a thread about `artwork` (a row with id, title and artist_id) with its first message."""
    enquiry_id = new_id()
    with transaction(conn):
        conn.execute("INSERT INTO enquiries (id, artwork_id, artwork_title, artist_id, collector_id, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     (enquiry_id, artwork["id"], artwork["title"], artwork["artist_id"], collector_id, utc_now()))
        conversations.open_thread(conn, "enquiry", enquiry_id, [collector_id, artwork["artist_id"]], collector_id)
        _add_message(conn, get_enquiry(conn, enquiry_id), collector_id, message)
    return enquiry_id


def add_message(conn, enquiry, author_id, body):
    with transaction(conn):
        _add_message(conn, enquiry, author_id, body)


def _add_message(conn, enquiry, author_id, body):
    conversations.insert_message(conn, enquiry["id"], author_id, body=body)
    recipient = enquiry["artist_id"] if author_id == enquiry["collector_id"] else enquiry["collector_id"]
    author = enquiry["collector_artist_name"] if author_id == enquiry["collector_id"] else enquiry["artist_artist_name"]
    notifications.notify(conn, recipient, "enquiry", actor_id=author_id, artwork_id=enquiry["artwork_id"],
                         subject_id=enquiry["id"],
                         data={"enquiry_id": enquiry["id"],
                               "message": f"{author} wrote about “{enquiry['artwork_title']}”."})


def close_enquiry(conn, enquiry_id):
    with transaction(conn):
        conn.execute("UPDATE enquiries SET status = 'closed' WHERE id = ?", (enquiry_id,))


def messages_of(conn, enquiry_id, viewer_id, *, limit=500):
    """The thread oldest first (its latest `limit` messages), as the viewer may see it."""
    messages, _ = conversations.messages_page(conn, enquiry_id, viewer_id, limit=limit)
    return messages[::-1]


def list_enquiries(conn, user_id, *, role="artist", status=None, artwork_id=None, limit=20, offset=0):
    """(enquiries, total) the user received (role artist) or sent (collector), latest activity first."""
    where = ["e.artist_id = :user" if role == "artist" else "e.collector_id = :user"]
    if status:
        where.append("e.status = :status")
    if artwork_id:
        where.append("e.artwork_id = :artwork")
    clause = " AND ".join(where)
    params = {"user": user_id, "status": status, "artwork": artwork_id, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) FROM enquiries e WHERE {clause}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE {clause} "
                        "ORDER BY e.last_message_at DESC, e.id LIMIT :limit OFFSET :offset", params)
    return [dict(row) for row in rows], total
