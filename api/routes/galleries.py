"""Galleries: an artist's curated, ordered sets of works (their own, or others' public ones),
public, unlisted or private, with statistics and a paged view of the works."""

from typing import Annotated, Any, ClassVar, Literal

from flask import jsonify
from pydantic import Field

from api.access import account_or_404
from api.auth import SIGN_IN, current_user_id, require_user
from api.db import get_db, viewer_key
from api.fields import ArtworkId, Body, Text
from api.limits import rate_limit
from api.parsing import Choice, Paged, given, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import Artwork, Deleted, Gallery, Shape, artworks_json, gallery_json, page_of
from store import artworks, galleries, profiles

Position = Annotated[int, Field(ge=1, le=galleries.MAX_ARTWORKS)]


class GalleryFields(Body):
    """What a PUT may change; every field is optional."""
    server_owned: ClassVar[frozenset] = frozenset({
        "id", "artist_id", "artist", "artwork_count", "view_count", "cover", "preview", "statistics", "artworks",
        "created_at", "updated_at"})
    name: Text(100, 1) = None
    description: Text(2000) | None = None
    theme: Literal[profiles.THEMES] | None = None
    visibility: Literal[galleries.VISIBILITIES] = None
    cover_artwork_id: ArtworkId | None = None


class GalleryCreate(GalleryFields):
    name: Text(100, 1)
    visibility: Literal[galleries.VISIBILITIES] = "public"


class GalleryPlacement(Body):
    server_owned: ClassVar[frozenset] = frozenset({"gallery_id", "added_at"})
    artwork_id: ArtworkId
    position: Position | None = None


class GalleryMove(Body):
    position: Position




class GalleriesQuery(Paged):
    artist_id: str | None = Field(None, description="Whose galleries; default: the signed-in artist's.")
    visibility: Choice(galleries.VISIBILITIES) | None = None


class PlacedArtwork(Artwork):
    position: int
    added_at: str


class GalleryDetail(Gallery):
    statistics: dict[str, Any]
    artworks: page_of(PlacedArtwork)


class Added(GalleryDetail):
    added: dict[str, Any]


class Removed(Shape):
    removed: bool
    gallery_id: str
    artwork_id: str
    artwork_count: int


def gallery_detail_json(gallery_id, viewer_id, page):
    gallery = galleries.get_gallery(get_db(), gallery_id)
    placed = galleries.gallery_artworks(get_db(), gallery_id, viewer_id, limit=page.per_page, offset=page.offset)
    rows = artworks.artworks_by_id(get_db(), [artwork_id for _, artwork_id, _ in placed])
    shaped = artworks_json([rows[artwork_id] for _, artwork_id, _ in placed])
    items = [{**work, "position": position, "added_at": added_at}
             for work, (position, _, added_at) in zip(shaped, placed, strict=True)]
    statistics = galleries.statistics(get_db(), gallery, viewer_id)
    total = statistics["artwork_count"]  # one count of the visible works serves all three places
    return {**gallery_json(gallery, viewer_id, total), "statistics": statistics,
            "artworks": {"items": items, "total": total, "page": page.page, "per_page": page.per_page}}


def _gallery_or_404(gallery_id, viewer_id):
    gallery = galleries.get_gallery(get_db(), gallery_id)
    if gallery is None or not galleries.can_open(gallery, viewer_id):
        raise ApiError(404, "No gallery has that id.")  # a private gallery does not exist for others
    return gallery


def _own_gallery(gallery_id):
    user_id = require_user()
    gallery = _gallery_or_404(gallery_id, user_id)
    if gallery["artist_id"] != user_id:
        raise ApiError(403, "Only the gallery's artist can change it.")
    return gallery


def _showable_artwork(artwork_id, user_id, field):
    """An artwork the user may put in a gallery: their own, or another artist's public one."""
    artwork = artworks.get_artwork(get_db(), artwork_id)
    if artwork is None or not artworks.is_visible(artwork, user_id):
        raise validation_error({field: "must be your artwork or another artist's public one"})
    return artwork


def _gallery_change_refused(error):
    if error.conflict:
        return ApiError(409, str(error), problem="conflict")
    return validation_error({error.field: str(error)})



@operation(bp, "GET", "/galleries", access="optional", query=GalleriesQuery, response=page_of(Gallery),
           errors=(401, 404))
def list_galleries(query):
    viewer_id = current_user_id()
    artist_id = query.artist_id or viewer_id
    if artist_id is None:
        raise ApiError(401, "Sign in to list your galleries, or pass artist_id.", headers=SIGN_IN)
    account_or_404(artist_id)
    rows, total = galleries.list_galleries(get_db(), artist_id=artist_id, viewer_id=viewer_id,
                                           visibility=query.visibility, limit=query.per_page, offset=query.offset)
    return list_response([gallery_json(row, viewer_id) for row in rows], total, query.page, query.per_page)


@operation(bp, "POST", "/galleries", access="user", query=Paged, body=GalleryCreate, response=GalleryDetail,
           status=201, links={target: {"gallery_id": "$response.body#/id"} for target in (
               "get_gallery", "update_gallery", "delete_gallery", "add_to_gallery")})
@rate_limit("30 per minute")
def create_gallery(query, body):
    user_id = require_user()
    if body.cover_artwork_id is not None:
        _showable_artwork(body.cover_artwork_id, user_id, "cover_artwork_id")
    gallery_id = galleries.create_gallery(get_db(), user_id, body.model_dump())
    return (jsonify(gallery_detail_json(gallery_id, user_id, query)), 201,
            {"Location": f"/api/galleries/{gallery_id}"})


@operation(bp, "GET", "/galleries/<gallery_id>", access="optional", query=Paged, response=GalleryDetail)
def get_gallery(gallery_id, query):
    viewer_id = current_user_id()
    gallery = _gallery_or_404(gallery_id, viewer_id)
    if viewer_id != gallery["artist_id"]:
        galleries.record_view(get_db(), gallery_id, viewer_key(viewer_id))
    return jsonify(gallery_detail_json(gallery_id, viewer_id, query))


@operation(bp, "PUT", "/galleries/<gallery_id>", access="user", query=Paged, body=GalleryFields,
           response=GalleryDetail, errors=(409,))
def update_gallery(gallery_id, query, body):
    gallery = _own_gallery(gallery_id)
    changes = given(body)
    empty = {field: "cannot be empty" for field in ("name", "visibility")
             if field in changes and changes[field] is None}
    if empty:
        raise validation_error(empty)
    try:
        galleries.update_gallery(get_db(), gallery_id, changes)
    except galleries.GalleryError as error:
        raise _gallery_change_refused(error) from error
    return jsonify(gallery_detail_json(gallery_id, gallery["artist_id"], query))


@operation(bp, "DELETE", "/galleries/<gallery_id>", access="user", response=Deleted)
def delete_gallery(gallery_id, query):
    _own_gallery(gallery_id)
    galleries.delete_gallery(get_db(), gallery_id)
    return jsonify({"deleted": True, "id": gallery_id})


@operation(bp, "POST", "/galleries/<gallery_id>/artworks", access="user", query=Paged, body=GalleryPlacement,
           response=Added, status=201, errors=(409,),
           links={target: {"gallery_id": "$request.path.gallery_id", "artwork_id": "$request.body#/artwork_id"}
                  for target in ("move_in_gallery", "remove_from_gallery")})
def add_to_gallery(gallery_id, query, body):
    gallery = _own_gallery(gallery_id)
    _showable_artwork(body.artwork_id, gallery["artist_id"], "artwork_id")
    try:
        position = galleries.add_artwork(get_db(), gallery_id, body.artwork_id, body.position)
    except galleries.GalleryError as error:
        raise _gallery_change_refused(error) from error
    result = {**gallery_detail_json(gallery_id, gallery["artist_id"], query),
              "added": {"artwork_id": body.artwork_id, "position": position}}
    return jsonify(result), 201


@operation(bp, "PUT", "/galleries/<gallery_id>/artworks/<artwork_id>", access="user", query=Paged,
           body=GalleryMove, response=GalleryDetail, errors=(409,))
def move_in_gallery(gallery_id, artwork_id, query, body):
    gallery = _own_gallery(gallery_id)
    try:
        galleries.move_artwork(get_db(), gallery_id, artwork_id, body.position)
    except LookupError as missing:
        raise ApiError(404, "That artwork is not in this gallery.") from missing
    except galleries.GalleryError as error:
        raise _gallery_change_refused(error) from error
    return jsonify(gallery_detail_json(gallery_id, gallery["artist_id"], query))


@operation(bp, "DELETE", "/galleries/<gallery_id>/artworks/<artwork_id>", access="user", response=Removed)
def remove_from_gallery(gallery_id, artwork_id, query):
    gallery = _own_gallery(gallery_id)
    if not galleries.remove_artwork(get_db(), gallery_id, artwork_id):
        raise ApiError(404, "That artwork is not in this gallery.")
    return jsonify({"removed": True, "gallery_id": gallery_id, "artwork_id": artwork_id,
                    "artwork_count": galleries.visible_count(get_db(), gallery_id, gallery["artist_id"])})
