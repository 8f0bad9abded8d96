"""Exhibitions and calls for entry, their submissions, and the organisers' decisions.

Dates are 'YYYY-MM-DD' in UTC. An exhibition moves through four phases in turn: open (taking
submissions until the end of its deadline day), upcoming (closed, not started), current and past.
"""

import json

from store import new_id, notifications, transaction, utc_now, utc_today

PHASES = ("open", "upcoming", "current", "past")
REVIEW_STATUSES = ("accepted", "rejected")
ONLINE = "online"

_COLUMNS = """
    e.id, e.organizer_id, e.title, e.description, e.submission_deadline, e.exhibition_start, e.exhibition_end,
    e.location, e.requirements, e.rules, e.submission_fee, e.currency, e.created_at,
    o.username AS organizer_username, o.artist_name AS organizer_artist_name,
    o.profile_image_url AS organizer_profile_image_url, o.account_type AS organizer_account_type,
    (SELECT count(*) FROM exhibition_submissions s WHERE s.exhibition_id = e.id) AS submission_count,
    (SELECT count(*) FROM exhibition_submissions s
     WHERE s.exhibition_id = e.id AND s.status = 'accepted') AS accepted_count
"""
_FROM = "FROM exhibitions e LEFT JOIN artists o ON o.id = e.organizer_id"

# Each phase as a condition, and the date that is nearest in it (the order of a list).
_PHASE_WHERE = {
    "open": "e.submission_deadline >= :today",
    "upcoming": "e.submission_deadline < :today AND e.exhibition_start > :today",
    "current": "e.submission_deadline < :today AND e.exhibition_start <= :today AND e.exhibition_end >= :today",
    "past": "e.exhibition_end < :today",
}
_PHASE_ORDER = {
    "open": "e.submission_deadline, e.created_at, e.id",
    "upcoming": "e.exhibition_start, e.created_at, e.id",
    "current": "e.exhibition_end, e.created_at, e.id",
    "past": "e.exhibition_end DESC, e.created_at DESC, e.id",
}
# Without a phase: by the next date still to come (deadline, opening or closing), past ones last.
_NEXT_DATE = """
    CASE WHEN e.submission_deadline >= :today THEN e.submission_deadline
         WHEN e.exhibition_start > :today THEN e.exhibition_start
         WHEN e.exhibition_end >= :today THEN e.exhibition_end END
"""


class AlreadySubmitted(Exception):
    """The artist has a submission to this exhibition already."""


def phase_of(exhibition, today=None):
    today = today or utc_today()
    if exhibition["submission_deadline"] >= today:
        return "open"
    if exhibition["exhibition_start"] > today:
        return "upcoming"
    return "current" if exhibition["exhibition_end"] >= today else "past"


def _exhibition(row):
    if row is None:
        return None
    exhibition = dict(row)
    exhibition["rules"] = json.loads(exhibition["rules"])
    exhibition["phase"] = phase_of(exhibition)
    return exhibition


def create_exhibition(conn, organizer_id, fields):
    exhibition_id = new_id()
    with transaction(conn):
        conn.execute(
            "INSERT INTO exhibitions (id, organizer_id, title, description, submission_deadline, exhibition_start, "
            "exhibition_end, location, requirements, rules, submission_fee, currency) VALUES "
            "(:id, :organizer, :title, :description, :submission_deadline, :exhibition_start, :exhibition_end, "
            ":location, :requirements, :rules, :submission_fee, :currency)",
            {**fields, "id": exhibition_id, "organizer": organizer_id, "rules": json.dumps(fields["rules"])})
    return exhibition_id


def get_exhibition(conn, exhibition_id):
    return _exhibition(conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE e.id = ?", (exhibition_id,)).fetchone())


def list_exhibitions(conn, *, phase=None, limit=20, offset=0):
    """(exhibitions, total) in one phase, or all of them, nearest date first."""
    where = _PHASE_WHERE[phase] if phase else "1"
    order = _PHASE_ORDER[phase] if phase else f"({_NEXT_DATE}) IS NULL, {_NEXT_DATE}, e.exhibition_end DESC, e.id"
    params = {"today": utc_today(), "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) FROM exhibitions e WHERE {where}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
                        params)
    return [_exhibition(row) for row in rows], total


# --- Submissions ---------------------------------------------------------------------------

_SUBMISSION_COLUMNS = """
    s.id, s.exhibition_id, s.artist_id, s.artwork_ids, s.artist_statement, s.status, s.submitted_at,
    s.updated_at, s.screening, s.review_note, s.reviewed_at,
    u.username AS artist_username, u.artist_name AS artist_artist_name,
    u.profile_image_url AS artist_profile_image_url, u.account_type AS artist_account_type
"""
_SUBMISSION_FROM = "FROM exhibition_submissions s JOIN artists u ON u.id = s.artist_id"


def _submission(row):
    if row is None:
        return None
    submission = dict(row)
    submission["artwork_ids"] = json.loads(submission["artwork_ids"])
    submission["screening"] = json.loads(submission["screening"])
    return submission


def get_submission(conn, submission_id):
    return _submission(conn.execute(f"SELECT {_SUBMISSION_COLUMNS} {_SUBMISSION_FROM} WHERE s.id = ?",
                                    (submission_id,)).fetchone())


def submission_of(conn, exhibition_id, artist_id):
    return _submission(conn.execute(
        f"SELECT {_SUBMISSION_COLUMNS} {_SUBMISSION_FROM} WHERE s.exhibition_id = ? AND s.artist_id = ?",
        (exhibition_id, artist_id)).fetchone())


def create_submission(conn, exhibition_id, artist_id, artwork_ids, statement, screening):
    submission_id = new_id()
    with transaction(conn):
        if submission_of(conn, exhibition_id, artist_id) is not None:
            raise AlreadySubmitted(exhibition_id)
        conn.execute(
            "INSERT INTO exhibition_submissions (id, exhibition_id, artist_id, artwork_ids, artist_statement, "
            "screening) VALUES (?, ?, ?, ?, ?, ?)",
            (submission_id, exhibition_id, artist_id, json.dumps(artwork_ids), statement, json.dumps(screening)))
    return submission_id


def edit_submission(conn, submission_id, changes, screening=None):
    """The artist's change of works or statement (re-screened: `screening`) before the deadline."""
    values = dict(changes)
    if "artwork_ids" in values:
        values["artwork_ids"] = json.dumps(values["artwork_ids"])
    if screening is not None:
        values["screening"] = json.dumps(screening)
    assignments = ", ".join([f"{column} = :{column}" for column in values] + ["updated_at = :updated_at"])
    with transaction(conn):
        conn.execute(f"UPDATE exhibition_submissions SET {assignments} WHERE id = :id",
                     {**values, "updated_at": utc_now(), "id": submission_id})


def withdraw_submission(conn, submission_id):
    with transaction(conn):
        conn.execute("DELETE FROM exhibition_submissions WHERE id = ?", (submission_id,))


def review_submission(conn, submission, status, note, organizer_id, exhibition_title):
    """The organiser accepts or rejects (again, if they change their mind); the artist is told."""
    with transaction(conn):
        conn.execute("UPDATE exhibition_submissions SET status = ?, review_note = ?, reviewed_at = ? WHERE id = ?",
                     (status, note, utc_now(), submission["id"]))
        notifications.notify(conn, submission["artist_id"], "exhibition", actor_id=organizer_id,
                             subject_id=submission["exhibition_id"],
                             data={"submission_id": submission["id"], "status": status,
                                   "exhibition_title": exhibition_title,
                                   "message": f"Your submission to “{exhibition_title}” was {status}."})


def list_submissions(conn, exhibition_id, *, status=None, limit=20, offset=0):
    """(submissions, total) for the organiser, oldest first (the order they came in)."""
    where = "s.exhibition_id = :exhibition" + (" AND s.status = :status" if status else "")
    params = {"exhibition": exhibition_id, "status": status, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) FROM exhibition_submissions s WHERE {where}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {_SUBMISSION_COLUMNS} {_SUBMISSION_FROM} WHERE {where} "
                        "ORDER BY s.submitted_at, s.id LIMIT :limit OFFSET :offset", params)
    return [_submission(row) for row in rows], total


def accepted_artworks(conn, exhibition_id, viewer_id, *, limit=20, offset=0):
    """(artwork ids, total): the virtual exhibition, works the viewer may see, by artist then as submitted."""
    body = """
        FROM exhibition_submissions s
        JOIN exhibition_submission_artworks sa ON sa.submission_id = s.id
        JOIN artworks a ON a.id = sa.artwork_id
        WHERE s.exhibition_id = :exhibition AND s.status = 'accepted'
          AND (a.availability_status <> 'private' OR a.artist_id IS :viewer)
    """
    params = {"exhibition": exhibition_id, "viewer": viewer_id, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) {body}", params).fetchone()[0]
    rows = conn.execute(f"SELECT a.id {body} ORDER BY s.submitted_at, s.id, "
                        "(SELECT j.key FROM json_each(s.artwork_ids) j WHERE j.value = a.id) "
                        "LIMIT :limit OFFSET :offset", params)
    return [row[0] for row in rows], total


def outcomes_for(conn, artist_id):
    """How an artist's submissions fared: {submitted, accepted, rejected}."""
    counts = dict.fromkeys(("submitted", "accepted", "rejected"), 0)
    for status, count in conn.execute(
            "SELECT status, count(*) FROM exhibition_submissions WHERE artist_id = ? GROUP BY status", (artist_id,)):
        counts[status] = count
    return counts
