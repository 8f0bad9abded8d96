"""Blocking: a blocked account cannot start a conversation with you or write to one you are in,
and your messages are hidden from it. It is not told."""

from flask import jsonify

from api.access import account_or_404
from api.auth import require_user
from api.db import get_db
from api.parsing import Paged, list_response
from api.problems import ApiError
from api.routes import bp
from api.routing import operation
from api.shapes import Deleted, Person, Shape, page_of, person_json
from store import conversations


class Block(Shape):
    blocked: Person
    created: bool


@operation(bp, "GET", "/blocks", access="user", query=Paged, response=page_of(Person))
def list_blocks(query):
    """The accounts you have blocked, most recent first."""
    rows, total = conversations.blocks_of(get_db(), require_user(), limit=query.per_page, offset=query.offset)
    return list_response([person_json(row) for row in rows], total, query.page, query.per_page)


@operation(bp, "POST", "/blocks/<account_id>", access="user", response=Block, status=201,
           extra_responses={200: "Blocked already; nothing changed"})
def block_account(account_id, query):
    user_id = require_user()
    if account_id == user_id:
        raise ApiError(400, "You cannot block yourself.", errors={"account_id": "is your own account"})
    blocked = account_or_404(account_id)
    created = conversations.block(get_db(), user_id, account_id)
    return jsonify({"blocked": person_json(blocked), "created": created}), 201 if created else 200


@operation(bp, "DELETE", "/blocks/<account_id>", access="user", response=Deleted)
def unblock_account(account_id, query):
    if not conversations.unblock(get_db(), require_user(), account_id):
        raise ApiError(404, "You have not blocked that account.")
    return jsonify({"deleted": True, "id": account_id})
