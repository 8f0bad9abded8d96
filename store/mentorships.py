"""Mentorship: artists offer it (a mentor profile with capacity), mentees ask, and an active
mentorship keeps goals, logged sessions and portfolio reviews (critiques the mentor gave the
mentee's works), with a conversation of the two made with the request.

Status path: requested -> active (the mentor accepts) -> completed; a request can be declined
(mentor) or cancelled (mentee), an active mentorship cancelled by either. Every move is logged
in community_events. Capacity is the mentor's number of active mentorships; accepting takes a
slot atomically, so two acceptances cannot overfill it.
"""

import json

from store import conversations, new_id, notifications, transaction, utc_now

STATUSES = ("requested", "active", "completed", "declined", "cancelled")
MOVES = {"requested": {"active": ("mentor",), "declined": ("mentor",), "cancelled": ("mentee",)},
         "active": {"completed": ("mentor", "mentee"), "cancelled": ("mentor", "mentee")}}
LIST_FIELDS = ("specialties", "mediums", "languages")

_PROFILE_COLUMNS = """p.artist_id, p.experience, p.specialties, p.mediums, p.languages, p.capacity, p.accepting,
    p.active_count, p.created_at, p.updated_at, a.username, a.artist_name, a.profile_image_url, a.account_type,
    a.critiques_given, a.helpful_received,
    (SELECT count(*) FROM mentorships m WHERE m.mentor_id = p.artist_id AND m.status = 'completed') AS completed"""
_PROFILE_FROM = "FROM mentor_profiles p JOIN artists a ON a.id = p.artist_id"


_PERSON = ("id", "username", "artist_name", "profile_image_url", "account_type")
_MENTORSHIP_SELECT = ("SELECT m.*, " + ", ".join(f"{who}.{c} AS {who}_{c}" for who in ("mentor", "mentee")
                                                 for c in _PERSON)
                      + " FROM mentorships m JOIN artists mentor ON mentor.id = m.mentor_id "
                        "JOIN artists mentee ON mentee.id = m.mentee_id")


class Refused(Exception):
    """A request or move the mentor's capacity, or the pair's open mentorship, does not allow."""


def allowed_moves(status, role):
    return [target for target, roles in MOVES.get(status, {}).items() if role in roles]


def role_of(mentorship, user_id):
    if user_id is not None and user_id == mentorship["mentor_id"]:
        return "mentor"
    return "mentee" if user_id is not None and user_id == mentorship["mentee_id"] else None


# --- Mentor profiles --------------------------------------------------------------------------

def _profile(row):
    if row is None:
        return None
    profile = dict(row)
    for field in LIST_FIELDS:
        profile[field] = json.loads(profile[field])
    profile["accepting"] = bool(profile["accepting"])
    profile["open_slots"] = max(0, profile["capacity"] - profile["active_count"]) if profile["accepting"] else 0
    return profile


def get_profile(conn, artist_id):
    return _profile(conn.execute(f"SELECT {_PROFILE_COLUMNS} {_PROFILE_FROM} WHERE p.artist_id = ?",
                                 (artist_id,)).fetchone())


def put_profile(conn, artist_id, fields: dict):
    values = {**fields, **{f: json.dumps(fields[f]) for f in LIST_FIELDS if f in fields}}
    columns = list(values)
    with transaction(conn):
        conn.execute(
            f"INSERT INTO mentor_profiles (artist_id, {', '.join(columns)}, updated_at) "
            f"VALUES (:artist_id, {', '.join(':' + c for c in columns)}, :now) ON CONFLICT (artist_id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in [*columns, "updated_at"]),
            {**values, "artist_id": artist_id, "now": utc_now()})


def delete_profile(conn, artist_id) -> bool:
    with transaction(conn):
        return conn.execute("DELETE FROM mentor_profiles WHERE artist_id = ?", (artist_id,)).rowcount == 1


def list_mentors(conn, *, specialty=None, medium=None, language=None, available=None, exclude=None,
                 limit=20, offset=0):
    """(profiles, total): mentors matching every filter given (list fields match without regard
    to case), most open slots first."""
    where, params = ["1 = 1"], {"limit": limit, "offset": offset, "exclude": exclude}
    for field, value in (("specialties", specialty), ("mediums", medium), ("languages", language)):
        if value:
            where.append(f"EXISTS (SELECT 1 FROM json_each(p.{field}) j WHERE lower(j.value) = lower(:{field}))")
            params[field] = value
    if available is not None:
        where.append("(p.accepting = 1 AND p.capacity > p.active_count) = :available")
        params["available"] = int(available)
    if exclude:
        where.append("p.artist_id <> :exclude")
    clause = " AND ".join(where)
    total = conn.execute(f"SELECT count(*) {_PROFILE_FROM} WHERE {clause}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {_PROFILE_COLUMNS} {_PROFILE_FROM} WHERE {clause} "
                        "ORDER BY p.accepting * (p.capacity - p.active_count) DESC, a.helpful_received DESC, "
                        "p.artist_id LIMIT :limit OFFSET :offset", params)
    return [_profile(row) for row in rows], total


# --- Mentorships ------------------------------------------------------------------------------

def _log(conn, mentorship_id, actor_id, action, note=None):
    conn.execute("INSERT INTO community_events (subject_kind, subject_id, actor_id, action, note, created_at) "
                 "VALUES ('mentorship', ?, ?, ?, ?, ?)", (mentorship_id, actor_id, action, note, utc_now()))


def _notify(conn, mentorship_id, recipient_id, actor_id, message):
    notifications.notify(conn, recipient_id, "mentorship", actor_id=actor_id, subject_id=mentorship_id,
                         data={"mentorship_id": mentorship_id, "message": message})


def _open_slot_sql():
    return ("SELECT 1 FROM mentor_profiles WHERE artist_id = :mentor AND accepting = 1 "
            "AND capacity > active_count")


def request(conn, mentor_id, mentee_id, goals, proposed_weeks) -> str:
    """A new request, with the pair's conversation; Refused when the mentor has no open slot or
    the two have an open request or mentorship already."""
    mentorship_id, now = new_id(), utc_now()
    with transaction(conn):
        if conn.execute(_open_slot_sql(), {"mentor": mentor_id}).fetchone() is None:
            raise Refused("This mentor has no open slots.")
        inserted = conn.execute(
            "INSERT INTO mentorships (id, mentor_id, mentee_id, goals, proposed_weeks, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (mentorship_id, mentor_id, mentee_id, goals, proposed_weeks, now, now)).rowcount
        if not inserted:
            raise Refused("You have an open request or mentorship with this mentor already.")
        conversations.open_thread(conn, "mentorship", mentorship_id, [mentee_id, mentor_id], mentee_id)
        _log(conn, mentorship_id, mentee_id, "requested")
        _notify(conn, mentorship_id, mentor_id, mentee_id, "You have a new mentorship request.")
    return mentorship_id


def move(conn, mentorship, status, actor_id, note=None):
    """Move to `status` (the caller checked the role may); accepting takes a slot or is Refused."""
    now = utc_now()
    with transaction(conn):
        full = conn.execute(_open_slot_sql(), {"mentor": mentorship["mentor_id"]}).fetchone() is None
        if status == "active" and full:
            raise Refused("You have no open slots: complete a mentorship or raise your capacity first.")
        moved = conn.execute(
            "UPDATE mentorships SET status = :status, updated_at = :now, "
            "started_at = CASE WHEN :status = 'active' THEN :now ELSE started_at END, "
            "ended_at = CASE WHEN :status IN ('completed', 'declined', 'cancelled') THEN :now END "
            "WHERE id = :id AND status = :current",
            {"status": status, "now": now, "id": mentorship["id"], "current": mentorship["status"]}).rowcount
        if not moved:
            raise Refused("The mentorship changed meanwhile; read it again.")
        _log(conn, mentorship["id"], actor_id, status, note)
        other = mentorship["mentee_id"] if actor_id == mentorship["mentor_id"] else mentorship["mentor_id"]
        _notify(conn, mentorship["id"], other, actor_id, f"Your mentorship is now {status}.")


def get(conn, mentorship_id):
    """The mentorship with both parties' profile basics (mentor_ and mentee_ columns)."""
    row = conn.execute(f"{_MENTORSHIP_SELECT} WHERE m.id = ?", (mentorship_id,)).fetchone()
    return dict(row) if row else None


def list_for(conn, user_id, *, role=None, status=None, limit=20, offset=0):
    where = ["(m.mentor_id = :user OR m.mentee_id = :user)" if role is None else
             ("m.mentor_id = :user" if role == "mentor" else "m.mentee_id = :user")]
    if status:
        where.append("m.status = :status")
    clause = " AND ".join(where)
    params = {"user": user_id, "status": status, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) FROM mentorships m WHERE {clause}", params).fetchone()[0]
    rows = conn.execute(f"{_MENTORSHIP_SELECT} WHERE {clause} ORDER BY m.updated_at DESC, m.id "
                        "LIMIT :limit OFFSET :offset", params)
    return [dict(row) for row in rows], total


def events_of(conn, mentorship_id):
    return [dict(row) for row in conn.execute(
        "SELECT action, actor_id, note, created_at FROM community_events WHERE subject_kind = 'mentorship' "
        "AND subject_id = ? ORDER BY id", (mentorship_id,))]


# --- Goals, sessions, reviews -----------------------------------------------------------------

def add_goal(conn, mentorship_id, title, progress=0) -> int:
    with transaction(conn):
        return conn.execute("INSERT INTO mentorship_goals (mentorship_id, title, progress, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, ?)", (mentorship_id, title, progress, utc_now(), utc_now())).lastrowid


def update_goal(conn, mentorship_id, goal_id, fields: dict) -> bool:
    columns = [c for c in ("title", "progress") if c in fields]
    with transaction(conn):
        return conn.execute(
            f"UPDATE mentorship_goals SET {', '.join(f'{c} = :{c}' for c in columns + ['updated_at'])} "
            "WHERE id = :id AND mentorship_id = :mentorship",
            {**{c: fields[c] for c in columns}, "updated_at": utc_now(), "id": goal_id,
             "mentorship": mentorship_id}).rowcount == 1


def goals_of(conn, mentorship_id):
    return [dict(row) for row in conn.execute(
        "SELECT id, title, progress, created_at, updated_at FROM mentorship_goals WHERE mentorship_id = ? "
        "ORDER BY id", (mentorship_id,))]


def add_session(conn, mentorship_id, author_id, held_on, notes) -> int:
    with transaction(conn):
        return conn.execute("INSERT INTO mentorship_sessions (mentorship_id, author_id, held_on, notes, created_at) "
                            "VALUES (?, ?, ?, ?, ?)", (mentorship_id, author_id, held_on, notes, utc_now())).lastrowid


def sessions_of(conn, mentorship_id):
    return [dict(row) for row in conn.execute(
        "SELECT id, author_id, held_on, notes, created_at FROM mentorship_sessions WHERE mentorship_id = ? "
        "ORDER BY held_on, id", (mentorship_id,))]


def add_review(conn, mentorship_id, critique_id, note=None) -> bool:
    """Link a critique in as a portfolio review; False when it is linked already."""
    with transaction(conn):
        return conn.execute("INSERT INTO mentorship_reviews (mentorship_id, critique_id, note, created_at) "
                            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                            (mentorship_id, critique_id, note, utc_now())).rowcount == 1


def reviews_of(conn, mentorship_id):
    return [dict(row) for row in conn.execute(
        "SELECT r.critique_id, r.note, r.created_at, k.artwork_id, w.title AS artwork_title FROM mentorship_reviews r "
        "JOIN critiques k ON k.id = r.critique_id JOIN artworks w ON w.id = k.artwork_id "
        "WHERE r.mentorship_id = ? ORDER BY r.created_at", (mentorship_id,))]
