"""Registration, signing in and out, the session's account, and password changes."""

from typing import Annotated, Any, ClassVar, Literal

from flask import current_app, jsonify
from pydantic import EmailStr, StringConstraints
from werkzeug.security import check_password_hash

from api.auth import hash_password, require_user, sign_in, sign_out
from api.db import get_db
from api.fields import ACCOUNT_FIELDS, Body, Password, Text, Username
from api.limits import login_identifier, rate_limit
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import Account, Shape, account_json, settings_json
from store import accounts, profiles


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


class OwnAccount(Account):
    email: str
    role: str
    contact_info: str | None
    updated_at: str
    last_login_at: str | None


class Portfolio(Shape):
    status: Literal["empty", "private", "published"]
    stats: dict[str, int]
    settings: dict[str, Any]


class SessionInfo(Shape):
    user: OwnAccount
    portfolio: Portfolio


class LoggedOut(Shape):
    logged_out: bool


class PasswordChanged(Shape):
    password_changed: bool


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


@operation(bp, "POST", "/auth/register", body=Registration, response=SessionInfo, status=201, errors=(409,))
@rate_limit("5 per minute")
def register(query, body):
    try:
        artist_id = accounts.create_account(
            get_db(), username=body.username, email=body.email, password_hash=hash_password(body.password),
            artist_name=body.artist_name, bio=body.bio, location=body.location, account_type=body.account_type,
        )
    except accounts.AlreadyExists as taken:
        message = "is already taken" if taken.field == "username" else "is already registered"
        raise ApiError(409, f"That {taken.field} {message}.", title="Already exists", problem="conflict",
                       errors={taken.field: message}) from taken
    sign_in(artist_id)
    return jsonify(session_payload(artist_id)), 201


@operation(bp, "POST", "/auth/login", body=Login, response=SessionInfo, errors=(401,))
@rate_limit("10 per minute")
@rate_limit("10 per minute", key_func=login_identifier)
def login(query, body):
    identifier = body.username or body.email
    if not identifier:
        raise validation_error({"username": "give a username or an email"})
    found = accounts.find_credentials(get_db(), identifier)
    # One answer, and the same work, for an unknown account and a wrong password.
    stored_hash = found["password_hash"] if found else current_app.extensions["easel_dummy_hash"]
    if not check_password_hash(stored_hash, body.password) or found is None:
        raise ApiError(401, "The username/email or password is wrong.", title="Invalid credentials")
    sign_in(found["id"])
    return jsonify(session_payload(found["id"]))


@operation(bp, "POST", "/auth/logout", response=LoggedOut)
def logout(query):
    # Idempotent: signing out twice, or while signed out, still ends with no session.
    sign_out()
    return jsonify({"logged_out": True})


@operation(bp, "GET", "/auth/user", access="user", response=SessionInfo)
def auth_user(query):
    return jsonify(session_payload(require_user()))


@operation(bp, "PUT", "/auth/password", access="user", body=PasswordChange, response=PasswordChanged)
@rate_limit("10 per minute")
def change_password(query, body):
    user_id = require_user()
    if not check_password_hash(accounts.password_hash_of(get_db(), user_id), body.current_password):
        raise validation_error({"current_password": "is wrong"})
    accounts.change_password(get_db(), user_id, hash_password(body.new_password))
    sign_in(user_id)  # every other session was revoked; this client stays signed in
    return jsonify({"password_changed": True})
