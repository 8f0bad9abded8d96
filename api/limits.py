"""Rate limits, declared beside their routes and attached to each app's own limiter."""

import logging
from urllib.parse import urlsplit, urlunsplit

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from api.auth import current_user_id
from api.db import get_db
from api.parsing import json_body
from api.problems import ApiError
from store import accounts

log = logging.getLogger("easel")

# Filters never need more; past it (say 100,000 repeated tags) a request is refused before any
# parsing. A server in front may refuse sooner with a 414 of its own: gunicorn's default request
# line is 4 KiB, which the shipped gunicorn.conf.py raises to its 1 MiB ceiling.
MAX_QUERY_BYTES = 65536


def refuse_long_query_strings():
    if len(request.query_string) > MAX_QUERY_BYTES:
        raise ApiError(414, f"The query string is {len(request.query_string):,} bytes; at most "
                            f"{MAX_QUERY_BYTES:,} are accepted.")


def rate_limit(limit, key_func=None):
    """Declare a limit beside its route; create_app() attaches it to that app's limiter.

    Kept as a mark rather than a module-level Limiter's decorator because the limiter's storage
    belongs to one app, and tests build many apps.
    """
    def mark(view):
        view.rate_limits = [*getattr(view, "rate_limits", []), (limit, key_func)]
        return view
    return mark


def unlimited(view):
    """Exempt a route from every limit, the default ones included (health probes poll it)."""
    view.rate_limit_exempt = True
    return view


def login_identifier():
    """One password-check budget per account, whether it is named by username or by email; a name
    that matches no account gets a budget of its own (so probing unknown names is limited too)."""
    try:
        data = json_body()
    except ApiError:
        data = {}  # the view itself answers the bad body; count it against the client
    name = data.get("username") or data.get("email")
    if not isinstance(name, str) or not name.strip() or not _encodable(name):
        return get_remote_address()  # the view refuses such a name; the client's own limit counts it
    found = accounts.find_credentials(get_db(), name.strip())
    return f"login:account:{found['id']}" if found else f"login:name:{name.strip().lower()}"


def per_account():
    """One budget per signed-in account wherever it connects from (the routes that use it need
    a session; a request without one is refused before it could count)."""
    user_id = current_user_id()
    return f"account:{user_id}" if user_id else get_remote_address()


def _encodable(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which SQLite cannot take
        return False
    return True


def build_limiter(app):
    # A rate-limit store that stops answering must not turn every request into a 500: each process
    # falls back to counting the default limits in its own memory (Flask-Limiter logs the switch, and
    # checks the store again with a backoff), and any other store error lets the request through.
    limiter = Limiter(
        get_remote_address,
        app=app,
        strategy="moving-window",
        key_prefix="easel",
        in_memory_fallback_enabled=True,
        in_memory_fallback=[app.config["RATELIMIT_DEFAULT"]],
        swallow_errors=True,
    )
    _check_store(app, limiter)
    for endpoint, view in list(app.view_functions.items()):
        for limit, key_func in getattr(view, "rate_limits", []):
            view = limiter.limit(limit, key_func=key_func)(view)
        if getattr(view, "rate_limit_exempt", False):
            view = limiter.exempt(view)
        app.view_functions[endpoint] = view
    # The limits hold only a weak reference to their limiter, and a disabled limiter does not
    # register itself on the app, so keep it alive here.
    app.extensions["easel_limiter"] = limiter
    return limiter


def _check_store(app, limiter):
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if not app.config["RATELIMIT_ENABLED"] or uri.startswith("memory"):
        return
    try:
        answered = limiter.storage.check()
    except Exception:  # a store that fails to answer is reported like one that answers no
        answered = False
    if not answered:
        log.error("RATE-LIMIT STORE UNREACHABLE at start (%s): each process counts only the default limits in "
                  "its own memory until it answers", _without_password(uri))


def _without_password(uri):
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))

