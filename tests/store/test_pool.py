"""store.ConnectionPool: what one request leaves behind must not reach the next."""

import os
import sqlite3
import threading
import time

import pytest

import store
from tests.conftest import insert


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "easel.sqlite3"
    store.initialise(path)
    return path


def count_artists(path):
    check = store.connect(path)
    try:
        return check.execute("SELECT count(*) FROM artists").fetchone()[0]
    finally:
        check.close()


def add_account(conn, name):
    insert(conn, "artists", {"id": name, "username": name, "email": f"{name}@example.com",
                             "password_hash": "x", "artist_name": name})


def test_a_returned_connection_is_lent_again(path):
    pool = store.ConnectionPool(path)
    first = pool.take()
    pool.give_back(first)
    assert pool.take() is first


def test_an_open_transaction_is_rolled_back_and_its_lock_freed(path):
    pool = store.ConnectionPool(path)
    conn = pool.take()
    conn.execute("BEGIN IMMEDIATE")
    add_account(conn, "ada")
    pool.give_back(conn)               # as a request that failed half-way would

    assert count_artists(path) == 0
    again = pool.take()
    assert again is conn and not again.in_transaction
    other = store.connect(path)
    with store.transaction(other):     # the write lock is free again
        add_account(other, "grace")
    other.close()
    assert count_artists(path) == 1


def test_settings_hold_on_a_reused_connection(path):
    pool = store.ConnectionPool(path)
    conn = pool.take()
    pool.give_back(conn)
    conn = pool.take()
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.row_factory is sqlite3.Row


def test_only_a_few_idle_connections_are_kept(path):
    pool = store.ConnectionPool(path, keep=2)
    taken = [pool.take() for _ in range(4)]
    for conn in taken:
        pool.give_back(conn)
    kept = [conn for conn in taken if _is_open(conn)]
    assert len(kept) == 2
    assert {id(pool.take()), id(pool.take())} == {id(conn) for conn in kept}


def test_a_connection_serves_whichever_thread_borrows_it(path):
    pool = store.ConnectionPool(path)
    conn = pool.take()
    add_account(conn, "ada")
    pool.give_back(conn)
    seen = []

    def request():
        borrowed = pool.take()
        seen.append((borrowed is conn, borrowed.execute("SELECT count(*) FROM artists").fetchone()[0]))
        pool.give_back(borrowed)

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    assert seen == [(True, 1)]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_opens_its_own(path):
    pool = store.ConnectionPool(path)
    parents = pool.take()
    pool.give_back(parents)
    child = os.fork()
    if child == 0:   # the worker: exit 0 when it got a connection of its own that works
        try:
            mine = pool.take()
            ok = mine is not parents and mine.execute("SELECT count(*) FROM artists").fetchone()[0] == 0
            os._exit(0 if ok else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert pool.take() is parents    # the parent keeps its own


def _is_open(conn):
    try:
        conn.execute("SELECT 1")
        return True
    except sqlite3.ProgrammingError:
        return False


def test_lent_connections_leave_checkpoints_to_the_background_thread(path):
    """A commit past the 1,000-page WAL threshold would copy the log into the database file on
    the spot; a pool's connection leaves the file alone and the checkpoint thread copies it."""
    pool = store.ConnectionPool(path)
    conn = pool.take()
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    conn.execute("CREATE TABLE ballast (data BLOB)")
    size = os.path.getsize(path)
    with store.transaction(conn):
        conn.executemany("INSERT INTO ballast VALUES (?)", [(os.urandom(4000),) for _ in range(1200)])
    assert os.path.getsize(path) == size          # still only in the WAL
    pool.give_back(conn)
    deadline = time.monotonic() + 10 * store.CHECKPOINT_SECONDS
    while os.path.getsize(path) == size and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.getsize(path) > size + 1000 * 4000


def test_a_checkpoint_waits_for_an_idle_connection(path):
    pool = store.ConnectionPool(path)
    conn = pool.take()
    pool.checkpoint()                              # nothing idle: it must not open one of its own
    assert pool._idle == []
    pool.give_back(conn)
    pool.checkpoint()
    assert pool._idle == [conn]
