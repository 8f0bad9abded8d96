"""Commissions: a client's request to an artist, its agreed path to completion, and its history.

The status moves only along requested → accepted → in_progress → completed; either party may
cancel before completion, with a reason. Every change is an event (commission_events) and a
notification to the other party, written together in one durable transaction.
"""

from store import conversations, durable_transaction, new_id, notifications, utc_now, utc_today

STATUSES = ("requested", "accepted", "in_progress", "completed", "cancelled")
ROLES = ("artist", "client")
# From each status: the statuses it may move to, and who may move it there.
MOVES = {
    "requested": {"accepted": ("artist",), "cancelled": ROLES},
    "accepted": {"in_progress": ("artist",), "cancelled": ROLES},
    "in_progress": {"completed": ("artist",), "cancelled": ROLES},
    "completed": {},
    "cancelled": {},
}
MESSAGES = {
    "requested": "{actor} asked you for a commission: “{title}”.",
    "accepted": "{actor} accepted your commission “{title}”.",
    "in_progress": "{actor} started work on your commission “{title}”.",
    "completed": "{actor} completed your commission “{title}”.",
    "cancelled": "{actor} cancelled the commission “{title}”.",
    "note": "{actor} added a progress note to the commission “{title}”.",
}

_COLUMNS = """
    c.id, c.client_id, c.artist_id, c.title, c.description, c.budget, c.currency, c.deadline, c.status,
    c.progress_notes, c.completion_date, c.created_at, c.updated_at,
    cl.username AS client_username, cl.artist_name AS client_artist_name,
    cl.profile_image_url AS client_profile_image_url, cl.account_type AS client_account_type,
    cl.contact_info AS client_contact_info, cl.location AS client_location,
    ar.username AS artist_username, ar.artist_name AS artist_artist_name,
    ar.profile_image_url AS artist_profile_image_url, ar.account_type AS artist_account_type
"""
_FROM = "FROM commissions c LEFT JOIN artists cl ON cl.id = c.client_id JOIN artists ar ON ar.id = c.artist_id"


class MoveRefused(Exception):
    """A status change the commission's path does not allow; `allowed` lists the ones it does."""

    def __init__(self, current, wanted, allowed, forbidden_role=False):
        super().__init__(f"{current} -> {wanted}")
        self.current, self.wanted, self.allowed, self.forbidden_role = current, wanted, allowed, forbidden_role


def role_of(commission, user_id):
    """'artist', 'client' or None."""
    if user_id == commission["artist_id"]:
        return "artist"
    return "client" if user_id is not None and user_id == commission["client_id"] else None


def allowed_moves(status, role):
    return [target for target, roles in MOVES[status].items() if role in roles]


def check_move(current, wanted, role):
    """Raise MoveRefused unless `role` may move a commission from `current` to `wanted`."""
    if wanted in MOVES[current] and role not in MOVES[current][wanted]:
        raise MoveRefused(current, wanted, allowed_moves(current, role), forbidden_role=True)
    if wanted not in MOVES[current]:
        raise MoveRefused(current, wanted, allowed_moves(current, role))


def _notify(conn, commission, actor_id, kind):
    recipient = commission["client_id"] if actor_id == commission["artist_id"] else commission["artist_id"]
    message = MESSAGES[kind].replace("{title}", commission["title"] or "untitled")
    notifications.notify(conn, recipient, "commission", actor_id=actor_id, subject_id=commission["id"],
                         data={"commission_id": commission["id"], "event": kind, "status": commission["status"],
                               "message": message})


def _event(conn, commission_id, actor_id, kind, note=None):
    conn.execute("INSERT INTO commission_events (commission_id, actor_id, kind, note, created_at) "
                 "VALUES (?, ?, ?, ?, ?)", (commission_id, actor_id, kind, note, utc_now()))


def create_commission(conn, client_id, artist_id, fields):
    commission_id, now = new_id(), utc_now()
    with durable_transaction(conn):
        conn.execute(
            "INSERT INTO commissions (id, client_id, artist_id, title, description, budget, currency, deadline, "
            "created_at, updated_at) VALUES (:id, :client, :artist, :title, :description, :budget, :currency, "
            ":deadline, :now, :now)",
            {**fields, "id": commission_id, "client": client_id, "artist": artist_id, "now": now})
        _event(conn, commission_id, client_id, "requested")
        # The client communication lives beside the status path: one conversation of the two.
        conversations.open_thread(conn, "commission", commission_id, [client_id, artist_id], client_id)
        _notify(conn, {**fields, "id": commission_id, "client_id": client_id, "artist_id": artist_id,
                       "status": "requested"}, client_id, "requested")
    return commission_id


def get_commission(conn, commission_id):
    row = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE c.id = ?", (commission_id,)).fetchone()
    return dict(row) if row else None


def events_of(conn, commission_id):
    return [dict(row) for row in conn.execute(
        "SELECT e.id, e.kind, e.note, e.created_at, e.actor_id, u.username AS actor_username, "
        "u.artist_name AS actor_artist_name, u.profile_image_url AS actor_profile_image_url, "
        "u.account_type AS actor_account_type "
        "FROM commission_events e LEFT JOIN artists u ON u.id = e.actor_id "
        "WHERE e.commission_id = ? ORDER BY e.id", (commission_id,))]


def list_commissions(conn, user_id, *, role=None, status=None, limit=20, offset=0):
    """(commissions, total) where the user is the artist or the client, newest first."""
    parties = {"artist": "c.artist_id = :user", "client": "c.client_id = :user"}
    where = [parties[role] if role else "(c.artist_id = :user OR c.client_id = :user)"]
    if status:
        where.append("c.status = :status")
    clause = " AND ".join(where)
    params = {"user": user_id, "status": status, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) FROM commissions c WHERE {clause}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE {clause} "
                        "ORDER BY c.created_at DESC, c.id LIMIT :limit OFFSET :offset", params)
    return [dict(row) for row in rows], total


def update_commission(conn, commission_id, actor_id, *, status=None, note=None, reason=None, completion_date=None):
    """Apply one party's change: a status move and/or a progress note. Checked against the row as it
    is inside the transaction, so two parties changing it at once cannot both move it."""
    with durable_transaction(conn):
        commission = get_commission(conn, commission_id)
        role = role_of(commission, actor_id)
        if status is not None:
            check_move(commission["status"], status, role)
            completed_on = (completion_date or utc_today()) if status == "completed" else None
            conn.execute("UPDATE commissions SET status = ?, completion_date = coalesce(?, completion_date), "
                         "updated_at = ? WHERE id = ?", (status, completed_on, utc_now(), commission_id))
            _event(conn, commission_id, actor_id, status, reason)
        if note is not None:
            _event(conn, commission_id, actor_id, "note", note)
            conn.execute("UPDATE commissions SET updated_at = ? WHERE id = ?", (utc_now(), commission_id))
        # One notice per change: the status move says more than the note that came with it.
        _notify(conn, {**commission, "status": status or commission["status"]}, actor_id, status or "note")


def outcomes_for(conn, artist_id):
    """The artist's commissions by status, and the value of the completed ones per currency."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in conn.execute(
            "SELECT status, count(*) FROM commissions WHERE artist_id = ? GROUP BY status", (artist_id,)):
        counts[status] = count
    earned = {currency: total for currency, total in conn.execute(
        "SELECT currency, sum(budget) FROM commissions WHERE artist_id = ? AND status = 'completed' "
        "GROUP BY currency ORDER BY currency", (artist_id,))}
    return {"by_status": counts, "completed_value": earned}
