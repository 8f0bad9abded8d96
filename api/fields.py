"""Field types shared by request bodies, and the Body base every request model extends."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, ClassVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from market import countries, money
from store import ROWID_MAX, taxonomy


def _http_url(value):
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        raise ValueError("must be an http(s) URL")
    return value


def unique_case_insensitive(values):
    seen, unique = set(), []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            unique.append(value)
    return unique


def Text(max_length, min_length=0):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)]


def trimmed_lower(value):
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
    return Annotated[str, BeforeValidator(trimmed_lower), _matching(pattern, description)]


HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_http_url)]
Username = Lowered(r"[a-z0-9_]{3,30}", "3 to 30 characters of a-z, 0-9 and _")
SocialNetwork = Lowered(r"[a-z0-9_-]{1,30}", "a network name of up to 30 characters of a-z, 0-9, _ and -")
HexColour = Lowered(r"#[0-9a-f]{6}", "a colour like #1f2937")
Password = Annotated[str, StringConstraints(min_length=10, max_length=1024)]

ACCOUNT_FIELDS = frozenset({
    "id", "role", "password_hash", "follower_count", "following_count", "artwork_count",
    "created_at", "updated_at", "last_login_at", "likes_received", "shares_received", "total_views", "total_likes",
    "total_shares", "followed_by_viewer", "critique_standing", "critiques_given", "helpful_received",
})


class Body(BaseModel):
    # strict: "5" is not a number and 5 is not a string; extra: unknown fields are errors.
    model_config = ConfigDict(extra="forbid", strict=True)
    server_owned: ClassVar[frozenset] = frozenset({"id", "created_at", "updated_at"})



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
def _known_currency(value):
    if value not in money.CURRENCIES:
        raise ValueError("must be an ISO 4217 currency code like USD, EUR or JPY")
    return value


Currency = Annotated[str, BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
                     _matching(r"[A-Z]{3}", "a three-letter currency code like USD or EUR"),
                     AfterValidator(_known_currency)]
# An amount in the currency's minor unit (cents for USD, yen for JPY): 1250 is $12.50.
MinorUnits = Annotated[int, Field(ge=1, le=10 ** 13)]
MinorUnitsOrZero = Annotated[int, Field(ge=0, le=10 ** 13)]
def _known_country(value):
    if not countries.is_country(value):
        raise ValueError("must be an assigned ISO 3166-1 country code like FR")
    return value


Country = Annotated[str, BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
                    _matching(r"[A-Z]{2}", "an ISO 3166 two-letter country code like FR"),
                    AfterValidator(_known_country)]


def _future_moment(value):
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError("must be a date and time like 2027-03-31T18:00:00Z") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment <= datetime.now(UTC):
        raise ValueError("must be in the future")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


FutureMoment = Annotated[str, AfterValidator(_future_moment)]

def _iso_date(value):
    """A calendar date written exactly as YYYY-MM-DD."""
    value = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a date like 2027-03-31")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise ValueError("must be a real date like 2027-03-31") from error


def unique(values):
    if len(set(values)) != len(values):
        raise ValueError("must not repeat an item")
    return values


IsoDate = Annotated[str, AfterValidator(_iso_date)]
Money = Annotated[float, Field(gt=0, le=1_000_000_000), AfterValidator(_cents)]
ArtworkId = Text(64, 1)
# An integer id (categories, config versions): SQLite's rowids are 64-bit, so larger is a 400.
RowId = Annotated[int, Field(ge=1, le=ROWID_MAX)]
