"""Exhibitions and calls for entry: organisers open one, artists submit works (screened for
the rules and for copies), organisers review, and accepted works form the virtual exhibition."""

from typing import Annotated, Any, ClassVar, Literal

from flask import jsonify
from pydantic import AfterValidator, AliasChoices, Field

import store
from api.auth import current_user_id, require_user
from api.db import database_path, get_db, max_pixels, media
from api.fields import ArtworkId, Body, Currency, IsoDate, Price, RowId, Text, unique
from api.limits import rate_limit
from api.parsing import Choice, Paged, given, list_response, validated
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import ArtworkSummary, Deleted, Person, Shape, artworks_json, page_of, person_json, summaries
from search import ingest, screening
from store import artworks, exhibitions, taxonomy

MAX_SUBMISSION_ARTWORKS = 20


class ExhibitionRules(Body):
    max_artworks_per_artist: Annotated[int, Field(ge=1, le=MAX_SUBMISSION_ARTWORKS)] | None = None
    allowed_mediums: Annotated[list[Text(100, 1)], Field(min_length=1, max_length=50)] | None = None
    allowed_category_ids: Annotated[list[RowId], Field(min_length=1, max_length=50), AfterValidator(unique)] | None \
        = None
    min_long_edge_px: Annotated[int, Field(ge=1, le=100_000)] | None = None
    min_quality_score: Annotated[float, Field(ge=0, le=1)] | None = None


class ExhibitionCreate(Body):
    server_owned: ClassVar[frozenset] = frozenset({
        "id", "organizer_id", "organizer", "status", "submission_count", "accepted_count", "accepting_submissions",
        "online", "artworks", "my_submission", "created_at"})
    title: Text(200, 1)
    description: Text(5000) | None = None
    # SPEC's create route calls it "deadline"; both names are accepted.
    submission_deadline: IsoDate = Field(validation_alias=AliasChoices("submission_deadline", "deadline"))
    exhibition_start: IsoDate
    exhibition_end: IsoDate
    location: Text(200, 1)
    requirements: Text(5000) | None = None
    rules: ExhibitionRules = ExhibitionRules()
    submission_fee: Price = 0
    currency: Currency = "USD"


SUBMISSION_SERVER_FIELDS = frozenset({
    "id", "exhibition_id", "artist_id", "artist", "artworks", "status", "screening", "review_note", "reviewed_at",
    "submitted_at", "updated_at"})
SubmittedArtworks = Annotated[list[ArtworkId], Field(min_length=1, max_length=MAX_SUBMISSION_ARTWORKS),
                              AfterValidator(unique)]


class SubmissionCreate(Body):
    server_owned: ClassVar[frozenset] = SUBMISSION_SERVER_FIELDS
    artwork_ids: SubmittedArtworks
    artist_statement: Text(5000) | None = None


class SubmissionEdit(Body):
    server_owned: ClassVar[frozenset] = SUBMISSION_SERVER_FIELDS
    artwork_ids: SubmittedArtworks = None
    artist_statement: Text(5000) | None = None


class SubmissionReview(Body):
    server_owned: ClassVar[frozenset] = SUBMISSION_SERVER_FIELDS - {"status"}
    status: Literal[exhibitions.REVIEW_STATUSES]
    note: Text(2000) | None = None



class ExhibitionsQuery(Paged):
    status: Choice(exhibitions.PHASES) | None = None


class SubmissionsQuery(Paged):
    status: Choice(("submitted", *exhibitions.REVIEW_STATUSES)) | None = None


class Submission(Shape):
    id: str
    exhibition_id: str
    artist: Person | None
    artwork_ids: list[str]
    artworks: list[ArtworkSummary]
    artist_statement: str | None
    status: str
    screening: dict[str, Any] | None
    review_note: str | None
    reviewed_at: str | None
    submitted_at: str
    updated_at: str | None


class Exhibition(Shape):
    id: str
    title: str
    submission_deadline: str
    exhibition_start: str
    exhibition_end: str
    location: str
    online: bool
    status: str
    accepting_submissions: bool
    submission_count: int
    accepted_count: int
    organizer: Person | None


class ExhibitionDetail(Exhibition):
    my_submission: Submission | None
    artworks: dict[str, Any] | None


def exhibition_json(exhibition, viewer_id, *, page=None):
    """An exhibition; with `page` (a Paged query), in detail: the viewer's submission and a page
    of the virtual exhibition."""
    shaped = {key: exhibition[key] for key in (
        "id", "title", "description", "submission_deadline", "exhibition_start", "exhibition_end", "location",
        "requirements", "rules", "submission_fee", "currency")}
    shaped["online"] = exhibition["location"].lower() == exhibitions.ONLINE
    shaped["status"] = exhibition["phase"]
    shaped["accepting_submissions"] = exhibition["phase"] == "open"
    shaped.update(submission_count=exhibition["submission_count"], accepted_count=exhibition["accepted_count"],
                  organizer=person_json(exhibition, "organizer_"), created_at=exhibition["created_at"])
    if page is not None:
        mine = viewer_id and exhibitions.submission_of(get_db(), exhibition["id"], viewer_id)
        shaped["my_submission"] = submission_json(mine) if mine else None
        shaped["artworks"] = _virtual_exhibition(exhibition, viewer_id, page)
    return shaped


def _virtual_exhibition(exhibition, viewer_id, page):
    """The accepted works, once the exhibition has opened; None before."""
    if exhibition["phase"] not in ("current", "past"):
        return None
    ids, total = exhibitions.accepted_artworks(get_db(), exhibition["id"], viewer_id, limit=page.per_page,
                                               offset=page.offset)
    rows = artworks.artworks_by_id(get_db(), ids)
    return {"items": artworks_json([rows[i] for i in ids if i in rows]), "total": total, "page": page.page,
            "per_page": page.per_page}


def submission_json(submission):
    shown = summaries(submission["artwork_ids"])
    return {"id": submission["id"], "exhibition_id": submission["exhibition_id"],
            "artist": person_json(submission, "artist_"),
            "artwork_ids": submission["artwork_ids"],
            "artworks": [shown[i] for i in submission["artwork_ids"] if i in shown],
            "artist_statement": submission["artist_statement"], "status": submission["status"],
            "screening": submission["screening"] or None, "review_note": submission["review_note"],
            "reviewed_at": submission["reviewed_at"], "submitted_at": submission["submitted_at"],
            "updated_at": submission["updated_at"]}


def _exhibition_or_404(exhibition_id):
    exhibition = exhibitions.get_exhibition(get_db(), exhibition_id)
    if exhibition is None:
        raise ApiError(404, "No exhibition has that id.")
    return exhibition


def _check_exhibition(form):
    errors = {}
    if form.submission_deadline < store.utc_today():
        errors["submission_deadline"] = "must not be in the past"
    if form.exhibition_start < form.submission_deadline:
        errors["exhibition_start"] = "must be on or after the submission deadline"
    if form.exhibition_end < form.exhibition_start:
        errors["exhibition_end"] = "must be on or after the exhibition start"
    for index, category_id in enumerate(form.rules.allowed_category_ids or []):
        if taxonomy.get_category(get_db(), category_id) is None:
            errors[f"rules.allowed_category_ids.{index}"] = "must be the id of an existing category"
    if errors:
        raise validation_error(errors)




@operation(bp, "POST", "/exhibitions", access="user", query=Paged, body=ExhibitionCreate, response=ExhibitionDetail,
           status=201, links={target: {"exhibition_id": "$response.body#/id"}
                              for target in ("get_exhibition", "submit_to_exhibition", "list_submissions")})
@rate_limit("20 per minute")
def create_exhibition(query, body):
    user_id = require_user()
    _check_exhibition(body)
    fields = body.model_dump()
    fields["rules"] = body.rules.model_dump(exclude_none=True)
    exhibition_id = exhibitions.create_exhibition(get_db(), user_id, fields)
    shaped = exhibition_json(exhibitions.get_exhibition(get_db(), exhibition_id), user_id, page=query)
    return jsonify(shaped), 201, {"Location": f"/api/exhibitions/{exhibition_id}"}


@operation(bp, "GET", "/exhibitions", access="optional", query=ExhibitionsQuery, response=page_of(Exhibition))
def list_exhibitions(query):
    rows, total = exhibitions.list_exhibitions(get_db(), phase=query.status, limit=query.per_page,
                                               offset=query.offset)
    return list_response([exhibition_json(row, current_user_id()) for row in rows], total, query.page,
                         query.per_page)


@operation(bp, "GET", "/exhibitions/<exhibition_id>", access="optional", query=Paged, response=ExhibitionDetail)
def get_exhibition(exhibition_id, query):
    return jsonify(exhibition_json(_exhibition_or_404(exhibition_id), current_user_id(), page=query))


def _open_for_entries(exhibition):
    if exhibition["phase"] != "open":
        raise ApiError(409, f"Submissions closed at the end of {exhibition['submission_deadline']} (UTC).",
                       title="Deadline passed", problem="conflict")


def _submittable_works(artwork_ids, user_id, rules):
    """The artist's own, non-private works, in the order given; every bad id is reported."""
    limit = rules.get("max_artworks_per_artist")
    if limit and len(artwork_ids) > limit:
        raise validation_error({"artwork_ids": f"this exhibition takes at most {limit} artworks per artist"})
    found = artworks.artworks_by_id(get_db(), artwork_ids)
    errors = {}
    for index, artwork_id in enumerate(artwork_ids):
        work = found.get(artwork_id)
        if work is None or work["artist_id"] != user_id:
            errors[f"artwork_ids.{index}"] = "must be one of your artworks"
        elif work["availability_status"] == "private":
            errors[f"artwork_ids.{index}"] = "is private; make it public to submit it"
    if errors:
        raise validation_error(errors)
    return [found[artwork_id] for artwork_id in artwork_ids]


def _screen(exhibition, works):
    """The screening report: read each original for the copy check first, then compare."""
    probes = {work["id"]: ingest.stored_probe(media(), work, max_pixels=max_pixels()) if work["image_path"] else None
              for work in works}
    return screening.screen_submission(get_db(), database_path(), exhibition["rules"], works, probes)


@operation(bp, "POST", "/exhibitions/<exhibition_id>/submit", access="user", body=SubmissionCreate,
           response=Submission, status=201, errors=(409,),
           links={target: {"exhibition_id": "$request.path.exhibition_id", "submission_id": "$response.body#/id"}
                  for target in ("get_submission", "update_submission", "withdraw_submission")})
@rate_limit("20 per minute")
def submit_to_exhibition(exhibition_id, query, body):
    user_id = require_user()
    exhibition = _exhibition_or_404(exhibition_id)
    if exhibition["organizer_id"] == user_id:
        raise ApiError(403, "Organisers cannot submit to their own exhibition.")
    _open_for_entries(exhibition)
    if exhibitions.submission_of(get_db(), exhibition_id, user_id) is not None:
        raise _already_submitted()
    works = _submittable_works(body.artwork_ids, user_id, exhibition["rules"])
    try:
        submission_id = exhibitions.create_submission(get_db(), exhibition_id, user_id, body.artwork_ids,
                                                      body.artist_statement, _screen(exhibition, works))
    except exhibitions.AlreadySubmitted as taken:
        raise _already_submitted() from taken
    shaped = submission_json(exhibitions.get_submission(get_db(), submission_id))
    return jsonify(shaped), 201, {"Location": f"/api/exhibitions/{exhibition_id}/submissions/{submission_id}"}


def _already_submitted():
    return ApiError(409, "You have submitted to this exhibition already; edit that submission instead.",
                    title="Already submitted", problem="conflict")


def _organised_exhibition(exhibition_id):
    user_id = require_user()
    exhibition = _exhibition_or_404(exhibition_id)
    if exhibition["organizer_id"] != user_id:
        raise ApiError(403, "Only the exhibition's organiser can see its submissions.")
    return exhibition


@operation(bp, "GET", "/exhibitions/<exhibition_id>/submissions", access="user", query=SubmissionsQuery,
           response=page_of(Submission))
def list_submissions(exhibition_id, query):
    _organised_exhibition(exhibition_id)
    rows, total = exhibitions.list_submissions(get_db(), exhibition_id, status=query.status, limit=query.per_page,
                                               offset=query.offset)
    return list_response([submission_json(row) for row in rows], total, query.page, query.per_page)


def _submission_and_role(exhibition_id, submission_id):
    """(exhibition, submission, 'organiser' or 'artist'); 404 for anyone else."""
    user_id = require_user()
    exhibition = _exhibition_or_404(exhibition_id)
    submission = exhibitions.get_submission(get_db(), submission_id)
    if submission is None or submission["exhibition_id"] != exhibition_id:
        raise ApiError(404, "No submission to this exhibition has that id.")
    if user_id == exhibition["organizer_id"]:
        return exhibition, submission, "organiser"
    if user_id == submission["artist_id"]:
        return exhibition, submission, "artist"
    raise ApiError(404, "No submission to this exhibition has that id.")


@operation(bp, "GET", "/exhibitions/<exhibition_id>/submissions/<submission_id>", access="user",
           response=Submission)
def get_submission(exhibition_id, submission_id, query):
    _, submission, _ = _submission_and_role(exhibition_id, submission_id)
    return jsonify(submission_json(submission))


def _editable_submission(exhibition, submission):
    _open_for_entries(exhibition)
    if submission["status"] != "submitted":
        raise ApiError(409, f"The organiser has {submission['status']} this submission already.",
                       problem="conflict")


# The organiser sends a SubmissionReview, the artist a SubmissionEdit: which one the body is
# checked against depends on who asks, so the handler validates it.
@operation(bp, "PUT", "/exhibitions/<exhibition_id>/submissions/<submission_id>", access="user",
           body_choices=(SubmissionReview, SubmissionEdit), response=Submission, errors=(409,))
def update_submission(exhibition_id, submission_id, query):
    exhibition, submission, role = _submission_and_role(exhibition_id, submission_id)
    if role == "organiser":
        form = validated(SubmissionReview)
        exhibitions.review_submission(get_db(), submission, form.status, form.note, exhibition["organizer_id"],
                                      exhibition["title"])
    else:
        _editable_submission(exhibition, submission)
        changes = given(validated(SubmissionEdit))
        if changes.get("artwork_ids", submission["artwork_ids"]) is None:
            raise validation_error({"artwork_ids": "cannot be empty"})
        report = None
        if "artwork_ids" in changes:
            works = _submittable_works(changes["artwork_ids"], submission["artist_id"], exhibition["rules"])
            report = _screen(exhibition, works)
        exhibitions.edit_submission(get_db(), submission_id, changes, report)
    return jsonify(submission_json(exhibitions.get_submission(get_db(), submission_id)))


@operation(bp, "DELETE", "/exhibitions/<exhibition_id>/submissions/<submission_id>", access="user",
           response=Deleted, errors=(409,))
def withdraw_submission(exhibition_id, submission_id, query):
    exhibition, submission, role = _submission_and_role(exhibition_id, submission_id)
    if role != "artist":
        raise ApiError(403, "Only the artist can withdraw a submission; the organiser can reject it.")
    _editable_submission(exhibition, submission)
    exhibitions.withdraw_submission(get_db(), submission_id)
    return jsonify({"deleted": True, "id": submission_id})
