"""Enquiries: a signed-in collector asks about a work; the thread is the collector's and the
artist's alone."""

from typing import Any, ClassVar, Literal

from flask import jsonify
from pydantic import Field

from api.auth import require_user
from api.db import get_db
from api.fields import Body, Text
from api.limits import rate_limit
from api.parsing import Choice, Paged, list_response
from api.problems import ApiError
from api.routes import bp
from api.routing import operation
from api.shapes import Person, Shape, page_of, person_json, thumbnail_urls
from store import artworks, enquiries


class EnquiryCreate(Body):
    server_owned: ClassVar[frozenset] = frozenset({"id", "artist", "collector", "status", "messages",
                                                   "message_count", "created_at", "conversation_id"})
    message: Text(5000, 1)


class EnquiryMessage(Body):
    message: Text(5000, 1)


class EnquiryUpdate(Body):
    status: Literal["closed"]


class EnquiriesQuery(Paged):
    # artist: the enquiries you received (the default); collector: the ones you sent.
    role: Choice(enquiries.ROLES) = "artist"
    status: Choice(enquiries.STATUSES) | None = None
    artwork_id: str | None = None


class Enquiry(Shape):
    id: str
    artwork: dict[str, Any]
    artist: Person
    collector: Person
    role: str | None
    status: str
    conversation_id: str = Field(description="The thread as a conversation: GET /api/conversations/{id}.")
    message_count: int
    last_message_at: str | None
    created_at: str


class EnquiryDetail(Enquiry):
    messages: list[dict[str, Any]]


def enquiry_json(enquiry, user_id, *, detail=False):
    role = enquiries.role_of(enquiry, user_id)
    collector = person_json(enquiry, "collector_")
    if role == "artist":  # they enquired with this artist: the artist may answer them directly
        collector["contact_info"] = enquiry["collector_contact_info"]
    shaped = {"id": enquiry["id"],
              "artwork": {"id": enquiry["artwork_id"], "title": enquiry["artwork_title"],
                          "thumbnail_urls": thumbnail_urls(enquiry["artwork_id"]) if enquiry["artwork_id"] else None},
              "artist": person_json(enquiry, "artist_"), "collector": collector, "role": role}
    shaped.update({key: enquiry[key] for key in ("status", "message_count", "last_message_at", "created_at")})
    shaped["conversation_id"] = enquiry["id"]  # the thread is also in both parties' conversations
    if detail:
        shaped["messages"] = [{"id": message["id"], "body": message["body"], "author": person_json(message, "author_"),
                               "created_at": message["created_at"]}
                              for message in enquiries.messages_of(get_db(), enquiry["id"], user_id)]
    return shaped


@operation(bp, "POST", "/artworks/<artwork_id>/enquiries", access="user", body=EnquiryCreate,
           response=EnquiryDetail, status=201, errors=(403,),
           links={"get_enquiry": {"enquiry_id": "$response.body#/id"}})
@rate_limit("10 per minute")
def create_enquiry(artwork_id, query, body):
    """Ask the artist about a work; opens a thread only the two of you can read."""
    user_id = require_user()
    work = artworks.get_artwork(get_db(), artwork_id)
    if work is None or (work["availability_status"] == "private" and work["artist_id"] != user_id):
        raise ApiError(404, "No artwork has that id.")
    if work["artist_id"] == user_id:
        raise ApiError(403, "You cannot send an enquiry about your own work.")
    enquiry_id = enquiries.create_enquiry(get_db(), user_id, work, body.message)
    shaped = enquiry_json(enquiries.get_enquiry(get_db(), enquiry_id), user_id, detail=True)
    return jsonify(shaped), 201, {"Location": f"/api/enquiries/{enquiry_id}"}


@operation(bp, "GET", "/enquiries", access="user", query=EnquiriesQuery, response=page_of(Enquiry))
def list_enquiries(query):
    """Enquiries you received as an artist (role=artist) or sent (role=collector)."""
    user_id = require_user()
    rows, total = enquiries.list_enquiries(get_db(), user_id, role=query.role, status=query.status,
                                           artwork_id=query.artwork_id, limit=query.per_page, offset=query.offset)
    return list_response([enquiry_json(row, user_id) for row in rows], total, query.page, query.per_page)


def _party_enquiry(enquiry_id):
    user_id = require_user()
    enquiry = enquiries.get_enquiry(get_db(), enquiry_id)
    if enquiry is None or enquiries.role_of(enquiry, user_id) is None:
        raise ApiError(404, "No enquiry of yours has that id.")
    return user_id, enquiry


@operation(bp, "GET", "/enquiries/<enquiry_id>", access="user", response=EnquiryDetail)
def get_enquiry(enquiry_id, query):
    user_id, enquiry = _party_enquiry(enquiry_id)
    return jsonify(enquiry_json(enquiry, user_id, detail=True))


@operation(bp, "POST", "/enquiries/<enquiry_id>/messages", access="user", body=EnquiryMessage,
           response=EnquiryDetail, status=201, errors=(409,))
@rate_limit("30 per minute")
def add_enquiry_message(enquiry_id, query, body):
    """Answer in the thread (either party); a closed enquiry takes no more messages."""
    user_id, enquiry = _party_enquiry(enquiry_id)
    if enquiry["status"] == "closed":
        raise ApiError(409, "This enquiry is closed.", title="Closed", problem="conflict")
    enquiries.add_message(get_db(), enquiry, user_id, body.message)
    return jsonify(enquiry_json(enquiries.get_enquiry(get_db(), enquiry_id), user_id, detail=True)), 201


@operation(bp, "PUT", "/enquiries/<enquiry_id>", access="user", body=EnquiryUpdate, response=EnquiryDetail)
def update_enquiry(enquiry_id, query, body):
    """Close the thread (either party)."""
    user_id, _ = _party_enquiry(enquiry_id)
    enquiries.close_enquiry(get_db(), enquiry_id)
    return jsonify(enquiry_json(enquiries.get_enquiry(get_db(), enquiry_id), user_id, detail=True))
