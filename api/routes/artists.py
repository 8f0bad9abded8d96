"""Artist profiles: the directory, a public profile with its portfolio, and profile edits."""

from typing import Annotated, Any, ClassVar, Literal

from flask import jsonify
from pydantic import AfterValidator, Field

from api.access import account_or_404
from api.auth import current_user_id, require_user
from api.db import get_db
from api.fields import ACCOUNT_FIELDS, Body, HexColour, HttpUrl, SocialNetwork, Text, unique_case_insensitive
from api.parsing import Choice, Paged, Trimmed, given, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import Account, Gallery, Shape, account_json, gallery_json, page_of, settings_json, thumbnail_urls
from store import accounts, collectors, galleries, profiles, social

PROFILE_GALLERIES = 6


class ArtistsQuery(Paged):
    sort: Choice(profiles.ACCOUNT_SORTS) = "newest"
    account_type: Choice(accounts.ACCOUNT_TYPES) | None = None
    location: Trimmed(100) | None = None


class WatermarkSettings(Body):
    enabled: bool = None
    text: Text(100) | None = None
    opacity: Annotated[float, Field(ge=0, le=1)] = None
    position: Literal[profiles.WATERMARK_POSITIONS] = None


class PortfolioSettings(Body):
    theme: Literal[profiles.THEMES] = None
    layout: Literal[profiles.LAYOUTS] = None
    accent_color: HexColour = None
    featured_gallery_id: Text(64) | None = None
    watermark: WatermarkSettings = None
    open_for_commissions: bool = None
    # False keeps the account out of GET /api/artists and artist search.
    listed_in_directory: bool = None
    # True: a new message's notification quotes its first 140 characters (off: "X sent you a message").
    message_previews: bool = None


class ProfileUpdate(Body):
    server_owned: ClassVar[frozenset] = ACCOUNT_FIELDS | {"username", "email", "account_type"}
    artist_name: Text(100, 1) = None
    bio: Text(2000) | None = None
    location: Text(100) | None = None
    specialties: Annotated[list[Text(50, 1)], Field(max_length=20), AfterValidator(unique_case_insensitive)] = None
    contact_info: Text(500) | None = None
    social_links: Annotated[dict[SocialNetwork, HttpUrl], Field(max_length=20)] = None
    profile_image_url: HttpUrl | None = None
    portfolio: PortfolioSettings = None

    def changes(self):
        """(profile columns, portfolio_settings columns) the client sent; a PUT leaves the rest alone."""
        profile = given(self)
        portfolio = profile.pop("portfolio", None)
        settings = given(portfolio) if portfolio is not None else {}
        watermark = settings.pop("watermark", None)
        if watermark is not None:
            settings.update({f"watermark_{key}": value for key, value in given(watermark).items()})
        return profile, settings


class Overview(Shape):
    featured_artworks: list[dict[str, Any]]
    gallery_previews: list[Gallery]


class Profile(Account):
    followed_by_viewer: bool
    portfolio: dict[str, Any]
    overview: Overview


def profile_json(conn, account, viewer_id):
    owner = viewer_id == account["id"]
    overview = profiles.public_overview(conn, account["id"])
    for artwork in overview["featured_artworks"]:
        artwork["thumbnail_urls"] = thumbnail_urls(artwork["id"])
    # The public face of the portfolio, even to its owner: public galleries only.
    shown, _ = galleries.list_galleries(conn, artist_id=account["id"], viewer_id=None, limit=PROFILE_GALLERIES)
    overview["gallery_previews"] = [gallery_json(gallery, viewer_id) for gallery in shown]
    overview.update(artwork_count=account["public_artwork_count"], follower_count=account["follower_count"],
                    following_count=account["following_count"])
    portfolio = settings_json(profiles.get_settings(conn, account["id"]), owner=owner)
    featured = portfolio["featured_gallery_id"] and galleries.get_gallery(conn, portfolio["featured_gallery_id"])
    if featured and not owner and featured["visibility"] != "public":
        portfolio["featured_gallery_id"] = None  # a private or unlisted gallery is not advertised
    return {**account_json(account, owner=owner, signed_in=viewer_id is not None,
                           dealt_with=collectors.dealt_with(conn, account["id"], viewer_id)),
            "followed_by_viewer": social.is_following(conn, viewer_id, account["id"]),
            "portfolio": portfolio, "overview": overview}


@operation(bp, "GET", "/artists", access="optional", query=ArtistsQuery, response=page_of(Account))
def list_artists(query):
    found, total = profiles.list_accounts(get_db(), limit=query.per_page, offset=query.offset, sort=query.sort,
                                          account_type=query.account_type, location=query.location or None)
    viewer_id = current_user_id()
    items = [account_json(account, owner=account["id"] == viewer_id, signed_in=viewer_id is not None)
             for account in found]
    return list_response(items, total, query.page, query.per_page)


@operation(bp, "GET", "/artists/<artist_id>", access="optional", response=Profile)
def get_artist(artist_id, query):
    return jsonify(profile_json(get_db(), account_or_404(artist_id), current_user_id()))


@operation(bp, "PUT", "/artists/<artist_id>", access="user", body=ProfileUpdate, response=Profile)
def update_artist(artist_id, query, body):
    user_id = require_user()
    account = account_or_404(artist_id)
    if account["id"] != user_id:
        raise ApiError(403, "Only the artist can change this profile.")
    profile, settings = body.changes()
    gallery_id = settings.get("featured_gallery_id")
    if gallery_id is not None and profiles.gallery_owner_id(get_db(), gallery_id) != user_id:
        raise validation_error({"portfolio.featured_gallery_id": "must be one of your galleries"})
    profiles.update_profile(get_db(), user_id, profile=profile, settings=settings)
    return jsonify(profile_json(get_db(), profiles.get_account(get_db(), user_id), user_id))
