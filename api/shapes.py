"""Response shapes shared by several resources (artworks, accounts, people, galleries), each
beside the model that documents it in the OpenAPI document."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.auth import current_user_id
from api.db import get_db
from store import artworks, copyright, galleries, licenses, social, taxonomy


class Shape(BaseModel):
    """A documented response object; members it does not name may be added later."""
    model_config = ConfigDict(extra="allow")


def page_of(item: type) -> type:
    """The documented list shape around `item`."""
    return type(f"{item.__name__}Page", (Shape,), {
        "__annotations__": {"items": list[item], "total": int, "page": int, "per_page": int},
        "__doc__": f"A page of {item.__name__} items.",
    })


class ThumbnailUrls(Shape):
    small: str
    medium: str
    large: str


class ArtistRef(Shape):
    id: str
    username: str
    artist_name: str


class ArtworkSummary(Shape):
    id: str
    title: str
    artist: ArtistRef
    thumbnail_urls: ThumbnailUrls


class Person(Shape):
    id: str
    username: str
    artist_name: str
    profile_image_url: str | None
    account_type: str


class ImageInfo(Shape):
    url: str
    width: int | None
    height: int | None
    file_size: int | None
    format: str | None
    dominant_colour: str | None


class Artwork(Shape):
    id: str
    title: str
    description: str | None
    medium: str | None
    dimensions: str | None
    creation_date: str | None
    price: float | None
    currency: str
    availability_status: str
    edition_size: int | None
    editions_remaining: int | None
    category: dict[str, Any] | None
    tags: list[str]
    colour_tags: list[str]
    artist: dict[str, Any]
    image: ImageInfo | None
    thumbnail_urls: ThumbnailUrls | None
    view_count: int
    like_count: int
    comment_count: int
    share_count: int
    created_at: str
    updated_at: str
    liked_by_viewer: bool


class CritiqueAsk(Shape):
    requested: bool = Field(description="The artist asks for critique (POST /api/artworks/{id}/critiques).")
    questions: list[str]
    count: int


class ArtworkDetail(Artwork):
    image_view_count: int
    critique: CritiqueAsk
    exif: dict[str, Any]
    palette: list[dict[str, Any]]
    quality: dict[str, Any] | None
    exhibition_history: list[dict[str, Any]]
    exclusive_license: dict[str, Any] | None = Field(
        None, description="The exclusive licence the work is under now (usage, media, territory, dates; never "
                          "the licensee), or null: whoever wants to use the work can see it is taken.")
    withheld: Literal["takedown", "hold"] | None = Field(
        None, description="Why a work of yours is kept private: a confirmed copy alert's takedown, or an upload "
                          "held for review. Only its artist sees works that have one.")


class Account(Shape):
    id: str
    username: str
    artist_name: str
    account_type: str
    bio: str | None
    location: str | None
    specialties: list[str]
    social_links: dict[str, str]
    profile_image_url: str | None
    follower_count: int
    following_count: int
    artwork_count: int
    likes_received: int
    shares_received: int
    critique_standing: dict[str, int] = Field(
        description="Peer feedback: critiques given, and how many of them the artists marked helpful.")
    created_at: str


class Card(Shape):
    artwork_id: str
    thumbnail_urls: ThumbnailUrls


class Gallery(Shape):
    id: str
    name: str
    description: str | None
    theme: str | None
    visibility: str
    artist: Person | None
    artwork_count: int
    view_count: int
    cover: Card | None
    preview: list[Card]
    created_at: str
    updated_at: str


class Deleted(Shape):
    deleted: bool
    id: str


def thumbnail_urls(artwork_id):
    return {size: f"/api/artworks/{artwork_id}/thumbnail?size={size}" for size in ("small", "medium", "large")}


def artwork_json(artwork, tags, *, liked=False, detail=False):
    """An artwork for lists (core metadata, thumbnails) or, with detail, everything about it.

    liked: whether the viewer likes it, so a frontend can draw the heart without another request.
    """
    artwork_id = artwork["id"]
    shaped = {key: artwork[key] for key in ("id", "title", "description", "medium", "dimensions", "creation_date",
                                            "price", "currency", "availability_status", "edition_size",
                                            "editions_remaining")}
    shaped["category"] = ({"id": artwork["category_id"], "name": artwork["category_name"]}
                          if artwork["category_id"] is not None else None)
    shaped.update(tags)
    shaped["artist"] = {"id": artwork["artist_id"], "username": artwork["artist_username"],
                        "artist_name": artwork["artist_name"],
                        "profile_image_url": artwork["artist_profile_image_url"]}
    shaped["image"] = ({"url": f"/api/artworks/{artwork_id}/image", "width": artwork["image_width"],
                        "height": artwork["image_height"], "file_size": artwork["file_size"],
                        "format": artwork["image_format"], "dominant_colour": artwork["dominant_colour"]}
                       if artwork["image_sha256"] else None)
    shaped["thumbnail_urls"] = thumbnail_urls(artwork_id) if artwork["image_sha256"] else None
    shaped.update({key: artwork[key] for key in ("view_count", "like_count", "comment_count", "share_count",
                                                 "created_at", "updated_at")})
    shaped["liked_by_viewer"] = liked
    if detail:
        conn = get_db()
        shaped["image_view_count"] = artwork["image_view_count"]
        shaped["exif"] = artwork["exif"]
        shaped["palette"] = artworks.palette_of(conn, artwork_id)
        shaped["quality"] = artwork["quality"] or None
        shaped["exhibition_history"] = artworks.exhibition_history(
            conn, artwork_id, accepted_only=current_user_id() != artwork["artist_id"])
        shaped["exclusive_license"] = licenses.exclusive_in_force(conn, artwork_id)
        shaped["critique"] = {"requested": bool(artwork["critique_requested"]),
                              "questions": artwork["critique_questions"], "count": artwork["critique_count"]}
    return shaped


def artwork_summary_json(artwork):
    """Just enough to show an artwork beside another one: id, title, artist, thumbnails."""
    return {"id": artwork["id"], "title": artwork["title"],
            "artist": {"id": artwork["artist_id"], "username": artwork["artist_username"],
                       "artist_name": artwork["artist_name"]},
            "thumbnail_urls": thumbnail_urls(artwork["id"])}


def artwork_detail_json(artwork):
    liked = social.liked_among(get_db(), current_user_id(), [artwork["id"]])
    shaped = artwork_json(artwork, taxonomy.tags_of(get_db(), [artwork["id"]])[artwork["id"]],
                          liked=artwork["id"] in liked, detail=True)
    private = artwork["availability_status"] == "private"
    shaped["withheld"] = copyright.withheld_by(get_db(), artwork["id"]) if private else None
    return shaped


def artworks_json(rows):
    ids = [row["id"] for row in rows]
    tags, liked = taxonomy.tags_of(get_db(), ids), social.liked_among(get_db(), current_user_id(), ids)
    return [artwork_json(row, tags[row["id"]], liked=row["id"] in liked) for row in rows]


def settings_json(settings, *, owner):
    shaped = {key: settings[key] for key in ("theme", "layout", "accent_color", "featured_gallery_id",
                                             "open_for_commissions")}
    if owner:  # how an artist protects their images, and their privacy, is their business
        shaped["listed_in_directory"] = settings["listed_in_directory"]
        shaped["message_previews"] = settings["message_previews"]
        shaped["watermark"] = {"enabled": settings["watermark_enabled"], "text": settings["watermark_text"],
                               "opacity": settings["watermark_opacity"], "position": settings["watermark_position"]}
    return shaped


PUBLIC_ACCOUNT_FIELDS = ("id", "username", "artist_name", "account_type", "bio", "location", "specialties",
                         "social_links", "profile_image_url", "follower_count", "following_count", "created_at")


def account_json(account, *, owner=False, signed_in=False, dealt_with=False):
    """dealt_with: the viewer is an artist this collector bought from or enquired with, the only
    people besides the collector who see a collector's contact details. An artist's are for
    anyone signed in: artists want to be reached."""
    shaped = {key: account[key] for key in PUBLIC_ACCOUNT_FIELDS}
    # Strangers see the public works, and what they received, only; the owner's totals include private ones.
    shaped["artwork_count"] = account["artwork_count"] if owner else account["public_artwork_count"]
    for total in ("likes_received", "shares_received"):
        shaped[total] = account[total] if owner else account[f"public_{total}"]
    shaped["critique_standing"] = {"critiques_given": account["critiques_given"],
                                   "helpful_received": account["helpful_received"]}
    if owner or dealt_with or (signed_in and account["account_type"] == "artist"):
        shaped["contact_info"] = account["contact_info"]
    if owner:
        shaped.update({key: account[key] for key in ("email", "role", "updated_at", "last_login_at")})
    return shaped



PERSON_FIELDS = ("id", "username", "artist_name", "profile_image_url", "account_type")


def person_json(row, prefix=""):
    """Profile basics of the account in `row`'s prefix_ columns; None once the account is gone."""
    if row[f"{prefix}id"] is None:
        return None
    return {field: row[f"{prefix}{field}"] for field in PERSON_FIELDS}



def summaries(artwork_ids):
    found = artworks.artworks_by_id(get_db(), list(artwork_ids))
    return {artwork_id: artwork_summary_json(artwork) for artwork_id, artwork in found.items()}


def _artwork_cards(artwork_ids):
    shown = summaries(artwork_ids)
    return [{"artwork_id": artwork_id, "thumbnail_urls": shown[artwork_id]["thumbnail_urls"]}
            for artwork_id in artwork_ids if artwork_id in shown]


def gallery_json(gallery, viewer_id, artwork_count=None):
    """A gallery as the viewer may see it: counts, cover and preview leave out works hidden from them.

    artwork_count: the visible works, when the caller has counted them already.
    """
    conn = get_db()
    cover, first = galleries.preview(conn, gallery, viewer_id)
    cards = _artwork_cards([cover] + first if cover else first)
    by_id = {card["artwork_id"]: card for card in cards}
    shaped = {key: gallery[key] for key in ("id", "name", "description", "theme", "visibility")}
    shaped["artist"] = person_json(gallery, "artist_")
    shaped["artwork_count"] = (galleries.visible_count(conn, gallery["id"], viewer_id) if artwork_count is None
                               else artwork_count)
    shaped["view_count"] = gallery["view_count"]
    shaped["cover"] = by_id.get(cover)
    shaped["preview"] = [by_id[artwork_id] for artwork_id in first if artwork_id in by_id]
    shaped.update(created_at=gallery["created_at"], updated_at=gallery["updated_at"])
    return shaped


def inert_cell(value):
    """A CSV cell a spreadsheet shows as text: one starting with = + - @ would be run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
