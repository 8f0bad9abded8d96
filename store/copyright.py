"""Copy alerts: an upload that looks like another artist's work, for that artist to review."""

import json

from store import new_id, notifications, utc_now

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
    since drops out of the list (the artist could not open it), as in the notification inbox."""
    where = """FROM copy_alerts c JOIN artworks w ON w.id = c.artwork_id
               WHERE c.artist_id = :artist AND w.availability_status <> 'private'
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
