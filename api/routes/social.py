"""Likes, comments (threaded) and shares of an artwork."""

from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlencode

from flask import current_app, jsonify, request, url_for
from pydantic import BeforeValidator

from api.access import visible_artwork_or_404
from api.auth import current_user_id, require_user
from api.db import get_db, viewer_key
from api.fields import Body, Text, trimmed_lower
from api.limits import rate_limit
from api.parsing import Choice, Paged, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import Deleted, Person, Shape, page_of, person_json
from imaging import derivatives
from store import artworks, social

# Share dialogs of common networks: the URL template and which of url/text/image it takes.
SHARE_LINKS = {
    "x": ("https://x.com/intent/tweet", {"url": "url", "text": "text"}),
    "facebook": ("https://www.facebook.com/sharer/sharer.php", {"u": "url"}),
    "linkedin": ("https://www.linkedin.com/sharing/share-offsite/", {"url": "url"}),
    "pinterest": ("https://pinterest.com/pin/create/button/", {"url": "url", "media": "image", "description": "text"}),
    "reddit": ("https://www.reddit.com/submit", {"url": "url", "title": "text"}),
    "whatsapp": ("https://wa.me/", {"text": "text_and_url"}),
    "telegram": ("https://t.me/share/url", {"url": "url", "text": "text"}),
    "email": ("mailto:", {"subject": "text", "body": "text_and_url"}),
}


class LikeChange(Body):
    # Without a body the like toggles; {"liked": true|false} sets it, so a retried request is safe.
    liked: bool | None = None


class CommentCreate(Body):
    server_owned: ClassVar[frozenset] = frozenset({
        "id", "artwork_id", "commenter_id", "commenter", "depth", "thread_id", "deleted", "deleted_at",
        "replies", "created_at"})
    comment_text: Text(social.MAX_COMMENT_LENGTH, 1)
    parent_comment_id: Text(64, 1) | None = None


def _share_channel(value):
    value = trimmed_lower(value)
    return "x" if value == "twitter" else value


class ShareCreate(Body):
    channel: Annotated[Literal[social.SHARE_CHANNELS], BeforeValidator(_share_channel)]


class CommentsQuery(Paged):
    sort: Choice(("newest", "oldest")) = "newest"


class LikeState(Shape):
    artwork_id: str
    liked: bool
    like_count: int


class Liker(Person):
    liked_at: str


class Likers(page_of(Liker)):
    like_count: int
    liked_by_viewer: bool


class Comment(Shape):
    id: str
    artwork_id: str
    parent_comment_id: str | None
    depth: int
    comment_text: str | None
    commenter: Person | None
    created_at: str
    deleted: bool
    can_delete: bool
    replies: list["Comment"]


class Comments(page_of(Comment)):
    comment_count: int


class ShareLinks(Shape):
    artwork_id: str
    url: str
    title: str
    description: str
    image_url: str | None
    links: dict[str, str]
    open_graph: dict[str, Any]
    twitter_card: dict[str, Any]
    share_count: int


class ShareRecorded(Shape):
    artwork_id: str
    channel: str
    counted: bool
    share_count: int


def comment_json(comment, viewer_id, artwork_owner_id):
    """A comment with its replies; a deleted one keeps its place in the thread but loses its words and author."""
    deleted = comment["deleted_at"] is not None
    return {
        "id": comment["id"],
        "artwork_id": comment["artwork_id"],
        "parent_comment_id": comment["parent_comment_id"],
        "depth": comment["depth"],
        "comment_text": comment["comment_text"],
        "commenter": None if deleted else person_json(comment, "commenter_"),
        "created_at": comment["created_at"],
        "deleted": deleted,
        "can_delete": (not deleted and viewer_id is not None
                       and viewer_id in (comment["commenter_id"], artwork_owner_id)),
        "replies": [comment_json(reply, viewer_id, artwork_owner_id) for reply in comment.get("replies", [])],
    }


def share_json(artwork):
    """Where to send people, ready-made share links, and the Open Graph / Twitter card metadata."""
    base = current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")
    url = f"{base}/artworks/{artwork['id']}"
    text = f"{artwork['title']} by {artwork['artist_name']}"
    image = (url_for("api.artwork_thumbnail", artwork_id=artwork["id"], size="large", format="jpeg", _external=True)
             if artwork["image_sha256"] else None)
    values = {"url": url, "text": text, "image": image, "text_and_url": f"{text} {url}"}
    links = {network: f"{target}?{urlencode({name: values[key] for name, key in params.items() if values[key]})}"
             for network, (target, params) in SHARE_LINKS.items()}
    description = _share_description(artwork)
    open_graph = {"og:type": "website", "og:site_name": "Easel", "og:url": url, "og:title": text,
                  "og:description": description}
    twitter = {"twitter:card": "summary_large_image" if image else "summary", "twitter:title": text,
               "twitter:description": description}
    if image:
        width, height = derivatives.fit((artwork["image_width"], artwork["image_height"]),
                                        derivatives.SIZES["large"])
        open_graph.update({"og:image": image, "og:image:type": "image/jpeg", "og:image:width": width,
                           "og:image:height": height, "og:image:alt": artwork["title"]})
        twitter.update({"twitter:image": image, "twitter:image:alt": artwork["title"]})
    return {"artwork_id": artwork["id"], "url": url, "title": text, "description": description, "image_url": image,
            "links": links, "open_graph": open_graph, "twitter_card": twitter, "share_count": artwork["share_count"]}


def _share_description(artwork, limit=200):
    if artwork["description"]:
        words = " ".join(artwork["description"].split())
        return words if len(words) <= limit else words[:limit - 1].rsplit(" ", 1)[0] + "…"
    by = f"By {artwork['artist_name']} on Easel."
    facts = ", ".join(fact for fact in (artwork["medium"], artwork["dimensions"]) if fact)
    return f"{facts}. {by}" if facts else by



def _signed_in_artwork(artwork_id):
    user_id = require_user()
    return user_id, visible_artwork_or_404(artwork_id, user_id)


@operation(bp, "POST", "/artworks/<artwork_id>/like", access="user", body=LikeChange, response=LikeState)
@rate_limit("120 per minute")
def like_artwork(artwork_id, query, body):
    user_id, artwork = _signed_in_artwork(artwork_id)
    liked, like_count = social.set_like(get_db(), artwork, user_id, body.liked)
    return jsonify({"artwork_id": artwork_id, "liked": liked, "like_count": like_count})


@operation(bp, "GET", "/artworks/<artwork_id>/likes", access="optional", query=Paged, response=Likers)
def artwork_likes(artwork_id, query):
    viewer_id = current_user_id()
    artwork = visible_artwork_or_404(artwork_id, viewer_id)
    likers = social.likers(get_db(), artwork_id, limit=query.per_page, offset=query.offset)
    items = [{**person_json(row), "liked_at": row["liked_at"]} for row in likers]
    return list_response(items, artwork["like_count"], query.page, query.per_page, like_count=artwork["like_count"],
                         liked_by_viewer=artwork_id in social.liked_among(get_db(), viewer_id, [artwork_id]))


@operation(bp, "POST", "/artworks/<artwork_id>/comment", access="user", body=CommentCreate, response=Comment,
           status=201, links={"delete_comment": {"comment_id": "$response.body#/id"},
                              "artwork_comments": {"artwork_id": "$request.path.artwork_id"}})
@rate_limit("30 per minute")
def comment_on_artwork(artwork_id, query, body):
    user_id, artwork = _signed_in_artwork(artwork_id)
    try:
        comment_id = social.add_comment(get_db(), artwork, user_id, body.comment_text, body.parent_comment_id)
    except social.InvalidParent as invalid:
        raise validation_error({"parent_comment_id": str(invalid)}) from invalid
    return jsonify(comment_json(social.get_comment(get_db(), comment_id), user_id, artwork["artist_id"])), 201


@operation(bp, "GET", "/artworks/<artwork_id>/comments", access="optional", query=CommentsQuery,
           response=Comments)
def artwork_comments(artwork_id, query):
    viewer_id = current_user_id()
    artwork = visible_artwork_or_404(artwork_id, viewer_id)
    threads, total = social.comment_threads(get_db(), artwork_id, newest_first=query.sort == "newest",
                                            limit=query.per_page, offset=query.offset)
    items = [comment_json(thread, viewer_id, artwork["artist_id"]) for thread in threads]
    return list_response(items, total, query.page, query.per_page, comment_count=artwork["comment_count"])


@operation(bp, "DELETE", "/comments/<comment_id>", access="user", response=Deleted)
def delete_comment(comment_id, query):
    user_id = require_user()
    comment = social.get_comment(get_db(), comment_id)
    artwork = comment and artworks.get_artwork(get_db(), comment["artwork_id"])
    if comment is None or comment["deleted_at"] is not None or not artworks.is_visible(artwork, user_id):
        raise ApiError(404, "No comment has that id.")
    if user_id not in (comment["commenter_id"], artwork["artist_id"]):
        raise ApiError(403, "Only the comment's author or the artwork's artist can delete it.")
    social.delete_comment(get_db(), comment_id)
    return jsonify({"deleted": True, "id": comment_id})


def _shareable_artwork(artwork_id, viewer_id):
    artwork = visible_artwork_or_404(artwork_id, viewer_id)
    if artwork["availability_status"] == "private":
        raise ApiError(409, "A private artwork cannot be shared; make it public first.", problem="conflict")
    return artwork


@operation(bp, "GET", "/artworks/<artwork_id>/share", access="optional", response=ShareLinks, errors=(409,))
def share_artwork_links(artwork_id, query):
    return jsonify(share_json(_shareable_artwork(artwork_id, current_user_id())))


@operation(bp, "POST", "/artworks/<artwork_id>/share", access="optional", body=ShareCreate, response=ShareRecorded,
           status=201, errors=(409,), extra_responses={200: ShareRecorded})
@rate_limit("30 per minute")
def record_artwork_share(artwork_id, query, body):
    viewer_id = current_user_id()
    _shareable_artwork(artwork_id, viewer_id)
    counted, share_count = social.record_share(get_db(), artwork_id, channel=body.channel,
                                               viewer_key=viewer_key(viewer_id), user_id=viewer_id)
    result = {"artwork_id": artwork_id, "channel": body.channel, "counted": counted, "share_count": share_count}
    return jsonify(result), 201 if counted else 200
