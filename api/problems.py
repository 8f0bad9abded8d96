"""Problem details (RFC 9457): every 4xx and 5xx answer is one of these documents."""

import json
import logging
import sqlite3
from http import HTTPStatus

from flask import current_app, g
from werkzeug.exceptions import HTTPException

from store.media import DISK_FULL

log = logging.getLogger("easel")

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

    @app.errorhandler(OSError)
    @app.errorhandler(sqlite3.OperationalError)
    def handle_fault(error):
        status, detail, retry = fault_of(error)
        if status is None:
            return handle_unexpected(error)
        log.warning("storage fault in request %s: %s", g.get("request_id"), error)
        g.db_suspect = True
        headers = {"Retry-After": str(retry)} if retry else {}
        return problem_response(status, detail, headers=headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        log.exception("unhandled error in request %s", g.get("request_id"))
        g.db_suspect = True   # whatever it left half-read would pin an old snapshot for the next request
        return problem_response(500, f"Something went wrong on our side (request {g.get('request_id')}).")





def fault_of(error):
    """(status, detail, Retry-After seconds) for a storage fault that is not our bug, else
    (None, None, None). Nothing was changed: the write that met it rolled back."""
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        if "locked" in text or "busy" in text:
            return 503, "The database is busy; try again in a moment.", 2
        if "full" in text:
            return 507, "The server has no room left to store this; nothing was changed.", None
        if "disk i/o" in text or "unable to open" in text:
            return 503, "The database cannot be reached just now; nothing was changed.", 30
        return None, None, None
    if isinstance(error, OSError):
        if error.errno in DISK_FULL:
            return 507, "The server has no room left to store this; nothing was changed.", None
        return 503, "Media storage failed; nothing was changed. Try again later.", 30
    return None, None, None
