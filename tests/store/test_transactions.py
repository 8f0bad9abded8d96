"""store.transaction's hooks: after-commit work runs only once the write is durable, after-rollback
work only when it is not; and process-wide indexes refuse to read inside a write."""

import sqlite3

import pytest

import store
from search import images


def test_after_commit_runs_once_committed_and_never_on_rollback(conn):
    ran = []
    with store.transaction(conn):
        conn.execute("INSERT INTO categories (name) VALUES ('Kept')")
        store.after_commit(conn, lambda: ran.append(("commit", store.in_write(conn))))
        store.after_rollback(conn, lambda: ran.append("rollback"))
        assert ran == []
    assert ran == [("commit", False)]

    ran.clear()
    with pytest.raises(RuntimeError), store.transaction(conn):
        conn.execute("INSERT INTO categories (name) VALUES ('Dropped')")
        store.after_commit(conn, lambda: ran.append("commit"))
        store.after_rollback(conn, lambda: ran.append("rollback"))
        raise RuntimeError("the write fails")
    assert ran == ["rollback"]
    names = {row[0] for row in conn.execute("SELECT name FROM categories")}
    assert "Kept" in names and "Dropped" not in names


def test_a_failed_commit_counts_as_a_rollback(conn):
    ran = []
    conn.execute("PRAGMA defer_foreign_keys = ON")   # the violation is found at COMMIT, not at the INSERT
    with pytest.raises(sqlite3.IntegrityError), store.transaction(conn):
        conn.execute("INSERT INTO artworks (id, artist_id, title) VALUES ('w', 'nobody', 'Orphan')")
        store.after_commit(conn, lambda: ran.append("commit"))
        store.after_rollback(conn, lambda: ran.append("rollback"))
    assert ran == ["rollback"] and not conn.in_transaction and not store.in_write(conn)


def test_outside_a_write_after_commit_runs_at_once_and_after_rollback_is_refused(conn):
    ran = []
    store.after_commit(conn, lambda: ran.append("now"))
    assert ran == ["now"]
    with pytest.raises(RuntimeError):
        store.after_rollback(conn, lambda: None)


def test_a_failing_hook_neither_undoes_the_write_nor_stops_the_others(conn):
    ran = []
    with store.transaction(conn):
        conn.execute("INSERT INTO categories (name) VALUES ('Durable')")
        store.after_commit(conn, lambda: 1 / 0)
        store.after_commit(conn, lambda: ran.append("second"))
    assert ran == ["second"]
    assert conn.execute("SELECT count(*) FROM categories WHERE name = 'Durable'").fetchone()[0] == 1


def test_the_image_index_refuses_to_refresh_inside_a_write(conn):
    index = images.ImageIndex()
    with pytest.raises(store.WriteInProgress), store.transaction(conn):
        index.refresh(conn)
    conn.execute("BEGIN")
    index.refresh(conn)   # a read snapshot is where it belongs
    conn.execute("COMMIT")
    assert index.seq is not None
