"""Structured critique: works that ask for it, the critiques peers give, helpfulness, and the
"needs feedback" list (fewest critiques first, with give-to-get credit: store.critiques)."""

from typing import Annotated, ClassVar, Literal

from flask import jsonify
from pydantic import AliasChoices, Field, model_validator

from api.access import visible_artwork_or_404
from api.auth import current_user_id, require_user
from api.db import get_db
from api.fields import Body, Text
from api.limits import per_account, rate_limit
from api.parsing import Paged, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import ArtworkSummary, Person, Shape, person_json, thumbnail_urls
from store import critiques, moderation

Rating = Annotated[int, Field(ge=1, le=5)]

class CritiqueCreate(Body):
    server_owned: ClassVar[frozenset] = frozenset({"id", "artwork_id", "version", "reviewer", "helpful",
                                                   "created_at", "current_version"})
    composition: Rating | None = None
    colour: Rating | None = Field(None, validation_alias=AliasChoices("colour", "color"))
    technique: Rating | None = None
    concept: Rating | None = None
    originality: Rating | None = None
    strengths: Text(4000, 1)
    suggestions: Text(4000, 1)
    answers: list[Text(2000, 1)] = Field(default_factory=list, max_length=critiques.MAX_QUESTIONS,
                                         description="One answer per question the artist asked, in order.")

    @model_validator(mode="after")
    def _constructive(self):
        if len(self.strengths.strip()) + len(self.suggestions.strip()) < critiques.MIN_TEXT:
            raise ValueError(f"strengths and suggestions together need at least {critiques.MIN_TEXT} characters")
        return self

class Helpful(Body):
    helpful: bool = True

class Report(Body):
    reason: Literal[moderation.REASONS]
    note: Text(2000) | None = None

class Standing(Shape):
    critiques_given: int
    helpful_received: int

class Reviewer(Person):
    standing: Standing

class Answer(Shape):
    question: str | None
    answer: str

class Critique(Shape):
    id: str
    artwork_id: str
    version: str
    current_version: bool = Field(description="Whether it critiques the work's image as it is now.")
    ratings: dict[str, int | None]
    strengths: str
    suggestions: str
    answers: list[Answer]
    helpful: bool
    reviewer: Reviewer
    created_at: str

class CriterionAverage(Shape):
    average: float | None
    ratings: int

class CritiquePage(Shape):
    items: list[Critique]
    total: int
    page: int
    per_page: int
    averages: dict[str, CriterionAverage]

class CritiqueRequest(Shape):
    artwork: ArtworkSummary
    questions: list[str]
    critique_count: int
    requested_at: str | None
    artist_standing: Standing
    priority: float = Field(description="critique_count minus the artist's give-to-get credit; lowest first.")

class RequestPage(Shape):
    items: list[CritiqueRequest]
    total: int
    page: int
    per_page: int

class ReportFiled(Shape):
    id: str
    kind: str
    subject_id: str
    reason: str
    status: str
    created_at: str

def critique_json(critique, artwork):
    questions = artwork["critique_questions"] if critique["version"] == critiques.version_of(artwork) else []
    reviewer = person_json(critique, "reviewer_")
    reviewer["standing"] = {"critiques_given": critique["reviewer_critiques_given"],
                            "helpful_received": critique["reviewer_helpful_received"]}
    return {"id": critique["id"], "artwork_id": critique["artwork_id"], "version": critique["version"],
            "current_version": critique["version"] == critiques.version_of(artwork),
            "ratings": {c: critique[c] for c in critiques.CRITERIA},
            "strengths": critique["strengths"], "suggestions": critique["suggestions"],
            "answers": [{"question": questions[i] if i < len(questions) else None, "answer": answer}
                        for i, answer in enumerate(critique["answers"])],
            "helpful": critique["helpful_at"] is not None, "reviewer": reviewer, "created_at": critique["created_at"]}

def _critique_or_404(critique_id):
    """(critique, artwork) the caller may see: 404 for a critique of a private work of someone else."""
    critique = critiques.get(get_db(), critique_id)
    if critique is None:
        raise ApiError(404, "No critique has that id.")
    return critique, visible_artwork_or_404(critique["artwork_id"], current_user_id())

@operation(bp, "POST", "/artworks/<artwork_id>/critiques", access="user", body=CritiqueCreate, response=Critique,
           status=201, errors=(403, 409))
@rate_limit("20 per hour", key_func=per_account)
def critique_artwork(artwork_id, query, body):
    """Critique a work that asks for it: one per reviewer and version of the work."""
    user_id = require_user()
    artwork = visible_artwork_or_404(artwork_id, user_id)
    if artwork["artist_id"] == user_id:
        raise ApiError(403, "You cannot critique your own work.")
    if not artwork["critique_requested"]:
        raise ApiError(409, "This work has not asked for critique.", problem="conflict")
    questions = artwork["critique_questions"]
    if len(body.answers) != len(questions):
        raise validation_error({"answers": f"give one answer per question: {len(questions)} asked, "
                                           f"{len(body.answers)} given"})
    ratings = {c: getattr(body, c) for c in critiques.CRITERIA}
    try:
        critique_id = critiques.add(get_db(), artwork, user_id, ratings, body.strengths, body.suggestions,
                                    body.answers)
    except critiques.AlreadyGiven:
        raise ApiError(409, "You have critiqued this version of the work already.", problem="conflict") from None
    return jsonify(critique_json(critiques.get(get_db(), critique_id), artwork)), 201

@operation(bp, "GET", "/artworks/<artwork_id>/critiques", access="optional", query=Paged, response=CritiquePage)
def artwork_critiques(artwork_id, query):
    """The work's critiques, newest first, with the average per criterion."""
    artwork = visible_artwork_or_404(artwork_id, current_user_id())
    rows, total, averages = critiques.of_artwork(get_db(), artwork_id, limit=query.per_page, offset=query.offset)
    return list_response([critique_json(row, artwork) for row in rows], total, query.page, query.per_page,
                         averages=averages)

@operation(bp, "POST", "/critiques/<critique_id>/helpful", access="user", body=Helpful, response=Critique)
def mark_helpful(critique_id, query, body):
    """The artist marks a critique of their work helpful (or not, with helpful: false)."""
    critique, artwork = _critique_or_404(critique_id)
    if artwork["artist_id"] != require_user():
        raise ApiError(403, "Only the work's artist can mark its critiques helpful.")
    critiques.set_helpful(get_db(), critique_id, body.helpful)
    return jsonify(critique_json(critiques.get(get_db(), critique_id), artwork))

@operation(bp, "POST", "/critiques/<critique_id>/report", access="user", body=Report, response=ReportFiled,
           status=201, errors=(403,))
@rate_limit("30 per hour", key_func=per_account)
def report_critique(critique_id, query, body):
    """Report a critique that is only a rating or only insults to the moderation queue."""
    critique, _ = _critique_or_404(critique_id)
    user_id = require_user()
    if critique["reviewer_id"] == user_id:
        raise ApiError(403, "You cannot report your own critique.")
    return jsonify(moderation.file_report(get_db(), "critique", critique_id, user_id, body.reason, body.note)), 201

@operation(bp, "GET", "/critiques/requests", access="user", query=Paged, response=RequestPage)
def critique_requests(query):
    """Works that need feedback, fairest first: fewest critiques, less the give-to-get credit
    their artists earned by critiquing others."""
    rows, total = critiques.requests(get_db(), require_user(), limit=query.per_page, offset=query.offset)
    items = [{"artwork": {"id": row["id"], "title": row["title"],
                          "artist": {"id": row["artist_id"], "username": row["artist_username"],
                                     "artist_name": row["artist_name"]},
                          "thumbnail_urls": thumbnail_urls(row["id"])},
              "questions": row["critique_questions"], "critique_count": row["critique_count"],
              "requested_at": row["critique_requested_at"], "priority": round(row["priority"], 3),
              "artist_standing": {"critiques_given": row["critiques_given"],
                                  "helpful_received": row["helpful_received"]}} for row in rows]
    return list_response(items, total, query.page, query.per_page)
