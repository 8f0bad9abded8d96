"""Structured critique: an artist asks for it on a work, with questions; peers answer with
ratings on five criteria, strengths, suggestions and one answer per question.

One critique per reviewer and version of the work (the image's content address: a new image is
a new version). The artist marks critiques helpful; a reviewer's standing (critiques given,
helpful received) is kept on the account by the critiques triggers.

Give to get: the "needs feedback" list puts works with the fewest critiques first, and gives
each work a credit from its artist's own standing,

    credit = min(MAX_CREDIT, (critiques_given + 2 * helpful_received) / CREDIT_PER_PLACE)

so a work ranks as if it had `credit` fewer critiques: every five critiques its artist gave (or
fewer, if they were found helpful) move it one critique's worth up, at most three. Ties go to
the longest-waiting request.
"""

import json

from store import new_id, notifications, transaction, utc_now

CRITERIA = ("composition", "colour", "technique", "concept", "originality")
MIN_TEXT = 50
MAX_QUESTIONS = 5
CREDIT_PER_PLACE = 5.0
MAX_CREDIT = 3.0

_CREDIT = (f"min({MAX_CREDIT}, (ar.critiques_given + 2 * ar.helpful_received) / {CREDIT_PER_PLACE})")
_CRITIQUE_COLUMNS = f"""
    k.id, k.artwork_id, k.version, {", ".join("k." + c for c in CRITERIA)}, k.strengths, k.suggestions, k.answers,
    k.helpful_at, k.created_at, w.artist_id AS artwork_artist_id, w.title AS artwork_title,
    r.id AS reviewer_id, r.username AS reviewer_username, r.artist_name AS reviewer_artist_name,
    r.profile_image_url AS reviewer_profile_image_url, r.account_type AS reviewer_account_type,
    r.critiques_given AS reviewer_critiques_given, r.helpful_received AS reviewer_helpful_received
"""
_CRITIQUE_FROM = "FROM critiques k JOIN artworks w ON w.id = k.artwork_id JOIN artists r ON r.id = k.reviewer_id"


class AlreadyGiven(Exception):
    """This reviewer has critiqued this version of the work already."""


def version_of(artwork) -> str:
    return artwork["image_sha256"] or "no-image"


def _critique(row):
    if row is None:
        return None
    critique = dict(row)
    critique["answers"] = json.loads(critique["answers"])
    return critique


def add(conn, artwork, reviewer_id, ratings: dict, strengths: str, suggestions: str, answers: list[str]) -> str:
    """A new critique of `artwork` (a row), with a notification to its artist."""
    critique_id = new_id()
    with transaction(conn):
        cursor = conn.execute(
            f"INSERT INTO critiques (id, artwork_id, reviewer_id, version, {', '.join(CRITERIA)}, strengths, "
            f"suggestions, answers, created_at) VALUES (?, ?, ?, ?, {', '.join('?' * len(CRITERIA))}, ?, ?, ?, ?) "
            "ON CONFLICT (artwork_id, reviewer_id, version) DO NOTHING",
            (critique_id, artwork["id"], reviewer_id, version_of(artwork), *(ratings.get(c) for c in CRITERIA),
             strengths, suggestions, json.dumps(answers), utc_now()))
        if cursor.rowcount == 0:
            raise AlreadyGiven
        notifications.notify(conn, artwork["artist_id"], "critique", actor_id=reviewer_id, artwork_id=artwork["id"],
                             subject_id=critique_id,
                             data={"critique_id": critique_id,
                                   "message": f"You have a new critique of “{artwork['title']}”."})
    return critique_id


def get(conn, critique_id):
    return _critique(conn.execute(f"SELECT {_CRITIQUE_COLUMNS} {_CRITIQUE_FROM} WHERE k.id = ?",
                                  (critique_id,)).fetchone())


def of_artwork(conn, artwork_id, *, limit=20, offset=0):
    """(critiques, total, averages): newest first; averages per criterion over every critique
    that rated it (None where none did), with how many rated it."""
    total = conn.execute("SELECT count(*) FROM critiques WHERE artwork_id = ?", (artwork_id,)).fetchone()[0]
    rows = conn.execute(f"SELECT {_CRITIQUE_COLUMNS} {_CRITIQUE_FROM} WHERE k.artwork_id = ? "
                        "ORDER BY k.created_at DESC, k.id LIMIT ? OFFSET ?", (artwork_id, limit, offset))
    summary = conn.execute(
        "SELECT " + ", ".join(f"avg({c}), count({c})" for c in CRITERIA) + " FROM critiques WHERE artwork_id = ?",
        (artwork_id,)).fetchone()
    averages = {c: {"average": None if summary[2 * i] is None else round(summary[2 * i], 2),
                    "ratings": summary[2 * i + 1]} for i, c in enumerate(CRITERIA)}
    return [_critique(row) for row in rows], total, averages


def set_helpful(conn, critique_id, helpful: bool):
    with transaction(conn):
        conn.execute("UPDATE critiques SET helpful_at = CASE WHEN ? THEN coalesce(helpful_at, ?) END WHERE id = ?",
                     (int(helpful), utc_now(), critique_id))


def given_by(conn, reviewer_id, artwork_id, version) -> bool:
    return conn.execute("SELECT 1 FROM critiques WHERE reviewer_id = ? AND artwork_id = ? AND version = ?",
                        (reviewer_id, artwork_id, version)).fetchone() is not None


def requests(conn, viewer_id, *, limit=20, offset=0):
    """(works, total): public works asking for critique, fairest first (see the module's note),
    leaving out the viewer's own and those the viewer critiqued in their current version."""
    where = """FROM artworks w JOIN artists ar ON ar.id = w.artist_id
               WHERE w.critique_requested = 1 AND w.availability_status <> 'private'
                 AND w.artist_id IS NOT :viewer
                 AND NOT EXISTS (SELECT 1 FROM critiques k WHERE k.artwork_id = w.id AND k.reviewer_id = :viewer
                                 AND k.version = coalesce(w.image_sha256, 'no-image'))"""
    params = {"viewer": viewer_id, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) {where}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT w.id, w.title, w.critique_questions, w.critique_count, w.critique_requested_at, w.artist_id, "
        f"ar.username AS artist_username, ar.artist_name, ar.critiques_given, ar.helpful_received, "
        f"{_CREDIT} AS credit, w.critique_count - {_CREDIT} AS priority {where} "
        "ORDER BY priority, w.critique_requested_at, w.id LIMIT :limit OFFSET :offset", params)
    works = []
    for row in rows:
        work = dict(row)
        work["critique_questions"] = json.loads(work["critique_questions"])
        works.append(work)
    return works, total
