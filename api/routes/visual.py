"""Search by image, similar art, and copies of an artist's work."""

from typing import Any, Literal

from flask import jsonify, request
from pydantic import Field

import imaging
from api.access import own_artwork, visible_artwork_or_404
from api.auth import current_user_id
from api.db import database_path, get_db, max_pixels
from api.limits import rate_limit
from api.parsing import Choice, Query, WholeNumber, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import ArtworkSummary, Shape, page_of, summaries
from search import copies, visual
from search import similar as similar_art
from store import artworks, copyright

MAX_MATCHES = 50


class ImageSearchQuery(Query):
    limit: WholeNumber(cap=MAX_MATCHES) = 20


class ImageSearchForm(Shape):
    """The multipart body: the picture to look for."""
    image_file: bytes


class SimilarQuery(Query):
    mode: Choice(similar_art.MODES) = "mixed"
    limit: WholeNumber(cap=MAX_MATCHES) = 20


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


class RecordedCopy(Match):
    posted_first: Literal["this", "other"] = Field(
        description="'this': the other work came later and may copy this one; 'other': it was there first.")
    alert_id: str | None = Field(description="The copy alert, when it is addressed to you.")
    status: str = Field(description="The alert's status: open, dismissed or confirmed.")
    takedown_status: str | None


class Copies(page_of(RecordedCopy)):
    threshold: float


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


@operation(bp, "GET", "/artworks/<artwork_id>/copies", access="user", response=Copies)
def artwork_copies(artwork_id, query):
    """Works by others recorded as copies of this one, or as works it may copy: the same answers
    the uploads got (possible_copy_of) and the alerts hold."""
    artwork = own_artwork(artwork_id, action="see the copies of")
    conn = get_db()
    pairs = copyright.recorded_pairs(conn, artwork_id)
    others = artworks.artworks_by_id(conn, [pair["other_id"] for pair in pairs])
    mine = artwork["artist_id"]
    shown = summaries([pair["other_id"] for pair in pairs
                       if pair["other_id"] in others and (artworks.is_visible(others[pair["other_id"]], mine)
                                                          or pair["takedown_status"] and pair["artist_id"] == mine)])
    items = [{"artwork": shown[pair["other_id"]], "score": pair["score"], "evidence": pair["evidence"],
              "posted_first": pair["posted_first"], "alert_id": pair["alert_id"] if pair["artist_id"] == mine else None,
              "status": pair["status"], "takedown_status": pair["takedown_status"]}
             for pair in pairs if pair["other_id"] in shown][:MAX_MATCHES]
    return list_response(items, len(items), 1, MAX_MATCHES, threshold=copies.COPY_THRESHOLD)
