"""Who is asking: the signed cookie names a server-side session row."""

from datetime import timedelta

from flask import current_app, g, request, session
from werkzeug.security import generate_password_hash

from api.db import get_db
from api.problems import ApiError
from store import accounts, profiles

SIGN_IN = {"WWW-Authenticate": 'Cookie realm="easel"'}
STAFF = ("curator", "admin")

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
        raise ApiError(401, "Sign in to do this.", headers=SIGN_IN)
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



def require_staff(detail):
    """The signed-in curator's or admin's id; 403 with `detail` for anyone else."""
    user_id = require_user()
    if profiles.get_account(get_db(), user_id)["role"] not in STAFF:
        raise ApiError(403, detail)
    return user_id


def require_curator():
    return require_staff("Only curators and admins can see and change the featured ranking's settings.")
