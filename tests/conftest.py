"""Fixtures: every test gets its own data directory with a real SQLite file."""

import io
import itertools
import sqlite3

import pytest
from flask.testing import FlaskClient

from app import create_app
from store import new_id

# Real scrypt with a smaller work factor, so the suite can register hundreds of accounts quickly.
# test_auth.py checks that the production default is werkzeug's full-strength scrypt.
FAST_SCRYPT = "scrypt:1024:8:1"
PASSWORD = "correct horse battery"


class BufferedClient(FlaskClient):
    """Reads each answer whole and closes it, as a WSGI server does, so an image answer's open
    file is closed at once instead of left to the garbage collector (a ResourceWarning). It also
    closes the request body: werkzeug spools a large multipart body to a temporary file that its
    test client leaves open."""

    def open(self, *args, buffered=True, follow_redirects=False, **kwargs):
        if not args or not isinstance(args[0], str):
            return super().open(*args, buffered=buffered, follow_redirects=follow_redirects, **kwargs)
        request = self._request_from_builder_args(args, kwargs)
        try:
            return super().open(request, buffered=buffered, follow_redirects=follow_redirects)
        finally:
            request.environ["wsgi.input"].close()


def build_app(data_dir, **overrides):
    """An app with its data in data_dir, as tests want it; keyword arguments override settings."""
    config = {
        "DATA_DIR": str(data_dir),
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_METHOD": FAST_SCRYPT,
        "CORS_ORIGINS": "http://localhost:3000",
        "SESSION_COOKIE_SECURE": False,
        "TRUST_PROXY": 0,
        # Each test's index loads on its first search; a thread outliving the test is not wanted.
        "SEARCH_WARM": False,
        **overrides,
    }
    app = create_app(config)
    app.test_client_class = BufferedClient
    return app


@pytest.fixture
def make_app(tmp_path):
    """Build an app on tmp_path; keyword arguments override settings."""
    return lambda **overrides: build_app(tmp_path / "data", **overrides)


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


# --- Images, made with Pillow ---------------------------------------------------------------

def image_bytes(fmt="JPEG", size=(64, 48), colour=(200, 30, 30), mode="RGB", **save):
    """A real encoded image: a flat colour with a darker square, so it has an edge and two tones."""
    from PIL import Image, ImageDraw  # imported here: conftest must load even before deps install

    image = Image.new(mode, size, colour)
    ImageDraw.Draw(image).rectangle((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2),
                                    fill=tuple(int(c * 0.4) for c in colour) if isinstance(colour, tuple) else 0)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def painting(seed, size=(360, 270)):
    """A PIL image with structure of its own: a gradient ground and seeded shapes and strokes, so
    that two seeds look unrelated to a perceptual hash and one seed is always the same picture."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    width, height = size
    start, end = [tuple(rng.randrange(256) for _ in range(3)) for _ in range(2)]
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.composite(Image.new("RGB", size, start), Image.new("RGB", size, end), image.convert("L"))
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randrange(20, width // 2), y0 + rng.randrange(20, height // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        rng.choice([draw.ellipse, draw.rectangle])((x0, y0, x1, y1), fill=colour)
    for _ in range(6):
        points = [(rng.randrange(width), rng.randrange(height)) for _ in range(3)]
        draw.line(points, fill=tuple(rng.randrange(256) for _ in range(3)), width=rng.randrange(3, 12))
    return image


def encoded(image, fmt="JPEG", **save):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 92} if fmt == "JPEG" else {}), **save)
    return buffer.getvalue()


def upload(client, *files, **fields):
    """POST /api/artworks/upload with (bytes, filename) files and form fields; returns the response."""
    data = {key: value for key, value in fields.items()}
    data["image_file"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post("/api/artworks/upload", data=data, content_type="multipart/form-data")


def upload_ok(client, content=None, name="work.jpg", **fields):
    response = upload(client, (content or image_bytes(), name), **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def artist(app):
    """A signed-in artist's client and account."""
    new_client = app.test_client()
    return new_client, register(new_client)
