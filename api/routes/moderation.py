"""The moderation queue: one list, with a kind per item, of what waits for a curator. Copyright
brings disputed takedowns and held uploads; members bring reported messages and critiques.
/moderation/copyright is the same queue narrowed to copyright's kinds."""

from typing import Any, Literal

from api.auth import require_user
from api.copyright_shapes import CopyAlert, Takedown, copy_alert_json, takedown_json
from api.db import database_path, get_db, max_pixels, media, write
from api.fields import Body, Text
from api.parsing import Choice, Paged, list_response
from api.problems import ApiError
from api.routes import bp
from api.routing import operation
from api.shapes import ArtworkSummary, Shape, page_of, summaries
from search import ingest
from store import conversations, copyright, moderation

DECISIONS = {**{kind: tuple(moves) for kind, moves in copyright.DECISIONS.items()},
             **{kind: moderation.REPORT_DECISIONS for kind in moderation.REPORT_KINDS}}


class QueueQuery(Paged):
    kind: Choice(moderation.KINDS) | None = None


class CopyrightQueueQuery(Paged):
    kind: Choice(tuple(copyright.DECISIONS)) | None = None


class ReportDetail(Shape):
    id: str
    kind: Literal["message", "critique"]
    reason: str
    note: str | None
    reporter_id: str | None
    status: str
    created_at: str
    subject: dict[str, Any] | None


class QueueItem(Shape):
    id: str
    kind: Literal[moderation.KINDS]
    artwork: ArtworkSummary | None
    waiting_since: str
    takedown: Takedown | None
    alert: CopyAlert | None
    report: ReportDetail | None = None


class Decision(Body):
    decision: Literal["uphold", "restore", "release", "reject", "remove", "dismiss"]
    note: Text(2000) | None = None


class DecisionResult(Shape):
    id: str
    kind: str
    status: str
    decision_note: str | None
    decided_at: str | None


_SUBJECT_FIELDS = {"message": ("id", "conversation_id", "author_id", "body", "removed_at", "created_at"),
                   "critique": ("id", "artwork_id", "reviewer_id", "composition", "colour", "technique", "concept",
                                "originality", "strengths", "suggestions", "answers", "created_at")}


def _report_json(report):
    subject = moderation.subject_of(get_db(), report)
    return {**{key: report[key] for key in ("id", "kind", "reason", "note", "reporter_id", "status", "created_at")},
            "subject": {key: subject[key] for key in _SUBJECT_FIELDS[report["kind"]]} if subject else None}


def _queue_item_json(item):
    conn = get_db()
    takedown = copyright.get_takedown(conn, item["id"]) if item["kind"] == "dispute" else None
    alert = copyright.get_alert(conn, item["id"]) if takedown else None
    report = moderation.get_report(conn, item["id"]) if item["kind"] in moderation.REPORT_KINDS else None
    shown = summaries([a for a in (item["artwork_id"], alert and alert["original_id"]) if a])
    return {"id": item["id"], "kind": item["kind"], "artwork": shown.get(item["artwork_id"]),
            "waiting_since": item["waiting_since"], "takedown": takedown_json(takedown, shown) if takedown else None,
            "alert": copy_alert_json(alert, shown) if alert else None,
            "report": _report_json(report) if report else None}


def _listed(kinds, query):
    items, total = moderation.queue(get_db(), kinds=kinds, kind=query.kind, limit=query.per_page,
                                    offset=query.offset)
    return list_response([_queue_item_json(item) for item in items], total, query.page, query.per_page)


@operation(bp, "GET", "/moderation", access="curator", query=QueueQuery, response=page_of(QueueItem))
def moderation_queue(query):
    """Everything awaiting a decision, oldest first; kind= narrows it."""
    return _listed(moderation.KINDS, query)


@operation(bp, "GET", "/moderation/copyright", access="curator", query=CopyrightQueueQuery,
           response=page_of(QueueItem))
def copyright_queue(query):
    """Disputed takedowns and held uploads only."""
    return _listed(tuple(copyright.DECISIONS), query)


def _item(item_id):
    """(kind, row) of a moderation item, whatever its kind; 404 when none has the id."""
    conn = get_db()
    for kind, found in (("dispute", copyright.get_takedown(conn, item_id)),
                        ("held_upload", copyright.get_hold(conn, item_id))):
        if found:
            return kind, found
    report = moderation.get_report(conn, item_id)
    if report is None:
        raise ApiError(404, "No moderation item has that id.")
    return f"{report['kind']}_report", report


def _decide(item_id, body, kinds):
    actor_id = require_user()
    kind, item = _item(item_id)
    if kind not in kinds:
        raise ApiError(404, "No moderation item of these kinds has that id.")
    if body.decision not in DECISIONS[kind]:
        raise ApiError(400, f"A {kind.replace('_', ' ')} is decided with one of: {', '.join(DECISIONS[kind])}.",
                       errors={"decision": f"must be one of {', '.join(DECISIONS[kind])}"})
    if item["status"] not in ("disputed", "held", "open"):
        raise ApiError(409, "This item is not awaiting a decision.")
    conn = get_db()
    if kind == "dispute":
        with write():
            decided = copyright.decide_dispute(conn, item, body.decision, actor_id, body.note)
    elif kind == "held_upload":
        decided = ingest.decide_hold(conn, media(), database_path(), item, body.decision, actor_id, body.note,
                                     max_pixels=max_pixels())
    else:
        subject = moderation.subject_of(conn, item)
        decided = moderation.decide_report(conn, item, body.decision, actor_id, body.note)
        _forget_attachment(subject if kind == "message_report" and decided["status"] == "removed" else None)
    return {"id": item_id, "kind": kind, "status": decided["status"], "decision_note": decided["decision_note"],
            "decided_at": decided["decided_at"]}


def _forget_attachment(message):
    """A removed message's image leaves the disk too, once committed, unless another message
    sends the same bytes (files are kept by content address)."""
    if message is None or not message["attachment_sha256"]:
        return
    if not conversations.attachment_in_use(get_db(), message["attachment_sha256"]):
        extension = "png" if message["attachment_type"] == "image/png" else "jpg"
        media().remove(media().attachment(message["attachment_sha256"], extension))


@operation(bp, "PUT", "/moderation/<item_id>", access="curator", body=Decision, response=DecisionResult,
           errors=(409,))
def decide(item_id, query, body):
    """Decide an item: a dispute (uphold, restore), a held upload (release, reject), a report
    (remove, dismiss)."""
    return _decide(item_id, body, moderation.KINDS)


@operation(bp, "PUT", "/moderation/copyright/<item_id>", access="curator", body=Decision, response=DecisionResult,
           errors=(409,))
def decide_copyright(item_id, query, body):
    return _decide(item_id, body, tuple(copyright.DECISIONS))
