"""Search by image, similar art, copies of an artist's work, and the copy alerts they raise."""

from typing import Any, Literal

from flask import jsonify, request
from pydantic import Field

import imaging
from api.access import own_artwork, stored_probe_or_409, visible_artwork_or_404
from api.auth import current_user_id, require_user
from api.db import database_path, get_db, max_pixels, write
from api.fields import Body, Text
from api.limits import rate_limit
from api.parsing import Choice, Paged, Query, WholeNumber, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import ArtworkSummary, Shape, page_of, summaries
from search import copies, visual
from search import similar as similar_art
from store import copyright

MAX_MATCHES = 50


class ImageSearchQuery(Query):
    limit: WholeNumber(cap=MAX_MATCHES) = 20


class ImageSearchForm(Shape):
    """The multipart body: the picture to look for."""
    image_file: bytes


class SimilarQuery(Query):
    mode: Choice(similar_art.MODES) = "mixed"
    limit: WholeNumber(cap=MAX_MATCHES) = 20


class AlertsQuery(Paged):
    status: Choice(copyright.STATUSES) | None = None


class AlertResolution(Body):
    status: Literal[copyright.RESOLUTIONS]
    note: Text(1000) | None = None


class Match(Shape):
    artwork: ArtworkSummary
    score: float
    evidence: dict[str, Any]


class Similar(Shape):
    artwork: ArtworkSummary
    score: float


class ImageMatches(Shape):
    duplicates: list[Match]
    similar: list[Similar]
    threshold: float


class SimilarWork(Similar):
    components: dict[str, Any]


class SimilarWorks(page_of(SimilarWork)):
    mode: str


class Copies(page_of(Match)):
    threshold: float


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


def _matches_json(found, shown):
    return [{"artwork": shown[a], "score": round(score, 4), "evidence": evidence}
            for a, score, evidence in found if a in shown]


@operation(bp, "POST", "/search/image", access="optional", query=ImageSearchQuery, form=ImageSearchForm,
           response=ImageMatches, errors=(413, 415, 422))
@rate_limit("30 per minute")
def search_by_image(query):
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "Send the image as multipart/form-data in image_file.")
    upload = request.files.get("image_file")
    data = upload.read() if upload else b""
    if not data:
        raise validation_error({"image_file": "is required"})
    try:
        probe = imaging.probe(data, max_pixels=max_pixels())
    except imaging.ImageRejected as rejected:
        raise ApiError(rejected.status, str(rejected), errors={"image_file": str(rejected)}) from rejected
    duplicates, similar = visual.image_search(get_db(), database_path(), probe, viewer_id=current_user_id(),
                                              limit=query.limit)
    shown = summaries([a for a, _, _ in duplicates] + [a for a, _ in similar])
    return jsonify({"duplicates": _matches_json(duplicates, shown),
                    "similar": [{"artwork": shown[a], "score": score} for a, score in similar if a in shown],
                    "threshold": copies.COPY_THRESHOLD})


@operation(bp, "GET", "/artworks/<artwork_id>/similar", access="optional", query=SimilarQuery,
           response=SimilarWorks)
def similar_artworks(artwork_id, query):
    viewer_id = current_user_id()
    visible_artwork_or_404(artwork_id, viewer_id)
    found = similar_art.similar_artworks(get_db(), database_path(), artwork_id, mode=query.mode,
                                         viewer_id=viewer_id, limit=query.limit)
    shown = summaries([a for a, _, _ in found])
    items = [{"artwork": shown[a], "score": score, "components": parts} for a, score, parts in found if a in shown]
    return list_response(items, len(items), 1, query.limit, mode=query.mode)


@operation(bp, "GET", "/artworks/<artwork_id>/copies", access="user", response=Copies, errors=(409,))
def artwork_copies(artwork_id, query):
    artwork = own_artwork(artwork_id, action="see the copies of")
    found = visual.copies_by_others(get_db(), database_path(), stored_probe_or_409(artwork), artwork["artist_id"],
                                    limit=MAX_MATCHES)
    items = _matches_json(found, summaries([a for a, _, _ in found]))
    return list_response(items, len(items), 1, MAX_MATCHES, threshold=copies.COPY_THRESHOLD)


def copy_alert_json(alert, shown):
    return {"id": alert["id"], "status": alert["status"], "score": alert["score"], "evidence": alert["evidence"],
            "original": shown.get(alert["original_id"]), "copy": shown.get(alert["artwork_id"]),
            "note": alert["note"], "created_at": alert["created_at"], "resolved_at": alert["resolved_at"]}


@operation(bp, "GET", "/copyright/alerts", access="user", query=AlertsQuery, response=page_of(CopyAlert))
def list_copy_alerts(query):
    alerts, total = copyright.alerts_for(get_db(), require_user(), status=query.status, limit=query.per_page,
                                         offset=query.offset)
    shown = summaries({a["original_id"] for a in alerts} | {a["artwork_id"] for a in alerts})
    return list_response([copy_alert_json(a, shown) for a in alerts], total, query.page, query.per_page)


@operation(bp, "PUT", "/copyright/alerts/<alert_id>", access="user", body=AlertResolution, response=CopyAlert)
def resolve_copy_alert(alert_id, query, body):
    alert = copyright.get_alert(get_db(), alert_id)
    if alert is None or alert["artist_id"] != require_user():
        raise ApiError(404, "No copy alert of yours has that id.")
    with write():
        alert = copyright.resolve(get_db(), alert_id, body.status, body.note)
    return jsonify(copy_alert_json(alert, summaries([alert["original_id"], alert["artwork_id"]])))
