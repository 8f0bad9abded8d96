"""Copy alerts (an upload that looks like another artist's work, for that artist to review), the
takedowns that confirming one starts, held uploads, the moderation queue, the append-only
copyright log, and the count of image requests from other sites."""

import json

from store import moderation, new_id, notifications, utc_now

STATUSES = ("open", "dismissed", "confirmed")
RESOLUTIONS = ("dismissed", "confirmed")

_COLUMNS = "id, artwork_id, original_id, artist_id, score, evidence, status, note, created_at, resolved_at"


def raise_alerts(conn, artwork_id, matches):
    """Inside the upload's write: one alert and one notification per matched original.

    matches: [(original artwork id, score, evidence)]. A pair already alerted is left as it is.
    """
    for original_id, score, evidence in matches:
        artist_id = conn.execute("SELECT artist_id FROM artworks WHERE id = ?", (original_id,)).fetchone()[0]
        alert_id = new_id()
        inserted = conn.execute(
            "INSERT OR IGNORE INTO copy_alerts (id, artwork_id, original_id, artist_id, score, evidence) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (alert_id, artwork_id, original_id, artist_id, round(score, 4), json.dumps(evidence))).rowcount
        if inserted:
            notifications.notify(conn, artist_id, "copy_alert", artwork_id=artwork_id, subject_id=alert_id,
                                 data={"original_id": original_id, "score": round(score, 4)})


def _alert(row):
    return {**dict(row), "evidence": json.loads(row["evidence"])}


def get_alert(conn, alert_id):
    row = conn.execute(f"SELECT {_COLUMNS} FROM copy_alerts WHERE id = ?", (alert_id,)).fetchone()
    return _alert(row) if row else None


def alerts_for(conn, artist_id, *, status=None, limit=20, offset=0):
    """(alerts, total) addressed to `artist_id`, newest first. A copy its uploader has made private
    since drops out of the list (the artist could not open it), as in the notification inbox,
    unless the artist's own confirmation withheld it."""
    where = """FROM copy_alerts c JOIN artworks w ON w.id = c.artwork_id
               WHERE c.artist_id = :artist
                 AND (w.availability_status <> 'private' OR EXISTS (SELECT 1 FROM takedowns t WHERE t.alert_id = c.id))
                 AND (:status IS NULL OR c.status = :status)"""
    params = {"artist": artist_id, "status": status, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) {where}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {', '.join('c.' + c.strip() for c in _COLUMNS.split(','))} {where} "
                        "ORDER BY c.created_at DESC, c.id LIMIT :limit OFFSET :offset", params).fetchall()
    return [_alert(row) for row in rows], total


def resolve(conn, alert_id, status, note=None):
    conn.execute("UPDATE copy_alerts SET status = ?, note = ?, resolved_at = ? WHERE id = ?",
                 (status, note, utc_now(), alert_id))
    return get_alert(conn, alert_id)


# --- Takedowns ------------------------------------------------------------------------------------

# An artist with this many takedowns that stand (withheld and not disputed, or upheld by a
# curator) has every new upload held for review.
REPEAT_OFFENDER_TAKEDOWNS = 3
STANDING = ("withheld", "removed")
# A curator's decision on a moderation item, per kind of item: decision -> the status it sets.
DECISIONS = {"dispute": {"uphold": "removed", "restore": "restored"},
             "held_upload": {"release": "released", "reject": "rejected"}}

_TAKEDOWN_COLUMNS = ("alert_id, artwork_id, original_id, uploader_id, claimant_id, status, previous_status, "
                     "statement, disputed_at, decided_by, decision_note, decided_at, created_at")


def log_event(conn, subject_id, artwork_id, actor_id, action, note=None):
    conn.execute("INSERT INTO copyright_events (subject_id, artwork_id, actor_id, action, note) "
                 "VALUES (?, ?, ?, ?, ?)", (subject_id, artwork_id, actor_id, action, note))


def events_of(conn, subject_id):
    return [dict(row) for row in conn.execute(
        "SELECT action, actor_id, note, created_at FROM copyright_events WHERE subject_id = ? ORDER BY id",
        (subject_id,))]


def _set_availability(conn, artwork_id, status):
    conn.execute("UPDATE artworks SET availability_status = ?, updated_at = ? WHERE id = ?",
                 (status, utc_now(), artwork_id))


def get_takedown(conn, alert_id):
    row = conn.execute(f"SELECT {_TAKEDOWN_COLUMNS} FROM takedowns WHERE alert_id = ?", (alert_id,)).fetchone()
    return dict(row) if row else None


def confirm(conn, alert, actor_id, note=None):
    """The original's artist confirms a copy: the alert is resolved, the copy withheld from
    everyone but its uploader, and the uploader told, with the evidence."""
    resolve(conn, alert["id"], "confirmed", note)
    copy = conn.execute("SELECT artist_id, availability_status FROM artworks WHERE id = ?",
                        (alert["artwork_id"],)).fetchone()
    conn.execute("INSERT INTO takedowns (alert_id, artwork_id, original_id, uploader_id, claimant_id, previous_status) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (alert["id"], alert["artwork_id"], alert["original_id"],
                                               copy["artist_id"], alert["artist_id"], copy["availability_status"]))
    _set_availability(conn, alert["artwork_id"], "private")
    log_event(conn, alert["id"], alert["artwork_id"], actor_id, "withheld", note)
    notifications.notify(conn, copy["artist_id"], "copy_alert", actor_id=actor_id, artwork_id=alert["artwork_id"],
                         subject_id=alert["id"], data={"event": "withheld", "original_id": alert["original_id"],
                                                       "score": alert["score"], "evidence": alert["evidence"]})
    return get_takedown(conn, alert["id"])


def dispute(conn, takedown, statement):
    """The uploader's one dispute: the takedown waits in the moderation queue."""
    now = utc_now()
    conn.execute("UPDATE takedowns SET status = 'disputed', statement = ?, disputed_at = ? WHERE alert_id = ?",
                 (statement, now, takedown["alert_id"]))
    log_event(conn, takedown["alert_id"], takedown["artwork_id"], takedown["uploader_id"], "disputed", statement)
    notifications.notify(conn, takedown["claimant_id"], "copy_alert", actor_id=takedown["uploader_id"],
                         artwork_id=takedown["original_id"], subject_id=takedown["alert_id"],
                         data={"event": "disputed", "copy_id": takedown["artwork_id"]})
    return get_takedown(conn, takedown["alert_id"])


def decide_dispute(conn, takedown, decision, actor_id, note=None):
    """A curator's decision: the copy stays withheld for good ('uphold') or comes back with the
    availability it had ('restore'); both artists are told."""
    status = DECISIONS["dispute"][decision]
    conn.execute("UPDATE takedowns SET status = ?, decided_by = ?, decision_note = ?, decided_at = ? "
                 "WHERE alert_id = ?", (status, actor_id, note, utc_now(), takedown["alert_id"]))
    if status == "restored":
        _set_availability(conn, takedown["artwork_id"], takedown["previous_status"])
    log_event(conn, takedown["alert_id"], takedown["artwork_id"], actor_id, status, note)
    for recipient, artwork_id in ((takedown["uploader_id"], takedown["artwork_id"]),
                                  (takedown["claimant_id"], takedown["original_id"])):
        notifications.notify(conn, recipient, "copy_alert", actor_id=actor_id, artwork_id=artwork_id,
                             subject_id=takedown["alert_id"], data={"event": status, "note": note})
    return get_takedown(conn, takedown["alert_id"])


def takedowns_for(conn, user_id, *, role="uploader", status=None, limit=20, offset=0):
    """(takedowns, total) where `user_id` is the uploader of the copy or the claimant."""
    column = {"uploader": "uploader_id", "claimant": "claimant_id"}[role]
    where = f"FROM takedowns WHERE {column} = :user AND (:status IS NULL OR status = :status)"
    params = {"user": user_id, "status": status, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) {where}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {_TAKEDOWN_COLUMNS} {where} ORDER BY created_at DESC, alert_id "
                        "LIMIT :limit OFFSET :offset", params).fetchall()
    return [dict(row) for row in rows], total


def standing_takedowns(conn, artist_id):
    marks = ", ".join("?" * len(STANDING))
    return conn.execute(f"SELECT count(*) FROM takedowns WHERE uploader_id = ? AND status IN ({marks})",
                        (artist_id, *STANDING)).fetchone()[0]


def is_repeat_offender(conn, artist_id):
    return standing_takedowns(conn, artist_id) >= REPEAT_OFFENDER_TAKEDOWNS


def withheld_by(conn, artwork_id):
    """'takedown' or 'hold' while the work is kept private by one, else None."""
    if conn.execute("SELECT 1 FROM takedowns WHERE artwork_id = ? AND status <> 'restored'", (artwork_id,)).fetchone():
        return "takedown"
    if conn.execute("SELECT 1 FROM upload_holds WHERE artwork_id = ? AND status = 'held'", (artwork_id,)).fetchone():
        return "hold"
    return None


# --- Held uploads ---------------------------------------------------------------------------------

_HOLD_COLUMNS = "id, artwork_id, artist_id, requested_status, status, decided_by, decision_note, decided_at, created_at"


def hold_upload(conn, artwork_id, artist_id, requested_status):
    """Inside the upload's write: keep a repeat offender's upload private until reviewed."""
    hold_id = new_id()
    conn.execute("INSERT INTO upload_holds (id, artwork_id, artist_id, requested_status) VALUES (?, ?, ?, ?)",
                 (hold_id, artwork_id, artist_id, requested_status))
    _set_availability(conn, artwork_id, "private")
    log_event(conn, hold_id, artwork_id, None, "held",
              f"{standing_takedowns(conn, artist_id)} standing takedowns")
    return hold_id


def get_hold(conn, hold_id):
    row = conn.execute(f"SELECT {_HOLD_COLUMNS} FROM upload_holds WHERE id = ?", (hold_id,)).fetchone()
    return dict(row) if row else None


def decide_hold(conn, hold, decision, actor_id, note=None):
    status = DECISIONS["held_upload"][decision]
    conn.execute("UPDATE upload_holds SET status = ?, decided_by = ?, decision_note = ?, decided_at = ? WHERE id = ?",
                 (status, actor_id, note, utc_now(), hold["id"]))
    if status == "released":
        _set_availability(conn, hold["artwork_id"], hold["requested_status"])
    log_event(conn, hold["id"], hold["artwork_id"], actor_id, status, note)
    return get_hold(conn, hold["id"])


# --- The moderation queue -------------------------------------------------------------------------

def moderation_queue(conn, *, kind=None, limit=20, offset=0):
    """(items, total): disputed takedowns and held uploads awaiting a decision, oldest first
    (the copyright part of store.moderation's queue)."""
    return moderation.queue(conn, kinds=tuple(DECISIONS), kind=kind, limit=limit, offset=offset)


# --- Usage on other sites -------------------------------------------------------------------------

def record_usage(conn, artwork_id, site, page):
    now = utc_now()
    conn.execute(
        "INSERT INTO image_usage (artwork_id, site, day, requests, last_page, first_seen, last_seen) "
        "VALUES (?, ?, ?, 1, ?, ?, ?) ON CONFLICT (artwork_id, site, day) DO UPDATE SET "
        "requests = requests + 1, last_page = excluded.last_page, last_seen = excluded.last_seen",
        (artwork_id, site, now[:10], page, now, now))


def usage_of(conn, artwork_id, *, days=None, limit=20, offset=0):
    """(sites, total): per site that showed the work's images, its requests, first and last
    request and the last page seen, most requests first."""
    where = "FROM image_usage WHERE artwork_id = :artwork AND (:since IS NULL OR day >= :since)"
    since = None
    if days:
        since = conn.execute("SELECT date('now', :offset)", {"offset": f"-{int(days)} days"}).fetchone()[0]
    params = {"artwork": artwork_id, "since": since, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(DISTINCT site) {where}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT site, sum(requests) AS requests, min(first_seen) AS first_seen, max(last_seen) AS last_seen, "
        f"(SELECT last_page FROM image_usage u WHERE u.artwork_id = :artwork AND u.site = image_usage.site "
        f" ORDER BY day DESC LIMIT 1) AS last_page {where} GROUP BY site ORDER BY requests DESC, site "
        "LIMIT :limit OFFSET :offset", params).fetchall()
    return [dict(row) for row in rows], total


# --- Recorded pairs -------------------------------------------------------------------------------

def recorded_pairs(conn, artwork_id):
    """Every alert that names the work, either way: [{other_id, posted_first ('this' or
    'other'), alert_id, artist_id (the alert's recipient), status, takedown_status, score,
    evidence, created_at}], best score first. Recorded at upload (or when a private work is
    shown), so they are the very answers the uploads got."""
    rows = conn.execute(
        """SELECT c.id AS alert_id, c.artist_id, c.status, c.score, c.evidence, c.created_at,
                  CASE WHEN c.original_id = :work THEN c.artwork_id ELSE c.original_id END AS other_id,
                  CASE WHEN c.original_id = :work THEN 'this' ELSE 'other' END AS posted_first,
                  t.status AS takedown_status
           FROM copy_alerts c LEFT JOIN takedowns t ON t.alert_id = c.id
           WHERE c.original_id = :work OR c.artwork_id = :work
           ORDER BY c.score DESC, c.created_at, c.id""", {"work": artwork_id}).fetchall()
    return [{**dict(row), "evidence": json.loads(row["evidence"])} for row in rows]
