"""Rate limits, declared beside their routes and attached to each app's own limiter."""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from api.parsing import json_body
from api.problems import ApiError

# Filters never need more; past it (say 100,000 repeated tags) a request is refused before any
# parsing. A server in front may refuse sooner with a 414 of its own: gunicorn's default request
# line is 4 KiB (its limit_request_line setting).
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

