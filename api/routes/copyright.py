"""Copy alerts, the takedowns that confirming one starts, the moderation queue, and where an
artist's images are shown on other sites."""

from typing import Any, Literal

from flask import Response
from pydantic import Field

import imaging
from api.access import own_artwork
from api.auth import STAFF, require_user
from api.db import database_path, get_db, max_pixels, media, write
from api.fields import Body, Text
from api.parsing import Choice, Paged, WholeNumber, list_response
from api.problems import ApiError
from api.routes import bp
from api.routing import operation
from api.shapes import ArtworkSummary, Shape, page_of, summaries
from imaging import evidence as evidence_image
from imaging.pipeline import analysis_copies
from search import ingest, visual
from store import artworks, copyright, profiles

PNG = {"image/png": "PNG"}


class AlertsQuery(Paged):
    status: Choice(copyright.STATUSES) | None = None


class AlertResolution(Body):
    status: Literal[copyright.RESOLUTIONS]
    note: Text(1000) | None = None


class CopyEvent(Shape):
    action: str
    actor_id: str | None
    note: str | None
    created_at: str


class Takedown(Shape):
    id: str = Field(description="The id of the copy alert it started from.")
    status: Literal["withheld", "disputed", "removed", "restored"]
    copy_: ArtworkSummary | None = Field(alias="copy")
    original: ArtworkSummary | None
    uploader_id: str
    claimant_id: str
    statement: str | None
    disputed_at: str | None
    decision_note: str | None
    decided_at: str | None
    created_at: str
    events: list[CopyEvent]


class CopyAlert(Shape):
    id: str
    status: str
    score: float
    evidence: dict[str, Any]
    original: ArtworkSummary | None
    copy_: ArtworkSummary | None = Field(alias="copy")
    note: str | None
    created_at: str
    resolved_at: str | None
    takedown: Takedown | None
    evidence_url: str


class TakedownsQuery(Paged):
    role: Choice(("uploader", "claimant")) = "uploader"
    status: Choice(("withheld", "disputed", "removed", "restored")) | None = None


class Dispute(Body):
    statement: Text(4000, min_length=10)


class QueueQuery(Paged):
    kind: Choice(tuple(copyright.DECISIONS)) | None = None


class QueueItem(Shape):
    id: str
    kind: Literal["dispute", "held_upload"]
    artwork: ArtworkSummary | None
    waiting_since: str
    takedown: Takedown | None
    alert: CopyAlert | None


class Decision(Body):
    decision: Literal["uphold", "restore", "release", "reject"]
    note: Text(2000) | None = None


class DecisionResult(Shape):
    id: str
    kind: str
    status: str
    decision_note: str | None
    decided_at: str | None


class UsageQuery(Paged):
    days: WholeNumber(cap=3650, description="Only the last N days; all of them when left out.") | None = None


class SiteUsage(Shape):
    site: str
    requests: int
    first_seen: str
    last_seen: str
    last_page: str | None
    hotlinked: bool = Field(description="Always true here: each counted request came from a page on that site.")


# --- Shapes ---------------------------------------------------------------------------------------

def takedown_json(takedown, shown=None):
    shown = shown if shown is not None else summaries([takedown["artwork_id"], takedown["original_id"]])
    return {"id": takedown["alert_id"], "status": takedown["status"], "copy": shown.get(takedown["artwork_id"]),
            "original": shown.get(takedown["original_id"]), "uploader_id": takedown["uploader_id"],
            "claimant_id": takedown["claimant_id"], "statement": takedown["statement"],
            "disputed_at": takedown["disputed_at"], "decision_note": takedown["decision_note"],
            "decided_at": takedown["decided_at"], "created_at": takedown["created_at"],
            "events": copyright.events_of(get_db(), takedown["alert_id"])}


def copy_alert_json(alert, shown):
    takedown = copyright.get_takedown(get_db(), alert["id"])
    return {"id": alert["id"], "status": alert["status"], "score": alert["score"], "evidence": alert["evidence"],
            "original": shown.get(alert["original_id"]), "copy": shown.get(alert["artwork_id"]),
            "note": alert["note"], "created_at": alert["created_at"], "resolved_at": alert["resolved_at"],
            "takedown": takedown_json(takedown, shown) if takedown else None,
            "evidence_url": f"/api/copyright/alerts/{alert['id']}/evidence.png"}


def _is_staff(user_id):
    return profiles.get_account(get_db(), user_id)["role"] in STAFF


def _alert_for_claimant_or_staff(alert_id):
    """The alert, for the original's artist or a curator or admin; 404 for anyone else."""
    user_id = require_user()
    alert = copyright.get_alert(get_db(), alert_id)
    if alert is None or (alert["artist_id"] != user_id and not _is_staff(user_id)):
        raise ApiError(404, "No copy alert of yours has that id.")
    return alert


# --- Alerts ---------------------------------------------------------------------------------------

@operation(bp, "GET", "/copyright/alerts", access="user", query=AlertsQuery, response=page_of(CopyAlert))
def list_copy_alerts(query):
    alerts, total = copyright.alerts_for(get_db(), require_user(), status=query.status, limit=query.per_page,
                                         offset=query.offset)
    shown = summaries({a["original_id"] for a in alerts} | {a["artwork_id"] for a in alerts})
    return list_response([copy_alert_json(a, shown) for a in alerts], total, query.page, query.per_page)


@operation(bp, "GET", "/copyright/alerts/<alert_id>", access="user", response=CopyAlert)
def get_copy_alert(alert_id, query):
    alert = _alert_for_claimant_or_staff(alert_id)
    return copy_alert_json(alert, summaries([alert["original_id"], alert["artwork_id"]]))


@operation(bp, "PUT", "/copyright/alerts/<alert_id>", access="user", body=AlertResolution, response=CopyAlert,
           errors=(409,))
def resolve_copy_alert(alert_id, query, body):
    user_id = require_user()
    alert = copyright.get_alert(get_db(), alert_id)
    if alert is None or alert["artist_id"] != user_id:
        raise ApiError(404, "No copy alert of yours has that id.")
    if alert["status"] == "confirmed":
        raise ApiError(409, "This alert is confirmed and its copy withheld; the uploader's dispute, if any, "
                            "is decided in the moderation queue.")
    with write():
        if body.status == "confirmed":
            copyright.confirm(get_db(), alert, user_id, body.note)
        else:
            copyright.resolve(get_db(), alert_id, body.status, body.note)
    alert = copyright.get_alert(get_db(), alert_id)
    return copy_alert_json(alert, summaries([alert["original_id"], alert["artwork_id"]]))


@operation(bp, "GET", "/copyright/alerts/<alert_id>/evidence.png", access="user", content=PNG, errors=(503,))
def copy_alert_evidence(alert_id, query):
    alert = _alert_for_claimant_or_staff(alert_id)
    original, copy = (artworks.get_artwork(get_db(), alert[key]) for key in ("original_id", "artwork_id"))
    pictures = [_medium_copy(work) for work in (original, copy)]
    original_box, copy_box = visual.matched_boxes(alert["evidence"])
    png = evidence_image.side_by_side(
        *pictures, original_box, copy_box, original_caption=f"Original · posted {original['created_at'][:10]}",
        copy_caption=f"Copy · posted {copy['created_at'][:10]} · score {alert['score']:.2f}")
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _medium_copy(artwork):
    """The work's picture as the copy check saw it; 503 when its file cannot be read now."""
    try:
        return analysis_copies(media().read(artwork["image_path"]), max_pixels=max_pixels())[1]
    except (OSError, imaging.ImageRejected) as error:
        raise ApiError(503, "A picture of this alert cannot be read just now.",
                       headers={"Retry-After": "30"}) from error


# --- Takedowns ------------------------------------------------------------------------------------

@operation(bp, "GET", "/copyright/takedowns", access="user", query=TakedownsQuery, response=page_of(Takedown))
def list_takedowns(query):
    found, total = copyright.takedowns_for(get_db(), require_user(), role=query.role, status=query.status,
                                           limit=query.per_page, offset=query.offset)
    shown = summaries({t["artwork_id"] for t in found} | {t["original_id"] for t in found})
    return list_response([takedown_json(t, shown) for t in found], total, query.page, query.per_page)


def _takedown_or_404(takedown_id, *, uploader_only=False):
    user_id = require_user()
    takedown = copyright.get_takedown(get_db(), takedown_id)
    allowed = takedown is not None and (
        takedown["uploader_id"] == user_id
        or (not uploader_only and (takedown["claimant_id"] == user_id or _is_staff(user_id))))
    if not allowed:
        raise ApiError(404, "No takedown of yours has that id.")
    return takedown


@operation(bp, "GET", "/copyright/takedowns/<takedown_id>", access="user", response=Takedown)
def get_takedown(takedown_id, query):
    return takedown_json(_takedown_or_404(takedown_id))


@operation(bp, "POST", "/copyright/takedowns/<takedown_id>/dispute", access="user", body=Dispute,
           response=Takedown, errors=(409,))
def dispute_takedown(takedown_id, query, body):
    takedown = _takedown_or_404(takedown_id, uploader_only=True)
    if takedown["statement"] is not None or takedown["status"] != "withheld":
        raise ApiError(409, "This takedown has been disputed already; a takedown can be disputed once.")
    with write():
        takedown = copyright.dispute(get_db(), takedown, body.statement)
    return takedown_json(takedown)


# --- Moderation -----------------------------------------------------------------------------------

def _queue_item_json(item):
    conn = get_db()
    takedown = copyright.get_takedown(conn, item["id"]) if item["kind"] == "dispute" else None
    alert = copyright.get_alert(conn, item["id"]) if takedown else None
    shown = summaries([item["artwork_id"], *([alert["original_id"]] if alert else [])])
    return {"id": item["id"], "kind": item["kind"], "artwork": shown.get(item["artwork_id"]),
            "waiting_since": item["waiting_since"], "takedown": takedown_json(takedown, shown) if takedown else None,
            "alert": copy_alert_json(alert, shown) if alert else None}


@operation(bp, "GET", "/moderation/copyright", access="curator", query=QueueQuery, response=page_of(QueueItem))
def moderation_queue(query):
    items, total = copyright.moderation_queue(get_db(), kind=query.kind, limit=query.per_page, offset=query.offset)
    return list_response([_queue_item_json(item) for item in items], total, query.page, query.per_page)


@operation(bp, "PUT", "/moderation/copyright/<item_id>", access="curator", body=Decision, response=DecisionResult,
           errors=(409,))
def decide(item_id, query, body):
    actor_id = require_user()
    conn = get_db()
    takedown, hold = copyright.get_takedown(conn, item_id), copyright.get_hold(conn, item_id)
    if takedown is None and hold is None:
        raise ApiError(404, "No moderation item has that id.")
    kind = "dispute" if takedown else "held_upload"
    if body.decision not in copyright.DECISIONS[kind]:
        raise ApiError(400, f"A {kind.replace('_', ' ')} is decided with one of: "
                            f"{', '.join(copyright.DECISIONS[kind])}.",
                       errors={"decision": f"must be one of {', '.join(copyright.DECISIONS[kind])}"})
    if (takedown or hold)["status"] not in ("disputed", "held"):
        raise ApiError(409, "This item is not awaiting a decision.")
    if takedown:
        with write():
            decided = copyright.decide_dispute(conn, takedown, body.decision, actor_id, body.note)
    else:
        decided = ingest.decide_hold(conn, media(), database_path(), hold, body.decision, actor_id, body.note,
                                     max_pixels=max_pixels())
    return {"id": item_id, "kind": kind, "status": decided["status"], "decision_note": decided["decision_note"],
            "decided_at": decided["decided_at"]}


# --- Usage on other sites -------------------------------------------------------------------------

@operation(bp, "GET", "/artworks/<artwork_id>/usage", access="user", query=UsageQuery, response=page_of(SiteUsage))
def artwork_usage(artwork_id, query):
    own_artwork(artwork_id, action="see where the images are shown of")
    sites, total = copyright.usage_of(get_db(), artwork_id, days=query.days, limit=query.per_page,
                                      offset=query.offset)
    return list_response([{**site, "hotlinked": True} for site in sites], total, query.page, query.per_page)
