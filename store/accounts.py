"""Accounts, server-side sessions and roles."""

import hashlib
import secrets
from datetime import timedelta

from store import new_id, transaction, utc_now

ROLES = ("user", "curator", "admin")
ACCOUNT_TYPES = ("artist", "collector")


class AlreadyExists(Exception):
    """A unique account field is taken; .field names which one."""

    def __init__(self, field):
        super().__init__(f"{field} already exists")
        self.field = field


def _taken_field(conn, username, email):
    row = conn.execute(
        "SELECT username = ? COLLATE NOCASE AS username_taken FROM artists "
        "WHERE username = ? COLLATE NOCASE OR email = ? COLLATE NOCASE "
        "ORDER BY username_taken DESC LIMIT 1",
        (username, username, email),
    ).fetchone()
    if row is None:
        return None
    return "username" if row["username_taken"] else "email"


# Not a werkzeug hash, so no password ever matches it: for accounts nobody signs in to (imported
# catalogue artists, simulated readers and buyers).
UNUSABLE_PASSWORD_HASH = "!"  # noqa: S105


def create_simulated_account(conn, number: int, role: str) -> str:
    """A SYNTHETIC collector sim_NNNNN (@simulated.invalid, no usable password) for `flask simulate`;
    store.ranking.next_simulated_number gives the next free number."""
    username = f"sim_{number:05d}"
    return create_account(conn, username=username, email=f"{username}@simulated.invalid",
                          password_hash=UNUSABLE_PASSWORD_HASH, artist_name=f"Simulated {role} {number}",
                          account_type="collector")


def create_account(conn, *, username, email, password_hash, artist_name, bio=None, location=None,
                   account_type="artist"):
    """Insert the account and its empty portfolio; raises AlreadyExists for a taken username or email."""
    artist_id = new_id()
    with transaction(conn):
        taken = _taken_field(conn, username, email)
        if taken:
            raise AlreadyExists(taken)
        # No other writer can slip in between the check and the insert: the transaction holds the write lock.
        conn.execute(
            "INSERT INTO artists (id, username, email, password_hash, artist_name, bio, location, "
            "account_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (artist_id, username, email, password_hash, artist_name, bio, location, account_type),
        )
        conn.execute("INSERT INTO portfolio_settings (artist_id) VALUES (?)", (artist_id,))
    return artist_id


def find_credentials(conn, identifier):
    """(id, password_hash) of the account whose username or email is `identifier`, or None."""
    return conn.execute(
        "SELECT id, password_hash FROM artists WHERE username = ? COLLATE NOCASE OR email = ? COLLATE NOCASE",
        (identifier, identifier),
    ).fetchone()


def password_hash_of(conn, artist_id):
    row = conn.execute("SELECT password_hash FROM artists WHERE id = ?", (artist_id,)).fetchone()
    return row["password_hash"] if row else None


def _token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(conn, artist_id, *, lifetime=timedelta(days=30), ip=None, user_agent=None):
    """Record a login and open a fresh session; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    with transaction(conn):
        conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
        conn.execute(
            "INSERT INTO sessions (token_hash, artist_id, created_at, expires_at, ip, user_agent) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (_token_hash(token), artist_id, now, utc_now(lifetime), ip, (user_agent or "")[:300]),
        )
        conn.execute("UPDATE artists SET last_login_at = ? WHERE id = ?", (now, artist_id))
    return token


def session_artist_id(conn, token):
    """The account a live session token belongs to, or None (unknown, revoked or expired)."""
    row = conn.execute(
        "SELECT artist_id FROM sessions WHERE token_hash = ? AND expires_at > ?",
        (_token_hash(token), utc_now()),
    ).fetchone()
    return row["artist_id"] if row else None


def end_session(conn, token):
    with transaction(conn):
        conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


def change_password(conn, artist_id, password_hash):
    """Store the new hash and revoke every session of the account."""
    with transaction(conn):
        conn.execute(
            "UPDATE artists SET password_hash = ?, updated_at = ? WHERE id = ?",
            (password_hash, utc_now(), artist_id),
        )
        conn.execute("DELETE FROM sessions WHERE artist_id = ?", (artist_id,))


def grant_role(conn, username, role):
    """Set an account's role; returns False when no such username exists."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    with transaction(conn):
        cursor = conn.execute(
            "UPDATE artists SET role = ?, updated_at = ? WHERE username = ? COLLATE NOCASE",
            (role, utc_now(), username),
        )
    return cursor.rowcount == 1
