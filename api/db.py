"""The database and media store a request works with."""

import hashlib
import hmac

from flask import current_app, g, request

import store
from store.media import MediaStore


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



def database_path() -> str:
    return current_app.config["DATABASE"]


def media():
    return MediaStore(current_app.config["MEDIA_DIR"])


def max_pixels() -> int:
    return current_app.config["MAX_IMAGE_PIXELS"]


def write():
    """A write transaction on the request's connection (see store.transaction)."""
    return store.transaction(get_db())


def viewer_key(user_id):
    """Who is viewing, for counting views: the account, or a keyed hash of address and browser."""
    if user_id is not None:
        return user_id
    client = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}".encode()
    return "anon:" + hmac.new(current_app.config["SECRET_KEY"].encode(), client, hashlib.sha256).hexdigest()[:32]

