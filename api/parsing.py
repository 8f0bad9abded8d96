"""Reading requests: the JSON body, multipart fields and the query string, each against a
declared pydantic model that reports every bad field at once; and the shape of lists."""

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from flask import g, jsonify, request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from api.problems import ApiError, validation_error
from store import is_rowid

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
    limit = request.max_content_length
    # A chunked body has no Content-Length to refuse up front; werkzeug stops reading at the limit
    # and hands over what it read, which would otherwise look like broken JSON.
    if request.content_length is None and limit is not None and len(raw) >= limit:
        raise ApiError(413, f"The body is larger than the {limit:,}-byte limit.", title="Content Too Large")
    # Refused even when empty: a body-less toggle (like, follow) must not be triggerable by a form.
    if request.mimetype in FORM_TYPES:
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json.")
    if not raw.strip():
        return {}
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json.")
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ApiError(400, f"The body is nested more than {MAX_JSON_DEPTH} levels deep.") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, f"The body is not valid JSON: {error}.") from error
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    errors = unstorable_values(data)
    if errors:
        raise validation_error(errors)
    return data


# Deeper than any body we take; a 100,000-deep body must cost a 400, not the stack.
MAX_JSON_DEPTH = 32


def unstorable_values(data):
    """{path: message} for what JSON allows but SQLite and UTF-8 cannot hold: integers past 64 bits,
    lone surrogates ("\\ud800"), and nesting past MAX_JSON_DEPTH. Checked before any model sees the
    body, so that no route can pass such a value on to the store."""
    errors, pending = {}, [((), data)]
    while pending:
        path, value = pending.pop()
        if len(path) > MAX_JSON_DEPTH:
            errors[field_path(path[:MAX_JSON_DEPTH])] = f"is nested more than {MAX_JSON_DEPTH} levels deep"
        elif isinstance(value, dict):
            for key, item in value.items():
                if not _is_text(key):
                    errors[field_path(path)] = "has a key that is not valid Unicode text"
                pending.append(((*path, key), item))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, str) and not _is_text(value):
            errors[field_path(path)] = "is not valid Unicode text (it has a lone surrogate)"
        elif isinstance(value, int) and not isinstance(value, bool) and not is_rowid(value):
            errors[field_path(path)] = "is larger than a 64-bit integer"
    return errors


def _is_text(value):
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def field_path(location):
    return ".".join(str(part) for part in location) or "body"


_PYDANTIC_MESSAGES = {"missing": "is required", "extra_forbidden": "is not a known field"}


def error_message(item):
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
            errors.setdefault(field_path(item["loc"]), error_message(item))
        result = None
    if errors:
        raise validation_error(errors)
    return result


# --- The query string ------------------------------------------------------------------------

MAX_PER_PAGE = 100


class Query(BaseModel):
    """Query parameters: text in, typed values out. An empty value counts as not given, and a
    parameter the model does not declare is refused, so a misspelt filter cannot silently
    return everything."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    # Parameters that may repeat (?tag=a&tag=b); every other one is given once.
    repeated: ClassVar[frozenset] = frozenset()


def parsed_query(model: type[Query]) -> Query:
    data, errors = {}, {}
    for name in request.args:
        values = request.args.getlist(name)
        if name in model.repeated:
            data[name] = [value for value in values if value.strip()]
        elif len(values) > 1:
            errors[name] = "is given more than once"
        elif values[0].strip():
            data[name] = values[0]
    try:
        result = model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            message = "is not a known parameter" if item["type"] == "extra_forbidden" else error_message(item)
            errors.setdefault(field_path(item["loc"]), message)
        result = None
    if errors:
        raise validation_error(errors, "The query has invalid or unknown parameters; see errors.")
    return result


def _whole_number(minimum, cap=None):
    def check(raw):
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, str) and re.fullmatch(r"\d{1,9}", raw):
            value = int(raw)
        else:
            raise ValueError(f"must be a whole number of at least {minimum}")
        if value < minimum:
            raise ValueError(f"must be a whole number of at least {minimum}")
        return min(value, cap) if cap else value
    return check


def WholeNumber(minimum=1, cap=None, description=None):
    """A whole number; with `cap`, larger values are lowered to it rather than refused."""
    extra = {"minimum": minimum} | ({"description": description} if description else {})
    return Annotated[int, BeforeValidator(_whole_number(minimum, cap)), Field(json_schema_extra=extra)]


def _one_of(choices):
    def check(raw):
        if raw not in choices:
            raise ValueError(f"must be one of: {', '.join(choices)}")
        return raw
    return check


def Choice(choices):
    return Annotated[Literal[tuple(choices)], BeforeValidator(_one_of(tuple(choices)))]


def _flag(raw):
    if isinstance(raw, bool):
        return raw
    if str(raw).lower() not in ("true", "false", "1", "0"):
        raise ValueError("must be true or false")
    return str(raw).lower() in ("true", "1")


def _amount(raw):
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise ValueError("must be a non-negative number")
    return value


def _moment(raw):
    """A date or an ISO 8601 time, as the schema's UTC timestamp text."""
    try:
        when = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)
    except OverflowError as error:  # 9999-12-31T23:00-05:00 is past the calendar's end in UTC
        raise ValueError("is outside the calendar (years 1 to 9999 in UTC)") from error
    except ValueError as error:
        raise ValueError("must be a date like 2026-01-31 or an ISO 8601 time") from error
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _trimmed(limit):
    def check(raw):
        text = str(raw).strip()
        if len(text) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return text
    return check


Flag = Annotated[bool, BeforeValidator(_flag)]
Amount = Annotated[float, BeforeValidator(_amount), Field(json_schema_extra={"minimum": 0})]
Moment = Annotated[str, BeforeValidator(_moment),
                   Field(json_schema_extra={"description": "A date (2026-01-31) or an ISO 8601 time."})]


def Trimmed(limit):
    """Free text, trimmed; longer than `limit` characters is refused (400), not cut, so that a
    client learns its filter was not applied as sent."""
    return Annotated[str, BeforeValidator(_trimmed(limit)), Field(json_schema_extra={"maxLength": limit})]


class Paged(Query):
    page: WholeNumber() = 1
    per_page: WholeNumber(cap=MAX_PER_PAGE, description=f"Values above {MAX_PER_PAGE} are lowered to it.") = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


class NoQuery(Query):
    """For routes that take no parameters: any given is refused by name."""


def list_response(items, total, page, per_page, **extra):
    return jsonify({"items": items, "total": total, "page": page, "per_page": per_page, **extra})


def given(model):
    """Only the fields the client sent."""
    return {name: getattr(model, name) for name in model.model_fields_set}


def form_values() -> dict[str, Any]:
    """The non-file parts of a multipart body; empty parts count as not sent, and a part given
    more than once (tags) becomes a list."""
    return {key: values if len(values) > 1 else values[0]
            for key, values in request.form.lists() if any(value.strip() for value in values)}
