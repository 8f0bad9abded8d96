"""Easel: the HTTP layer.

The only module that knows HTTP. It reads configuration, checks who is asking and what they
sent, calls `store` (and later the search, recommend and imaging engines), and shapes answers.
Errors are RFC 9457 problem details; lists share one shape; see docs/API.md.
"""

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, ClassVar, Literal
from urllib.parse import urlencode, urlsplit

import click
from flask import Blueprint, Flask, current_app, g, jsonify, request, send_file, session, url_for
from flask.cli import with_appcontext
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationError,
)
from tqdm import tqdm
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import check_password_hash, generate_password_hash

import imaging
import recommend
import recommend.config
import store
from imaging import analysis, derivatives
from recommend import activity, featured, simulate, trending
from recommend import evaluate as recommend_evaluation
from recommend.config import FeaturedConfig
from search import artists as artist_search
from search import copies, highlight, images, screening, tfidf, visual
from search import engine as search_engine
from search import evaluate as evaluation
from search import ranking as search_ranking
from search import similar as similar_art
from search import suggest as search_suggest
from search.index import index_for
from search.ranking import RankingConfig
from store import (
    accounts,
    analytics,
    artworks,
    catalog,
    commissions,
    copyright,
    counters,
    exhibitions,
    galleries,
    notifications,
    profiles,
    ranking,
    social,
    taxonomy,
)
from store.media import MediaStore

log = logging.getLogger("easel")

# --- Configuration ------------------------------------------------------------------------

DEFAULT_CORS_ORIGINS = "http://localhost:3000,http://localhost:5173,http://127.0.0.1:3000,http://127.0.0.1:5173"
_TRUE = {"1", "true", "yes", "on"}
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


def _flag(value):
    return str(value).strip().lower() in _TRUE


def _proxy_hops(value):
    """TRUST_PROXY: a number of proxies in front of the app, or true for one."""
    value = str(value).strip().lower()
    if value.isdigit():
        return int(value)
    return 1 if value in _TRUE else 0


def parse_origins(value):
    """Exact origins only: a wildcard with credentials would let any website act as the user."""
    origins = [origin.strip().rstrip("/") for origin in str(value).split(",") if origin.strip()]
    bad = [origin for origin in origins if not _ORIGIN.match(origin)]
    if bad:
        raise ValueError(f"CORS_ORIGINS takes exact origins like https://app.example.com, not {bad}")
    return origins


def parse_public_url(value):
    """PUBLIC_URL without a trailing slash, or None; anything but an http(s) base URL is refused."""
    if not value:
        return None
    value = str(value).strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"PUBLIC_URL must be an http(s) base URL like https://easel.example, not {value!r}")
    return value


def load_config(environ=os.environ):
    """Settings from the environment; README.md documents each one."""
    data_dir = Path(environ.get("DATA_DIR", "data")).resolve()
    return {
        "DATA_DIR": str(data_dir),
        "DATABASE": environ.get("DATABASE") or None,  # default: DATA_DIR/easel.sqlite3
        "SECRET_KEY": environ.get("SECRET_KEY") or None,
        "CORS_ORIGINS": environ.get("CORS_ORIGINS", DEFAULT_CORS_ORIGINS),
        # Where people open an artwork (the frontend); share links point there. Default: this server.
        "PUBLIC_URL": environ.get("PUBLIC_URL") or None,
        "MEDIA_DIR": environ.get("MEDIA_DIR") or None,  # default: DATA_DIR/media
        "MAX_CONTENT_LENGTH": int(environ.get("MAX_UPLOAD_MB", "100")) * 1024 * 1024,
        "MAX_IMAGE_PIXELS": int(environ.get("MAX_IMAGE_PIXELS", str(imaging.DEFAULT_MAX_PIXELS))),
        "SESSION_COOKIE_SECURE": _flag(environ.get("SESSION_COOKIE_SECURE", "false")),
        "SESSION_LIFETIME_DAYS": int(environ.get("SESSION_LIFETIME_DAYS", "30")),
        "TRUST_PROXY": _proxy_hops(environ.get("TRUST_PROXY", "0")),
        "RATELIMIT_ENABLED": _flag(environ.get("RATELIMIT_ENABLED", "true")),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_DEFAULT": environ.get("RATELIMIT_DEFAULT", "300 per minute"),
        "PASSWORD_HASH_METHOD": environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "LOG_LEVEL": environ.get("LOG_LEVEL", "INFO").upper(),
        # JSON with any of search.ranking.RankingConfig's fields, e.g. {"engagement": 0.3}.
        "SEARCH_RANKING": environ.get("SEARCH_RANKING") or None,
        # Load the search ranking index in the background at start-up (seconds for 100,000 works),
        # so that the first search does not wait for it.
        "SEARCH_WARM": _flag(environ.get("SEARCH_WARM", "true")),
        # Seconds the feed's co-like and text model is kept before it is rebuilt in the background.
        "FEED_MODEL_MAX_AGE": int(environ.get("FEED_MODEL_MAX_AGE", "300")),
        # A featured config change is refused when a headline offline metric falls by more than
        # this fraction of the live config's figure (unless forced with a reason).
        "FEATURED_GATE_TOLERANCE": float(environ.get("FEATURED_GATE_TOLERANCE", "0.05")),
        # Users whose last like the gate holds out (a seeded sample when there are more).
        "FEATURED_GATE_USERS": int(environ.get("FEATURED_GATE_USERS", "2000")),
    }


def parse_ranking(value):
    """The search ranking settings: a RankingConfig, a dict or JSON text of overrides, or None."""
    if value is None or isinstance(value, RankingConfig):
        return value or RankingConfig()
    try:
        return (RankingConfig.from_mapping(value) if isinstance(value, dict) else RankingConfig.from_json(value))
    except ValueError as error:
        raise ValueError(f"SEARCH_RANKING: {error}") from error


def warm_search_index(database):
    """Load the process's search, image and recent-activity indexes (see SEARCH_WARM); a failure here
    only costs the head start."""
    conn = store.connect(database)
    try:
        conn.execute("BEGIN")
        index_for(database).refresh(conn)
        images.index_for(database).refresh(conn)
        activity.activity_for(database).refresh(conn, time.time())
        conn.execute("COMMIT")
    except Exception:
        log.exception("could not warm the search index")
    finally:
        conn.close()


def load_or_create_secret(data_dir):
    """The key that signs session cookies, generated once and kept in DATA_DIR (mode 0600).

    Written to a temporary file and linked into place, so that several workers starting at
    once agree on one key and none reads a half-written file.
    """
    path = Path(data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            temporary.unlink()
    return path.read_text().strip()


# --- Problem details (RFC 9457) -----------------------------------------------------------

PROBLEM_TYPES = {
    "validation": "/problems/validation",
    "conflict": "/problems/conflict",
}


class ApiError(Exception):
    """Raised anywhere in a request to answer with a problem document."""

    def __init__(self, status, detail, *, title=None, problem="about:blank", errors=None, headers=None,
                 extensions=None):
        super().__init__(detail)
        self.status, self.detail, self.title = status, detail, title
        self.problem, self.errors, self.headers = problem, errors, headers or {}
        self.extensions = extensions or {}


def problem_response(status, detail, *, title=None, problem="about:blank", errors=None, headers=None,
                     extensions=None):
    """A problem document; `extensions` adds members of its own (RFC 9457, section 3.2)."""
    body = {
        "type": PROBLEM_TYPES.get(problem, problem),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extensions or {})
    response = current_app.response_class(json.dumps(body), status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_error(errors, detail="The request has invalid fields; see errors."):
    return ApiError(400, detail, title="Invalid request", problem="validation", errors=errors)


def register_error_handlers(app):
    @app.errorhandler(ApiError)
    def handle_api_error(error):
        return problem_response(error.status, error.detail, title=error.title, problem=error.problem,
                                errors=error.errors, headers=error.headers, extensions=error.extensions)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error):
        # Keep the headers werkzeug attaches (Allow on 405, Retry-After on 429); drop its HTML body.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return problem_response(error.code, error.description, headers=headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        log.exception("unhandled error in request %s", g.get("request_id"))
        g.db_suspect = True   # whatever it left half-read would pin an old snapshot for the next request
        return problem_response(500, f"Something went wrong on our side (request {g.get('request_id')}).")


# --- Request parsing and list shape -------------------------------------------------------

def json_body():
    """The request body as a JSON object; an empty body counts as {}. Parsed once per request."""
    if "json_body" not in g:
        g.json_body = _parse_json_body()
    return g.json_body


# What an HTML form on another site can send without a CORS preflight.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


def _parse_json_body():
    raw = request.get_data(cache=True)
    # Refused even when empty: a body-less toggle (like, follow) must not be triggerable by a form.
    if request.mimetype in FORM_TYPES:
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json.")
    if not raw.strip():
        return {}
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json.")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, f"The body is not valid JSON: {error}.") from error
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return data


def _field_path(location):
    return ".".join(str(part) for part in location) or "body"


_PYDANTIC_MESSAGES = {"missing": "is required", "extra_forbidden": "is not a known field"}


def _error_message(item):
    if item["type"] == "value_error" and "error" in item.get("ctx", {}):
        return str(item["ctx"]["error"])  # our validators' own words, without pydantic's prefix
    return _PYDANTIC_MESSAGES.get(item["type"], item["msg"])


def validated(model, data=None):
    """Validate `data` (by default the JSON body) against `model`, reporting every bad field at once.

    Server-owned fields (ids, counts, owners, roles) are refused by name rather than as unknown,
    so a client learns it may not set them.
    """
    data = json_body() if data is None else data
    errors = {field: "is set by the server and cannot be written" for field in data if field in model.server_owned}
    try:
        result = model.model_validate({k: v for k, v in data.items() if k not in errors})
    except ValidationError as error:
        for item in error.errors():
            errors.setdefault(_field_path(item["loc"]), _error_message(item))
        result = None
    if errors:
        raise validation_error(errors)
    return result


def query_int(name, default, *, minimum=1, maximum=None):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"\d{1,9}", raw) or int(raw) < minimum:
        raise validation_error({name: f"must be a whole number of at least {minimum}"})
    return min(int(raw), maximum) if maximum else int(raw)


def query_choice(name, choices, default=None):
    value = request.args.get(name) or default
    if value is not None and value not in choices:
        raise validation_error({name: f"must be one of: {', '.join(choices)}"})
    return value


def query_flag(name, default=None):
    """A true/false query parameter (true, false, 1, 0); `default` when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() not in ("true", "false", "1", "0"):
        raise validation_error({name: "must be true or false"})
    return raw.lower() in ("true", "1")


MAX_PER_PAGE = 100


def page_params(default_per_page=20):
    """(page, per_page, offset) from ?page=&per_page=; per_page is capped at 100."""
    page = query_int("page", 1)
    per_page = query_int("per_page", default_per_page, maximum=MAX_PER_PAGE)
    return page, per_page, (page - 1) * per_page


def list_response(items, total, page, per_page, **extra):
    return jsonify({"items": items, "total": total, "page": page, "per_page": per_page, **extra})


# --- Request bodies -----------------------------------------------------------------------

def _http_url(value):
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        raise ValueError("must be an http(s) URL")
    return value


def _unique_case_insensitive(values):
    seen, unique = set(), []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            unique.append(value)
    return unique


def Text(max_length, min_length=0):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)]


def _trimmed_lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def _matching(pattern, description):
    compiled = re.compile(pattern)

    def check(value):
        if not compiled.fullmatch(value):
            raise ValueError(f"must be {description}")
        return value
    return AfterValidator(check)


def Lowered(pattern, description):
    """A string trimmed and lower-cased, then checked against `pattern`."""
    return Annotated[str, BeforeValidator(_trimmed_lower), _matching(pattern, description)]


HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_http_url)]
Username = Lowered(r"[a-z0-9_]{3,30}", "3 to 30 characters of a-z, 0-9 and _")
SocialNetwork = Lowered(r"[a-z0-9_-]{1,30}", "a network name of up to 30 characters of a-z, 0-9, _ and -")
HexColour = Lowered(r"#[0-9a-f]{6}", "a colour like #1f2937")
Password = Annotated[str, StringConstraints(min_length=10, max_length=1024)]

ACCOUNT_FIELDS = frozenset({
    "id", "role", "password_hash", "follower_count", "following_count", "artwork_count",
    "created_at", "updated_at", "last_login_at", "likes_received", "shares_received", "total_views", "total_likes",
    "total_shares", "followed_by_viewer",
})


class Body(BaseModel):
    # strict: "5" is not a number and 5 is not a string; extra: unknown fields are errors.
    model_config = ConfigDict(extra="forbid", strict=True)
    server_owned: ClassVar[frozenset] = frozenset({"id", "created_at", "updated_at"})


class Registration(Body):
    server_owned: ClassVar[frozenset] = ACCOUNT_FIELDS
    username: Username
    email: EmailStr
    password: Password
    artist_name: Text(100, 1)
    bio: Text(2000) | None = None
    location: Text(100) | None = None
    account_type: Literal["artist", "collector"] = "artist"


class Login(Body):
    username: Text(254, 1) | None = None
    email: Text(254, 1) | None = None
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class PasswordChange(Body):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    new_password: Password


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


class ProfileUpdate(Body):
    server_owned: ClassVar[frozenset] = ACCOUNT_FIELDS | {"username", "email", "account_type"}
    artist_name: Text(100, 1) = None
    bio: Text(2000) | None = None
    location: Text(100) | None = None
    specialties: Annotated[list[Text(50, 1)], Field(max_length=20), AfterValidator(_unique_case_insensitive)] = None
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


def given(model):
    """Only the fields the client sent."""
    return {name: getattr(model, name) for name in model.model_fields_set}


def _tag_list(value):
    """Tags as a JSON list, or one comma-separated string (a form field); normalised, unique."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        raise ValueError("must be a list of tags or a comma-separated string")
    tags = []
    for raw in value:
        if not isinstance(raw, str):
            raise ValueError("must contain only strings")
        tag = taxonomy.normalise_tag(raw)
        if tag is None:
            continue
        if len(tag) > taxonomy.MAX_TAG_LENGTH:
            raise ValueError(f"each tag has at most {taxonomy.MAX_TAG_LENGTH} characters ({tag[:40]!r} is longer)")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > taxonomy.MAX_TAGS:
        raise ValueError(f"at most {taxonomy.MAX_TAGS} tags")
    return tags


def _partial_date(value):
    """A creation date as YYYY, YYYY-MM or YYYY-MM-DD (artists often know only the year), not in the future."""
    value = value.strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not match:
        raise ValueError("must be a date like 2024-05-01, 2024-05 or 2024")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        when = date(year, month, day)
    except ValueError as error:
        raise ValueError("must be a real date") from error
    if when > date.today():
        raise ValueError("cannot be in the future")
    return value


def _cents(value):
    if round(value, 2) != value:
        raise ValueError("has at most two decimal places")
    return value


Tags = Annotated[list[str], BeforeValidator(_tag_list)]
CreationDate = Annotated[str, AfterValidator(_partial_date)]
Price = Annotated[float, Field(ge=0, le=1_000_000_000), AfterValidator(_cents)]
Currency = Annotated[str, BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
                     _matching(r"[A-Z]{3}", "a three-letter currency code like USD or EUR")]

ARTWORK_SERVER_FIELDS = frozenset({
    "id", "artist_id", "artist", "image_path", "thumbnail_path", "file_size", "image_width", "image_height",
    "image_sha256", "image_format", "view_count", "image_view_count", "like_count", "comment_count",
    "share_count", "liked_by_viewer", "exif", "quality", "quality_score", "palette", "colour_tags", "created_at",
    "updated_at",
})


class ArtworkFields(Body):
    """What an artist says about an artwork; PUT takes the same fields as JSON."""
    server_owned: ClassVar[frozenset] = ARTWORK_SERVER_FIELDS
    title: Text(200, 1) = None
    description: Text(5000) | None = None
    medium: Text(100) | None = None
    dimensions: Text(100) | None = None
    creation_date: CreationDate | None = None
    price: Price | None = None
    currency: Currency = None
    # SPEC's update route calls the field "availability"; both names are accepted.
    availability_status: Literal[artworks.AVAILABILITY] = Field(
        None, validation_alias=AliasChoices("availability_status", "availability"))
    category_id: int | None = None
    tags: Tags = None


class UploadFields(ArtworkFields):
    # Multipart values are text: "12.5" is a price and "3" a category id here.
    model_config = ConfigDict(extra="forbid", strict=False)


class CategoryCreate(Body):
    server_owned: ClassVar[frozenset] = frozenset({"id", "artwork_count", "created_at", "children"})
    name: Text(60, 1)
    description: Text(500) | None = None
    parent_id: int | None = None
    # SPEC's name for the parent: an id or a name.
    parent_category: int | Text(60, 1) | None = None
    kind: Literal[taxonomy.CATEGORY_KINDS] = "category"


class LikeChange(Body):
    # Without a body the like toggles; {"liked": true|false} sets it, so a retried request is safe.
    liked: bool | None = None


class FollowChange(Body):
    following: bool | None = None


class CommentCreate(Body):
    server_owned: ClassVar[frozenset] = frozenset({
        "id", "artwork_id", "commenter_id", "commenter", "depth", "thread_id", "deleted", "deleted_at",
        "replies", "created_at"})
    comment_text: Text(social.MAX_COMMENT_LENGTH, 1)
    parent_comment_id: Text(64, 1) | None = None


def _share_channel(value):
    value = _trimmed_lower(value)
    return "x" if value == "twitter" else value


class ShareCreate(Body):
    channel: Annotated[Literal[social.SHARE_CHANNELS], BeforeValidator(_share_channel)]


class NotificationsRead(Body):
    ids: Annotated[list[Text(64, 1)], Field(min_length=1, max_length=notifications.MAX_MARK)] | None = None
    all: bool = False


def _iso_date(value):
    """A calendar date written exactly as YYYY-MM-DD."""
    value = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a date like 2027-03-31")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise ValueError("must be a real date like 2027-03-31") from error


def _unique(values):
    if len(set(values)) != len(values):
        raise ValueError("must not repeat an item")
    return values


IsoDate = Annotated[str, AfterValidator(_iso_date)]
Money = Annotated[float, Field(gt=0, le=1_000_000_000), AfterValidator(_cents)]
ArtworkId = Text(64, 1)
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


MAX_SUBMISSION_ARTWORKS = 20


class ExhibitionRules(Body):
    max_artworks_per_artist: Annotated[int, Field(ge=1, le=MAX_SUBMISSION_ARTWORKS)] | None = None
    allowed_mediums: Annotated[list[Text(100, 1)], Field(min_length=1, max_length=50)] | None = None
    allowed_category_ids: Annotated[list[int], Field(min_length=1, max_length=50), AfterValidator(_unique)] | None \
        = None
    min_long_edge_px: Annotated[int, Field(ge=1, le=100_000)] | None = None
    min_quality_score: Annotated[float, Field(ge=0, le=1)] | None = None


class ExhibitionCreate(Body):
    server_owned: ClassVar[frozenset] = frozenset({
        "id", "organizer_id", "organizer", "status", "submission_count", "accepted_count", "accepting_submissions",
        "online", "artworks", "my_submission", "created_at"})
    title: Text(200, 1)
    description: Text(5000) | None = None
    # SPEC's create route calls it "deadline"; both names are accepted.
    submission_deadline: IsoDate = Field(validation_alias=AliasChoices("submission_deadline", "deadline"))
    exhibition_start: IsoDate
    exhibition_end: IsoDate
    location: Text(200, 1)
    requirements: Text(5000) | None = None
    rules: ExhibitionRules = ExhibitionRules()
    submission_fee: Price = 0
    currency: Currency = "USD"


SUBMISSION_SERVER_FIELDS = frozenset({
    "id", "exhibition_id", "artist_id", "artist", "artworks", "status", "screening", "review_note", "reviewed_at",
    "submitted_at", "updated_at"})
SubmittedArtworks = Annotated[list[ArtworkId], Field(min_length=1, max_length=MAX_SUBMISSION_ARTWORKS),
                              AfterValidator(_unique)]


class SubmissionCreate(Body):
    server_owned: ClassVar[frozenset] = SUBMISSION_SERVER_FIELDS
    artwork_ids: SubmittedArtworks
    artist_statement: Text(5000) | None = None


class SubmissionEdit(Body):
    server_owned: ClassVar[frozenset] = SUBMISSION_SERVER_FIELDS
    artwork_ids: SubmittedArtworks = None
    artist_statement: Text(5000) | None = None


class SubmissionReview(Body):
    server_owned: ClassVar[frozenset] = SUBMISSION_SERVER_FIELDS - {"status"}
    status: Literal[exhibitions.REVIEW_STATUSES]
    note: Text(2000) | None = None


COMMISSION_SERVER_FIELDS = frozenset({
    "id", "client_id", "client", "artist", "status", "role", "allowed_statuses", "events", "created_at",
    "updated_at"})


class CommissionCreate(Body):
    server_owned: ClassVar[frozenset] = COMMISSION_SERVER_FIELDS | {"progress_notes", "completion_date"}
    artist_id: Text(64, 1)
    title: Text(200, 1)
    description: Text(5000, 1)
    budget: Money
    currency: Currency = "USD"
    deadline: IsoDate


class CommissionUpdate(Body):
    server_owned: ClassVar[frozenset] = COMMISSION_SERVER_FIELDS - {"status"}
    status: Literal[commissions.STATUSES] = None
    # One new note to append; earlier notes are never replaced.
    progress_notes: Text(5000, 1) = None
    reason: Text(1000, 1) = None
    completion_date: IsoDate = None


# --- Database per request -----------------------------------------------------------------

def get_db():
    if "db" not in g:
        g.db = current_app.extensions["easel_connections"].take()
    return g.db


def close_db(_error=None):
    db = g.pop("db", None)
    if db is None:
        return
    if g.pop("db_suspect", False) or _error is not None:
        db.close()
    else:
        current_app.extensions["easel_connections"].give_back(db)


# --- Authentication -----------------------------------------------------------------------

def hash_password(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def current_user_id():
    """The signed-in account's id, or None. The cookie names a server-side session row."""
    if "user_id" not in g:
        token = session.get("sid")
        g.user_id = accounts.session_artist_id(get_db(), token) if isinstance(token, str) else None
    return g.user_id


def require_user():
    user_id = current_user_id()
    if user_id is None:
        raise ApiError(401, "Sign in to do this.", headers={"WWW-Authenticate": 'Cookie realm="easel"'})
    return user_id


def sign_in(artist_id):
    """Open a fresh server-side session and set the cookie; the client's previous session ends."""
    sign_out()
    lifetime = timedelta(days=current_app.config["SESSION_LIFETIME_DAYS"])
    token = accounts.start_session(get_db(), artist_id, lifetime=lifetime, ip=request.remote_addr,
                                   user_agent=request.headers.get("User-Agent"))
    session.permanent = True
    session["sid"] = token
    g.user_id = artist_id


def sign_out():
    token = session.get("sid")
    if isinstance(token, str):
        accounts.end_session(get_db(), token)
    session.clear()
    g.user_id = None


# --- Rate limits --------------------------------------------------------------------------

def rate_limit(limit, key_func=None):
    """Declare a limit beside its route; create_app() attaches it to that app's limiter.

    Kept as a mark rather than a module-level Limiter's decorator because the limiter's storage
    belongs to one app, and tests build many apps.
    """
    def mark(view):
        view.rate_limits = [*getattr(view, "rate_limits", []), (limit, key_func)]
        return view
    return mark


def login_identifier():
    try:
        data = json_body()
    except ApiError:
        data = {}  # the view itself answers the bad body; count it against the client
    name = data.get("username") or data.get("email")
    return f"login:{name.strip().lower()}" if isinstance(name, str) else get_remote_address()


def build_limiter(app):
    limiter = Limiter(
        get_remote_address,
        app=app,
        strategy="moving-window",
        key_prefix="easel",
    )
    for endpoint, view in list(app.view_functions.items()):
        for limit, key_func in getattr(view, "rate_limits", []):
            view = limiter.limit(limit, key_func=key_func)(view)
        app.view_functions[endpoint] = view
    # The limits hold only a weak reference to their limiter, and a disabled limiter does not
    # register itself on the app, so keep it alive here.
    app.extensions["easel_limiter"] = limiter
    return limiter


# --- Logging, request ids and security headers --------------------------------------------

class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level):
    logger = logging.getLogger("easel")
    if not any(getattr(handler, "easel", False) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.easel = True
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def start_request():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def finish_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if response.mimetype in ("application/json", "application/problem+json"):
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response.headers.setdefault("Cache-Control", "no-store")
    if response.status_code not in (429, 503):
        # Flask-Limiter adds Retry-After to every answer; it only means something on these two.
        response.headers.pop("Retry-After", None)
    logging.getLogger("easel.request").info("request", extra={"fields": {
        "request_id": g.get("request_id"),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
        "remote_addr": request.remote_addr,
        "user_id": g.get("user_id"),
    }})
    return response


# --- Response shapes ----------------------------------------------------------------------

def thumbnail_urls(artwork_id):
    return {size: f"/api/artworks/{artwork_id}/thumbnail?size={size}" for size in ("small", "medium", "large")}


def artwork_json(artwork, tags, *, liked=False, detail=False):
    """An artwork for lists (core metadata, thumbnails) or, with detail, everything about it.

    liked: whether the viewer likes it, so a frontend can draw the heart without another request.
    """
    artwork_id = artwork["id"]
    shaped = {key: artwork[key] for key in ("id", "title", "description", "medium", "dimensions", "creation_date",
                                            "price", "currency", "availability_status")}
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
    return shaped


def artwork_summary_json(artwork):
    """Just enough to show an artwork beside another one: id, title, artist, thumbnails."""
    return {"id": artwork["id"], "title": artwork["title"],
            "artist": {"id": artwork["artist_id"], "username": artwork["artist_username"],
                       "artist_name": artwork["artist_name"]},
            "thumbnail_urls": thumbnail_urls(artwork["id"])}


def artwork_detail_json(artwork):
    liked = social.liked_among(get_db(), current_user_id(), [artwork["id"]])
    return artwork_json(artwork, taxonomy.tags_of(get_db(), [artwork["id"]])[artwork["id"]],
                        liked=artwork["id"] in liked, detail=True)


def artworks_json(rows):
    ids = [row["id"] for row in rows]
    tags, liked = taxonomy.tags_of(get_db(), ids), social.liked_among(get_db(), current_user_id(), ids)
    return [artwork_json(row, tags[row["id"]], liked=row["id"] in liked) for row in rows]


def settings_json(settings, *, owner):
    shaped = {key: settings[key] for key in ("theme", "layout", "accent_color", "featured_gallery_id",
                                             "open_for_commissions")}
    if owner:  # how an artist protects their images is their business
        shaped["watermark"] = {"enabled": settings["watermark_enabled"], "text": settings["watermark_text"],
                               "opacity": settings["watermark_opacity"], "position": settings["watermark_position"]}
    return shaped


PUBLIC_ACCOUNT_FIELDS = ("id", "username", "artist_name", "account_type", "bio", "location", "specialties",
                         "social_links", "profile_image_url", "follower_count", "following_count", "created_at")


def account_json(account, *, owner=False, signed_in=False):
    shaped = {key: account[key] for key in PUBLIC_ACCOUNT_FIELDS}
    # Strangers see the public works, and what they received, only; the owner's totals include private ones.
    shaped["artwork_count"] = account["artwork_count"] if owner else account["public_artwork_count"]
    for total in ("likes_received", "shares_received"):
        shaped[total] = account[total] if owner else account[f"public_{total}"]
    if owner or signed_in:
        shaped["contact_info"] = account["contact_info"]
    if owner:
        shaped.update({key: account[key] for key in ("email", "role", "updated_at", "last_login_at")})
    return shaped


def portfolio_json(conn, account):
    """The owner's view: status, statistics and preferences."""
    stats = {key: account[key] for key in ("artwork_count", "public_artwork_count", "follower_count",
                                           "following_count")}
    stats.update(profiles.portfolio_totals(conn, account["id"]))
    stats.update(total_likes=account["likes_received"], total_shares=account["shares_received"])
    if stats["artwork_count"] == 0:
        status = "empty"
    elif stats["public_artwork_count"] == 0:
        status = "private"
    else:
        status = "published"
    return {"status": status, "stats": stats,
            "settings": settings_json(profiles.get_settings(conn, account["id"]), owner=True)}


def session_payload(artist_id):
    conn = get_db()
    account = profiles.get_account(conn, artist_id)
    return {"user": account_json(account, owner=True), "portfolio": portfolio_json(conn, account)}


PROFILE_GALLERIES = 6


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
    return {**account_json(account, owner=owner, signed_in=viewer_id is not None),
            "followed_by_viewer": social.is_following(conn, viewer_id, account["id"]),
            "portfolio": portfolio, "overview": overview}


PERSON_FIELDS = ("id", "username", "artist_name", "profile_image_url", "account_type")


def person_json(row, prefix=""):
    """Profile basics of the account in `row`'s prefix_ columns; None once the account is gone."""
    if row[f"{prefix}id"] is None:
        return None
    return {field: row[f"{prefix}{field}"] for field in PERSON_FIELDS}


def follow_json(row):
    return {**person_json(row), "follower_count": row["follower_count"], "followed_at": row["followed_at"],
            "followed_by_viewer": bool(row["followed_by_viewer"])}


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


# --- Routes: authentication ---------------------------------------------------------------

api = Blueprint("api", __name__, url_prefix="/api")


@api.post("/auth/register")
@rate_limit("5 per minute")
def register():
    form = validated(Registration)
    try:
        artist_id = accounts.create_account(
            get_db(), username=form.username, email=form.email, password_hash=hash_password(form.password),
            artist_name=form.artist_name, bio=form.bio, location=form.location, account_type=form.account_type,
        )
    except accounts.AlreadyExists as taken:
        message = "is already taken" if taken.field == "username" else "is already registered"
        raise ApiError(409, f"That {taken.field} {message}.", title="Already exists", problem="conflict",
                       errors={taken.field: message}) from taken
    sign_in(artist_id)
    return jsonify(session_payload(artist_id)), 201


@api.post("/auth/login")
@rate_limit("10 per minute")
@rate_limit("10 per minute", key_func=login_identifier)
def login():
    form = validated(Login)
    identifier = form.username or form.email
    if not identifier:
        raise validation_error({"username": "give a username or an email"})
    found = accounts.find_credentials(get_db(), identifier)
    # One answer, and the same work, for an unknown account and a wrong password.
    stored_hash = found["password_hash"] if found else current_app.extensions["easel_dummy_hash"]
    if not check_password_hash(stored_hash, form.password) or found is None:
        raise ApiError(401, "The username/email or password is wrong.", title="Invalid credentials")
    sign_in(found["id"])
    return jsonify(session_payload(found["id"]))


@api.post("/auth/logout")
def logout():
    # Idempotent: signing out twice, or while signed out, still ends with no session.
    sign_out()
    return jsonify({"logged_out": True})


@api.get("/auth/user")
def auth_user():
    return jsonify(session_payload(require_user()))


@api.put("/auth/password")
@rate_limit("10 per minute")
def change_password():
    user_id = require_user()
    form = validated(PasswordChange)
    if not check_password_hash(accounts.password_hash_of(get_db(), user_id), form.current_password):
        raise validation_error({"current_password": "is wrong"})
    accounts.change_password(get_db(), user_id, hash_password(form.new_password))
    sign_in(user_id)  # every other session was revoked; this client stays signed in
    return jsonify({"password_changed": True})


# --- Routes: artist profiles --------------------------------------------------------------

@api.get("/artists")
def list_artists():
    page, per_page, offset = page_params()
    sort = query_choice("sort", tuple(profiles.ACCOUNT_SORTS), "newest")
    account_type = query_choice("account_type", accounts.ACCOUNT_TYPES)
    location = request.args.get("location", "").strip()[:100] or None
    found, total = profiles.list_accounts(get_db(), limit=per_page, offset=offset, sort=sort,
                                          account_type=account_type, location=location)
    viewer_id = current_user_id()
    items = [account_json(account, owner=account["id"] == viewer_id, signed_in=viewer_id is not None)
             for account in found]
    return list_response(items, total, page, per_page)


def _account_or_404(artist_id):
    account = profiles.get_account(get_db(), artist_id)
    if account is None:
        raise ApiError(404, "No artist has that id.")
    return account


@api.get("/artists/<artist_id>")
def get_artist(artist_id):
    return jsonify(profile_json(get_db(), _account_or_404(artist_id), current_user_id()))


@api.put("/artists/<artist_id>")
def update_artist(artist_id):
    user_id = require_user()
    account = _account_or_404(artist_id)
    if account["id"] != user_id:
        raise ApiError(403, "Only the artist can change this profile.")
    profile, settings = validated(ProfileUpdate).changes()
    gallery_id = settings.get("featured_gallery_id")
    if gallery_id is not None and profiles.gallery_owner_id(get_db(), gallery_id) != user_id:
        raise validation_error({"portfolio.featured_gallery_id": "must be one of your galleries"})
    profiles.update_profile(get_db(), user_id, profile=profile, settings=settings)
    return jsonify(profile_json(get_db(), profiles.get_account(get_db(), user_id), user_id))


# --- Routes: artworks ---------------------------------------------------------------------

MAX_BATCH_FILES = 20


def media():
    return MediaStore(current_app.config["MEDIA_DIR"])


def viewer_key(user_id):
    """Who is viewing, for counting views: the account, or a keyed hash of address and browser."""
    if user_id is not None:
        return user_id
    client = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}".encode()
    return "anon:" + hmac.new(current_app.config["SECRET_KEY"].encode(), client, hashlib.sha256).hexdigest()[:32]


def _visible_artwork_or_404(artwork_id, viewer_id):
    artwork = artworks.get_artwork(get_db(), artwork_id)
    if artwork is None or not artworks.is_visible(artwork, viewer_id):
        raise ApiError(404, "No artwork has that id.")  # private works do not exist for others
    return artwork


def _own_artwork(artwork_id, action="change"):
    user_id = require_user()
    artwork = _visible_artwork_or_404(artwork_id, user_id)
    if artwork["artist_id"] != user_id:
        raise ApiError(403, f"Only the artist can {action} this artwork.")
    return artwork


def _check_category(category_id, field="category_id"):
    if category_id is not None and taxonomy.get_category(get_db(), category_id) is None:
        raise validation_error({field: "must be the id of an existing category"})


def _upload_form():
    """The metadata parts of an upload; empty parts count as not sent."""
    data = {key: values if key == "tags" and len(values) > 1 else values[0]
            for key, values in request.form.lists() if any(value.strip() for value in values)}
    fields = validated(UploadFields, data)
    _check_category(fields.category_id)
    return fields


def _title_for(fields, upload, index, count):
    if fields.title:
        return fields.title if count == 1 else f"{fields.title} ({index + 1})"
    return artworks.title_from_filename(upload.filename)


def _check_for_copies(conn, artwork_id, uploader_id, probe):
    """Inside the write: alert the artists whose works this one looks like a copy of (unless it
    is private, which nobody else can see), and keep the matches for the response."""
    matches = visual.originals_of_upload(conn, current_app.config["DATABASE"], probe, uploader_id)
    private = conn.execute("SELECT availability_status = 'private' FROM artworks WHERE id = ?",
                           (artwork_id,)).fetchone()[0]
    if not private:
        copyright.raise_alerts(conn, artwork_id, matches)
    g.setdefault("copy_matches", {})[artwork_id] = matches


def _after_upload(uploader_id):
    def hook(conn, artwork_id, processed):
        tfidf.describe_artwork(conn, artwork_id)
        _check_for_copies(conn, artwork_id, uploader_id, processed.probe)
    return hook


def possible_copy_of(artwork_id):
    """The upload's matches the uploader may see: works by other artists it looks like a copy of."""
    matches = g.get("copy_matches", {}).get(artwork_id, [])
    found = artworks.artworks_by_id(get_db(), [original_id for original_id, _, _ in matches])
    return [{"artwork": artwork_summary_json(found[original_id]), "score": round(score, 4), "evidence": evidence}
            for original_id, score, evidence in matches
            if original_id in found and artworks.is_visible(found[original_id], current_user_id())]


def _store_one(user_id, upload, fields, index, count):
    """(artwork id, None) or (None, problem body) for one uploaded file."""
    values = given(fields)
    tags = values.pop("tags", [])
    values["title"] = _title_for(fields, upload, index, count)
    try:
        artwork_id = artworks.ingest(get_db(), media(), user_id, upload.read(), values, tags,
                                     max_pixels=current_app.config["MAX_IMAGE_PIXELS"],
                                     on_write=_after_upload(user_id))
    except imaging.ImageRejected as rejected:
        return None, {"type": "about:blank", "title": HTTPStatus(rejected.status).phrase,
                      "status": rejected.status, "detail": str(rejected)}
    return artwork_id, None


def _batch_response(files, results):
    items = []
    for index, (upload, (artwork_id, problem)) in enumerate(zip(files, results, strict=True)):
        entry = {"index": index, "filename": upload.filename, "status": 201 if artwork_id else problem["status"]}
        if artwork_id:
            entry["artwork"] = artworks_json([artworks.get_artwork(get_db(), artwork_id)])[0]
            entry["possible_copy_of"] = possible_copy_of(artwork_id)
        else:
            entry["error"] = problem
        items.append(entry)
    created = sum(1 for artwork_id, _ in results if artwork_id)
    body = {"items": items, "total": len(items), "created": created, "failed": len(items) - created}
    return jsonify(body), 201 if created == len(items) else 207


@api.post("/artworks/upload")
@rate_limit("30 per minute")
def upload_artworks():
    user_id = require_user()
    if profiles.get_account(get_db(), user_id)["account_type"] != "artist":
        raise ApiError(403, "Only artist accounts can upload artworks.")
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "Upload with Content-Type: multipart/form-data and the image in image_file.")
    files = request.files.getlist("image_file")
    if not files:
        raise validation_error({"image_file": "is required"})
    if len(files) > MAX_BATCH_FILES:
        raise validation_error({"image_file": f"at most {MAX_BATCH_FILES} files per request"})
    fields = _upload_form()
    results = [_store_one(user_id, upload, fields, index, len(files)) for index, upload in enumerate(files)]
    if not any(artwork_id for artwork_id, _ in results):
        statuses = {problem["status"] for _, problem in results}
        status = statuses.pop() if len(statuses) == 1 else 400
        detail = results[0][1]["detail"] if len(files) == 1 else f"None of the {len(files)} files was stored."
        raise ApiError(status, detail, errors={f"image_file[{i}]" if len(files) > 1 else "image_file":
                                               problem["detail"] for i, (_, problem) in enumerate(results)})
    if len(files) > 1:
        return _batch_response(files, results)
    artwork = artworks.get_artwork(get_db(), results[0][0])
    body = {**artwork_detail_json(artwork), "possible_copy_of": possible_copy_of(artwork["id"])}
    return jsonify(body), 201, {"Location": f"/api/artworks/{artwork['id']}"}


def _date_param(name):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as error:
        raise validation_error({name: "must be a date like 2026-01-31 or an ISO 8601 time"}) from error
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _price_param(name):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise validation_error({name: "must be a non-negative number"})
    return value


def _artwork_filters():
    args = request.args
    filters = {
        "artist_id": args.get("artist_id") or None,
        "medium": args.get("medium", "").strip() or None,
        "tags": [tag for tag in (taxonomy.normalise_tag(t) for t in args.getlist("tag")) if tag],
        "colour": query_choice("colour", analysis.COLOUR_NAMES),
        "availability": query_choice("availability", artworks.AVAILABILITY),
        "price_min": _price_param("price_min"),
        "price_max": _price_param("price_max"),
        "created_after": _date_param("created_after"),
        "created_before": _date_param("created_before"),
    }
    category = args.get("category", "").strip()
    if category:
        found = taxonomy.find_category(get_db(), category)
        # An unknown category matches nothing, like an unknown tag; it is not an error.
        filters["category_ids"] = taxonomy.with_descendants(get_db(), found["id"]) if found else []
    return filters


@api.get("/artworks")
def list_artworks():
    page, per_page, offset = page_params()
    sort = query_choice("sort", tuple(artworks.ARTWORK_SORTS), "newest")
    rows, total = artworks.list_artworks(get_db(), viewer_id=current_user_id(), filters=_artwork_filters(),
                                         sort=sort, limit=per_page, offset=offset)
    return list_response(artworks_json(rows), total, page, per_page)


@api.get("/artworks/<artwork_id>")
def get_artwork(artwork_id):
    viewer_id = current_user_id()
    artwork = _visible_artwork_or_404(artwork_id, viewer_id)
    if viewer_id != artwork["artist_id"] and artworks.record_view(get_db(), artwork_id, viewer_key(viewer_id)):
        artwork["view_count"] += 1
    return jsonify(artwork_detail_json(artwork))


@api.put("/artworks/<artwork_id>")
def update_artwork(artwork_id):
    artwork = _own_artwork(artwork_id)
    form = validated(ArtworkFields)
    changes = given(form)
    tags = changes.pop("tags", None)
    if "title" in changes and changes["title"] is None:
        raise validation_error({"title": "cannot be empty"})
    _check_category(changes.get("category_id"))
    was_private = artwork["availability_status"] == "private"
    artworks.update_artwork(get_db(), artwork_id, changes, tags, on_write=tfidf.describe_artwork)
    artwork = artworks.get_artwork(get_db(), artwork_id)
    if was_private and artwork["availability_status"] != "private":
        # Uploaded private, shown now: the check an upload gets, so privacy is no way around it.
        probe = _stored_probe(artwork, required=False)
        if probe is not None:
            with store.transaction(get_db()):
                _check_for_copies(get_db(), artwork_id, artwork["artist_id"], probe)
    return jsonify(artwork_detail_json(artwork))


@api.delete("/artworks/<artwork_id>")
def delete_artwork(artwork_id):
    _own_artwork(artwork_id)
    artworks.delete_artwork(get_db(), media(), artwork_id)
    return jsonify({"deleted": True, "id": artwork_id})


# --- Routes: artwork images ---------------------------------------------------------------

_FORMAT_ALIASES = {"jpg": "jpeg", "jpeg": "jpeg", "webp": "webp", "png": "png"}


def _image_format():
    """format= wins; otherwise the best of WebP, JPEG and PNG the Accept header allows (JPEG if none)."""
    asked = request.args.get("format")
    if asked:
        if asked.lower() not in _FORMAT_ALIASES:
            raise validation_error({"format": "must be one of: webp, jpeg, png"})
        return _FORMAT_ALIASES[asked.lower()]
    accepted = request.accept_mimetypes
    if accepted["image/webp"] > 0 and accepted["image/webp"] >= accepted["image/jpeg"]:
        return "webp"
    if accepted["image/jpeg"] == 0 and accepted["image/png"] > 0:
        return "png"
    return "jpeg"


def _watermark_for(artwork, viewer_id):
    """(Watermark or None, whether the answer depends on who asks)."""
    asked = query_flag("watermark")
    settings = profiles.get_settings(get_db(), artwork["artist_id"])
    mark = imaging.Watermark(settings["watermark_text"] or f"© {artwork['artist_name']}",
                             settings["watermark_opacity"], settings["watermark_position"])
    owner = viewer_id == artwork["artist_id"]
    if settings["watermark_enabled"] and not owner:
        return mark, True  # the artist's protection is not optional for others
    if asked:
        return mark, settings["watermark_enabled"]
    return None, settings["watermark_enabled"]


def _serve_rendition(artwork_id, size, *, count_image_view=False):
    viewer_id = current_user_id()
    artwork = _visible_artwork_or_404(artwork_id, viewer_id)
    if not artwork["image_sha256"]:
        raise ApiError(404, "This artwork has no image.")
    fmt = _image_format()
    mark, per_viewer = _watermark_for(artwork, viewer_id)
    path = artworks.ensure_rendition(get_db(), media(), artwork, size, fmt, mark,
                                     max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    if path is None:
        raise ApiError(404, "No artwork has that id.")
    response = send_file(media().absolute(path), mimetype=derivatives.FORMATS[fmt], conditional=True,
                         etag=artworks.rendition_etag(artwork, size, fmt, mark))
    public = artwork["availability_status"] != "private" and not per_viewer
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, no-cache"
    response.vary.add("Accept")
    if per_viewer:
        response.vary.add("Cookie")
    if count_image_view and viewer_id != artwork["artist_id"] and _whole_image_sent(response):
        artworks.record_view(get_db(), artwork_id, viewer_key(viewer_id), kind="image", window=None)
    return response


def _whole_image_sent(response):
    """A 200, or a 206 that starts at byte 0; range continuations and 304s are not new views."""
    if response.status_code == 200:
        return True
    return response.status_code == 206 and response.content_range is not None and response.content_range.start == 0


# A gallery page shows dozens of thumbnails at once: images get a far larger allowance.
@api.get("/artworks/<artwork_id>/image")
@rate_limit("3000 per minute")
def artwork_image(artwork_id):
    size = query_choice("size", derivatives.IMAGE_SIZES, "full")
    return _serve_rendition(artwork_id, size, count_image_view=size == "full")


@api.get("/artworks/<artwork_id>/thumbnail")
@rate_limit("3000 per minute")
def artwork_thumbnail(artwork_id):
    return _serve_rendition(artwork_id, query_choice("size", derivatives.THUMBNAIL_SIZES, "medium"))


# --- Routes: categories and tags ----------------------------------------------------------

@api.get("/categories")
def list_categories():
    roots, total = taxonomy.category_tree(get_db(), query_choice("kind", taxonomy.CATEGORY_KINDS))
    # A tree is answered whole, in one page.
    return list_response(roots, total, 1, total)


@api.post("/categories")
def create_category():
    user_id = require_user()
    if profiles.get_account(get_db(), user_id)["role"] not in ("curator", "admin"):
        raise ApiError(403, "Only curators and admins can add categories.")
    form = validated(CategoryCreate)
    parent = _category_parent(form)
    try:
        category = taxonomy.create_category(get_db(), name=form.name, description=form.description,
                                            parent_id=parent["id"] if parent else None, kind=form.kind)
    except taxonomy.CategoryNameTaken as taken:
        raise ApiError(409, f"A category named {form.name!r} exists already.", title="Already exists",
                       problem="conflict", errors={"name": "is already taken"}) from taken
    return jsonify({**category, "children": []}), 201


def _category_parent(form):
    if form.parent_id is not None and form.parent_category is not None:
        raise validation_error({"parent_category": "give parent_id or parent_category, not both"})
    field = "parent_id" if form.parent_id is not None else "parent_category"
    wanted = form.parent_id if form.parent_id is not None else form.parent_category
    if wanted is None:
        return None
    parent = taxonomy.find_category(get_db(), wanted)
    if parent is None:
        raise validation_error({field: "must be an existing category"})
    if parent["kind"] != form.kind:
        raise validation_error({field: f"must be a {form.kind}, like the new one"})
    return parent


TRENDING_PREVIEW = 10


@api.get("/tags")
def list_tags():
    page, per_page, offset = page_params()
    sort = query_choice("sort", tuple(taxonomy.TAG_SORTS), "popular")
    prefix = taxonomy.normalise_tag(request.args.get("q", ""))
    usage = taxonomy.tag_usage(get_db(), prefix=prefix)
    ranked = taxonomy.rank_tags(usage, sort)
    extra = {}
    if sort != "trending":  # one call gives a tag cloud and what is rising
        extra["trending"] = taxonomy.rank_tags(usage, "trending")[:TRENDING_PREVIEW]
    rows, total = ranked[offset: offset + per_page], len(ranked)
    return list_response(rows, total, page, per_page, **extra)


# --- Routes: likes, comments and shares ---------------------------------------------------

def _signed_in_artwork(artwork_id):
    user_id = require_user()
    return user_id, _visible_artwork_or_404(artwork_id, user_id)


@api.post("/artworks/<artwork_id>/like")
@rate_limit("120 per minute")
def like_artwork(artwork_id):
    user_id, artwork = _signed_in_artwork(artwork_id)
    form = validated(LikeChange)
    liked, like_count = social.set_like(get_db(), artwork, user_id, form.liked)
    return jsonify({"artwork_id": artwork_id, "liked": liked, "like_count": like_count})


@api.get("/artworks/<artwork_id>/likes")
def artwork_likes(artwork_id):
    viewer_id = current_user_id()
    artwork = _visible_artwork_or_404(artwork_id, viewer_id)
    page, per_page, offset = page_params()
    likers = social.likers(get_db(), artwork_id, limit=per_page, offset=offset)
    items = [{**person_json(row), "liked_at": row["liked_at"]} for row in likers]
    return list_response(items, artwork["like_count"], page, per_page, like_count=artwork["like_count"],
                         liked_by_viewer=artwork_id in social.liked_among(get_db(), viewer_id, [artwork_id]))


@api.post("/artworks/<artwork_id>/comment")
@rate_limit("30 per minute")
def comment_on_artwork(artwork_id):
    user_id, artwork = _signed_in_artwork(artwork_id)
    form = validated(CommentCreate)
    try:
        comment_id = social.add_comment(get_db(), artwork, user_id, form.comment_text, form.parent_comment_id)
    except social.InvalidParent as invalid:
        raise validation_error({"parent_comment_id": str(invalid)}) from invalid
    return jsonify(comment_json(social.get_comment(get_db(), comment_id), user_id, artwork["artist_id"])), 201


@api.get("/artworks/<artwork_id>/comments")
def artwork_comments(artwork_id):
    viewer_id = current_user_id()
    artwork = _visible_artwork_or_404(artwork_id, viewer_id)
    page, per_page, offset = page_params()
    sort = query_choice("sort", ("newest", "oldest"), "newest")
    threads, total = social.comment_threads(get_db(), artwork_id, newest_first=sort == "newest", limit=per_page,
                                            offset=offset)
    items = [comment_json(thread, viewer_id, artwork["artist_id"]) for thread in threads]
    return list_response(items, total, page, per_page, comment_count=artwork["comment_count"])


@api.delete("/comments/<comment_id>")
def delete_comment(comment_id):
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
    artwork = _visible_artwork_or_404(artwork_id, viewer_id)
    if artwork["availability_status"] == "private":
        raise ApiError(409, "A private artwork cannot be shared; make it public first.", problem="conflict")
    return artwork


@api.get("/artworks/<artwork_id>/share")
def share_artwork_links(artwork_id):
    return jsonify(share_json(_shareable_artwork(artwork_id, current_user_id())))


@api.post("/artworks/<artwork_id>/share")
@rate_limit("30 per minute")
def record_artwork_share(artwork_id):
    viewer_id = current_user_id()
    _shareable_artwork(artwork_id, viewer_id)
    form = validated(ShareCreate)
    counted, share_count = social.record_share(get_db(), artwork_id, channel=form.channel,
                                               viewer_key=viewer_key(viewer_id), user_id=viewer_id)
    body = {"artwork_id": artwork_id, "channel": form.channel, "counted": counted, "share_count": share_count}
    return jsonify(body), 201 if counted else 200


# --- Routes: follows and the feed ---------------------------------------------------------

@api.post("/follow/<artist_id>")
@rate_limit("60 per minute")
def follow_artist(artist_id):
    user_id = require_user()
    form = validated(FollowChange)
    _account_or_404(artist_id)
    if artist_id == user_id:
        raise ApiError(400, "You cannot follow yourself.")
    following, user_following_count, follower_count = social.set_follow(get_db(), user_id, artist_id,
                                                                        form.following)
    return jsonify({"artist_id": artist_id, "following": following, "follower_count": follower_count,
                    "user_following_count": user_following_count})


@api.get("/artists/<artist_id>/followers")
def artist_followers(artist_id):
    account = _account_or_404(artist_id)
    page, per_page, offset = page_params()
    rows = social.followers(get_db(), artist_id, viewer_id=current_user_id(), limit=per_page, offset=offset)
    return list_response([follow_json(row) for row in rows], account["follower_count"], page, per_page)


@api.get("/artists/<artist_id>/following")
def artist_following(artist_id):
    account = _account_or_404(artist_id)
    page, per_page, offset = page_params()
    rows = social.following(get_db(), artist_id, viewer_id=current_user_id(), limit=per_page, offset=offset)
    return list_response([follow_json(row) for row in rows], account["following_count"], page, per_page)


@api.get("/feed")
def get_feed():
    user_id = require_user()
    if "page" in request.args:
        raise validation_error({"page": "the feed pages by cursor: pass the previous answer's next_cursor"})
    per_page = query_int("per_page", 20, maximum=MAX_PER_PAGE)
    mode = query_choice("mode", recommend.MODES, "for_you")
    try:
        found = recommend.feed(get_db(), current_app.config["DATABASE"], user_id, mode=mode,
                               cursor=request.args.get("cursor") or None, limit=per_page,
                               model_max_age=current_app.config["FEED_MODEL_MAX_AGE"])
    except recommend.ExpiredCursor as expired:
        raise validation_error({"cursor": "belongs to a feed that has expired: start again without it"}) from expired
    except recommend.InvalidCursor as invalid:
        raise validation_error({"cursor": "is not a cursor this feed gave out"}) from invalid
    items = [{**shaped, "reason": row["reason"], **({"score": row["score"]} if "score" in row else {})}
             for shaped, row in zip(artworks_json(found.items), found.items, strict=True)]
    return list_response(items, found.total, found.page, per_page, next_cursor=found.next_cursor, mode=mode)


# --- Routes: featured, trending and curator tuning ----------------------------------------

FEATURED_TYPES = ("artworks", "artists")


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


@api.get("/featured")
def get_featured():
    kind = query_choice("type", FEATURED_TYPES, "artworks")
    page, per_page, offset = page_params()
    listing = featured.featured_list(get_db(), current_app.config["DATABASE"], f"featured_{kind}")
    if kind == "artworks":
        entries = _visible_entries(listing.items)
        items = ranked_artworks_json(entries[offset:offset + per_page], offset)
    else:
        existing = ranking.existing_artist_ids(get_db(), [entry["artist_id"] for entry in listing.items])
        entries = [entry for entry in listing.items if entry["artist_id"] in existing]
        found = profiles.accounts_by_id(get_db(), [entry["artist_id"] for entry in entries[offset:offset + per_page]])
        viewer_id = current_user_id()
        items = [{**account_json(found[entry["artist_id"]], owner=entry["artist_id"] == viewer_id,
                                 signed_in=viewer_id is not None),
                  "position": offset + i, "score": entry["score"], "score_breakdown": entry["score_breakdown"]}
                 for i, entry in enumerate(entries[offset:offset + per_page], 1)]
    return list_response(items, len(entries), page, per_page, type=kind, period_start=listing.period_start,
                         config_version=listing.config_version)


@api.get("/trending")
def get_trending():
    kind = query_choice("type", trending.KINDS, "artworks")
    window = query_choice("window", tuple(trending.WINDOWS), "24h")
    page, per_page, offset = page_params()
    found = trending.trending_items(get_db(), current_app.config["DATABASE"], kind, window)
    if kind == "artworks":
        entries = [{"artwork_id": item["key"], "trend": _trend(item)} for item in found]
        entries = _visible_entries(entries)
        items = ranked_artworks_json(entries[offset:offset + per_page], offset)
    else:
        entries = found
        items = [{"name": item["key"], "position": offset + i, "trend": _trend(item)}
                 for i, item in enumerate(entries[offset:offset + per_page], 1)]
    return list_response(items, len(entries), page, per_page, type=kind, window=window)


def _trend(item):
    return {"recent": item["recent"], "expected": item["expected"], "growth": item["growth"]}


def require_curator():
    user_id = require_user()
    if profiles.get_account(get_db(), user_id)["role"] not in ("curator", "admin"):
        raise ApiError(403, "Only curators and admins can see and change the featured ranking's settings.")
    return user_id


class FeaturedConfigChange(Body):
    # Fields left out keep their live values; GET shows the complete config.
    config: dict
    note: Text(500) = ""
    force: bool = False
    reason: Text(1000) | None = None


class FeaturedRollback(Body):
    version: Annotated[int, Field(ge=1)]
    note: Text(500) = ""


class FeaturedPreview(Body):
    config: dict = {}


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
        raise validation_error({f"config.{_field_path(item['loc'])}": _error_message(item)
                                for item in error.errors()}) from error
    pinned = [pin.artwork_id for pin in candidate.pins]
    public = ranking.visible_artwork_ids(get_db(), pinned)
    bad = {f"config.pins.{i}.artwork_id": "is not a public artwork" for i, artwork_id in enumerate(pinned)
           if artwork_id not in public}
    if bad:
        raise validation_error(bad)
    return candidate


@api.get("/featured/config")
def get_featured_config():
    require_curator()
    return jsonify(config_version_json(ranking.live_config(get_db())))


@api.put("/featured/config")
@rate_limit("10 per minute")
def put_featured_config():
    user_id = require_curator()
    form = validated(FeaturedConfigChange)
    if form.force and not form.reason:
        raise validation_error({"reason": "is required to force a config past the offline evaluation"})
    conn = get_db()
    version, live_config = featured.live(conn)
    candidate = candidate_config(live_config, form.config)
    report = recommend_evaluation.gate(conn, current_app.config["DATABASE"], live_config, candidate,
                                       tolerance=current_app.config["FEATURED_GATE_TOLERANCE"],
                                       max_users=current_app.config["FEATURED_GATE_USERS"])
    if report["worse_on"] and not form.force:
        raise ApiError(409, f"The candidate does worse than the live config offline on {', '.join(report['worse_on'])} "
                            f"(tolerance {report['tolerance']:.0%}). Send force: true with a reason to save it anyway.",
                       problem="conflict", extensions={"evaluation": report})
    saved = ranking.save_config(conn, candidate.as_dict(), author_id=user_id, note=form.note, expected_version=version,
                                forced=bool(report["worse_on"]), reason=form.reason, evaluation=report)
    if saved is None:
        raise ApiError(409, "Another curator saved a config meanwhile: look at it and evaluate again.",
                       problem="conflict")
    return jsonify(config_version_json(saved))


@api.get("/featured/config/history")
def featured_config_history():
    require_curator()
    page, per_page, offset = page_params()
    rows, total = ranking.config_history(get_db(), limit=per_page, offset=offset)
    return list_response([config_version_json(row) for row in rows], total, page, per_page)


@api.post("/featured/config/rollback")
@rate_limit("10 per minute")
def rollback_featured_config():
    """Save an earlier version's config again, as a new version (history is never rewritten)."""
    user_id = require_curator()
    form = validated(FeaturedRollback)
    conn = get_db()
    earlier = ranking.config_version(conn, form.version)
    if earlier is None:
        raise ApiError(404, "No saved config has that version.")
    version, _ = featured.live(conn)
    note = form.note or f"rollback to version {form.version}"
    saved = ranking.save_config(conn, earlier["config"], author_id=user_id, note=note, expected_version=version,
                                rollback_of=form.version)
    if saved is None:
        raise ApiError(409, "Another curator saved a config meanwhile: look at it first.", problem="conflict")
    return jsonify(config_version_json(saved)), 201


@api.post("/featured/preview")
@rate_limit("30 per minute")
def preview_featured():
    require_curator()
    form = validated(FeaturedPreview)
    _, live_config = featured.live(get_db())
    candidate = candidate_config(live_config, form.config)
    found = featured.preview(get_db(), current_app.config["DATABASE"], candidate)
    return jsonify({"config": candidate.as_dict(), "moves": found["moves"], "dropped": found["dropped"],
                    "live": [{"artwork_id": item["artwork_id"], "score": item["score"]} for item in found["live"]],
                    "candidate": [{"artwork_id": item["artwork_id"], "score": item["score"],
                                   "score_breakdown": item["score_breakdown"]} for item in found["candidate"]]})


# --- Routes: notifications ----------------------------------------------------------------

@api.get("/notifications")
def list_notifications():
    user_id = require_user()
    page, per_page, offset = page_params()
    rows, total, unread = notifications.inbox(get_db(), user_id, unread_only=query_flag("unread", False),
                                              limit=per_page, offset=offset)
    return list_response([notification_json(row) for row in rows], total, page, per_page, unread_count=unread)


@api.post("/notifications/read")
def mark_notifications_read():
    user_id = require_user()
    form = validated(NotificationsRead)
    if form.all == (form.ids is not None):
        raise validation_error({"ids": "give the ids to mark, or all: true (not both)"})
    marked, missing = notifications.mark_read(get_db(), user_id, None if form.all else form.ids)
    return jsonify({"marked": marked, "not_found": missing,
                    "unread_count": notifications.unread_count(get_db(), user_id)})


# --- Routes: search -----------------------------------------------------------------------

SEARCH_TYPES = ("artworks", "artists", "all")
ARTISTS_BESIDE_ARTWORKS = 5


def search_index():
    return index_for(current_app.config["DATABASE"])


def _search_filters():
    filters = _artwork_filters()
    filters["location"] = request.args.get("location", "").strip()[:100] or None
    return search_engine.Filters(**filters)


def search_hit_json(hit, artwork, tags, liked, explain):
    shaped = artwork_json(artwork, tags, liked=liked)
    shaped["highlights"] = hit.highlights or None
    shaped["score"] = round(hit.score, 6)
    if explain:
        shaped["score_components"] = {name: round(value, 6) for name, value in hit.components.items()}
    return shaped


def search_hits_json(hits, explain):
    ids = [hit.artwork_id for hit in hits]
    conn = get_db()
    rows, tags = artworks.artworks_by_id(conn, ids), taxonomy.tags_of(conn, ids)
    liked = social.liked_among(conn, current_user_id(), ids)
    return [search_hit_json(hit, rows[hit.artwork_id], tags[hit.artwork_id], hit.artwork_id in liked, explain)
            for hit in hits if hit.artwork_id in rows]


def artist_hit_json(row):
    shaped = {key: row[key] for key in ("id", "username", "artist_name", "bio", "location", "profile_image_url",
                                        "follower_count", "artwork_count", "created_at")}
    shaped["specialties"] = json.loads(row["specialties"])
    shaped["highlights"] = ({"artist_name": highlight.from_fts(row["highlighted_name"])}
                            if row["highlighted_name"] else None)
    return shaped


@api.get("/search")
def search():
    page, per_page, offset = page_params()
    kind = query_choice("type", SEARCH_TYPES, "artworks")
    sort = query_choice("sort", search_engine.SORTS, "relevance")
    explain = query_flag("explain", False)
    text = request.args.get("q", "")
    if kind == "artists":
        rows, total = artist_search.search_artists(get_db(), artist_search.expression_for(text),
                                                   offset=offset, limit=per_page)
        return list_response([artist_hit_json(row) for row in rows], total, page, per_page,
                             facets=None, corrected_query=None)
    config = current_app.config["SEARCH_RANKING"]
    result = search_engine.search_artworks(
        get_db(), search_index(), text=text, filters=_search_filters(), sort=sort, offset=offset,
        limit=per_page, viewer_id=current_user_id(), config=config, with_facets=query_flag("facets", True))
    extra = {"facets": result.facets, "corrected_query": result.corrected_query}
    if kind == "all":
        artist_text = result.corrected_query or text
        rows, total = artist_search.search_artists(get_db(), artist_search.expression_for(artist_text),
                                                   limit=ARTISTS_BESIDE_ARTWORKS)
        extra.update(artists=[artist_hit_json(row) for row in rows], artists_total=total)
    if explain:
        extra["ranking"] = config.as_dict()
    return list_response(search_hits_json(result.hits, explain), result.total, page, per_page, **extra)


@api.get("/search/suggest")
def search_suggestions():
    limit = query_int("limit", 5, maximum=20)
    found = search_suggest.suggest(get_db(), request.args.get("q", ""), viewer_id=current_user_id(), limit=limit)
    items = ([{"kind": "title", **item} for item in found["titles"]]
             + [{"kind": "artist", **item} for item in found["artists"]]
             + [{"kind": "tag", **item} for item in found["tags"]]
             + [{"kind": "category", **item} for item in found["categories"]])
    return list_response(items, len(items), 1, limit)


# --- Routes: visual search, similar art and copyright ------------------------------------

MAX_MATCHES = 50


def _stored_probe(artwork, required=True):
    """A copy-detection probe of an artwork's stored original; without its file, 409 (or None
    when not `required`: the change that asked for it has been made already)."""
    try:
        data = media().read(artwork["image_path"])
        return imaging.probe(data, max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    except (OSError, imaging.ImageRejected) as error:
        if not required:
            log.warning("no copy check for %s: %s", artwork["id"], error)
            return None
        raise ApiError(409, "This artwork's image file cannot be read for comparison.") from error


def _summaries(artwork_ids):
    found = artworks.artworks_by_id(get_db(), list(artwork_ids))
    return {artwork_id: artwork_summary_json(artwork) for artwork_id, artwork in found.items()}


@api.post("/search/image")
@rate_limit("30 per minute")
def search_by_image():
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "Send the image as multipart/form-data in image_file.")
    upload = request.files.get("image_file")
    data = upload.read() if upload else b""
    if not data:
        raise validation_error({"image_file": "is required"})
    limit = query_int("limit", 20, maximum=MAX_MATCHES)
    try:
        probe = imaging.probe(data, max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    except imaging.ImageRejected as rejected:
        raise ApiError(rejected.status, str(rejected), errors={"image_file": str(rejected)}) from rejected
    duplicates, similar = visual.image_search(get_db(), current_app.config["DATABASE"], probe,
                                              viewer_id=current_user_id(), limit=limit)
    shown = _summaries([a for a, _, _ in duplicates] + [a for a, _ in similar])
    return jsonify({
        "duplicates": [{"artwork": shown[a], "score": round(score, 4), "evidence": evidence}
                       for a, score, evidence in duplicates if a in shown],
        "similar": [{"artwork": shown[a], "score": score} for a, score in similar if a in shown],
        "threshold": copies.COPY_THRESHOLD,
    })


@api.get("/artworks/<artwork_id>/similar")
def similar_artworks(artwork_id):
    viewer_id = current_user_id()
    _visible_artwork_or_404(artwork_id, viewer_id)
    mode = query_choice("mode", similar_art.MODES, "mixed")
    limit = query_int("limit", 20, maximum=MAX_MATCHES)
    found = similar_art.similar_artworks(get_db(), current_app.config["DATABASE"], artwork_id, mode=mode,
                                         viewer_id=viewer_id, limit=limit)
    shown = _summaries([a for a, _, _ in found])
    items = [{"artwork": shown[a], "score": score, "components": parts} for a, score, parts in found if a in shown]
    return list_response(items, len(items), 1, limit, mode=mode)


@api.get("/artworks/<artwork_id>/copies")
def artwork_copies(artwork_id):
    artwork = _own_artwork(artwork_id, action="see the copies of")
    found = visual.copies_by_others(get_db(), current_app.config["DATABASE"], _stored_probe(artwork),
                                    artwork["artist_id"], limit=MAX_MATCHES)
    shown = _summaries([a for a, _, _ in found])
    items = [{"artwork": shown[a], "score": round(score, 4), "evidence": evidence}
             for a, score, evidence in found if a in shown]
    return list_response(items, len(items), 1, MAX_MATCHES, threshold=copies.COPY_THRESHOLD)


def copy_alert_json(alert, shown):
    return {"id": alert["id"], "status": alert["status"], "score": alert["score"], "evidence": alert["evidence"],
            "original": shown.get(alert["original_id"]), "copy": shown.get(alert["artwork_id"]),
            "note": alert["note"], "created_at": alert["created_at"], "resolved_at": alert["resolved_at"]}


@api.get("/copyright/alerts")
def list_copy_alerts():
    user_id = require_user()
    page, per_page, offset = page_params()
    status = query_choice("status", copyright.STATUSES)
    alerts, total = copyright.alerts_for(get_db(), user_id, status=status, limit=per_page, offset=offset)
    shown = _summaries({a["original_id"] for a in alerts} | {a["artwork_id"] for a in alerts})
    return list_response([copy_alert_json(a, shown) for a in alerts], total, page, per_page)


class AlertResolution(Body):
    status: Literal[copyright.RESOLUTIONS]
    note: Text(1000) | None = None


@api.put("/copyright/alerts/<alert_id>")
def resolve_copy_alert(alert_id):
    user_id = require_user()
    alert = copyright.get_alert(get_db(), alert_id)
    if alert is None or alert["artist_id"] != user_id:
        raise ApiError(404, "No copy alert of yours has that id.")
    body = validated(AlertResolution)
    with store.transaction(get_db()):
        alert = copyright.resolve(get_db(), alert_id, body.status, body.note)
    shown = _summaries([alert["original_id"], alert["artwork_id"]])
    return jsonify(copy_alert_json(alert, shown))


# --- Routes: galleries --------------------------------------------------------------------

def _artwork_cards(artwork_ids):
    shown = _summaries(artwork_ids)
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


def gallery_detail_json(gallery_id, viewer_id):
    gallery = galleries.get_gallery(get_db(), gallery_id)
    page, per_page, offset = page_params()
    placed = galleries.gallery_artworks(get_db(), gallery_id, viewer_id, limit=per_page, offset=offset)
    rows = artworks.artworks_by_id(get_db(), [artwork_id for _, artwork_id, _ in placed])
    shaped = artworks_json([rows[artwork_id] for _, artwork_id, _ in placed])
    items = [{**work, "position": position, "added_at": added_at}
             for work, (position, _, added_at) in zip(shaped, placed, strict=True)]
    statistics = galleries.statistics(get_db(), gallery, viewer_id)
    total = statistics["artwork_count"]  # one count of the visible works serves all three places
    return {**gallery_json(gallery, viewer_id, total), "statistics": statistics,
            "artworks": {"items": items, "total": total, "page": page, "per_page": per_page}}


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


@api.get("/galleries")
def list_galleries():
    viewer_id = current_user_id()
    artist_id = request.args.get("artist_id") or viewer_id
    if artist_id is None:
        raise ApiError(401, "Sign in to list your galleries, or pass artist_id.",
                       headers={"WWW-Authenticate": 'Cookie realm="easel"'})
    _account_or_404(artist_id)
    page, per_page, offset = page_params()
    visibility = query_choice("visibility", galleries.VISIBILITIES)
    rows, total = galleries.list_galleries(get_db(), artist_id=artist_id, viewer_id=viewer_id,
                                           visibility=visibility, limit=per_page, offset=offset)
    return list_response([gallery_json(row, viewer_id) for row in rows], total, page, per_page)


@api.post("/galleries")
@rate_limit("30 per minute")
def create_gallery():
    user_id = require_user()
    form = validated(GalleryCreate)
    if form.cover_artwork_id is not None:
        _showable_artwork(form.cover_artwork_id, user_id, "cover_artwork_id")
    gallery_id = galleries.create_gallery(get_db(), user_id, form.model_dump())
    return jsonify(gallery_detail_json(gallery_id, user_id)), 201, {"Location": f"/api/galleries/{gallery_id}"}


@api.get("/galleries/<gallery_id>")
def get_gallery(gallery_id):
    viewer_id = current_user_id()
    gallery = _gallery_or_404(gallery_id, viewer_id)
    if viewer_id != gallery["artist_id"]:
        galleries.record_view(get_db(), gallery_id, viewer_key(viewer_id))
    return jsonify(gallery_detail_json(gallery_id, viewer_id))


@api.put("/galleries/<gallery_id>")
def update_gallery(gallery_id):
    gallery = _own_gallery(gallery_id)
    changes = given(validated(GalleryFields))
    empty = {field: "cannot be empty" for field in ("name", "visibility")
             if field in changes and changes[field] is None}
    if empty:
        raise validation_error(empty)
    try:
        galleries.update_gallery(get_db(), gallery_id, changes)
    except galleries.GalleryError as error:
        raise _gallery_change_refused(error) from error
    return jsonify(gallery_detail_json(gallery_id, gallery["artist_id"]))


@api.delete("/galleries/<gallery_id>")
def delete_gallery(gallery_id):
    _own_gallery(gallery_id)
    galleries.delete_gallery(get_db(), gallery_id)
    return jsonify({"deleted": True, "id": gallery_id})


@api.post("/galleries/<gallery_id>/artworks")
def add_to_gallery(gallery_id):
    gallery = _own_gallery(gallery_id)
    form = validated(GalleryPlacement)
    _showable_artwork(form.artwork_id, gallery["artist_id"], "artwork_id")
    try:
        position = galleries.add_artwork(get_db(), gallery_id, form.artwork_id, form.position)
    except galleries.GalleryError as error:
        raise _gallery_change_refused(error) from error
    body = {**gallery_detail_json(gallery_id, gallery["artist_id"]),
            "added": {"artwork_id": form.artwork_id, "position": position}}
    return jsonify(body), 201


@api.put("/galleries/<gallery_id>/artworks/<artwork_id>")
def move_in_gallery(gallery_id, artwork_id):
    gallery = _own_gallery(gallery_id)
    form = validated(GalleryMove)
    try:
        galleries.move_artwork(get_db(), gallery_id, artwork_id, form.position)
    except LookupError as missing:
        raise ApiError(404, "That artwork is not in this gallery.") from missing
    except galleries.GalleryError as error:
        raise _gallery_change_refused(error) from error
    return jsonify(gallery_detail_json(gallery_id, gallery["artist_id"]))


@api.delete("/galleries/<gallery_id>/artworks/<artwork_id>")
def remove_from_gallery(gallery_id, artwork_id):
    gallery = _own_gallery(gallery_id)
    if not galleries.remove_artwork(get_db(), gallery_id, artwork_id):
        raise ApiError(404, "That artwork is not in this gallery.")
    return jsonify({"removed": True, "gallery_id": gallery_id, "artwork_id": artwork_id,
                    "artwork_count": galleries.visible_count(get_db(), gallery_id, gallery["artist_id"])})


# --- Routes: exhibitions and submissions --------------------------------------------------

def exhibition_json(exhibition, viewer_id, *, detail=False):
    shaped = {key: exhibition[key] for key in (
        "id", "title", "description", "submission_deadline", "exhibition_start", "exhibition_end", "location",
        "requirements", "rules", "submission_fee", "currency")}
    shaped["online"] = exhibition["location"].lower() == exhibitions.ONLINE
    shaped["status"] = exhibition["phase"]
    shaped["accepting_submissions"] = exhibition["phase"] == "open"
    shaped.update(submission_count=exhibition["submission_count"], accepted_count=exhibition["accepted_count"],
                  organizer=person_json(exhibition, "organizer_"), created_at=exhibition["created_at"])
    if detail:
        mine = viewer_id and exhibitions.submission_of(get_db(), exhibition["id"], viewer_id)
        shaped["my_submission"] = submission_json(mine) if mine else None
        shaped["artworks"] = _virtual_exhibition(exhibition, viewer_id)
    return shaped


def _virtual_exhibition(exhibition, viewer_id):
    """The accepted works, once the exhibition has opened; None before."""
    if exhibition["phase"] not in ("current", "past"):
        return None
    page, per_page, offset = page_params()
    ids, total = exhibitions.accepted_artworks(get_db(), exhibition["id"], viewer_id, limit=per_page, offset=offset)
    rows = artworks.artworks_by_id(get_db(), ids)
    return {"items": artworks_json([rows[i] for i in ids if i in rows]), "total": total, "page": page,
            "per_page": per_page}


def submission_json(submission):
    shown = _summaries(submission["artwork_ids"])
    return {"id": submission["id"], "exhibition_id": submission["exhibition_id"],
            "artist": person_json(submission, "artist_"),
            "artwork_ids": submission["artwork_ids"],
            "artworks": [shown[i] for i in submission["artwork_ids"] if i in shown],
            "artist_statement": submission["artist_statement"], "status": submission["status"],
            "screening": submission["screening"] or None, "review_note": submission["review_note"],
            "reviewed_at": submission["reviewed_at"], "submitted_at": submission["submitted_at"],
            "updated_at": submission["updated_at"]}


def _exhibition_or_404(exhibition_id):
    exhibition = exhibitions.get_exhibition(get_db(), exhibition_id)
    if exhibition is None:
        raise ApiError(404, "No exhibition has that id.")
    return exhibition


def _check_exhibition(form):
    errors = {}
    if form.submission_deadline < store.utc_today():
        errors["submission_deadline"] = "must not be in the past"
    if form.exhibition_start < form.submission_deadline:
        errors["exhibition_start"] = "must be on or after the submission deadline"
    if form.exhibition_end < form.exhibition_start:
        errors["exhibition_end"] = "must be on or after the exhibition start"
    for index, category_id in enumerate(form.rules.allowed_category_ids or []):
        if taxonomy.get_category(get_db(), category_id) is None:
            errors[f"rules.allowed_category_ids.{index}"] = "must be the id of an existing category"
    if errors:
        raise validation_error(errors)


@api.post("/exhibitions")
@rate_limit("20 per minute")
def create_exhibition():
    user_id = require_user()
    form = validated(ExhibitionCreate)
    _check_exhibition(form)
    fields = form.model_dump()
    fields["rules"] = form.rules.model_dump(exclude_none=True)
    exhibition_id = exhibitions.create_exhibition(get_db(), user_id, fields)
    body = exhibition_json(exhibitions.get_exhibition(get_db(), exhibition_id), user_id, detail=True)
    return jsonify(body), 201, {"Location": f"/api/exhibitions/{exhibition_id}"}


@api.get("/exhibitions")
def list_exhibitions():
    page, per_page, offset = page_params()
    phase = query_choice("status", exhibitions.PHASES)
    rows, total = exhibitions.list_exhibitions(get_db(), phase=phase, limit=per_page, offset=offset)
    return list_response([exhibition_json(row, current_user_id()) for row in rows], total, page, per_page)


@api.get("/exhibitions/<exhibition_id>")
def get_exhibition(exhibition_id):
    return jsonify(exhibition_json(_exhibition_or_404(exhibition_id), current_user_id(), detail=True))


def _open_for_entries(exhibition):
    if exhibition["phase"] != "open":
        raise ApiError(409, f"Submissions closed at the end of {exhibition['submission_deadline']} (UTC).",
                       title="Deadline passed", problem="conflict")


def _submittable_works(artwork_ids, user_id, rules):
    """The artist's own, non-private works, in the order given; every bad id is reported."""
    limit = rules.get("max_artworks_per_artist")
    if limit and len(artwork_ids) > limit:
        raise validation_error({"artwork_ids": f"this exhibition takes at most {limit} artworks per artist"})
    found = artworks.artworks_by_id(get_db(), artwork_ids)
    errors = {}
    for index, artwork_id in enumerate(artwork_ids):
        work = found.get(artwork_id)
        if work is None or work["artist_id"] != user_id:
            errors[f"artwork_ids.{index}"] = "must be one of your artworks"
        elif work["availability_status"] == "private":
            errors[f"artwork_ids.{index}"] = "is private; make it public to submit it"
    if errors:
        raise validation_error(errors)
    return [found[artwork_id] for artwork_id in artwork_ids]


def _screen(exhibition, works):
    """The screening report: read each original for the copy check first, then compare."""
    probes = {work["id"]: _stored_probe(work, required=False) if work["image_path"] else None for work in works}
    return screening.screen_submission(get_db(), current_app.config["DATABASE"], exhibition["rules"], works, probes)


@api.post("/exhibitions/<exhibition_id>/submit")
@rate_limit("20 per minute")
def submit_to_exhibition(exhibition_id):
    user_id = require_user()
    exhibition = _exhibition_or_404(exhibition_id)
    if exhibition["organizer_id"] == user_id:
        raise ApiError(403, "Organisers cannot submit to their own exhibition.")
    _open_for_entries(exhibition)
    form = validated(SubmissionCreate)
    if exhibitions.submission_of(get_db(), exhibition_id, user_id) is not None:
        raise _already_submitted()
    works = _submittable_works(form.artwork_ids, user_id, exhibition["rules"])
    try:
        submission_id = exhibitions.create_submission(get_db(), exhibition_id, user_id, form.artwork_ids,
                                                      form.artist_statement, _screen(exhibition, works))
    except exhibitions.AlreadySubmitted as taken:
        raise _already_submitted() from taken
    body = submission_json(exhibitions.get_submission(get_db(), submission_id))
    return jsonify(body), 201, {"Location": f"/api/exhibitions/{exhibition_id}/submissions/{submission_id}"}


def _already_submitted():
    return ApiError(409, "You have submitted to this exhibition already; edit that submission instead.",
                    title="Already submitted", problem="conflict")


def _organised_exhibition(exhibition_id):
    user_id = require_user()
    exhibition = _exhibition_or_404(exhibition_id)
    if exhibition["organizer_id"] != user_id:
        raise ApiError(403, "Only the exhibition's organiser can see its submissions.")
    return exhibition


@api.get("/exhibitions/<exhibition_id>/submissions")
def list_submissions(exhibition_id):
    _organised_exhibition(exhibition_id)
    page, per_page, offset = page_params()
    status = query_choice("status", ("submitted", *exhibitions.REVIEW_STATUSES))
    rows, total = exhibitions.list_submissions(get_db(), exhibition_id, status=status, limit=per_page, offset=offset)
    return list_response([submission_json(row) for row in rows], total, page, per_page)


def _submission_and_role(exhibition_id, submission_id):
    """(exhibition, submission, 'organiser' or 'artist'); 404 for anyone else."""
    user_id = require_user()
    exhibition = _exhibition_or_404(exhibition_id)
    submission = exhibitions.get_submission(get_db(), submission_id)
    if submission is None or submission["exhibition_id"] != exhibition_id:
        raise ApiError(404, "No submission to this exhibition has that id.")
    if user_id == exhibition["organizer_id"]:
        return exhibition, submission, "organiser"
    if user_id == submission["artist_id"]:
        return exhibition, submission, "artist"
    raise ApiError(404, "No submission to this exhibition has that id.")


@api.get("/exhibitions/<exhibition_id>/submissions/<submission_id>")
def get_submission(exhibition_id, submission_id):
    _, submission, _ = _submission_and_role(exhibition_id, submission_id)
    return jsonify(submission_json(submission))


def _editable_submission(exhibition, submission):
    _open_for_entries(exhibition)
    if submission["status"] != "submitted":
        raise ApiError(409, f"The organiser has {submission['status']} this submission already.",
                       problem="conflict")


@api.put("/exhibitions/<exhibition_id>/submissions/<submission_id>")
def update_submission(exhibition_id, submission_id):
    exhibition, submission, role = _submission_and_role(exhibition_id, submission_id)
    if role == "organiser":
        form = validated(SubmissionReview)
        exhibitions.review_submission(get_db(), submission, form.status, form.note, exhibition["organizer_id"],
                                      exhibition["title"])
    else:
        _editable_submission(exhibition, submission)
        changes = given(validated(SubmissionEdit))
        if changes.get("artwork_ids", submission["artwork_ids"]) is None:
            raise validation_error({"artwork_ids": "cannot be empty"})
        report = None
        if "artwork_ids" in changes:
            works = _submittable_works(changes["artwork_ids"], submission["artist_id"], exhibition["rules"])
            report = _screen(exhibition, works)
        exhibitions.edit_submission(get_db(), submission_id, changes, report)
    return jsonify(submission_json(exhibitions.get_submission(get_db(), submission_id)))


@api.delete("/exhibitions/<exhibition_id>/submissions/<submission_id>")
def withdraw_submission(exhibition_id, submission_id):
    exhibition, submission, role = _submission_and_role(exhibition_id, submission_id)
    if role != "artist":
        raise ApiError(403, "Only the artist can withdraw a submission; the organiser can reject it.")
    _editable_submission(exhibition, submission)
    exhibitions.withdraw_submission(get_db(), submission_id)
    return jsonify({"deleted": True, "id": submission_id})


# --- Routes: commissions ------------------------------------------------------------------

def commission_json(commission, viewer_id, *, detail=False):
    role = commissions.role_of(commission, viewer_id)
    client = person_json(commission, "client_")
    if client is not None and role == "artist":  # what the artist needs to reach and place the client
        client.update(contact_info=commission["client_contact_info"], location=commission["client_location"])
    shaped = {key: commission[key] for key in ("id", "title", "description", "budget", "currency", "deadline",
                                               "status", "completion_date")}
    shaped.update(client=client, artist=person_json(commission, "artist_"), role=role,
                  allowed_statuses=commissions.allowed_moves(commission["status"], role),
                  progress_notes=json.loads(commission["progress_notes"] or "[]"),
                  created_at=commission["created_at"], updated_at=commission["updated_at"])
    if detail:
        shaped["events"] = [{"id": event["id"], "kind": event["kind"], "note": event["note"],
                             "actor": person_json(event, "actor_"), "created_at": event["created_at"]}
                            for event in commissions.events_of(get_db(), commission["id"])]
    return shaped


def _commissioned_artist(artist_id, client_id):
    account = profiles.get_account(get_db(), artist_id)
    if account is None or account["account_type"] != "artist":
        raise validation_error({"artist_id": "must be the id of an artist"})
    if artist_id == client_id:
        raise validation_error({"artist_id": "you cannot commission yourself"})
    if not profiles.get_settings(get_db(), artist_id)["open_for_commissions"]:
        raise ApiError(409, f"{account['artist_name']} is not taking commissions at the moment.",
                       title="Not open for commissions", problem="conflict")


@api.post("/commissions")
@rate_limit("20 per minute")
def create_commission():
    user_id = require_user()
    form = validated(CommissionCreate)
    if form.deadline <= store.utc_today():
        raise validation_error({"deadline": "must be in the future"})
    _commissioned_artist(form.artist_id, user_id)
    fields = form.model_dump(exclude={"artist_id"})
    commission_id = commissions.create_commission(get_db(), user_id, form.artist_id, fields)
    body = commission_json(commissions.get_commission(get_db(), commission_id), user_id, detail=True)
    return jsonify(body), 201, {"Location": f"/api/commissions/{commission_id}"}


@api.get("/commissions")
def list_commissions():
    user_id = require_user()
    page, per_page, offset = page_params()
    role = query_choice("role", commissions.ROLES)
    status = query_choice("status", commissions.STATUSES)
    rows, total = commissions.list_commissions(get_db(), user_id, role=role, status=status, limit=per_page,
                                               offset=offset)
    return list_response([commission_json(row, user_id) for row in rows], total, page, per_page)


def _party_commission(commission_id):
    user_id = require_user()
    commission = commissions.get_commission(get_db(), commission_id)
    if commission is None or commissions.role_of(commission, user_id) is None:
        raise ApiError(404, "No commission of yours has that id.")
    return user_id, commission


@api.get("/commissions/<commission_id>")
def get_commission(commission_id):
    user_id, commission = _party_commission(commission_id)
    return jsonify(commission_json(commission, user_id, detail=True))


def _check_commission_update(form, commission):
    errors = {}
    if form.status is None and form.progress_notes is None:
        errors["status"] = "give a new status, progress_notes to add, or both"
    if form.status == "cancelled" and form.reason is None:
        errors["reason"] = "is required to cancel"
    if form.reason is not None and form.status != "cancelled":
        errors["reason"] = "goes with status cancelled only"
    if form.completion_date is not None:
        if form.status != "completed":
            errors["completion_date"] = "goes with status completed only"
        elif not commission["created_at"][:10] <= form.completion_date <= store.utc_today():
            errors["completion_date"] = "must be between the request date and today"
    if errors:
        raise validation_error(errors)


@api.put("/commissions/<commission_id>")
@rate_limit("60 per minute")
def update_commission(commission_id):
    user_id, commission = _party_commission(commission_id)
    form = validated(CommissionUpdate)
    _check_commission_update(form, commission)
    try:
        commissions.update_commission(get_db(), commission_id, user_id, status=form.status, note=form.progress_notes,
                                      reason=form.reason, completion_date=form.completion_date)
    except commissions.MoveRefused as refused:
        raise _move_refused(refused) from refused
    return jsonify(commission_json(commissions.get_commission(get_db(), commission_id), user_id, detail=True))


def _move_refused(refused):
    allowed = ", ".join(refused.allowed) or "none (it is closed)"
    if refused.forbidden_role:
        return ApiError(403, f"Only the artist can move a commission to {refused.wanted}.")
    return ApiError(409, f"A commission that is {refused.current} cannot become {refused.wanted}; "
                         f"you may move it to: {allowed}.", title="Not allowed from this status",
                    problem="conflict", errors={"status": f"must be one of: {allowed}"})


# --- Routes: artist analytics -------------------------------------------------------------

def _top_artworks_json(top, totals):
    shown = _summaries({artwork_id for ranked in top.values() for artwork_id, _ in ranked})
    return {name: [{"artwork": shown[artwork_id], "count": count,
                    "likes_per_view": analytics.conversion(totals[artwork_id]["likes"], totals[artwork_id]["views"])}
                   for artwork_id, count in ranked if artwork_id in shown]
            for name, ranked in top.items()}


@api.get("/artists/<artist_id>/analytics")
def artist_analytics(artist_id):
    user_id = require_user()
    _account_or_404(artist_id)
    if user_id != artist_id:
        raise ApiError(403, "Only the artist can see their analytics.")
    days = int(query_choice("days", tuple(str(days) for days in analytics.WINDOWS), "30"))
    conn = get_db()
    series = analytics.daily_series(conn, artist_id, days)
    totals = {name: sum(point["count"] for point in points) for name, points in series.items()}
    per_artwork = analytics.artwork_totals(conn, artist_id, days)
    return jsonify({
        "artist_id": artist_id, "days": days, "from": series["views"][0]["date"], "to": series["views"][-1]["date"],
        "totals": totals,
        "conversion": {"views": totals["views"], "likes": totals["likes"],
                       "likes_per_view": analytics.conversion(totals["likes"], totals["views"])},
        "series": series,
        "top_artworks": _top_artworks_json(analytics.top_artworks(per_artwork), per_artwork),
        "galleries": analytics.gallery_views(conn, artist_id, days),
        "commissions": commissions.outcomes_for(conn, artist_id),
        "exhibitions": exhibitions.outcomes_for(conn, artist_id),
    })


# --- Command line -------------------------------------------------------------------------

@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database or bring its schema up to date (safe to run again)."""
    version = store.initialise(current_app.config["DATABASE"])
    click.echo(f"Database ready at {current_app.config['DATABASE']} (schema version {version}).")


@click.command("grant-role")
@click.argument("username")
@click.argument("role", type=click.Choice(accounts.ROLES))
@with_appcontext
def grant_role_command(username, role):
    """Give USERNAME the ROLE user, curator or admin."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        if not accounts.grant_role(conn, username, role):
            raise click.ClickException(f"no account named {username!r}")
    finally:
        conn.close()
    click.echo(f"{username} is now {role}.")


@click.command("import-images")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--artist", "username", required=True, help="Username of the artist who owns the works.")
@click.option("--availability", type=click.Choice(artworks.AVAILABILITY), default="available", show_default=True)
@with_appcontext
def import_images_command(directory, username, availability):
    """Create one artwork per image file in DIRECTORY (titles come from the file names)."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        artist = accounts.find_credentials(conn, username)
        if artist is None:
            raise click.ClickException(f"no account named {username!r}")
        paths = sorted(path for path in directory.iterdir() if path.is_file() and not path.name.startswith("."))
        created, refused = 0, []
        for path in tqdm(paths, desc="Importing", unit="image"):
            title = artworks.title_from_filename(path.name)
            try:
                artworks.ingest(conn, MediaStore(current_app.config["MEDIA_DIR"]), artist["id"], path.read_bytes(),
                                {"title": title, "availability_status": availability}, [],
                                max_pixels=current_app.config["MAX_IMAGE_PIXELS"],
                                on_write=lambda c, artwork_id, _: tfidf.describe_artwork(c, artwork_id))
                created += 1
            except imaging.ImageRejected as rejected:
                refused.append(f"{path.name}: {rejected}")
    finally:
        conn.close()
    for line in refused:
        click.echo(f"skipped {line}", err=True)
    click.echo(f"Imported {created} of {len(paths)} files for {username}.")


@click.command("check-counters")
@click.option("--fix", is_flag=True, help="Set every wrong counter to the count of its rows.")
@with_appcontext
def check_counters_command(fix):
    """Report counters that disagree with the rows they count; exits 1 if any is left wrong."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        wrong = counters.check(conn)
        for name, rows in wrong.items():
            examples = ", ".join(f"{row_id}: {stored} -> {actual}" for row_id, stored, actual in rows[:5])
            click.echo(f"{name}: {len(rows)} wrong ({examples}{', ...' if len(rows) > 5 else ''})" if rows
                       else f"{name}: ok")
        total = sum(len(rows) for rows in wrong.values())
        if fix and total:
            fixed = sum(counters.fix(conn).values())
            click.echo(f"Fixed {fixed} counter{'s' * (fixed != 1)}.")
    finally:
        conn.close()
    if total and not fix:
        raise SystemExit(1)


def _ranking_option(value):
    """--config/--compare: live (SEARCH_RANKING), a named configuration (default, plain) or a JSON file."""
    if value == "live":
        return current_app.config["SEARCH_RANKING"]
    if value in search_ranking.NAMED:
        return search_ranking.NAMED[value]
    try:
        return RankingConfig.from_json(Path(value).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise click.BadParameter(f"{value}: {error}") from error


@click.command("reindex")
@with_appcontext
def reindex_command():
    """Refit TF-IDF, rebuild the full-text indexes and fingerprint any image without one."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        missing, files = artworks.without_fingerprint(conn), MediaStore(current_app.config["MEDIA_DIR"])
        for artwork_id, image_path in tqdm(missing, desc="Fingerprints", unit="image", disable=not missing):
            artworks.add_fingerprint(conn, files, artwork_id, image_path,
                                     max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
        started = time.perf_counter()
        stats = tfidf.reindex(conn, progress=lambda rows: tqdm(rows, desc="Keywords", unit="work"))
        seconds = time.perf_counter() - started
    finally:
        conn.close()
    click.echo(f"Indexed {stats['documents']} artworks ({stats['vocabulary']} TF-IDF terms) and "
               f"{stats['artists']} accounts in {seconds:.1f} s "
               f"({stats['documents'] / seconds if seconds else 0:,.0f} artworks/s).")


@click.group("evaluate")
def evaluate_group():
    """Offline evaluation of rankings."""


@evaluate_group.command("search")
@click.option("--qrels", required=True, type=click.Path(exists=True, dir_okay=False),
              help="TREC qrels: query_id 0 artwork_id relevance.")
@click.option("--queries", type=click.Path(exists=True, dir_okay=False),
              help="query_id<TAB>text per line. Default: the qrels path with .queries for its suffix.")
@click.option("--run-out", type=click.Path(dir_okay=False), help="Write the run (TREC format) here.")
@click.option("--config", "config_name", default="live", show_default=True,
              help="live (SEARCH_RANKING), default, plain, or a JSON file of ranking settings.")
@click.option("--compare", "compare_name", help="A second configuration to show side by side.")
@click.option("--verbose", is_flag=True, help="Print each query's measures too.")
@with_appcontext
def evaluate_search_command(qrels, queries, run_out, config_name, compare_name, verbose):
    """Run every judged query against the live index and print NDCG@10, MAP, MRR and Recall@100."""
    queries_path = Path(queries) if queries else Path(qrels).with_suffix(".queries")
    if not queries_path.exists():
        raise click.BadParameter(f"{queries_path} not found; give --queries", param_hint="--queries")
    configs = {config_name: _ranking_option(config_name)}
    if compare_name:
        configs[compare_name + (" " if compare_name == config_name else "")] = _ranking_option(compare_name)
    judged, texts = evaluation.read_qrels(qrels), evaluation.read_queries(queries_path)
    conn = store.connect(current_app.config["DATABASE"])
    try:
        results = {label: evaluation.evaluate(conn, search_index(), texts, judged, config)
                   for label, config in configs.items()}
    finally:
        conn.close()
    first = next(iter(results.values()))
    click.echo(f"{len(first.per_query)} queries, {len(judged)} judgements")
    if verbose:
        for label, result in results.items():
            click.echo(f"\n{label}:")
            for query_id, values in result.per_query.items():
                click.echo(f"  {query_id:<14}" + "  ".join(f"{name} {value:.3f}" for name, value in values.items())
                           + f"  {texts[query_id]!r}")
    click.echo("")
    for line in evaluation.table(results):
        click.echo(line)
    if run_out:
        evaluation.write_run(first.run, run_out, tag=config_name)
        click.echo(f"Run written to {run_out}")


def _featured_config_option(path):
    """A FeaturedConfig from a JSON file of settings laid over the defaults."""
    try:
        changes = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(changes, dict):
            raise ValueError("the file must hold a JSON object")
        return recommend.config.merged(FeaturedConfig(), changes)
    except (OSError, ValueError) as error:  # pydantic's ValidationError is a ValueError
        raise click.BadParameter(f"{path}: {error}", param_hint="--config") from error


def _print_ranking_evaluation(results, users):
    click.echo(f"{users} users, each with their latest like held out (leave-last-out)")
    click.echo("")
    for line in recommend_evaluation.table(results):
        click.echo(line)


@evaluate_group.command("featured")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="A JSON file of featured settings (laid over the defaults) to compare with the live config.")
@click.option("--users", type=click.IntRange(min=1), default=recommend_evaluation.DEFAULT_USERS, show_default=True,
              help="Users to hold out (a seeded sample when there are more).")
@click.option("--seed", type=int, default=0, show_default=True)
@with_appcontext
def evaluate_featured_command(config_path, users, seed):
    """Hit rate and NDCG at 10, coverage, artist Gini and novelty of the featured list, against
    a popularity baseline (and a candidate config with --config)."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        _, live_config = featured.live(conn)
        configs = {"live": live_config}
        if config_path:
            configs["candidate"] = _featured_config_option(config_path)
        results, held_out = recommend_evaluation.evaluate_featured(conn, current_app.config["DATABASE"], configs,
                                                                   max_users=users, seed=seed)
    finally:
        conn.close()
    _print_ranking_evaluation(results, held_out)


@evaluate_group.command("feed")
@click.option("--users", type=click.IntRange(min=1), default=recommend_evaluation.DEFAULT_USERS, show_default=True,
              help="Users to hold out (a seeded sample when there are more).")
@click.option("--seed", type=int, default=0, show_default=True)
@with_appcontext
def evaluate_feed_command(users, seed):
    """The personal feed's figures beside featured and a popularity baseline (leave-last-out)."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        _, live_config = featured.live(conn)
        results, held_out = recommend_evaluation.evaluate_feed(conn, current_app.config["DATABASE"], live_config,
                                                               max_users=users, seed=seed)
    finally:
        conn.close()
    _print_ranking_evaluation(results, held_out)


@click.command("simulate")
@click.option("--users", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--sessions", type=click.IntRange(min=1), default=30, show_default=True,
              help="Mean sessions per reader.")
@click.option("--days", type=click.IntRange(min=1), default=60, show_default=True,
              help="Spread the sessions over this many past days.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--spread-uploads", is_flag=True,
              help="First spread the works' publication times over the first half of the window (for a "
                   "freshly imported catalogue, whose works all arrived at once). Rewrites created_at.")
@with_appcontext
def simulate_command(users, sessions, days, seed, spread_uploads):
    """Add SYNTHETIC readers (sim_NNNNN) with hidden tastes who view, like and follow the works in
    the database, for offline evaluation before real logs exist. Not for a live site."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        result = simulate.simulate(conn, users=users, sessions=sessions, days=days, seed=seed,
                                   spread_uploads=spread_uploads,
                                   progress=lambda items: tqdm(items, desc="Simulating", unit="reader"))
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    finally:
        conn.close()
    click.echo(f"Simulated {len(result.users)} readers: {result.views} page views, {result.likes} likes, "
               f"{result.follows} follows.")
    if not result.views:
        click.echo("No work was published before the sessions: pass --spread-uploads for an imported catalogue.")


@click.group("rankings")
def rankings_group():
    """Featured and trending lists."""


@rankings_group.command("refresh")
@with_appcontext
def refresh_rankings_command():
    """Compute the current period's featured and trending lists ahead of the first visitor
    (run from a scheduler, e.g. every hour)."""
    conn = store.connect(current_app.config["DATABASE"])
    database = current_app.config["DATABASE"]
    try:
        for kind in FEATURED_TYPES:
            started = time.perf_counter()
            listing = featured.featured_list(conn, database, f"featured_{kind}")
            click.echo(f"featured {kind}: {len(listing.items)} items for the period from {listing.period_start} "
                       f"({time.perf_counter() - started:.2f} s)")
        for kind in trending.KINDS:
            for window in trending.WINDOWS:
                started = time.perf_counter()
                items = trending.trending_items(conn, database, kind, window)
                click.echo(f"trending {kind} {window}: {len(items)} items ({time.perf_counter() - started:.2f} s)")
    finally:
        conn.close()


@click.command("import-catalog")
@click.argument("csv_path", metavar="CSV", type=click.Path(exists=True, dir_okay=False))
@click.option("--limit", type=click.IntRange(min=1), help="Import only the first N records.")
@click.option("--no-subject-tags", is_flag=True, help="Leave subjects out of the index (for evaluation).")
@click.option("--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
              help="Processes for the image pipeline.")
@with_appcontext
def import_catalog_command(csv_path, limit, no_subject_tags, workers):
    """Load a museum-style catalogue (title, artist, medium, year, dimensions, subjects) as artworks
    with generated placeholder images, then reindex."""
    try:
        rows = catalog.read_catalogue(csv_path)[:limit]
    except catalog.CatalogueError as error:
        raise click.ClickException(str(error)) from error
    conn = store.connect(current_app.config["DATABASE"])
    try:
        created = catalog.import_catalogue(
            conn, MediaStore(current_app.config["MEDIA_DIR"]), rows, subjects_as_tags=not no_subject_tags,
            workers=workers, progress=lambda items: tqdm(items, total=len(rows), desc="Importing", unit="work"))
        stats = tfidf.reindex(conn)
    finally:
        conn.close()
    click.echo(f"Imported {len(created)} artworks; index holds {stats['documents']} artworks.")


# --- Application factory ------------------------------------------------------------------

def create_app(config=None):
    """Build the app from the environment, with `config` overriding any setting (tests use it)."""
    settings = {**load_config(), **(config or {})}
    app = Flask(__name__)
    app.json.sort_keys = False  # keep fields in the order the response shapers give them
    app.config.update(settings)
    app.config["DATABASE"] = settings["DATABASE"] or str(Path(settings["DATA_DIR"]) / "easel.sqlite3")
    app.config["MEDIA_DIR"] = settings["MEDIA_DIR"] or str(Path(settings["DATA_DIR"]) / "media")
    app.config["CORS_ORIGINS"] = parse_origins(settings["CORS_ORIGINS"])
    app.config["PUBLIC_URL"] = parse_public_url(settings.get("PUBLIC_URL"))
    app.config["SECRET_KEY"] = settings["SECRET_KEY"] or load_or_create_secret(settings["DATA_DIR"])
    app.config["SEARCH_RANKING"] = parse_ranking(settings.get("SEARCH_RANKING"))
    app.config.update(
        SESSION_COOKIE_NAME="easel_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(days=settings["SESSION_LIFETIME_DAYS"]),
        # The server-side row holds the expiry; re-sending the cookie on every answer buys nothing.
        SESSION_REFRESH_EACH_REQUEST=False,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    if settings["TRUST_PROXY"]:
        hops = settings["TRUST_PROXY"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    configure_logging(settings["LOG_LEVEL"])
    # Unknown usernames are checked against this, so they cost as much time as a wrong password.
    app.extensions["easel_dummy_hash"] = generate_password_hash(secrets.token_hex(16),
                                                                method=settings["PASSWORD_HASH_METHOD"])
    store.initialise(app.config["DATABASE"])
    app.extensions["easel_connections"] = store.ConnectionPool(app.config["DATABASE"])
    imaging.set_pixel_budget(settings["MAX_IMAGE_PIXELS"])
    if settings["SEARCH_WARM"]:
        threading.Thread(target=warm_search_index, args=(app.config["DATABASE"],), name="search-warm",
                         daemon=True).start()

    app.register_blueprint(api)
    # always_send=False: no CORS headers on requests that sent no Origin (they are not cross-origin).
    CORS(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}}, supports_credentials=True,
         always_send=False,
         expose_headers=["X-Request-ID", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"])
    app.before_request(start_request)
    # Registered before the limiter so that it runs after the limiter's own header hook.
    app.after_request(finish_request)
    build_limiter(app)
    register_error_handlers(app)
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
    app.cli.add_command(grant_role_command)
    app.cli.add_command(import_images_command)
    app.cli.add_command(check_counters_command)
    app.cli.add_command(reindex_command)
    app.cli.add_command(evaluate_group)
    app.cli.add_command(import_catalog_command)
    app.cli.add_command(simulate_command)
    app.cli.add_command(rankings_group)
    return app


def __getattr__(name):
    """`app.app`, built on first use, for `flask --app app` and `gunicorn app:app`.

    Lazy so that importing create_app (tests, scripts) does not touch ./data.
    """
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # requests are logged as JSON already
    create_app().run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
