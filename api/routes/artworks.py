"""Artworks: uploads (one file or a batch), listing with filters, one work, edits, deletion."""

import json
from http import HTTPStatus
from typing import Annotated, Any, ClassVar, Literal

from flask import jsonify, request
from pydantic import AliasChoices, ConfigDict, Field, RootModel

import imaging
from api.access import check_category, own_artwork, visible_artwork_or_404
from api.auth import current_user_id, require_user
from api.db import database_path, get_db, max_pixels, media, viewer_key
from api.fields import Body, CreationDate, Currency, Price, RowId, Tags, Text
from api.filters import ArtworkFilters
from api.limits import rate_limit
from api.parsing import Choice, form_values, given, list_response, validated
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import (
    Artwork,
    ArtworkDetail,
    ArtworkSummary,
    Deleted,
    Shape,
    artwork_detail_json,
    artwork_summary_json,
    artworks_json,
    page_of,
)
from search import ingest
from store import artworks, copyright, critiques, profiles, sales

MAX_BATCH_FILES = 20

ARTWORK_SERVER_FIELDS = frozenset({
    "id", "artist_id", "artist", "image_path", "thumbnail_path", "file_size", "image_width", "image_height",
    "image_sha256", "image_format", "view_count", "image_view_count", "like_count", "comment_count",
    "share_count", "liked_by_viewer", "exif", "quality", "quality_score", "palette", "colour_tags", "created_at",
    "updated_at", "editions_remaining",
})


class ArtworkFields(Body):
    """What an artist says about an artwork; PUT takes the same fields as JSON."""
    server_owned: ClassVar[frozenset] = ARTWORK_SERVER_FIELDS
    title: Text(200, 1) = None
    description: Text(5000) | None = None
    medium: Text(100) | None = None
    dimensions: Text(100) | None = None
    creation_date: CreationDate | None = None
    price: Price | None = None
    currency: Currency = None
    # SPEC's update route calls the field "availability"; both names are accepted.
    availability_status: Literal[artworks.AVAILABILITY] = Field(
        None, validation_alias=AliasChoices("availability_status", "availability"))
    category_id: RowId | None = None
    tags: Tags = None
    # Prints in the edition (null: an original, which sells once); editions_remaining follows.
    edition_size: Annotated[int, Field(ge=1, le=1_000_000)] | None = None


class ArtworkUpdate(ArtworkFields):
    """PUT's fields: an upload's, plus asking for critique."""
    critique_requested: bool = None
    critique_questions: Annotated[list[Text(200, 1)], Field(max_length=critiques.MAX_QUESTIONS)] = Field(
        None, description="What the artist wants reviewers to answer, e.g. \"is the composition working?\"")


WITHHELD = {"takedown": "This work is withheld after its copy alert was confirmed; dispute the takedown to have "
                        "it reviewed.",
            "hold": "This upload is held for review and is shown once a curator releases it."}


class UploadFields(ArtworkFields):
    """The text parts of an upload, beside one or more image_file parts (up to 20)."""
    # Multipart values are text: "12.5" is a price and "3" a category id here.
    model_config = ConfigDict(extra="forbid", strict=False)


class ArtworksQuery(ArtworkFilters):
    sort: Choice(artworks.ARTWORK_SORTS) = "newest"


class CopyMatch(Shape):
    artwork: ArtworkSummary
    score: float
    evidence: dict[str, Any]


class Uploaded(ArtworkDetail):
    possible_copy_of: list[CopyMatch]
    held_for_review: bool = Field(description="Kept private until a curator releases it: the artist has "
                                              f"{copyright.REPEAT_OFFENDER_TAKEDOWNS} or more standing takedowns.")


class BatchEntry(Shape):
    index: int
    filename: str | None
    status: int
    artwork: Artwork | None = None
    possible_copy_of: list[CopyMatch] | None = None
    held_for_review: bool | None = None
    error: dict[str, Any] | None = None


class Batch(Shape):
    items: list[BatchEntry]
    total: int
    created: int
    failed: int


class UploadAnswer(RootModel[Uploaded | Batch]):
    """One file: the stored work; several: a Batch (201 when all were stored, else 207)."""


def possible_copy_of(matches):
    """The matches the uploader may see: works by other artists the upload looks like a copy of."""
    found = artworks.artworks_by_id(get_db(), [original_id for original_id, _, _ in matches])
    return [{"artwork": artwork_summary_json(found[original_id]), "score": round(score, 4), "evidence": evidence}
            for original_id, score, evidence in matches
            if original_id in found and artworks.is_visible(found[original_id], current_user_id())]


def _title_for(fields, upload, index, count):
    if fields.title:
        return fields.title if count == 1 else f"{fields.title} ({index + 1})"
    return artworks.title_from_filename(upload.filename)


def _store_one(user_id, upload, fields, index, count):
    """(ingest.Stored, None) or (None, problem body) for one uploaded file."""
    values = given(fields)
    tags = values.pop("tags", [])
    values["title"] = _title_for(fields, upload, index, count)
    try:
        stored = ingest.upload(get_db(), media(), database_path(), user_id, upload.read(), values, tags,
                               max_pixels=max_pixels())
    except imaging.ImageRejected as rejected:
        return None, {"type": "about:blank", "title": HTTPStatus(rejected.status).phrase,
                      "status": rejected.status, "detail": str(rejected)}
    return stored, None


def _batch_response(files, results):
    items = []
    for index, (upload, (stored, problem)) in enumerate(zip(files, results, strict=True)):
        entry = {"index": index, "filename": upload.filename, "status": 201 if stored else problem["status"]}
        if stored:
            entry["artwork"] = artworks_json([artworks.get_artwork(get_db(), stored.artwork_id)])[0]
            entry["possible_copy_of"] = possible_copy_of(stored.possible_copy_of)
            entry["held_for_review"] = stored.held
        else:
            entry["error"] = problem
        items.append(entry)
    created = sum(1 for stored, _ in results if stored)
    body = {"items": items, "total": len(items), "created": created, "failed": len(items) - created}
    return jsonify(body), 201 if created == len(items) else 207


def _upload_files():
    if profiles.get_account(get_db(), require_user())["account_type"] != "artist":
        raise ApiError(403, "Only artist accounts can upload artworks.")
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "Upload with Content-Type: multipart/form-data and the image in image_file.")
    files = request.files.getlist("image_file")
    if not files:
        raise validation_error({"image_file": "is required"})
    if len(files) > MAX_BATCH_FILES:
        raise validation_error({"image_file": f"at most {MAX_BATCH_FILES} files per request"})
    return files


def _none_stored(files, results):
    statuses = {problem["status"] for _, problem in results}
    status = statuses.pop() if len(statuses) == 1 else 400
    detail = results[0][1]["detail"] if len(files) == 1 else f"None of the {len(files)} files was stored."
    return ApiError(status, detail, errors={f"image_file[{i}]" if len(files) > 1 else "image_file": problem["detail"]
                                            for i, (_, problem) in enumerate(results)})


@operation(bp, "POST", "/artworks/upload", access="user", form=UploadFields, response=UploadAnswer, status=201,
           errors=(413, 415, 422), extra_responses={207: Batch},
           links={target: {"artwork_id": "$response.body#/id"} for target in (
               "get_artwork", "update_artwork", "delete_artwork", "comment_on_artwork", "artwork_comments")})
@rate_limit("30 per minute")
def upload_artworks(query):
    files = _upload_files()
    fields = validated(UploadFields, form_values())
    check_category(fields.category_id)
    results = [_store_one(require_user(), upload, fields, index, len(files)) for index, upload in enumerate(files)]
    if not any(stored for stored, _ in results):
        raise _none_stored(files, results)
    if len(files) > 1:
        return _batch_response(files, results)
    stored = results[0][0]
    body = {**artwork_detail_json(artworks.get_artwork(get_db(), stored.artwork_id)),
            "possible_copy_of": possible_copy_of(stored.possible_copy_of), "held_for_review": stored.held}
    return jsonify(body), 201, {"Location": f"/api/artworks/{stored.artwork_id}"}


@operation(bp, "GET", "/artworks", access="optional", query=ArtworksQuery, response=page_of(Artwork))
def list_artworks(query):
    rows, total = artworks.list_artworks(get_db(), viewer_id=current_user_id(), filters=query.as_filters(),
                                         sort=query.sort, limit=query.per_page, offset=query.offset)
    return list_response(artworks_json(rows), total, query.page, query.per_page)


@operation(bp, "GET", "/artworks/<artwork_id>", access="optional", response=ArtworkDetail)
def get_artwork(artwork_id, query):
    viewer_id = current_user_id()
    artwork = visible_artwork_or_404(artwork_id, viewer_id)
    if viewer_id != artwork["artist_id"] and artworks.record_view(get_db(), artwork_id, viewer_key(viewer_id)):
        artwork["view_count"] += 1
    return jsonify(artwork_detail_json(artwork))


@operation(bp, "PUT", "/artworks/<artwork_id>", access="user", body=ArtworkUpdate, response=ArtworkDetail,
           errors=(409,))
def update_artwork(artwork_id, query, body):
    artwork = own_artwork(artwork_id)
    changes = given(body)
    tags = changes.pop("tags", None)
    if "title" in changes and changes["title"] is None:
        raise validation_error({"title": "cannot be empty"})
    check_category(changes.get("category_id"))
    if "critique_questions" in changes:
        changes["critique_questions"] = json.dumps(changes["critique_questions"] or [])
    if "edition_size" in changes:
        refusal = sales.edition_change_refusal(get_db(), artwork_id, changes["edition_size"])
        if refusal:
            raise ApiError(409, refusal, title="Orders hold this work", problem="conflict")
    shown = changes.get("availability_status", "private") != "private"
    withheld = copyright.withheld_by(get_db(), artwork_id) if shown else None
    if withheld:
        raise ApiError(409, WITHHELD[withheld])
    ingest.edit(get_db(), media(), database_path(), artwork, changes, tags, max_pixels=max_pixels())
    return jsonify(artwork_detail_json(artworks.get_artwork(get_db(), artwork_id)))


@operation(bp, "DELETE", "/artworks/<artwork_id>", access="user", response=Deleted, errors=(409,))
def delete_artwork(artwork_id, query):
    own_artwork(artwork_id)
    if sales.open_orders_of(get_db(), artwork_id):
        raise ApiError(409, "An order for this work is still open: ship it, or cancel or refund it, first.",
                       title="Orders are open", problem="conflict")
    artworks.delete_artwork(get_db(), media(), artwork_id)
    return jsonify({"deleted": True, "id": artwork_id})
