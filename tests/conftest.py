"""Fixtures: every test gets its own data directory with a real SQLite file."""

import itertools
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from store import new_id  # noqa: E402

# Real scrypt with a smaller work factor, so the suite can register hundreds of accounts quickly.
# test_auth.py checks that the production default is werkzeug's full-strength scrypt.
FAST_SCRYPT = "scrypt:1024:8:1"
PASSWORD = "correct horse battery"


@pytest.fixture
def make_app(tmp_path):
    """Build an app on tmp_path; keyword arguments override settings."""
    def build(**overrides):
        config = {
            "DATA_DIR": str(tmp_path / "data"),
            "RATELIMIT_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "PASSWORD_HASH_METHOD": FAST_SCRYPT,
            "CORS_ORIGINS": "http://localhost:3000",
            "SESSION_COOKIE_SECURE": False,
            "TRUST_PROXY": 0,
            **overrides,
        }
        return create_app(config)
    return build


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    """A separate connection to the app's database file, for arranging and checking rows."""
    conn = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    yield conn
    conn.close()


_numbers = itertools.count(1)


def registration(**fields):
    n = next(_numbers)
    body = {"username": f"artist_{n}", "email": f"artist{n}@example.com", "password": PASSWORD,
            "artist_name": f"Artist {n}", "bio": "Paints light.", "location": "Lyon"}
    body.update(fields)
    return body


def register(client, **fields):
    """Register through the API (which also signs the client in) and return the user JSON."""
    response = client.post("/api/auth/register", json=registration(**fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["user"]


@pytest.fixture
def signed_in(app):
    """A factory for fresh clients, each signed in as a new account: (client, user)."""
    def make(**fields):
        new_client = app.test_client()
        return new_client, register(new_client, **fields)
    return make


def insert(conn, table, row):
    columns = ", ".join(row)
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    return row.get("id")


def add_artwork(conn, artist_id, **fields):
    """Insert an artwork row directly (the upload route arrives with the image pipeline)."""
    return insert(conn, "artworks", {"id": new_id(), "artist_id": artist_id, "title": "Untitled", **fields})


def add_gallery(conn, artist_id, **fields):
    return insert(conn, "galleries", {"id": new_id(), "artist_id": artist_id, "name": "Gallery", **fields})


def assert_problem(response, status):
    """The response is an RFC 9457 problem document with this status; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body
