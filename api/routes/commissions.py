"""Commissions: a client's request to an artist, and its life from request to completion, with
progress notes and an append-only event log."""

import json
from typing import Any, ClassVar, Literal

from flask import jsonify
from pydantic import Field

import store
from api.auth import require_user
from api.db import get_db
from api.fields import Body, Currency, IsoDate, Money, Text
from api.limits import rate_limit
from api.parsing import Choice, Paged, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import Person, Shape, page_of, person_json
from store import commissions, profiles

COMMISSION_SERVER_FIELDS = frozenset({
    "id", "client_id", "client", "artist", "status", "role", "allowed_statuses", "events", "created_at",
    "updated_at", "conversation_id"})


class CommissionCreate(Body):
    server_owned: ClassVar[frozenset] = COMMISSION_SERVER_FIELDS | {"progress_notes", "completion_date"}
    artist_id: Text(64, 1)
    title: Text(200, 1)
    description: Text(5000, 1)
    budget: Money
    currency: Currency = "USD"
    deadline: IsoDate


class CommissionUpdate(Body):
    server_owned: ClassVar[frozenset] = COMMISSION_SERVER_FIELDS - {"status"}
    status: Literal[commissions.STATUSES] = None
    # One new note to append; earlier notes are never replaced.
    progress_notes: Text(5000, 1) = None
    reason: Text(1000, 1) = None
    completion_date: IsoDate = None



class CommissionsQuery(Paged):
    role: Choice(commissions.ROLES) | None = None
    status: Choice(commissions.STATUSES) | None = None


class Commission(Shape):
    id: str
    title: str
    description: str
    budget: float
    currency: str
    deadline: str
    status: str
    completion_date: str | None
    client: dict[str, Any] | None
    artist: Person | None
    role: str | None
    allowed_statuses: list[str]
    progress_notes: list[Any]
    created_at: str
    updated_at: str
    conversation_id: str = Field(description="The thread of client and artist: GET /api/conversations/{id}.")


class CommissionDetail(Commission):
    events: list[dict[str, Any]]


def commission_json(commission, viewer_id, *, detail=False):
    role = commissions.role_of(commission, viewer_id)
    client = person_json(commission, "client_")
    if client is not None and role == "artist":  # what the artist needs to reach and place the client
        client.update(contact_info=commission["client_contact_info"], location=commission["client_location"])
    shaped = {key: commission[key] for key in ("id", "title", "description", "budget", "currency", "deadline",
                                               "status", "completion_date")}
    shaped.update(client=client, artist=person_json(commission, "artist_"), role=role,
                  allowed_statuses=commissions.allowed_moves(commission["status"], role),
                  progress_notes=json.loads(commission["progress_notes"] or "[]"),
                  created_at=commission["created_at"], updated_at=commission["updated_at"],
                  conversation_id=commission["id"])  # its thread with the client: GET /api/conversations/{id}
    if detail:
        shaped["events"] = [{"id": event["id"], "kind": event["kind"], "note": event["note"],
                             "actor": person_json(event, "actor_"), "created_at": event["created_at"]}
                            for event in commissions.events_of(get_db(), commission["id"])]
    return shaped


def _commissioned_artist(artist_id, client_id):
    account = profiles.get_account(get_db(), artist_id)
    if account is None or account["account_type"] != "artist":
        raise validation_error({"artist_id": "must be the id of an artist"})
    if artist_id == client_id:
        raise validation_error({"artist_id": "you cannot commission yourself"})
    if not profiles.get_settings(get_db(), artist_id)["open_for_commissions"]:
        raise ApiError(409, f"{account['artist_name']} is not taking commissions at the moment.",
                       title="Not open for commissions", problem="conflict")




@operation(bp, "POST", "/commissions", access="user", body=CommissionCreate, response=CommissionDetail, status=201,
           errors=(409,), links={target: {"commission_id": "$response.body#/id"}
                                 for target in ("get_commission", "update_commission")})
@rate_limit("20 per minute")
def create_commission(query, body):
    user_id = require_user()
    if body.deadline <= store.utc_today():
        raise validation_error({"deadline": "must be in the future"})
    _commissioned_artist(body.artist_id, user_id)
    commission_id = commissions.create_commission(get_db(), user_id, body.artist_id,
                                                  body.model_dump(exclude={"artist_id"}))
    shaped = commission_json(commissions.get_commission(get_db(), commission_id), user_id, detail=True)
    return jsonify(shaped), 201, {"Location": f"/api/commissions/{commission_id}"}


@operation(bp, "GET", "/commissions", access="user", query=CommissionsQuery, response=page_of(Commission))
def list_commissions(query):
    user_id = require_user()
    rows, total = commissions.list_commissions(get_db(), user_id, role=query.role, status=query.status,
                                               limit=query.per_page, offset=query.offset)
    return list_response([commission_json(row, user_id) for row in rows], total, query.page, query.per_page)


def _party_commission(commission_id):
    user_id = require_user()
    commission = commissions.get_commission(get_db(), commission_id)
    if commission is None or commissions.role_of(commission, user_id) is None:
        raise ApiError(404, "No commission of yours has that id.")
    return user_id, commission


@operation(bp, "GET", "/commissions/<commission_id>", access="user", response=CommissionDetail)
def get_commission(commission_id, query):
    user_id, commission = _party_commission(commission_id)
    return jsonify(commission_json(commission, user_id, detail=True))


def _check_commission_update(form, commission):
    errors = {}
    if form.status is None and form.progress_notes is None:
        errors["status"] = "give a new status, progress_notes to add, or both"
    if form.status == "cancelled" and form.reason is None:
        errors["reason"] = "is required to cancel"
    if form.reason is not None and form.status != "cancelled":
        errors["reason"] = "goes with status cancelled only"
    if form.completion_date is not None:
        if form.status != "completed":
            errors["completion_date"] = "goes with status completed only"
        elif not commission["created_at"][:10] <= form.completion_date <= store.utc_today():
            errors["completion_date"] = "must be between the request date and today"
    if errors:
        raise validation_error(errors)




@operation(bp, "PUT", "/commissions/<commission_id>", access="user", body=CommissionUpdate,
           response=CommissionDetail, errors=(409,))
@rate_limit("60 per minute")
def update_commission(commission_id, query, body):
    user_id, commission = _party_commission(commission_id)
    _check_commission_update(body, commission)
    try:
        commissions.update_commission(get_db(), commission_id, user_id, status=body.status, note=body.progress_notes,
                                      reason=body.reason, completion_date=body.completion_date)
    except commissions.MoveRefused as refused:
        raise _move_refused(refused) from refused
    return jsonify(commission_json(commissions.get_commission(get_db(), commission_id), user_id, detail=True))


def _move_refused(refused):
    allowed = ", ".join(refused.allowed) or "none (it is closed)"
    if refused.forbidden_role:
        return ApiError(403, f"Only the artist can move a commission to {refused.wanted}.")
    return ApiError(409, f"A commission that is {refused.current} cannot become {refused.wanted}; "
                         f"you may move it to: {allowed}.", title="Not allowed from this status",
                    problem="conflict", errors={"status": f"must be one of: {allowed}"})

