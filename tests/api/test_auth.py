"""Registration, login, logout, the current user, password changes and rate limits."""

import os

import pytest

from tests.conftest import PASSWORD, add_artwork, assert_problem, register, registration


def session_cookie(client):
    return client.get_cookie("easel_session")


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- Register ---------------------------------------------------------------------------

def test_register_creates_account_portfolio_and_session(client, db):
    response = client.post("/api/auth/register", json=registration(username="Claude_M", email="Claude@Example.com",
                                                                   account_type="collector"))
    assert response.status_code == 201
    body = response.get_json()
    user = body["user"]
    assert user["username"] == "claude_m" and user["email"] == "Claude@example.com"
    assert user["account_type"] == "collector" and user["role"] == "user"
    assert "password" not in str(body) and "password_hash" not in user
    assert body["portfolio"]["status"] == "empty"
    assert body["portfolio"]["settings"]["theme"] == "minimal"
    assert count(db, "portfolio_settings") == 1
    assert client.get("/api/auth/user").status_code == 200  # signed in by registering


def test_register_sets_a_hardened_cookie(client):
    response = client.post("/api/auth/register", json=registration())
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("easel_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookie_is_secure_when_configured(make_app):
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    cookie = client.post("/api/auth/register", json=registration()).headers["Set-Cookie"]
    assert "Secure" in cookie


def test_password_is_hashed_with_full_strength_scrypt_by_default(make_app, db):
    app = make_app(PASSWORD_HASH_METHOD="scrypt")  # the production default, as load_config() gives it
    from api.config import load_config, settings
    assert settings(load_config({}) | {"SECRET_KEY": "x"})["PASSWORD_HASH_METHOD"] == "scrypt"
    register(app.test_client())
    stored = db.execute("SELECT password_hash FROM artists").fetchone()[0]
    assert stored.startswith("scrypt:32768:8:1$")


def test_register_reports_every_missing_field_at_once(client, db):
    body = assert_problem(client.post("/api/auth/register", json={}), 400)
    assert set(body["errors"]) == {"username", "email", "password", "artist_name"}
    assert body["type"] == "/problems/validation"
    assert count(db, "artists") == 0


@pytest.mark.parametrize("field, value", [
    ("username", "ab"),                 # too short
    ("username", "a" * 31),             # too long
    ("username", "no spaces"),
    ("username", "émile"),
    ("username", 12345),                # wrong type
    ("email", "not-an-email"),
    ("email", ["a@example.com"]),
    ("password", "short"),
    ("password", 1234567890123),
    ("artist_name", ""),
    ("artist_name", "x" * 101),
    ("bio", "x" * 2001),
    ("location", {"city": "Lyon"}),
    ("account_type", "dealer"),
])
def test_register_rejects_bad_fields(client, db, field, value):
    body = assert_problem(client.post("/api/auth/register", json=registration(**{field: value})), 400)
    assert list(body["errors"]) == [field]
    assert count(db, "artists") == 0


@pytest.mark.parametrize("field", ["id", "role", "follower_count", "artwork_count", "created_at", "password_hash"])
def test_register_refuses_server_owned_fields(client, db, field):
    body = assert_problem(client.post("/api/auth/register", json=registration(**{field: "admin"})), 400)
    assert body["errors"] == {field: "is set by the server and cannot be written"}
    assert count(db, "artists") == 0


def test_register_refuses_unknown_fields(client):
    body = assert_problem(client.post("/api/auth/register", json=registration(favourite_colour="blue")), 400)
    assert body["errors"] == {"favourite_colour": "is not a known field"}


@pytest.mark.parametrize("field, clash", [("username", "TAKEN_name"), ("email", "TAKEN@example.COM")])
def test_duplicate_username_or_email_is_409(client, db, field, clash):
    register(client, username="taken_name", email="taken@example.com")
    body = assert_problem(client.post("/api/auth/register", json=registration(**{field: clash})), 409)
    assert field in body["errors"]
    assert count(db, "artists") == 1


# --- Login, logout, current user ----------------------------------------------------------

@pytest.fixture
def account(app):
    """An existing account, registered from another client."""
    return register(app.test_client(), username="ada", email="ada@example.com")


@pytest.mark.parametrize("credentials", [
    {"username": "ada"}, {"username": "ADA"}, {"email": "ada@example.com"}, {"username": "Ada@Example.com"},
])
def test_login_with_username_or_email(client, account, credentials):
    response = client.post("/api/auth/login", json={**credentials, "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["id"] == account["id"]
    assert body["portfolio"]["status"] == "empty"
    assert client.get("/api/auth/user").get_json()["user"]["id"] == account["id"]


def test_unknown_user_and_wrong_password_get_the_same_answer(client, account):
    wrong = assert_problem(client.post("/api/auth/login", json={"username": "ada", "password": "wrong password"}), 401)
    unknown = assert_problem(client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD}), 401)
    assert wrong == unknown
    assert session_cookie(client) is None


@pytest.mark.parametrize("body, field", [
    ({"password": PASSWORD}, "username"),
    ({"username": "ada"}, "password"),
    ({"username": "ada", "password": 5}, "password"),
    ({"username": "ada", "password": PASSWORD, "remember": True}, "remember"),
])
def test_login_rejects_bad_bodies(client, account, body, field):
    assert field in assert_problem(client.post("/api/auth/login", json=body), 400)["errors"]


def test_login_issues_a_fresh_session_and_ends_the_old_one(app, account):
    client = app.test_client()
    client.post("/api/auth/login", json={"username": "ada", "password": PASSWORD})
    first = session_cookie(client).value
    client.post("/api/auth/login", json={"username": "ada", "password": PASSWORD})
    assert session_cookie(client).value != first

    replay = app.test_client()
    replay.set_cookie("easel_session", first)
    assert_problem(replay.get("/api/auth/user"), 401)


def test_logout_revokes_the_session_even_for_a_copied_cookie(app, client, account):
    client.post("/api/auth/login", json={"username": "ada", "password": PASSWORD})
    stolen = session_cookie(client).value
    assert client.post("/api/auth/logout").get_json() == {"logged_out": True}
    assert_problem(client.get("/api/auth/user"), 401)

    replay = app.test_client()
    replay.set_cookie("easel_session", stolen)
    assert_problem(replay.get("/api/auth/user"), 401)
    assert client.post("/api/auth/logout").status_code == 200  # signing out twice is fine


def test_a_forged_cookie_is_rejected(client, account):
    client.set_cookie("easel_session", "eyJzaWQiOiJmb3JnZWQifQ.forged.signature")
    assert_problem(client.get("/api/auth/user"), 401)


def test_current_user_needs_a_session(client):
    body = assert_problem(client.get("/api/auth/user"), 401)
    assert "Sign in" in body["detail"]


def test_current_user_has_portfolio_statistics_and_preferences(app, db, signed_in):
    client, user = signed_in()
    fan_client, fan = signed_in()
    add_artwork(db, user["id"], view_count=10, like_count=2)
    add_artwork(db, user["id"], view_count=5, availability_status="private")
    db.execute("INSERT INTO artist_follows (follower_id, following_id) VALUES (?, ?)", (fan["id"], user["id"]))
    body = client.get("/api/auth/user").get_json()
    assert body["portfolio"]["stats"] == {
        "artwork_count": 2, "follower_count": 1, "following_count": 0, "public_artwork_count": 1,
        "gallery_count": 0, "total_views": 15, "total_likes": 2, "total_shares": 0,
    }
    assert (body["user"]["likes_received"], body["user"]["shares_received"]) == (2, 0)
    assert body["portfolio"]["status"] == "published"
    assert body["portfolio"]["settings"]["watermark"]["position"] == "bottom-right"
    assert body["user"]["artwork_count"] == 2


def test_changing_the_password_signs_out_other_sessions(app, signed_in):
    client, user = signed_in(username="grace")
    other = app.test_client()
    other.post("/api/auth/login", json={"username": "grace", "password": PASSWORD})

    body = assert_problem(client.put("/api/auth/password", json={"current_password": "nope",
                                                                  "new_password": "a new long secret"}), 400)
    assert "current_password" in body["errors"]
    assert client.put("/api/auth/password", json={"current_password": PASSWORD,
                                                  "new_password": "a new long secret"}).status_code == 200
    assert client.get("/api/auth/user").status_code == 200
    assert_problem(other.get("/api/auth/user"), 401)
    assert_problem(other.post("/api/auth/login", json={"username": "grace", "password": PASSWORD}), 401)
    assert other.post("/api/auth/login", json={"username": "grace", "password": "a new long secret"}).status_code == 200


def test_changing_the_password_needs_a_session(client):
    assert_problem(client.put("/api/auth/password", json={}), 401)


# --- Secret key and restarts ----------------------------------------------------------------

def test_secret_key_is_generated_once_with_mode_0600(make_app, tmp_path):
    first = make_app()
    key_file = tmp_path / "data" / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert make_app().config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert make_app(SECRET_KEY="from-the-environment").config["SECRET_KEY"] == "from-the-environment"


def test_a_restart_keeps_data_and_sessions(make_app):
    client = make_app().test_client()
    user = register(client)
    cookie = session_cookie(client).value

    restarted = make_app().test_client()
    restarted.set_cookie("easel_session", cookie)
    assert restarted.get("/api/auth/user").get_json()["user"]["id"] == user["id"]


# --- Rate limits ---------------------------------------------------------------------------

def test_register_is_limited_to_5_per_minute_per_client(make_app):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    for _ in range(5):
        assert client.post("/api/auth/register", json=registration()).status_code == 201
    response = client.post("/api/auth/register", json=registration())
    body = assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert "5 per 1 minute" in body["detail"]


def test_login_is_limited_per_client(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    for attempt in range(10):
        name = f"nobody{attempt}"  # different usernames: only the per-client limit counts them all
        assert_problem(client.post("/api/auth/login", json={"username": name, "password": "x"}), 401)
    assert_problem(client.post("/api/auth/login", json={"username": "someone", "password": "x"}), 429)


def test_a_malformed_login_body_is_a_400_with_limits_on(make_app):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    response = client.post("/api/auth/login", data=b'{"username": ', content_type="application/json")
    assert_problem(response, 400)


def test_login_is_limited_per_username_across_clients(make_app):
    """Behind a trusted proxy, each X-Forwarded-For is its own client; the username limit still holds."""
    client = make_app(RATELIMIT_ENABLED=True, TRUST_PROXY=1).test_client()
    for attempt in range(10):
        headers = {"X-Forwarded-For": f"203.0.113.{attempt}"}
        response = client.post("/api/auth/login", json={"username": "ada", "password": "x"}, headers=headers)
        assert_problem(response, 401)
    response = client.post("/api/auth/login", json={"username": "ADA", "password": "x"},
                           headers={"X-Forwarded-For": "203.0.113.99"})
    assert_problem(response, 429)
    response = client.post("/api/auth/login", json={"username": "bob", "password": "x"},
                           headers={"X-Forwarded-For": "203.0.113.99"})
    assert_problem(response, 401)  # another username from a fresh client is still let through


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(make_app):
    client = make_app(RATELIMIT_ENABLED=True, TRUST_PROXY=0).test_client()
    for attempt in range(5):
        client.post("/api/auth/register", json=registration(), headers={"X-Forwarded-For": f"198.51.100.{attempt}"})
    response = client.post("/api/auth/register", json=registration(), headers={"X-Forwarded-For": "198.51.100.77"})
    assert_problem(response, 429)


def test_environment_variables_configure_the_app(monkeypatch, tmp_path):
    from app import create_app
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "envdata"))
    monkeypatch.setenv("MAX_UPLOAD_MB", "3")
    monkeypatch.setenv("CORS_ORIGINS", "https://easel.example")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("TRUST_PROXY", "2")
    app = create_app()
    assert app.config["DATABASE"] == os.path.join(tmp_path, "envdata", "easel.sqlite3")
    assert app.config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024
    assert app.config["CORS_ORIGINS"] == ["https://easel.example"]
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["TRUST_PROXY"] == 2


def test_a_username_and_its_email_share_one_login_budget(make_app):
    """Behind a trusted proxy every attempt comes from a fresh client, so only the account's own
    budget can stop them: 10 a minute in all, not 10 by username and 10 more by email."""
    app = make_app(RATELIMIT_ENABLED=True, TRUST_PROXY=1)
    client = app.test_client()
    assert client.post("/api/auth/register", json=registration(username="grace", email="grace@example.com"),
                       headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 201
    statuses = []
    for attempt in range(20):
        field = {"username": "Grace"} if attempt % 2 else {"email": "GRACE@example.com"}
        response = client.post("/api/auth/login", json={**field, "password": "wrong"},
                               headers={"X-Forwarded-For": f"203.0.113.{attempt}"})
        statuses.append(response.status_code)
    assert statuses == [401] * 10 + [429] * 10
