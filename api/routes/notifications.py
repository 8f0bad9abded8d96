"""The notification inbox: likes, comments, replies, follows and copy alerts, read or unread."""

from typing import Annotated, Any

from flask import jsonify
from pydantic import Field

from api.auth import require_user
from api.db import get_db
from api.fields import Body, Text
from api.parsing import Flag, Paged, list_response
from api.problems import validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import Person, Shape, page_of, person_json, thumbnail_urls
from store import notifications


class InboxQuery(Paged):
    unread: Flag = False


class NotificationsRead(Body):
    ids: Annotated[list[Text(64, 1)], Field(min_length=1, max_length=notifications.MAX_MARK)] | None = None
    all: bool = False


class Notification(Shape):
    id: str
    kind: str
    message: str
    actor: Person | None
    artwork: dict[str, Any] | None
    comment: dict[str, Any] | None
    subject_id: str | None
    data: dict[str, Any]
    created_at: str
    read: bool
    read_at: str | None


class Inbox(page_of(Notification)):
    unread_count: int


class Marked(Shape):
    marked: int
    not_found: list[str]
    unread_count: int


NOTIFICATION_MESSAGES = {
    "like": "{actor} liked {artwork}.",
    "comment": "{actor} commented on {artwork}.",
    "reply": "{actor} replied to your comment on {artwork}.",
    "follow": "{actor} started following you.",
    "copy_alert": "{artwork} looks like a copy of your work.",
}
EXCERPT_LENGTH = 140


def notification_json(row):
    actor = person_json(row, "actor_")
    artwork = ({"id": row["artwork_id"], "title": row["artwork_title"],
                "thumbnail_urls": thumbnail_urls(row["artwork_id"]) if row["artwork_image_sha256"] else None}
               if row["artwork_id"] else None)
    comment = None
    if row["comment_id"]:
        deleted = row["comment_deleted_at"] is not None
        comment = {"id": row["comment_id"], "deleted": deleted,
                   "excerpt": None if deleted else row["comment_text"][:EXCERPT_LENGTH]}
    template = NOTIFICATION_MESSAGES.get(row["kind"]) or row["data"].get("message") or row["kind"]
    # replace(), not format(): a later kind's message may quote user text with braces in it.
    message = (template.replace("{actor}", actor["artist_name"] if actor else "Someone")
               .replace("{artwork}", f"“{artwork['title']}”" if artwork else "your artwork"))
    return {"id": row["id"], "kind": row["kind"], "message": message, "actor": actor, "artwork": artwork,
            "comment": comment, "subject_id": row["subject_id"], "data": row["data"],
            "created_at": row["created_at"], "read": row["read_at"] is not None, "read_at": row["read_at"]}



@operation(bp, "GET", "/notifications", access="user", query=InboxQuery, response=Inbox)
def list_notifications(query):
    rows, total, unread = notifications.inbox(get_db(), require_user(), unread_only=query.unread,
                                              limit=query.per_page, offset=query.offset)
    return list_response([notification_json(row) for row in rows], total, query.page, query.per_page,
                         unread_count=unread)


@operation(bp, "POST", "/notifications/read", access="user", body=NotificationsRead, response=Marked)
def mark_notifications_read(query, body):
    user_id = require_user()
    if body.all == (body.ids is not None):
        raise validation_error({"ids": "give the ids to mark, or all: true (not both)"})
    marked, missing = notifications.mark_read(get_db(), user_id, None if body.all else body.ids)
    return jsonify({"marked": marked, "not_found": missing,
                    "unread_count": notifications.unread_count(get_db(), user_id)})
