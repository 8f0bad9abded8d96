"""The moderation queue: one list of what waits for a curator's decision, with a kind per item.

Copyright brings disputed takedowns and held uploads (store.copyright decides those); members
bring reports on messages and critiques, decided here: removed (the message keeps its place
without its text and image; the critique is deleted) or dismissed. Deciding one report decides
every open report on the same message or critique.
"""

from store import conversations, new_id, transaction, utc_now

REASONS = ("spam", "harassment", "insulting", "rating_only", "not_constructive", "other")
REPORT_KINDS = {"message_report": "message", "critique_report": "critique"}
KINDS = ("dispute", "held_upload", *REPORT_KINDS)
REPORT_DECISIONS = ("remove", "dismiss")

_QUEUE = """
    SELECT alert_id AS id, 'dispute' AS kind, artwork_id, disputed_at AS waiting_since
    FROM takedowns WHERE status = 'disputed'
    UNION ALL
    SELECT id, 'held_upload', artwork_id, created_at FROM upload_holds WHERE status = 'held'
    UNION ALL
    SELECT r.id, r.kind || '_report', c.artwork_id, r.created_at
    FROM reports r LEFT JOIN critiques c ON r.kind = 'critique' AND c.id = r.subject_id WHERE r.status = 'open'
"""


def queue(conn, *, kinds=KINDS, kind=None, limit=20, offset=0):
    """(items, total): what awaits a decision, oldest first, of the given kinds.
    Each item: {"id", "kind", "artwork_id", "waiting_since"}."""
    wanted = [k for k in kinds if kind is None or k == kind]
    marks = ", ".join("?" * len(wanted)) or "NULL"
    where = f"FROM ({_QUEUE}) WHERE kind IN ({marks})"
    total = conn.execute(f"SELECT count(*) {where}", wanted).fetchone()[0]
    rows = conn.execute(f"SELECT id, kind, artwork_id, waiting_since {where} ORDER BY waiting_since, id "
                        "LIMIT ? OFFSET ?", (*wanted, limit, offset)).fetchall()
    return [dict(row) for row in rows], total


def file_report(conn, kind, subject_id, reporter_id, reason, note=None) -> dict:
    """A new open report; the same reporter reporting the same thing again changes nothing."""
    report_id = new_id()
    with transaction(conn):
        conn.execute("INSERT INTO reports (id, kind, subject_id, reporter_id, reason, note, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, subject_id, reporter_id) DO NOTHING",
                     (report_id, kind, subject_id, reporter_id, reason, note, utc_now()))
    row = conn.execute("SELECT id, kind, subject_id, reason, status, created_at FROM reports "
                       "WHERE kind = ? AND subject_id = ? AND reporter_id = ?", (kind, subject_id, reporter_id))
    return dict(row.fetchone())


def get_report(conn, report_id):
    row = conn.execute("SELECT * FROM reports WHERE id = ?", (report_id,)).fetchone()
    return dict(row) if row else None


def decide_report(conn, report, decision, actor_id, note=None) -> dict:
    """Remove the reported message or critique, or dismiss the report; logged in community_events."""
    status = "removed" if decision == "remove" else "dismissed"
    now = utc_now()
    with transaction(conn):
        if decision == "remove" and report["kind"] == "message":
            conversations.remove_message(conn, int(report["subject_id"]))
        elif decision == "remove":
            conn.execute("DELETE FROM critiques WHERE id = ?", (report["subject_id"],))
        decided = conn.execute(
            "UPDATE reports SET status = ?, decided_by = ?, decision_note = ?, decided_at = ? "
            "WHERE kind = ? AND subject_id = ? AND status = 'open' RETURNING id",
            (status, actor_id, note, now, report["kind"], report["subject_id"])).fetchall()
        conn.executemany("INSERT INTO community_events (subject_kind, subject_id, actor_id, action, note, created_at) "
                         "VALUES ('report', ?, ?, ?, ?, ?)", [(row[0], actor_id, status, note, now) for row in decided])
    return get_report(conn, report["id"])


def subject_of(conn, report):
    """What the report is about, as it stands: the message or the critique row (None once gone)."""
    if report["kind"] == "message":
        return conversations.get_message(conn, int(report["subject_id"]))
    row = conn.execute("SELECT * FROM critiques WHERE id = ?", (report["subject_id"],)).fetchone()
    return dict(row) if row else None
