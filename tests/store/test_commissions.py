"""Commission writes are durable, ordered and checked inside their own transaction."""

import pytest

import store
from store import commissions


@pytest.fixture
def request_made(conn):
    for person in ("artist", "client"):
        conn.execute("INSERT INTO artists (id, username, email, password_hash, artist_name) VALUES (?, ?, ?, 'x', ?)",
                     (person, person, f"{person}@example.com", person.title()))
    return commissions.create_commission(conn, "client", "artist", {
        "title": "Portrait", "description": "Oil", "budget": 500.0, "currency": "USD", "deadline": "2099-01-01"})


def test_durable_transaction_syncs_fully_and_then_relaxes(conn):
    with store.durable_transaction(conn):
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # back to NORMAL
    with pytest.raises(RuntimeError), store.durable_transaction(conn):
        raise RuntimeError("rolled back")
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1


def test_every_commission_write_runs_with_full_sync(conn, request_made):
    statements = []
    conn.set_trace_callback(statements.append)
    commissions.update_commission(conn, request_made, "artist", status="accepted")
    commissions.update_commission(conn, request_made, "client", note="Thanks")
    conn.set_trace_callback(None)
    begins = [i for i, sql in enumerate(statements) if sql == "BEGIN IMMEDIATE"]
    assert len(begins) == 2
    assert all(statements[i - 1] == "PRAGMA synchronous = FULL" for i in begins)


def test_a_move_is_checked_against_the_row_inside_the_transaction(conn, request_made):
    commissions.update_commission(conn, request_made, "client", status="cancelled", note=None)
    with pytest.raises(commissions.MoveRefused) as refused:
        commissions.update_commission(conn, request_made, "artist", status="accepted")  # the artist's stale view
    assert refused.value.allowed == [] and refused.value.current == "cancelled"
    kinds = [event["kind"] for event in commissions.events_of(conn, request_made)]
    assert kinds == ["requested", "cancelled"]


def test_outcomes_count_statuses_and_completed_value(conn, request_made):
    commissions.update_commission(conn, request_made, "artist", status="accepted")
    commissions.update_commission(conn, request_made, "artist", status="in_progress")
    commissions.update_commission(conn, request_made, "artist", status="completed")
    outcomes = commissions.outcomes_for(conn, "artist")
    assert outcomes["by_status"]["completed"] == 1 and outcomes["completed_value"] == {"USD": 500}
