"""Featured works and rising artists, trending works and tags, and the curators' tuning of the
featured ranking: its config, history, rollback and a preview against the live list."""

from typing import Any

from flask import current_app, jsonify
from pydantic import ValidationError

import recommend.config
from api.auth import current_user_id
from api.auth import require_curator as curator_id
from api.db import database_path, get_db
from api.fields import Body, RowId, Text
from api.limits import rate_limit
from api.parsing import Choice, Paged, error_message, field_path, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import Account, Artwork, Shape, account_json, artworks_json, page_of
from recommend import evaluate as recommend_evaluation
from recommend import featured, trending
from recommend.config import FeaturedConfig
from store import artworks, profiles, ranking

FEATURED_TYPES = ("artworks", "artists")


class FeaturedQuery(Paged):
    type: Choice(FEATURED_TYPES) = "artworks"


class TrendingQuery(Paged):
    type: Choice(trending.KINDS) = "artworks"
    window: Choice(trending.WINDOWS) = "24h"


class FeaturedConfigChange(Body):
    # Fields left out keep their live values; GET shows the complete config.
    config: dict
    note: Text(500) = ""
    force: bool = False
    reason: Text(1000) | None = None


class FeaturedRollback(Body):
    version: RowId
    note: Text(500) = ""


class FeaturedPreview(Body):
    config: dict = {}



class RankedArtwork(Artwork):
    position: int


class FeaturedArtist(Account):
    position: int
    score: float
    score_breakdown: dict[str, Any]


class Featured(Shape):
    items: list[RankedArtwork | FeaturedArtist]
    total: int
    page: int
    per_page: int
    type: str
    period_start: str
    config_version: int


class TrendingItem(Shape):
    """A work (with every Artwork field) or, for type=tags, a tag's name."""
    position: int
    trend: dict[str, float]


class Trending(page_of(TrendingItem)):
    type: str
    window: str


class ConfigVersion(Shape):
    version: int
    config: dict[str, Any]
    author: dict[str, Any] | None
    note: str
    created_at: str | None
    forced: bool
    reason: str | None
    evaluation: dict[str, Any] | None
    rollback_of: int | None


class Preview(Shape):
    config: dict[str, Any]
    moves: list[dict[str, Any]]
    dropped: list[Any]
    live: list[dict[str, Any]]
    candidate: list[dict[str, Any]]


def ranked_artworks_json(entries, offset):
    """Artworks in `entries`' order ({"artwork_id", ...}), each with its position and what
    `entries` says about it; works gone or made private since are left out by the caller."""
    rows = artworks.artworks_by_id(get_db(), [entry["artwork_id"] for entry in entries])
    present = [entry for entry in entries if entry["artwork_id"] in rows]
    shaped = artworks_json([rows[entry["artwork_id"]] for entry in present])
    return [{**item, "position": offset + i, **{k: v for k, v in entry.items() if k not in ("artwork_id", "artist_id")}}
            for i, (item, entry) in enumerate(zip(shaped, present, strict=True), 1)]


def _visible_entries(entries):
    visible = ranking.visible_artwork_ids(get_db(), [entry["artwork_id"] for entry in entries])
    return [entry for entry in entries if entry["artwork_id"] in visible]




def config_version_json(saved):
    """A saved config version (or the defaults, version 0, when nothing was saved)."""
    if saved is None:
        return {"version": 0, "config": FeaturedConfig().as_dict(), "author": None, "note": "defaults",
                "created_at": None, "forced": False, "reason": None, "evaluation": None, "rollback_of": None}
    author = ({"id": saved["author_id"], "username": saved["author_username"],
               "artist_name": saved["author_artist_name"]} if saved["author_id"] else None)
    return {key: saved[key] for key in ("version", "config", "note", "created_at", "forced", "reason", "evaluation",
                                        "rollback_of")} | {"author": author}


def candidate_config(base, changes):
    """`changes` laid over `base`; 400 naming each bad field, and each pin that is not a public work."""
    try:
        candidate = recommend.config.merged(base, changes)
    except ValidationError as error:
        raise validation_error({f"config.{field_path(item['loc'])}": error_message(item)
                                for item in error.errors()}) from error
    pinned = [pin.artwork_id for pin in candidate.pins]
    public = ranking.visible_artwork_ids(get_db(), pinned)
    bad = {f"config.pins.{i}.artwork_id": "is not a public artwork" for i, artwork_id in enumerate(pinned)
           if artwork_id not in public}
    if bad:
        raise validation_error(bad)
    return candidate



@operation(bp, "GET", "/featured", access="optional", query=FeaturedQuery, response=Featured)
def get_featured(query):
    listing = featured.featured_list(get_db(), database_path(), f"featured_{query.type}")
    start, end = query.offset, query.offset + query.per_page
    if query.type == "artworks":
        entries = _visible_entries(listing.items)
        items = ranked_artworks_json(entries[start:end], start)
    else:
        existing = ranking.existing_artist_ids(get_db(), [entry["artist_id"] for entry in listing.items])
        entries = [entry for entry in listing.items if entry["artist_id"] in existing]
        items = _featured_artists_json(entries[start:end], start)
    return list_response(items, len(entries), query.page, query.per_page, type=query.type,
                         period_start=listing.period_start, config_version=listing.config_version)


def _featured_artists_json(entries, offset):
    found = profiles.accounts_by_id(get_db(), [entry["artist_id"] for entry in entries])
    viewer_id = current_user_id()
    return [{**account_json(found[entry["artist_id"]], owner=entry["artist_id"] == viewer_id,
                            signed_in=viewer_id is not None),
             "position": offset + i, "score": entry["score"], "score_breakdown": entry["score_breakdown"]}
            for i, entry in enumerate(entries, 1)]


@operation(bp, "GET", "/trending", access="optional", query=TrendingQuery, response=Trending)
def get_trending(query):
    found = trending.trending_items(get_db(), database_path(), query.type, query.window)
    start, end = query.offset, query.offset + query.per_page
    if query.type == "artworks":
        entries = _visible_entries([{"artwork_id": item["key"], "trend": _trend(item)} for item in found])
        items = ranked_artworks_json(entries[start:end], start)
    else:
        entries = found
        items = [{"name": item["key"], "position": start + i, "trend": _trend(item)}
                 for i, item in enumerate(entries[start:end], 1)]
    return list_response(items, len(entries), query.page, query.per_page, type=query.type, window=query.window)


def _trend(item):
    return {"recent": item["recent"], "expected": item["expected"], "growth": item["growth"]}


@operation(bp, "GET", "/featured/config", access="curator", response=ConfigVersion)
def get_featured_config(query):
    return jsonify(config_version_json(ranking.live_config(get_db())))


@operation(bp, "PUT", "/featured/config", access="curator", body=FeaturedConfigChange, response=ConfigVersion,
           errors=(409,))
@rate_limit("10 per minute")
def put_featured_config(query, body):
    if body.force and not body.reason:
        raise validation_error({"reason": "is required to force a config past the offline evaluation"})
    conn = get_db()
    version, live_config = featured.live(conn)
    candidate = candidate_config(live_config, body.config)
    report = recommend_evaluation.gate(conn, database_path(), live_config, candidate,
                                       tolerance=current_app.config["FEATURED_GATE_TOLERANCE"],
                                       max_users=current_app.config["FEATURED_GATE_USERS"])
    if report["worse_on"] and not body.force:
        raise ApiError(409, f"The candidate does worse than the live config offline on {', '.join(report['worse_on'])} "
                            f"(tolerance {report['tolerance']:.0%}). Send force: true with a reason to save it anyway.",
                       problem="conflict", extensions={"evaluation": report})
    saved = ranking.save_config(conn, candidate.as_dict(), author_id=curator_id(), note=body.note,
                                expected_version=version, forced=bool(report["worse_on"]), reason=body.reason,
                                evaluation=report)
    if saved is None:
        raise ApiError(409, "Another curator saved a config meanwhile: look at it and evaluate again.",
                       problem="conflict")
    return jsonify(config_version_json(saved))


@operation(bp, "GET", "/featured/config/history", access="curator", query=Paged, response=page_of(ConfigVersion))
def featured_config_history(query):
    rows, total = ranking.config_history(get_db(), limit=query.per_page, offset=query.offset)
    return list_response([config_version_json(row) for row in rows], total, query.page, query.per_page)


@operation(bp, "POST", "/featured/config/rollback", access="curator", body=FeaturedRollback,
           response=ConfigVersion, status=201, errors=(404, 409))
@rate_limit("10 per minute")
def rollback_featured_config(query, body):
    """Save an earlier version's config again, as a new version (history is never rewritten)."""
    conn = get_db()
    earlier = ranking.config_version(conn, body.version)
    if earlier is None:
        raise ApiError(404, "No saved config has that version.")
    version, _ = featured.live(conn)
    saved = ranking.save_config(conn, earlier["config"], author_id=curator_id(),
                                note=body.note or f"rollback to version {body.version}", expected_version=version,
                                rollback_of=body.version)
    if saved is None:
        raise ApiError(409, "Another curator saved a config meanwhile: look at it first.", problem="conflict")
    return jsonify(config_version_json(saved)), 201


@operation(bp, "POST", "/featured/preview", access="curator", body=FeaturedPreview, response=Preview)
@rate_limit("30 per minute")
def preview_featured(query, body):
    _, live_config = featured.live(get_db())
    candidate = candidate_config(live_config, body.config)
    found = featured.preview(get_db(), database_path(), candidate)
    return jsonify({"config": candidate.as_dict(), "moves": found["moves"], "dropped": found["dropped"],
                    "live": [{"artwork_id": item["artwork_id"], "score": item["score"]} for item in found["live"]],
                    "candidate": [{"artwork_id": item["artwork_id"], "score": item["score"],
                                   "score_breakdown": item["score_breakdown"]} for item in found["candidate"]]})
