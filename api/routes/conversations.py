"""Conversations: direct messages between accounts, with image attachments, read marks and
reports; a commission's or an enquiry's thread is one of them. Only members can read one, and
GET answers carry an ETag, so polling with If-None-Match costs a 304 while nothing changed."""

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Literal

from flask import Response, current_app, jsonify, request, send_file, stream_with_context
from pydantic import AliasChoices, Field

import imaging
from api.access import visible_artwork_or_404
from api.auth import require_user
from api.db import get_db, max_pixels, media
from api.fields import Body, Text
from api.limits import per_account, rate_limit
from api.parsing import Flag, Paged, Query, WholeNumber, form_values, list_response, validated
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.sales import party_to
from api.shapes import Person, Shape, page_of, person_json
from imaging import attachment as attachments
from store import conversations, enquiries, is_rowid, licenses, moderation, profiles, sales, utc_now

STREAM_POLL_SECONDS = 1.0
STREAM_HEARTBEAT_SECONDS = 15
STREAM_RETRY_MS = 3000
IMAGE_TYPES = {"image/jpeg": "The attachment, re-encoded as JPEG", "image/png": "The attachment, as PNG"}


class Subject(Body):
    kind: Literal[conversations.SUBJECT_KINDS]
    id: Text(64, 1)


class ConversationStart(Body):
    server_owned: ClassVar[frozenset] = frozenset({"id", "members", "unread_count", "message_count", "created_at",
                                                   "last_message", "last_activity_at"})
    participants: list[Text(64, 1)] = Field(
        min_length=1, max_length=conversations.MAX_MEMBERS - 1,
        validation_alias=AliasChoices("participants", "account_ids", "recipient_ids"),
        description="The other accounts' ids (1 to 19).")
    message: Text(5000, 1)
    subject: Subject | None = None


class MessageCreate(Body):
    server_owned: ClassVar[frozenset] = frozenset({"id", "author", "attachment", "removed", "created_at"})
    body: Text(5000, 1) = Field(validation_alias=AliasChoices("body", "message", "text"))


class AttachmentForm(Body):
    """Multipart: the image in image_file, and an optional caption."""
    body: Text(5000, 1) | None = None


class ReadMark(Body):
    up_to: WholeNumber(cap=2**62, description="Read up to this message id; all of it when left out.") | None = None


class Report(Body):
    reason: Literal[moderation.REASONS]
    note: Text(2000) | None = None


class InboxQuery(Paged):
    unread: Flag = False


class MessagesQuery(Query):
    before: WholeNumber(cap=2**62, description="Older than this message id (the next_before of a page).") | None = None
    after: WholeNumber(cap=2**62, description="Newer than this message id: what arrived since a poll.") | None = None
    limit: WholeNumber(cap=100) = 50


class Attachment(Shape):
    url: str
    type: str
    width: int
    height: int


class Message(Shape):
    id: int
    conversation_id: str
    author: Person | None
    body: str | None
    attachment: Attachment | None
    removed: bool = Field(description="Moderation took it down: its text and image are gone.")
    created_at: str


class ConversationSubject(Shape):
    kind: str
    id: str


class Conversation(Shape):
    id: str
    subject: ConversationSubject | None
    members: list[Person]
    unread_count: int
    message_count: int
    last_message: Message | None
    last_activity_at: str
    created_at: str


class ConversationDetail(Conversation):
    messages: list[Message] = Field(description="Newest first.")
    next_before: int | None = Field(description="Pass as before= for the older page; null at the start.")
    next_after: int | None = Field(description="Pass as after= to poll for what arrives next.")


class ReadState(Shape):
    conversation_id: str
    unread_count: int
    last_read_id: int


class ReportFiled(Shape):
    id: str
    kind: str
    subject_id: str
    reason: str
    status: str
    created_at: str


# --- Shapes ---------------------------------------------------------------------------------------

def message_json(message):
    shaped = {"id": message["id"], "conversation_id": message["conversation_id"],
              "author": person_json(message, "author_"), "body": message["body"], "attachment": None,
              "removed": message["removed_at"] is not None, "created_at": message["created_at"]}
    if message["attachment_sha256"]:
        shaped["attachment"] = {
            "url": f"/api/conversations/{message['conversation_id']}/messages/{message['id']}/attachment",
            "type": message["attachment_type"], "width": message["attachment_width"],
            "height": message["attachment_height"]}
    return shaped


def conversation_json(conversation, members):
    last = conversation.get("last_message")
    return {"id": conversation["id"],
            "subject": ({"kind": conversation["subject_kind"], "id": conversation["subject_id"]}
                        if conversation["subject_kind"] else None),
            "members": [person_json(member) for member in members],
            "unread_count": conversation.get("unread_count", 0), "message_count": conversation["message_count"],
            "last_message": message_json(last) if last else None,
            "last_activity_at": conversation.get("last_activity_at") or conversation["created_at"],
            "created_at": conversation["created_at"]}


def conditional(payload, status=200):
    """The JSON answer with an ETag of its bytes; 304 when the client's If-None-Match has it."""
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


# --- Access ---------------------------------------------------------------------------------------

def member_conversation(conversation_id):
    """(user id, conversation, membership); 404 for anyone not in it."""
    user_id = require_user()
    found = conversations.get_conversation(get_db(), conversation_id)
    mine = found and conversations.membership(get_db(), conversation_id, user_id)
    if not mine:
        raise ApiError(404, "No conversation of yours has that id.")
    return user_id, found, mine


def _message(message_id):
    number = int(message_id) if message_id.isascii() and message_id.isdigit() else None
    return conversations.get_message(get_db(), number) if is_rowid(number) else None


def _may_write(user_id, conversation):
    others = [m["id"] for m in conversations.members_of(get_db(), [conversation["id"]])[conversation["id"]]
              if m["id"] != user_id]
    if others and conversations.blockers_among(get_db(), user_id, others):
        raise ApiError(403, "Someone in this conversation has blocked you; you cannot write to it.")
    if conversation["subject_kind"] == "enquiry":
        enquiry = enquiries.get_enquiry(get_db(), conversation["subject_id"])
        if enquiry and enquiry["status"] == "closed":
            raise ApiError(409, "This enquiry is closed.", title="Closed", problem="conflict")


def _check_subject(subject, user_id):
    """A conversation may be about what its starter may see; a commission's, an enquiry's or a
    mentorship's thread exists already (its id is the subject's)."""
    if subject.kind == "artwork":
        visible_artwork_or_404(subject.id, user_id)
    elif subject.kind == "order":
        party_to(sales.get_order, sales.order_role, subject.id, "order")
    elif subject.kind == "license":
        party_to(licenses.get_license, licenses.license_role, subject.id, "licence")
    else:
        thread = conversations.thread_of(get_db(), subject.kind, subject.id)
        if thread and conversations.membership(get_db(), thread, user_id):
            raise ApiError(409, f"This {subject.kind} has its conversation already: write to /api/conversations/"
                                f"{thread}/messages.", problem="conflict", extensions={"conversation_id": thread})
        raise ApiError(404, f"No {subject.kind} of yours has that id.")


def _participants(user_id, ids):
    others = [i for i in dict.fromkeys(ids) if i != user_id]
    if not others:
        raise validation_error({"participants": "name at least one account other than yourself"})
    missing = [i for i in others if profiles.get_account(get_db(), i) is None]
    if missing:
        raise validation_error({"participants": f"no account has the id {missing[0]}"})
    if conversations.blockers_among(get_db(), user_id, others):
        raise ApiError(403, "You cannot start a conversation with someone who has blocked you.")
    return others


def _check_stranger_budget(user_id, others):
    """True when the start reaches a stranger; 429 once the day's budget for those is spent."""
    if not any(conversations.is_stranger(get_db(), user_id, other) for other in others):
        return False
    budget = current_app.config["STRANGER_CONVERSATIONS_PER_DAY"]
    since = utc_now(-timedelta(days=1))
    started, oldest = conversations.stranger_starts_since(get_db(), user_id, since)
    if started >= budget:
        # The budget frees up when the oldest start in the window leaves it (a budget of 0: never).
        frees = datetime.fromisoformat(oldest.replace("Z", "+00:00")) + timedelta(days=1) if oldest else None
        wait = (frees - datetime.now(UTC)).total_seconds() if frees else 86400
        raise ApiError(429, f"You have started {budget} conversations today with people you share no follows or "
                            "dealings with; that is the day's limit.", title="Too Many Requests",
                       headers={"Retry-After": str(max(1, int(wait) + 1))})
    return True


# --- Routes ---------------------------------------------------------------------------------------

@operation(bp, "GET", "/conversations", access="user", query=InboxQuery, response=page_of(Conversation),
           extra_responses={304: "Not modified (If-None-Match)"})
def list_conversations(query):
    """Your conversations, newest activity first, each with its unread count."""
    user_id = require_user()
    rows, total = conversations.inbox(get_db(), user_id, limit=query.per_page, offset=query.offset,
                                      unread_only=query.unread)
    members = conversations.members_of(get_db(), [row["id"] for row in rows])
    items = [conversation_json(row, members[row["id"]]) for row in rows]
    return conditional(list_response(items, total, query.page, query.per_page).get_json())


@operation(bp, "GET", "/conversations/stream", access="user", errors=(404,),
           content={"text/event-stream": "Server-Sent Events: an `inbox` event (id, and data {unread_total, latest: "
                                         "[{id, unread_count, last_activity_at}]}) whenever your inbox changes, "
                                         "comments as keep-alives, closed after CONVERSATION_STREAM_SECONDS"})
@rate_limit("30 per minute", key_func=per_account)
def conversation_stream(query):
    """Live inbox updates, where the server enables them (CONVERSATION_STREAM_SECONDS); send the
    last event's id back as Last-Event-ID on reconnecting, and nothing already seen repeats."""
    seconds = current_app.config["CONVERSATION_STREAM_SECONDS"]
    if not seconds:
        # 404, not 501: a stream this server does not offer is a resource that is not here, not a fault.
        raise ApiError(404, "Live updates are off on this server; poll GET /api/conversations with If-None-Match.")
    events = _inbox_events(require_user(), seconds, request.headers.get("Last-Event-ID"))
    return Response(stream_with_context(events), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _inbox_events(user_id, seconds, last_id):
    """Poll the inbox index once a second (a read of at most 21 index rows) and tell of changes."""
    deadline = quiet_since = time.monotonic()
    deadline += seconds
    yield f"retry: {STREAM_RETRY_MS}\n\n"
    while True:
        state = conversations.inbox_state(get_db(), user_id)
        event_id = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:20]
        if event_id != last_id:
            yield f"id: {event_id}\nevent: inbox\ndata: {json.dumps(state)}\n\n"
            last_id, quiet_since = event_id, time.monotonic()
        elif time.monotonic() - quiet_since >= STREAM_HEARTBEAT_SECONDS:
            yield ": still here\n\n"
            quiet_since = time.monotonic()
        if time.monotonic() >= deadline:
            return
        time.sleep(STREAM_POLL_SECONDS)


@operation(bp, "POST", "/conversations", access="user", body=ConversationStart, response=ConversationDetail,
           status=201, errors=(403, 404, 409), links={"get_conversation": {"conversation_id": "$response.body#/id"}})
@rate_limit("20 per hour", key_func=per_account)
def start_conversation(query, body):
    """Start a conversation with one or more accounts, optionally about an artwork, an order or a
    licence. Starting one with someone you share no follows or dealings with has a daily budget."""
    user_id = require_user()
    if body.subject:
        _check_subject(body.subject, user_id)
    others = _participants(user_id, body.participants)
    stranger = _check_stranger_budget(user_id, others)
    subject = (body.subject.kind, body.subject.id) if body.subject else None
    conversation_id, _ = conversations.start(get_db(), user_id, others, body.message, subject=subject,
                                             to_stranger=stranger)
    response = _detail(conversation_id, user_id, MessagesQuery())
    return response, 201, {"Location": f"/api/conversations/{conversation_id}"}


def _detail(conversation_id, user_id, query):
    conn = get_db()
    messages, more = conversations.messages_page(conn, conversation_id, user_id, before=query.before,
                                                 after=query.after, limit=query.limit)
    first_page = query.before is None and query.after is None
    newest = messages[:1] if first_page else conversations.messages_page(conn, conversation_id, user_id, limit=1)[0]
    conversation = {**conversations.get_conversation(conn, conversation_id),
                    **conversations.membership(conn, conversation_id, user_id),
                    "last_message": newest[0] if newest else None}
    shaped = conversation_json(conversation, conversations.members_of(conn, [conversation_id])[conversation_id])
    shaped.update(messages=[message_json(m) for m in messages],
                  next_before=messages[-1]["id"] if more and query.after is None else None,
                  next_after=messages[0]["id"] if messages else query.after)
    return shaped


@operation(bp, "GET", "/conversations/<conversation_id>", access="user", query=MessagesQuery,
           response=ConversationDetail, extra_responses={304: "Not modified (If-None-Match)"})
def get_conversation(conversation_id, query):
    """The conversation and a page of its messages, newest first (keyset: before=, after=)."""
    user_id, _, _ = member_conversation(conversation_id)
    return conditional(_detail(conversation_id, user_id, query))


@operation(bp, "POST", "/conversations/<conversation_id>/messages", access="user", body=MessageCreate,
           response=Message, status=201, errors=(403, 409))
@rate_limit("60 per minute", key_func=per_account)
def post_message(conversation_id, query, body):
    user_id, conversation, _ = member_conversation(conversation_id)
    _may_write(user_id, conversation)
    message_id = conversations.post(get_db(), conversation_id, user_id, body=body.body)
    return jsonify(message_json(conversations.get_message(get_db(), message_id))), 201


@operation(bp, "POST", "/conversations/<conversation_id>/attachments", access="user", form=AttachmentForm,
           response=Message, status=201, errors=(403, 409, 413, 415, 422))
@rate_limit("60 per minute", key_func=per_account)
def post_attachment(conversation_id, query):
    """Send an image (multipart image_file, optional body): validated as uploads are and re-encoded,
    so its EXIF and anything else of the original file never reach the others."""
    user_id, conversation, _ = member_conversation(conversation_id)
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "Send the image as multipart/form-data in image_file.")
    fields = validated(AttachmentForm, form_values())
    upload = request.files.get("image_file")
    data = upload.read() if upload else b""
    if not data:
        raise validation_error({"image_file": "is required"})
    _may_write(user_id, conversation)
    try:
        kept = attachments.reencode(data, max_pixels=max_pixels())
    except imaging.ImageRejected as rejected:
        raise ApiError(rejected.status, str(rejected), errors={"image_file": str(rejected)}) from rejected
    sha256 = hashlib.sha256(kept.data).hexdigest()
    path = media().attachment(sha256, kept.extension)
    created = media().write(path, kept.data)  # before the row: a message never names a missing file
    attachment = {"sha256": sha256, "type": kept.mime, "width": kept.width, "height": kept.height}
    try:
        message_id = conversations.post(get_db(), conversation_id, user_id, body=fields.body, attachment=attachment)
    except BaseException:
        if created and not conversations.attachment_in_use(get_db(), sha256):
            media().remove(path)  # the write failed (busy, disk full): leave no orphan behind
        raise
    return jsonify(message_json(conversations.get_message(get_db(), message_id))), 201


@operation(bp, "GET", "/conversations/<conversation_id>/messages/<message_id>/attachment", access="user",
           content=IMAGE_TYPES, extra_responses={304: "Not modified (ETag)"})
def message_attachment(conversation_id, message_id, query):
    user_id, _, _ = member_conversation(conversation_id)
    message = _message(message_id)
    if (message is None or message["conversation_id"] != conversation_id or not message["attachment_sha256"]
            or not conversations.visible_to(get_db(), message, user_id)):
        raise ApiError(404, "That message has no image.")
    extension = "png" if message["attachment_type"] == "image/png" else "jpg"
    path = media().absolute(media().attachment(message["attachment_sha256"], extension))
    response = send_file(path, mimetype=message["attachment_type"], conditional=True,
                         etag=message["attachment_sha256"], max_age=0)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@operation(bp, "POST", "/conversations/<conversation_id>/read", access="user", body=ReadMark, response=ReadState)
def mark_read(conversation_id, query, body):
    """Mark the conversation read, up to a message or all of it; its message notifications too."""
    user_id, _, _ = member_conversation(conversation_id)
    conversations.mark_read(get_db(), conversation_id, user_id, up_to=body.up_to)
    mine = conversations.membership(get_db(), conversation_id, user_id)
    return jsonify({"conversation_id": conversation_id, "unread_count": mine["unread_count"],
                    "last_read_id": mine["last_read_id"]})


@operation(bp, "POST", "/conversations/<conversation_id>/messages/<message_id>/report", access="user",
           body=Report, response=ReportFiled, status=201, errors=(403, 409))
@rate_limit("30 per hour", key_func=per_account)
def report_message(conversation_id, message_id, query, body):
    """Report a message to the moderation queue (curators decide: remove it or dismiss)."""
    user_id, _, _ = member_conversation(conversation_id)
    message = _message(message_id)
    if message is None or message["conversation_id"] != conversation_id \
            or not conversations.visible_to(get_db(), message, user_id):
        raise ApiError(404, "No message in this conversation has that id.")
    if message["author_id"] == user_id:
        raise ApiError(403, "You cannot report your own message.")
    filed = moderation.file_report(get_db(), "message", str(message["id"]), user_id, body.reason, body.note)
    return jsonify(filed), 201
