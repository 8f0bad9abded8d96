"""Mentorship: mentor profiles, matching (GET /api/mentors?for=me), requests, the status path,
and an active mentorship's goals, sessions and portfolio reviews. Only its two parties see a
mentorship; anyone else gets 404."""

from typing import Annotated, Any, ClassVar, Literal

from flask import jsonify
from pydantic import AfterValidator, Field

from api.access import account_or_404
from api.auth import require_user
from api.db import get_db
from api.fields import Body, IsoDate, Text, unique_case_insensitive
from api.parsing import Choice, Flag, Paged, given, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import Deleted, Person, Shape, page_of, person_json
from recommend import mentors as matching
from store import critiques, mentorships

Words = Annotated[list[Text(50, 1)], Field(max_length=20), AfterValidator(unique_case_insensitive)]
Progress = Annotated[int, Field(ge=0, le=100)]


class MentorProfileBody(Body):
    server_owned: ClassVar[frozenset] = frozenset({"artist", "active_count", "open_slots", "standing", "created_at",
                                                   "updated_at"})
    experience: Text(4000, 1)
    specialties: Words = Field(default_factory=list)
    mediums: Words = Field(default_factory=list)
    languages: Words = Field(default_factory=list)
    capacity: Annotated[int, Field(ge=0, le=100)]
    accepting: bool = True


class MentorsQuery(Paged):
    specialty: Text(50) | None = None
    medium: Text(50) | None = None
    language: Text(50) | None = None
    available: Flag | None = None
    for_: Literal["me"] | None = Field(None, alias="for", description="for=me ranks mentors for you, with reasons.")


class MentorshipCreate(Body):
    server_owned: ClassVar[frozenset] = frozenset({"id", "mentor", "mentee", "status", "role", "allowed_statuses",
                                                   "started_at", "ended_at", "created_at", "updated_at"})
    mentor_id: Text(64, 1)
    goals: Text(4000, 10)
    proposed_weeks: Annotated[int, Field(ge=1, le=104)]


class MentorshipMove(Body):
    status: Literal["active", "completed", "declined", "cancelled"]
    note: Text(2000) | None = None


class MentorshipsQuery(Paged):
    role: Choice(("mentor", "mentee")) | None = None
    status: Choice(mentorships.STATUSES) | None = None


class GoalCreate(Body):
    title: Text(300, 1)
    progress: Progress = 0


class GoalUpdate(Body):
    title: Text(300, 1) = None
    progress: Progress = None


class SessionCreate(Body):
    held_on: IsoDate
    notes: Text(10000, 1)


class ReviewCreate(Body):
    critique_id: Text(64, 1)
    note: Text(2000) | None = None


class MentorStanding(Shape):
    critiques_given: int
    helpful_received: int
    completed_mentorships: int


class Mentor(Shape):
    artist: Person
    experience: str
    specialties: list[str]
    mediums: list[str]
    languages: list[str]
    capacity: int
    accepting: bool
    open_slots: int
    standing: MentorStanding
    match: dict[str, Any] | None = Field(None, description="With for=me: score, its parts and the reason.")
    updated_at: str


class Mentorship(Shape):
    id: str
    mentor: Person | None
    mentee: Person | None
    role: str
    goals: str
    proposed_weeks: int
    status: str
    allowed_statuses: list[str]
    conversation_id: str
    started_at: str | None
    ended_at: str | None
    created_at: str
    updated_at: str


class MentorshipDetail(Mentorship):
    tracked_goals: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    events: list[dict[str, Any]]


def mentor_json(profile, match=None):
    artist = person_json({**profile, "id": profile["artist_id"]})
    shaped = {key: profile[key] for key in ("experience", "specialties", "mediums", "languages", "capacity",
                                            "accepting", "open_slots", "updated_at")}
    shaped.update(artist=artist, standing={"critiques_given": profile["critiques_given"],
                                           "helpful_received": profile["helpful_received"],
                                           "completed_mentorships": profile["completed"]})
    if match is not None:
        shaped["match"] = {"score": match.score, "specialty": match.specialty, "similarity": match.similarity,
                           "availability": match.availability, "shared": match.shared, "reason": match.reason}
    return shaped


def mentorship_json(mentorship, user_id, *, detail=False):
    role = mentorships.role_of(mentorship, user_id)
    shaped = {key: mentorship[key] for key in ("id", "goals", "proposed_weeks", "status", "started_at", "ended_at",
                                               "created_at", "updated_at")}
    shaped.update(mentor=person_json(mentorship, "mentor_"), mentee=person_json(mentorship, "mentee_"), role=role,
                  allowed_statuses=mentorships.allowed_moves(mentorship["status"], role),
                  conversation_id=mentorship["id"])
    if detail:
        conn = get_db()
        shaped.update(tracked_goals=mentorships.goals_of(conn, mentorship["id"]),
                      sessions=mentorships.sessions_of(conn, mentorship["id"]),
                      reviews=mentorships.reviews_of(conn, mentorship["id"]),
                      events=mentorships.events_of(conn, mentorship["id"]))
    return shaped


def _party(mentorship_id):
    user_id = require_user()
    found = mentorships.get(get_db(), mentorship_id)
    if found is None or mentorships.role_of(found, user_id) is None:
        raise ApiError(404, "No mentorship of yours has that id.")
    return user_id, found


def _active(mentorship_id):
    user_id, found = _party(mentorship_id)
    if found["status"] != "active":
        raise ApiError(409, f"The mentorship is {found['status']}; goals, sessions and reviews need an active one.",
                       problem="conflict")
    return user_id, found


# --- Mentors --------------------------------------------------------------------------------------

@operation(bp, "GET", "/mentors", access="optional", query=MentorsQuery, response=page_of(Mentor))
def list_mentors(query):
    """Artists who offer mentorship, filtered by specialty, medium, language and availability;
    with for=me (signed in), ranked for you from shared specialties, how alike your works look,
    and open slots, each with the reason."""
    if query.for_ == "me":
        user_id = require_user()
        found, total = mentorships.list_mentors(get_db(), specialty=query.specialty, medium=query.medium,
                                                language=query.language, available=query.available,
                                                exclude=user_id, limit=10_000)
        ranked = matching.rank(get_db(), user_id, found)
        by_id = {profile["artist_id"]: profile for profile in found}
        page = ranked[query.offset:query.offset + query.per_page]
        return list_response([mentor_json(by_id[m.artist_id], m) for m in page], total, query.page, query.per_page)
    found, total = mentorships.list_mentors(get_db(), specialty=query.specialty, medium=query.medium,
                                            language=query.language, available=query.available,
                                            limit=query.per_page, offset=query.offset)
    return list_response([mentor_json(profile) for profile in found], total, query.page, query.per_page)


@operation(bp, "GET", "/mentors/<artist_id>", access="optional", response=Mentor)
def get_mentor(artist_id, query):
    profile = mentorships.get_profile(get_db(), artist_id)
    if profile is None:
        raise ApiError(404, "That account does not offer mentorship.")
    return jsonify(mentor_json(profile))


@operation(bp, "PUT", "/mentors/<artist_id>", access="user", body=MentorProfileBody, response=Mentor)
def put_mentor(artist_id, query, body):
    """Offer mentorship (or change the offer): yours only, and only as an artist account."""
    account = account_or_404(artist_id)
    if artist_id != require_user():
        raise ApiError(403, "You can only change your own mentor profile.")
    if account["account_type"] != "artist":
        raise ApiError(403, "Only artist accounts can offer mentorship.")
    mentorships.put_profile(get_db(), artist_id, {**body.model_dump(), "accepting": int(body.accepting)})
    return jsonify(mentor_json(mentorships.get_profile(get_db(), artist_id)))


@operation(bp, "DELETE", "/mentors/<artist_id>", access="user", response=Deleted, errors=(409,))
def delete_mentor(artist_id, query):
    """Stop offering mentorship; refused while a mentorship of yours is active."""
    if artist_id != require_user():
        raise ApiError(403, "You can only withdraw your own mentor profile.")
    profile = mentorships.get_profile(get_db(), artist_id)
    if profile is None:
        raise ApiError(404, "You do not offer mentorship.")
    if profile["active_count"]:
        raise ApiError(409, "Complete or cancel your active mentorships first; or set accepting to false.",
                       problem="conflict")
    mentorships.delete_profile(get_db(), artist_id)
    return jsonify({"deleted": True, "id": artist_id})


# --- Mentorships ----------------------------------------------------------------------------------

@operation(bp, "POST", "/mentorships", access="user", body=MentorshipCreate, response=MentorshipDetail,
           status=201, errors=(404, 409), links={"get_mentorship": {"mentorship_id": "$response.body#/id"}})
def request_mentorship(query, body):
    """Ask a mentor, with your goals and a proposed length in weeks."""
    user_id = require_user()
    if body.mentor_id == user_id:
        raise validation_error({"mentor_id": "you cannot be your own mentor"})
    if mentorships.get_profile(get_db(), body.mentor_id) is None:
        raise ApiError(404, "That account does not offer mentorship.")
    try:
        mentorship_id = mentorships.request(get_db(), body.mentor_id, user_id, body.goals, body.proposed_weeks)
    except mentorships.Refused as refused:
        raise ApiError(409, str(refused), problem="conflict") from None
    shaped = mentorship_json(mentorships.get(get_db(), mentorship_id), user_id, detail=True)
    return jsonify(shaped), 201, {"Location": f"/api/mentorships/{mentorship_id}"}


@operation(bp, "GET", "/mentorships", access="user", query=MentorshipsQuery, response=page_of(Mentorship))
def list_mentorships(query):
    user_id = require_user()
    rows, total = mentorships.list_for(get_db(), user_id, role=query.role, status=query.status,
                                       limit=query.per_page, offset=query.offset)
    return list_response([mentorship_json(row, user_id) for row in rows], total, query.page, query.per_page)


@operation(bp, "GET", "/mentorships/<mentorship_id>", access="user", response=MentorshipDetail)
def get_mentorship(mentorship_id, query):
    user_id, found = _party(mentorship_id)
    return jsonify(mentorship_json(found, user_id, detail=True))


@operation(bp, "PUT", "/mentorships/<mentorship_id>", access="user", body=MentorshipMove, response=MentorshipDetail,
           errors=(409,))
def move_mentorship(mentorship_id, query, body):
    """Move along requested -> active -> completed (or declined, cancelled); 409 names the
    moves your role may make from here."""
    user_id, found = _party(mentorship_id)
    role = mentorships.role_of(found, user_id)
    allowed = mentorships.allowed_moves(found["status"], role)
    if body.status not in allowed:
        raise ApiError(409, f"A {role} cannot move a {found['status']} mentorship to {body.status}; allowed: "
                            f"{', '.join(allowed) or 'none'}.", problem="conflict",
                       extensions={"allowed_statuses": allowed})
    try:
        mentorships.move(get_db(), found, body.status, user_id, body.note)
    except mentorships.Refused as refused:
        raise ApiError(409, str(refused), problem="conflict") from None
    return jsonify(mentorship_json(mentorships.get(get_db(), mentorship_id), user_id, detail=True))


@operation(bp, "POST", "/mentorships/<mentorship_id>/goals", access="user", body=GoalCreate,
           response=MentorshipDetail, status=201, errors=(409,))
def add_goal(mentorship_id, query, body):
    user_id, found = _active(mentorship_id)
    mentorships.add_goal(get_db(), mentorship_id, body.title, body.progress)
    return jsonify(mentorship_json(found, user_id, detail=True)), 201


@operation(bp, "PUT", "/mentorships/<mentorship_id>/goals/<goal_id>", access="user", body=GoalUpdate,
           response=MentorshipDetail, errors=(409,))
def update_goal(mentorship_id, goal_id, query, body):
    user_id, found = _active(mentorship_id)
    changes = given(body)
    if any(value is None for value in changes.values()):
        raise validation_error({name: "cannot be null" for name, value in changes.items() if value is None})
    if not (goal_id.isascii() and goal_id.isdigit() and len(goal_id) < 19) or \
            not mentorships.update_goal(get_db(), mentorship_id, int(goal_id), changes):
        raise ApiError(404, "This mentorship has no goal with that id.")
    return jsonify(mentorship_json(found, user_id, detail=True))


@operation(bp, "POST", "/mentorships/<mentorship_id>/sessions", access="user", body=SessionCreate,
           response=MentorshipDetail, status=201, errors=(409,))
def log_session(mentorship_id, query, body):
    """Log a session: its date, and notes both of you see."""
    user_id, found = _active(mentorship_id)
    mentorships.add_session(get_db(), mentorship_id, user_id, body.held_on, body.notes)
    return jsonify(mentorship_json(found, user_id, detail=True)), 201


@operation(bp, "POST", "/mentorships/<mentorship_id>/reviews", access="user", body=ReviewCreate,
           response=MentorshipDetail, status=201, errors=(403, 409))
def add_review(mentorship_id, query, body):
    """Link a critique the mentor gave one of the mentee's works in as a portfolio review."""
    user_id, found = _active(mentorship_id)
    critique = critiques.get(get_db(), body.critique_id)
    if critique is None or critique["reviewer_id"] != found["mentor_id"] \
            or critique["artwork_artist_id"] != found["mentee_id"]:
        raise validation_error({"critique_id": "must be a critique the mentor gave one of the mentee's works"})
    if not mentorships.add_review(get_db(), mentorship_id, body.critique_id, body.note):
        raise ApiError(409, "That critique is linked to this mentorship already.", problem="conflict")
    return jsonify(mentorship_json(found, user_id, detail=True)), 201
