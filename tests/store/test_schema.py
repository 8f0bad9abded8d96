"""The schema on a real database file: SPEC's tables and columns, constraints, counters."""

import sqlite3
import threading

import pytest

import store
from tests.conftest import add_artwork, add_gallery, insert

# Every table and column that SPEC.md's "Database Schema" names.
SPEC_COLUMNS = {
    "artists": "id username email password_hash artist_name bio location specialties social_links contact_info "
               "profile_image_url created_at follower_count following_count artwork_count",
    "artworks": "id artist_id title description medium dimensions creation_date image_path thumbnail_path "
                "file_size image_width image_height price currency availability_status view_count like_count "
                "comment_count created_at updated_at",
    "galleries": "id artist_id name description theme visibility cover_artwork_id artwork_count view_count "
                 "created_at updated_at",
    "gallery_artworks": "gallery_id artwork_id position added_at",
    "categories": "id name description parent_id artwork_count",
    "tags": "id name usage_count",
    "artwork_tags": "artwork_id tag_id",
    "artwork_likes": "artwork_id user_id liked_at",
    "artwork_comments": "id artwork_id commenter_id comment_text parent_comment_id created_at",
    "artist_follows": "follower_id following_id followed_at",
    "exhibitions": "id organizer_id title description submission_deadline exhibition_start exhibition_end "
                   "location requirements submission_fee created_at",
    "exhibition_submissions": "id exhibition_id artist_id artwork_ids artist_statement status submitted_at",
    "commissions": "id client_id artist_id title description budget deadline status progress_notes "
                   "completion_date created_at updated_at",
}


def account(conn, name="ada"):
    return insert(conn, "artists", {"id": store.new_id(), "username": name, "email": f"{name}@example.com",
                                    "password_hash": "x", "artist_name": name.title()})


def columns(conn, table):
    return {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}


def test_every_spec_table_and_column_exists(conn):
    for table, names in SPEC_COLUMNS.items():
        missing = set(names.split()) - columns(conn, table)
        assert not missing, f"{table} lacks {missing}"


def test_accounts_have_type_role_and_artworks_a_category(conn):
    assert {"account_type", "role"} <= columns(conn, "artists")
    assert "category_id" in columns(conn, "artworks")


def test_connection_settings(conn, tmp_path):
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == store.BUSY_TIMEOUT_MS
    assert conn.execute("PRAGMA mmap_size").fetchone()[0] > 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store.schema_version(store.load_migrations())
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_every_foreign_key_is_indexed(conn):
    tables = [row["name"] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        indexed_first_columns = {conn.execute(f"PRAGMA index_info('{index['name']}')").fetchone()["name"]
                                 for index in conn.execute(f"PRAGMA index_list('{table}')")}
        for fk in conn.execute(f"PRAGMA foreign_key_list('{table}')"):
            assert fk["from"] in indexed_first_columns, f"{table}.{fk['from']} has no index"


@pytest.mark.parametrize("table, column, bad", [
    ("artists", "role", "overlord"),
    ("artists", "account_type", "robot"),
    ("artworks", "availability_status", "stolen"),
    ("galleries", "visibility", "secret"),
    ("exhibition_submissions", "status", "maybe"),
    ("commissions", "status", "pending"),
    ("portfolio_settings", "theme", "neon"),
    ("portfolio_settings", "accent_color", "red"),
])
def test_enumerations_are_checked(conn, table, column, bad):
    artist_id = account(conn)
    rows = {
        "artists": {"id": "x", "username": "bob", "email": "b@e.com", "password_hash": "x", "artist_name": "B"},
        "artworks": {"id": "w", "artist_id": artist_id, "title": "T"},
        "galleries": {"id": "g", "artist_id": artist_id, "name": "G"},
        "exhibition_submissions": {"id": "s", "exhibition_id": insert(conn, "exhibitions", {"id": "e", "title": "E"}),
                                   "artist_id": artist_id},
        "commissions": {"id": "c", "artist_id": artist_id},
        "portfolio_settings": {"artist_id": artist_id},
    }
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        insert(conn, table, {**rows[table], column: bad})


def test_counters_follow_rows_including_cascades(conn):
    ada, bob = account(conn, "ada"), account(conn, "bob")
    category = insert(conn, "categories", {"id": 1000, "name": "Fresco"})
    work = add_artwork(conn, ada, category_id=category)
    gallery = add_gallery(conn, ada)
    insert(conn, "gallery_artworks", {"gallery_id": gallery, "artwork_id": work, "position": 1})
    insert(conn, "tags", {"id": 7, "name": "sea"})
    insert(conn, "artwork_tags", {"artwork_id": work, "tag_id": 7})
    insert(conn, "artwork_likes", {"artwork_id": work, "user_id": bob})
    insert(conn, "artwork_comments", {"id": "c1", "artwork_id": work, "commenter_id": bob, "comment_text": "Lovely"})
    insert(conn, "artist_follows", {"follower_id": bob, "following_id": ada})

    def count(sql):
        return conn.execute(sql).fetchone()[0]

    assert count(f"SELECT artwork_count FROM artists WHERE id = '{ada}'") == 1
    assert count("SELECT artwork_count FROM categories WHERE id = 1000") == 1
    assert count(f"SELECT artwork_count FROM galleries WHERE id = '{gallery}'") == 1
    assert count("SELECT usage_count FROM tags WHERE id = 7") == 1
    assert count(f"SELECT like_count + comment_count FROM artworks WHERE id = '{work}'") == 2
    assert count(f"SELECT follower_count FROM artists WHERE id = '{ada}'") == 1
    assert count(f"SELECT following_count FROM artists WHERE id = '{bob}'") == 1

    conn.execute("UPDATE artworks SET category_id = NULL")
    assert count("SELECT artwork_count FROM categories WHERE id = 1000") == 0

    conn.execute("DELETE FROM artworks WHERE id = ?", (work,))  # cascades to links, tags, likes, comments
    assert count(f"SELECT artwork_count FROM galleries WHERE id = '{gallery}'") == 0
    assert count("SELECT usage_count FROM tags WHERE id = 7") == 0
    assert count(f"SELECT artwork_count FROM artists WHERE id = '{ada}'") == 0

    conn.execute("DELETE FROM artists WHERE id = ?", (bob,))  # cascades to the follow
    assert count(f"SELECT follower_count FROM artists WHERE id = '{ada}'") == 0


def test_deleting_an_artist_keeps_commissions_of_their_clients(conn):
    ada, bob = account(conn, "ada"), account(conn, "bob")
    insert(conn, "commissions", {"id": "c", "artist_id": ada, "client_id": bob})
    conn.execute("DELETE FROM artists WHERE id = ?", (bob,))
    assert conn.execute("SELECT client_id FROM commissions WHERE id = 'c'").fetchone()[0] is None


def test_nobody_follows_themselves(conn):
    ada = account(conn)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        insert(conn, "artist_follows", {"follower_id": ada, "following_id": ada})


def test_transaction_rolls_back_on_error(conn):
    with pytest.raises(RuntimeError), store.transaction(conn):
        account(conn, "ada")
        raise RuntimeError("boom")
    assert conn.execute("SELECT count(*) FROM artists").fetchone()[0] == 0
    assert not conn.in_transaction


def test_immediate_transactions_wait_for_each_other(tmp_path):
    """Eight threads adding to one counter through read-then-write transactions lose nothing."""
    path = tmp_path / "easel.sqlite3"
    store.initialise(path)
    setup = store.connect(path)
    ada = account(setup, "ada")
    work = add_artwork(setup, ada)
    setup.close()

    def bump():
        conn = store.connect(path)
        for _ in range(25):
            with store.transaction(conn):
                conn.execute("SELECT view_count FROM artworks WHERE id = ?", (work,)).fetchone()
                conn.execute("UPDATE artworks SET view_count = view_count + 1 WHERE id = ?", (work,))
        conn.close()

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check = store.connect(path)
    assert check.execute("SELECT view_count FROM artworks").fetchone()[0] == 200
    check.close()
