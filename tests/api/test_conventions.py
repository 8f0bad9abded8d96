"""Conventions every route shares: problem details, headers, request ids, logs, CORS, CLI."""

import json
import logging
from pathlib import Path

import pytest

import store
from api.config import parse_origins, parse_public_url
from api.db import get_db
from api.logs import JsonFormatter
from tests.conftest import assert_problem, register, registration


def test_unknown_route_is_a_problem_404(client):
    body = assert_problem(client.get("/api/nothing-here"), 404)
    assert body["type"] == "about:blank" and body["title"] == "Not Found"
    assert_problem(client.get("/not-even-api"), 404)


def test_wrong_method_is_a_problem_405_with_allow(client):
    response = client.delete("/api/auth/login")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_oversize_body_is_a_problem_413(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/api/auth/register", data=json.dumps(registration(bio="x" * 4096)),
                           content_type="application/json")
    assert_problem(response, 413)


def test_non_json_body_is_a_problem_415(client, db):
    response = client.post("/api/auth/register", data="username=ada", content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415)
    assert db.execute("SELECT count(*) FROM artists").fetchone()[0] == 0


@pytest.mark.parametrize("raw", ['{"username": ', "[1, 2]", '"text"', "\xff\xfe"])
def test_malformed_or_non_object_json_is_a_problem_400(client, raw):
    response = client.post("/api/auth/register", data=raw.encode("latin-1"), content_type="application/json")
    assert_problem(response, 400)


def test_server_errors_never_leak_a_traceback(make_app):
    app = make_app()

    @app.get("/api/explode")
    def explode():
        raise RuntimeError("secret internals at /srv/easel/app.py line 12")

    response = app.test_client().get("/api/explode", headers={"X-Request-ID": "trace-me-1"})
    body = assert_problem(response, 500)
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert "trace-me-1" in body["detail"]


def test_a_request_that_fails_inside_a_transaction_leaves_nothing_behind(app, db):
    """Connections are reused across requests: a failed one's open transaction must not reach the next."""
    @app.post("/api/half-way")
    def half_way():
        conn = get_db()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO categories (name, kind) VALUES ('Half-way', 'medium')")
        raise RuntimeError("failed before COMMIT")

    client = app.test_client()
    assert_problem(client.post("/api/half-way"), 500)
    register(client)
    assert db.execute("SELECT count(*) FROM categories WHERE name = 'Half-way'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM artists").fetchone()[0] == 1


def test_a_connection_a_failed_request_left_reading_is_not_lent_again(app, db):
    """An unfinished cursor keeps its connection on the snapshot it started from; after a 500
    nobody knows what was left open, so the connection is closed, not pooled."""
    left_open = []

    @app.get("/api/half-read")
    def half_read():
        cursor = get_db().execute("SELECT id FROM artists")
        cursor.fetchone()
        left_open.append(cursor)
        raise RuntimeError("failed while reading")

    client = app.test_client()
    register(client)
    register(client)
    assert_problem(client.get("/api/half-read"), 500)
    db.execute("UPDATE artists SET artist_name = 'Renamed'")
    assert {artist["artist_name"] for artist in client.get("/api/artists").get_json()["items"]} == {"Renamed"}


def test_security_and_cache_headers(client):
    response = client.get("/api/artists")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    problem = client.get("/api/missing")
    assert "default-src 'none'" in problem.headers["Content-Security-Policy"]


def test_request_id_is_echoed_or_generated(client):
    assert client.get("/api/artists", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    generated = client.get("/api/artists", headers={"X-Request-ID": "bad id; with spaces"}).headers["X-Request-ID"]
    assert len(generated) == 32 and generated.isalnum()


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(JsonFormatter().format(record))


def test_each_request_is_logged_as_one_json_line(client):
    collector = Collect()
    logger = logging.getLogger("easel.request")
    logger.addHandler(collector)
    try:
        user = register(client)
        client.get("/api/nowhere", headers={"X-Request-ID": "log-me"})
    finally:
        logger.removeHandler(collector)
    entries = [json.loads(line) for line in collector.lines]
    assert entries[0]["path"] == "/api/auth/register" and entries[0]["status"] == 201
    assert entries[0]["user_id"] == user["id"]
    assert entries[1]["request_id"] == "log-me" and entries[1]["status"] == 404
    assert all(isinstance(entry["duration_ms"], float) for entry in entries)


def test_cors_preflight_from_an_allowed_origin(client):
    response = client.options("/api/auth/login", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_cors_preflight_from_a_refused_origin(client):
    response = client.options("/api/auth/login", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers
    simple = client.get("/api/artists", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in simple.headers


def test_no_cors_headers_without_an_origin(client):
    assert "Access-Control-Allow-Origin" not in client.get("/api/artists").headers


def test_retry_after_only_on_429(make_app):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    response = client.get("/api/artists")
    assert response.headers["X-RateLimit-Limit"] and "Retry-After" not in response.headers


@pytest.mark.parametrize("value", ["*", "https://*.example.com", "localhost:3000", "https://ok.example, .*"])
def test_cors_origins_must_be_exact(value):
    with pytest.raises(ValueError):
        parse_origins(value)


def test_cors_origins_parse(make_app):
    assert parse_origins(" https://a.example/ ,http://localhost:5173") == ["https://a.example", "http://localhost:5173"]


@pytest.mark.parametrize("value", ["easel.example", "ftp://easel.example", "https://", "https://a.example/?x=1"])
def test_public_url_must_be_an_http_base_url(value):
    with pytest.raises(ValueError):
        parse_public_url(value)


def test_public_url_parses():
    assert parse_public_url(" https://easel.example/app/ ") == "https://easel.example/app"
    assert parse_public_url("") is None


def test_init_db_command(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    version = store.schema_version(store.load_migrations())
    assert result.exit_code == 0 and f"schema version {version}" in result.output


def test_grant_role_command(app, client, db):
    register(client, username="curie")
    result = app.test_cli_runner().invoke(args=["grant-role", "curie", "curator"])
    assert result.exit_code == 0, result.output
    assert db.execute("SELECT role FROM artists WHERE username = 'curie'").fetchone()[0] == "curator"
    assert client.get("/api/auth/user").get_json()["user"]["role"] == "curator"

    missing = app.test_cli_runner().invoke(args=["grant-role", "nobody", "admin"])
    assert missing.exit_code != 0 and "no account" in missing.output
    bad_role = app.test_cli_runner().invoke(args=["grant-role", "curie", "emperor"])
    assert bad_role.exit_code != 0


@pytest.mark.parametrize("name, value", [
    ("RATELIMIT_ENABLED", "maybe"), ("SEARCH_WARM", "yes please"), ("SESSION_COOKIE_SECURE", "2"),
    ("MAX_UPLOAD_MB", "0"), ("MAX_UPLOAD_MB", "-5"), ("SESSION_LIFETIME_DAYS", "-1"),
    ("SESSION_LIFETIME_DAYS", "100000"), ("RATELIMIT_DEFAULT", "lots per minute"),
    ("RATELIMIT_STORAGE_URI", "mongo://x"), ("TRUST_PROXY", "many"), ("PASSWORD_HASH_METHOD", "md5"),
    ("FEATURED_GATE_TOLERANCE", "1.5"), ("FEED_MODEL_MAX_AGE", "9" * 30), ("LOG_LEVEL", "LOUD"),
])
def test_a_bad_setting_stops_the_app_with_one_line_naming_it(tmp_path, name, value):
    from api.config import ConfigError, load_config, settings

    environ = {"DATA_DIR": str(tmp_path), name: value}
    with pytest.raises(ConfigError) as raised:
        settings(load_config(environ))
    message = str(raised.value)
    assert message.startswith(name) and repr(value) in message and "\n" not in message


def test_app_py_reports_a_bad_setting_in_one_line_and_exits(tmp_path):
    import os
    import subprocess
    import sys

    answer = subprocess.run([sys.executable, "-c", "import app; app.app"], capture_output=True, text=True,
                            env={**os.environ, "DATA_DIR": str(tmp_path), "RATELIMIT_ENABLED": "maybe"},
                            cwd=str(Path(__file__).resolve().parents[2]))
    assert answer.returncode != 0
    assert answer.stderr.strip().splitlines()[-1].startswith("Easel cannot start: RATELIMIT_ENABLED")


@pytest.mark.parametrize("path", ["/api/search/suggest?q=wa", "/api/artworks/{id}/similar",
                                  "/api/artworks/{id}/copies"])
@pytest.mark.parametrize("name", ["page", "per_page"])
def test_short_lists_refuse_paging_parameters_by_name(artist, path, name):
    """Suggestions, similar works and copies are short lists with a `limit` (or none): paging them
    would be ignored, so asking for it is a 400 that names the parameter."""
    from tests.conftest import upload_ok

    client, _ = artist
    work = upload_ok(client, title="Wave")
    joiner = "&" if "?" in path else "?"
    response = client.get(path.format(id=work["id"]) + f"{joiner}{name}=2")
    body = assert_problem(response, 400)
    assert name in body["errors"]
