"""Follows, followers and following, and the personal feed (ranked, with reasons, by cursor)."""

from flask import current_app, jsonify
from pydantic import Field

import recommend
from api.access import account_or_404
from api.auth import current_user_id, require_user
from api.db import database_path, get_db
from api.fields import Body
from api.limits import rate_limit
from api.parsing import MAX_PER_PAGE, Choice, Paged, Query, WholeNumber, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import Artwork, Person, Shape, artworks_json, page_of, person_json
from store import social


class FollowChange(Body):
    following: bool | None = None


class FeedQuery(Query):
    per_page: WholeNumber(cap=MAX_PER_PAGE) = 20
    mode: Choice(recommend.MODES) = "for_you"
    cursor: str | None = Field(None, description="The previous page's next_cursor.")
    # Declared so that the answer can say how this feed pages, rather than "unknown parameter".
    page: str | None = Field(None, description="Not used: the feed pages by cursor.")


class FollowState(Shape):
    artist_id: str
    following: bool
    follower_count: int
    user_following_count: int


class Follow(Person):
    follower_count: int
    followed_at: str
    followed_by_viewer: bool


class FeedItem(Artwork):
    reason: dict | str | None


class Feed(page_of(FeedItem)):
    next_cursor: str | None
    mode: str


def follow_json(row):
    return {**person_json(row), "follower_count": row["follower_count"], "followed_at": row["followed_at"],
            "followed_by_viewer": bool(row["followed_by_viewer"])}


@operation(bp, "POST", "/follow/<artist_id>", access="user", body=FollowChange, response=FollowState)
@rate_limit("60 per minute")
def follow_artist(artist_id, query, body):
    user_id = require_user()
    account_or_404(artist_id)
    if artist_id == user_id:
        raise ApiError(400, "You cannot follow yourself.")
    following, user_following_count, follower_count = social.set_follow(get_db(), user_id, artist_id,
                                                                        body.following)
    return jsonify({"artist_id": artist_id, "following": following, "follower_count": follower_count,
                    "user_following_count": user_following_count})


def _follows(artist_id, query, listing, count):
    account = account_or_404(artist_id)
    rows = listing(get_db(), artist_id, viewer_id=current_user_id(), limit=query.per_page, offset=query.offset)
    return list_response([follow_json(row) for row in rows], account[count], query.page, query.per_page)


@operation(bp, "GET", "/artists/<artist_id>/followers", access="optional", query=Paged, response=page_of(Follow))
def artist_followers(artist_id, query):
    return _follows(artist_id, query, social.followers, "follower_count")


@operation(bp, "GET", "/artists/<artist_id>/following", access="optional", query=Paged, response=page_of(Follow))
def artist_following(artist_id, query):
    return _follows(artist_id, query, social.following, "following_count")


@operation(bp, "GET", "/feed", access="user", query=FeedQuery, response=Feed)
def get_feed(query):
    if query.page is not None:
        raise validation_error({"page": "the feed pages by cursor: pass the previous answer's next_cursor"})
    try:
        found = recommend.feed(get_db(), database_path(), require_user(), mode=query.mode, cursor=query.cursor,
                               limit=query.per_page, model_max_age=current_app.config["FEED_MODEL_MAX_AGE"])
    except recommend.ExpiredCursor as expired:
        raise validation_error({"cursor": "belongs to a feed that has expired: start again without it"}) from expired
    except recommend.InvalidCursor as invalid:
        raise validation_error({"cursor": "is not a cursor this feed gave out"}) from invalid
    items = [{**shaped, "reason": row["reason"], **({"score": row["score"]} if "score" in row else {})}
             for shaped, row in zip(artworks_json(found.items), found.items, strict=True)]
    return list_response(items, found.total, found.page, query.per_page, next_cursor=found.next_cursor,
                         mode=query.mode)
