"""Artwork images: the original's renditions and thumbnails, negotiated by format, watermarked
where the artist asks, cached by ETag, and counted as image views; requests from pages on other
sites (their Referer) are counted per work and site for the artist's usage report."""

import io
import logging
import sqlite3
from typing import Annotated, Literal
from urllib.parse import urlsplit

from flask import request, send_file
from pydantic import BeforeValidator, Field

import imaging
from api.access import visible_artwork_or_404
from api.auth import current_user_id
from api.db import get_db, max_pixels, media, viewer_key, write
from api.limits import rate_limit
from api.parsing import Choice, Flag, Query
from api.problems import ApiError, fault_of
from api.routes import bp
from api.routing import operation
from imaging import derivatives
from store import artworks, copyright, profiles

log = logging.getLogger("easel")

_FORMAT_ALIASES = {"jpg": "jpeg", "jpeg": "jpeg", "webp": "webp", "png": "png"}
IMAGE_TYPES = {"image/webp": "WebP", "image/jpeg": "JPEG", "image/png": "PNG"}


def _format(raw):
    value = str(raw).lower()
    if value not in _FORMAT_ALIASES:
        raise ValueError("must be one of: webp, jpeg, png")
    return value


ImageFormat = Annotated[Literal[tuple(_FORMAT_ALIASES)], BeforeValidator(_format)]


class RenditionQuery(Query):
    format: ImageFormat | None = Field(None, description="Wins over the Accept header.")
    watermark: Flag | None = None


class ImageQuery(RenditionQuery):
    size: Choice(derivatives.IMAGE_SIZES) = "full"


class ThumbnailQuery(RenditionQuery):
    size: Choice(derivatives.THUMBNAIL_SIZES) = "medium"


def _image_format(asked):
    """format= wins; otherwise the best of WebP, JPEG and PNG the Accept header allows (JPEG if none)."""
    if asked:
        return _FORMAT_ALIASES[asked.lower()]
    accepted = request.accept_mimetypes
    if accepted["image/webp"] > 0 and accepted["image/webp"] >= accepted["image/jpeg"]:
        return "webp"
    if accepted["image/jpeg"] == 0 and accepted["image/png"] > 0:
        return "png"
    return "jpeg"


def _watermark_for(artwork, viewer_id, asked):
    """(Watermark or None, whether the answer depends on who asks)."""
    settings = profiles.get_settings(get_db(), artwork["artist_id"])
    mark = imaging.Watermark(settings["watermark_text"] or f"© {artwork['artist_name']}",
                             settings["watermark_opacity"], settings["watermark_position"])
    owner = viewer_id == artwork["artist_id"]
    if settings["watermark_enabled"] and not owner:
        return mark, True  # the artist's protection is not optional for others
    if asked:
        return mark, settings["watermark_enabled"]
    return None, settings["watermark_enabled"]


def _serve_rendition(artwork_id, query, *, count_image_view=False):
    viewer_id = current_user_id()
    artwork = visible_artwork_or_404(artwork_id, viewer_id)
    if not artwork["image_sha256"]:
        raise ApiError(404, "This artwork has no image.")
    fmt = _image_format(query.format)
    mark, per_viewer = _watermark_for(artwork, viewer_id, query.watermark)
    path, unkept = artworks.ensure_rendition(get_db(), media(), artwork, query.size, fmt, mark,
                                             max_pixels=max_pixels())
    if path is None and unkept is None:
        raise ApiError(404, "No artwork has that id.")
    response = send_file(media().absolute(path) if path else io.BytesIO(unkept), mimetype=derivatives.FORMATS[fmt],
                         conditional=True, etag=artworks.rendition_etag(artwork, query.size, fmt, mark))
    public = artwork["availability_status"] != "private" and not per_viewer
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, no-cache"
    response.vary.add("Accept")
    if per_viewer:
        response.vary.add("Cookie")
    if count_image_view and viewer_id != artwork["artist_id"] and _whole_image_sent(response):
        _count_view(artwork_id, viewer_id)
    if response.status_code == 304 or _whole_image_sent(response):
        _count_usage(artwork_id)
    return response


def _foreign_referrer():
    """(site, page without its query) of a Referer on another host than ours, else (None, None)."""
    parts = urlsplit(request.referrer or "")
    site = (parts.hostname or "").lower()
    if not site or parts.scheme not in ("http", "https") or site == (request.host.split(":")[0]).lower():
        return None, None
    return site[:253], f"{parts.scheme}://{parts.netloc}{parts.path}"[:500]


def _count_usage(artwork_id):
    site, page = _foreign_referrer()
    if site is None:
        return
    # Like a view, usage that cannot be counted must not cost the other site's visitor the image.
    try:
        with write():
            copyright.record_usage(get_db(), artwork_id, site, page)
    except sqlite3.OperationalError as error:
        if fault_of(error)[0] is None:
            raise
        log.warning("an image request from another site was not counted",
                    extra={"fields": {"artwork_id": artwork_id, "site": site, "error": str(error)}})


def _count_view(artwork_id, viewer_id):
    # A view that cannot be counted (the database locked or full) must not cost the viewer the image.
    try:
        artworks.record_view(get_db(), artwork_id, viewer_key(viewer_id), kind="image", window=None)
    except sqlite3.OperationalError as error:
        if fault_of(error)[0] is None:
            raise
        log.warning("an image view was not counted", extra={"fields": {"artwork_id": artwork_id,
                                                                        "error": str(error)}})


def _whole_image_sent(response):
    """A 200, or a 206 that starts at byte 0; range continuations and 304s are not new views."""
    if response.status_code == 200:
        return True
    return response.status_code == 206 and response.content_range is not None and response.content_range.start == 0


# A gallery page shows dozens of thumbnails at once: images get a far larger allowance.
@operation(bp, "GET", "/artworks/<artwork_id>/image", access="optional", query=ImageQuery, content=IMAGE_TYPES,
           extra_responses={206: "Part of the image (Range)", 304: "Not modified (ETag)"})
@rate_limit("3000 per minute")
def artwork_image(artwork_id, query):
    return _serve_rendition(artwork_id, query, count_image_view=query.size == "full")


@operation(bp, "GET", "/artworks/<artwork_id>/thumbnail", access="optional", query=ThumbnailQuery,
           content=IMAGE_TYPES, extra_responses={206: "Part of the image (Range)", 304: "Not modified (ETag)"})
@rate_limit("3000 per minute")
def artwork_thumbnail(artwork_id, query):
    return _serve_rendition(artwork_id, query)
