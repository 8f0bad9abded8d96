"""Accounts and sessions in the store, without HTTP."""

from datetime import timedelta

import pytest

from store import accounts, profiles


def new_account(conn, username="ada", email="ada@example.com"):
    return accounts.create_account(conn, username=username, email=email, password_hash="hash", artist_name="Ada")


def test_create_account_makes_an_empty_portfolio(conn):
    artist_id = new_account(conn)
    settings = profiles.get_settings(conn, artist_id)
    assert settings["theme"] == "minimal" and settings["watermark_enabled"] is False
    assert profiles.portfolio_totals(conn, artist_id) == {"gallery_count": 0, "total_views": 0}
    assert profiles.get_account(conn, artist_id)["artwork_count"] == 0


@pytest.mark.parametrize("username, email, field", [
    ("ADA", "other@example.com", "username"),
    ("other", "ADA@EXAMPLE.COM", "email"),
    ("ada", "ada@example.com", "username"),
])
def test_usernames_and_emails_are_unique_ignoring_case(conn, username, email, field):
    new_account(conn)
    with pytest.raises(accounts.AlreadyExists) as raised:
        new_account(conn, username, email)
    assert raised.value.field == field
    assert conn.execute("SELECT count(*) FROM artists").fetchone()[0] == 1


def test_sessions_live_until_ended_or_expired(conn):
    artist_id = new_account(conn)
    token = accounts.start_session(conn, artist_id)
    assert accounts.session_artist_id(conn, token) == artist_id
    assert accounts.session_artist_id(conn, token + "x") is None
    accounts.end_session(conn, token)
    assert accounts.session_artist_id(conn, token) is None

    expired = accounts.start_session(conn, artist_id, lifetime=timedelta(seconds=-1))
    assert accounts.session_artist_id(conn, expired) is None


def test_only_a_hash_of_the_token_is_stored(conn):
    token = accounts.start_session(conn, new_account(conn))
    stored = [row[0] for row in conn.execute("SELECT token_hash FROM sessions")]
    assert token not in stored and len(stored) == 1


def test_expired_sessions_are_swept_at_the_next_login(conn):
    artist_id = new_account(conn)
    accounts.start_session(conn, artist_id, lifetime=timedelta(seconds=-1))
    accounts.start_session(conn, artist_id)
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


def test_changing_the_password_revokes_every_session(conn):
    artist_id = new_account(conn)
    tokens = [accounts.start_session(conn, artist_id) for _ in range(3)]
    accounts.change_password(conn, artist_id, "new-hash")
    assert all(accounts.session_artist_id(conn, token) is None for token in tokens)
    assert accounts.password_hash_of(conn, artist_id) == "new-hash"


def test_grant_role(conn):
    artist_id = new_account(conn)
    assert accounts.grant_role(conn, "ADA", "curator") is True
    assert profiles.get_account(conn, artist_id)["role"] == "curator"
    assert accounts.grant_role(conn, "nobody", "admin") is False
    with pytest.raises(ValueError):
        accounts.grant_role(conn, "ada", "emperor")
