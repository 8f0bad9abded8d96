"""Copy alerts, the takedowns that confirming one starts, and where an artist's images are shown
on other sites. Disputed takedowns are decided in the moderation queue (moderation.py)."""

from typing import Literal

from flask import Response
from pydantic import Field

import imaging
from api.access import own_artwork
from api.auth import STAFF, require_user
from api.copyright_shapes import CopyAlert, Takedown, copy_alert_json, takedown_json
from api.db import get_db, max_pixels, media, write
from api.fields import Body, Text
from api.parsing import Choice, Paged, WholeNumber, list_response
from api.problems import ApiError
from api.routes import bp
from api.routing import operation
from api.shapes import Shape, page_of, summaries
from imaging import evidence as evidence_image
from imaging.pipeline import analysis_copies
from search import visual
from store import artworks, copyright, profiles

PNG = {"image/png": "PNG"}


class AlertsQuery(Paged):
    status: Choice(copyright.STATUSES) | None = None


class AlertResolution(Body):
    status: Literal[copyright.RESOLUTIONS]
    note: Text(1000) | None = None


class TakedownsQuery(Paged):
    role: Choice(("uploader", "claimant")) = "uploader"
    status: Choice(("withheld", "disputed", "removed", "restored")) | None = None


class Dispute(Body):
    statement: Text(4000, min_length=10)


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


# --- Usage on other sites -------------------------------------------------------------------------

@operation(bp, "GET", "/artworks/<artwork_id>/usage", access="user", query=UsageQuery, response=page_of(SiteUsage))
def artwork_usage(artwork_id, query):
    own_artwork(artwork_id, action="see where the images are shown of")
    sites, total = copyright.usage_of(get_db(), artwork_id, days=query.days, limit=query.per_page,
                                      offset=query.offset)
    return list_response([{**site, "hotlinked": True} for site in sites], total, query.page, query.per_page)
