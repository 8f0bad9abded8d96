"""Schema versions: fresh creation, forward migrations, refusal of newer databases."""

import json
import sqlite3
import threading
from pathlib import Path

import pytest

import store

CURRENT = store.schema_version(store.load_migrations())
FIXTURES = Path(__file__).parent / "fixtures"


def version(conn):
    return conn.execute("PRAGMA user_version").fetchone()[0]


def test_fresh_database_gets_the_current_version(tmp_path):
    path = tmp_path / "new.sqlite3"
    assert store.initialise(path) == store.schema_version(store.load_migrations())
    conn = store.connect(path)
    assert version(conn) == CURRENT
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'artists'").fetchone()[0] == 1
    conn.close()


def test_initialise_twice_changes_nothing(tmp_path):
    path = tmp_path / "twice.sqlite3"
    store.initialise(path)
    conn = store.connect(path)
    before = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    conn.close()
    store.initialise(path)
    conn = store.connect(path)
    assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before
    conn.close()


def test_pending_migrations_apply_in_order_once(tmp_path):
    conn = store.connect(tmp_path / "old.sqlite3")
    store.migrate(conn, migrations=[])  # a database at version 1
    steps = [
        (3, "ALTER TABLE artists ADD COLUMN pronouns TEXT;"),
        (2, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n"
            "CREATE TRIGGER notes_touch AFTER INSERT ON notes BEGIN\n"
            "  UPDATE notes SET body = trim(body) WHERE id = NEW.id;\nEND;"),
    ]
    assert store.migrate(conn, migrations=steps) == 3
    assert version(conn) == 3
    assert "pronouns" in {row["name"] for row in conn.execute("PRAGMA table_info(artists)")}
    conn.execute("INSERT INTO notes (body) VALUES ('  hi  ')")
    assert conn.execute("SELECT body FROM notes").fetchone()[0] == "hi"
    assert store.migrate(conn, migrations=steps) == 3  # nothing left to do, and no error
    conn.close()


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path):
    conn = store.connect(tmp_path / "old.sqlite3")
    store.migrate(conn, migrations=[])
    steps = [(2, "ALTER TABLE artists ADD COLUMN pronouns TEXT;\nALTER TABLE nowhere ADD COLUMN x TEXT;")]
    with pytest.raises(sqlite3.OperationalError):
        store.migrate(conn, migrations=steps)
    assert version(conn) == 1
    assert "pronouns" not in {row["name"] for row in conn.execute("PRAGMA table_info(artists)")}
    conn.close()


def test_a_newer_database_is_refused(tmp_path):
    conn = store.connect(tmp_path / "future.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    with pytest.raises(store.SchemaTooNew):
        store.migrate(conn, migrations=[])
    conn.close()


def test_processes_starting_together_build_the_schema_once(tmp_path):
    path = tmp_path / "race.sqlite3"
    errors = []

    def start():
        try:
            store.initialise(path)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    conn = store.connect(path)
    assert version(conn) == CURRENT
    conn.close()


def test_split_statements_keeps_trigger_bodies_whole():
    script = ("CREATE TABLE a (x);\n-- a comment; with a semicolon\n"
              "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET x = 1;\n  UPDATE a SET x = 2;\nEND;\n"
              "-- trailing\n")
    statements = store.split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    with pytest.raises(ValueError):
        store.split_statements("CREATE TABLE b (x)")


def test_migration_files_must_be_numbered(tmp_path):
    (tmp_path / "add_things.sql").write_text("SELECT 1;")
    with pytest.raises(ValueError):
        store.load_migrations(tmp_path)
    (tmp_path / "add_things.sql").unlink()
    (tmp_path / "0002_add_things.sql").write_text("SELECT 1;")
    assert store.load_migrations(tmp_path) == [(2, "SELECT 1;")]


def shape(conn):
    """Tables with their columns, indexes and triggers: what a fresh and a migrated database share."""
    objects = {}
    for row in conn.execute("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"):
        if row["type"] == "table":
            objects[row["name"]] = [(c["name"], c["type"], c["notnull"], c["dflt_value"], c["pk"])
                                    for c in conn.execute(f"PRAGMA table_info('{row['name']}')")]
        else:
            objects[row["name"]] = (row["type"], row["tbl_name"])
    return objects


def released(tmp_path, release):
    """A database built by the schema.sql of an earlier release (snapshots in fixtures/)."""
    conn = store.connect(tmp_path / f"v{release}.sqlite3")
    earlier = [step for step in store.load_migrations() if step[0] <= release]
    store.migrate(conn, migrations=earlier, schema_sql=(FIXTURES / f"schema_v{release}.sql").read_text())
    assert version(conn) == release
    return conn


def at_version(tmp_path, version):
    """A database of the last snapshot (v6) brought to `version`, holding the accounts ada and bob:
    where each rebuilding migration's test starts."""
    old = released(tmp_path, 6)
    store.migrate(old, migrations=[step for step in store.load_migrations() if step[0] <= version])
    old.executemany("INSERT INTO artists (id, username, email, password_hash, artist_name) VALUES (?, ?, ?, 'x', ?)",
                    [(name, name, f"{name}@example.com", name.title()) for name in ("ada", "bob")])
    return old


@pytest.mark.parametrize("release", [1, 2, 3, 4, 5, 6])
def test_released_database_migrates_to_the_fresh_schema(tmp_path, release):
    old = released(tmp_path, release)
    old.execute("INSERT INTO artists (id, username, email, password_hash, artist_name) "
                "VALUES ('a1', 'ada', 'ada@example.com', 'x', 'Ada')")
    old.execute("INSERT INTO artworks (id, artist_id, title) VALUES ('w1', 'a1', 'Kept')")
    assert store.migrate(old) == CURRENT
    fresh = store.connect(tmp_path / "fresh.sqlite3")
    store.migrate(fresh)

    migrated_shape, fresh_shape = shape(old), shape(fresh)
    assert migrated_shape.keys() == fresh_shape.keys()
    for name, columns in fresh_shape.items():
        if isinstance(columns, list):  # column order differs after ALTER TABLE; the set must not
            assert sorted(migrated_shape[name]) == sorted(columns), name
    categories = "SELECT id, name, kind, parent_id FROM categories ORDER BY id"
    assert old.execute(categories).fetchall() == fresh.execute(categories).fetchall()
    assert old.execute("SELECT title, exif, image_view_count FROM artworks").fetchone()[:] == ("Kept", "{}", 0)
    assert old.execute("PRAGMA foreign_key_check").fetchall() == []


def test_version_3_threads_the_comments_an_older_database_holds(tmp_path):
    old = released(tmp_path, 2)
    old.execute("INSERT INTO artists (id, username, email, password_hash, artist_name) "
                "VALUES ('a1', 'ada', 'ada@example.com', 'x', 'Ada')")
    old.execute("INSERT INTO artworks (id, artist_id, title) VALUES ('w1', 'a1', 'Kept')")
    parent = None
    for n in range(7):  # a chain deeper than replies may nest now
        old.execute("INSERT INTO artwork_comments (id, artwork_id, commenter_id, comment_text, parent_comment_id) "
                    "VALUES (?, 'w1', 'a1', 'hi', ?)", (f"c{n}", parent))
        parent = f"c{n}"
    store.migrate(old)
    rows = old.execute("SELECT id, depth, thread_id FROM artwork_comments ORDER BY id").fetchall()
    assert [tuple(row) for row in rows] == [(f"c{n}", min(n, 5), "c0") for n in range(7)]
    assert old.execute("SELECT comment_count, share_count FROM artworks").fetchone()[:] == (7, 0)


def test_version_6_carries_an_older_database_s_history_forward(tmp_path):
    old = released(tmp_path, 5)
    old.executemany("INSERT INTO artists (id, username, email, password_hash, artist_name) VALUES (?, ?, ?, 'x', ?)",
                    [(n, n, f"{n}@example.com", n.title()) for n in ("ada", "bob")])
    old.execute("INSERT INTO artworks (id, artist_id, title) VALUES ('w1', 'ada', 'Kept')")
    old.execute("INSERT INTO artwork_likes (artwork_id, user_id, liked_at) "
                "VALUES ('w1', 'bob', '2026-11-01T10:00:00.000Z')")
    old.execute("INSERT INTO artwork_views (artwork_id, viewer_key, kind) VALUES ('w1', 'bob', 'page')")
    old.execute("INSERT INTO artwork_views (artwork_id, viewer_key, kind) VALUES ('w1', 'ada', 'page')")  # own
    old.execute("INSERT INTO artist_follows (follower_id, following_id) VALUES ('bob', 'ada')")
    old.execute("INSERT INTO exhibitions (id, organizer_id, title) VALUES ('e1', 'bob', 'Show')")
    old.execute("INSERT INTO exhibition_submissions (id, exhibition_id, artist_id, artwork_ids) "
                "VALUES ('s1', 'e1', 'ada', '[\"w1\", \"gone\"]')")
    old.execute("INSERT INTO commissions (id, client_id, artist_id, title, progress_notes) "
                "VALUES ('c1', 'bob', 'ada', 'Portrait', 'Sketch sent')")
    store.migrate(old)
    kinds = {row[0]: row[1] for row in old.execute("SELECT kind, sum(count) FROM activity_daily GROUP BY kind")}
    assert kinds == {"like": 1, "view": 1, "follow": 1}
    assert old.execute("SELECT day FROM activity_daily WHERE kind = 'like'").fetchone()[0] == "2026-11-01"
    assert [tuple(r) for r in old.execute("SELECT submission_id, artwork_id FROM exhibition_submission_artworks")] == [
        ("s1", "w1")]
    notes = json.loads(old.execute("SELECT progress_notes FROM commissions").fetchone()[0])
    assert [note["note"] for note in notes] == ["Sketch sent"]
    assert [r[0] for r in old.execute("SELECT kind FROM commission_events")] == ["requested"]


def test_version_11_keeps_the_notifications_it_rebuilds(tmp_path):
    old = at_version(tmp_path, 10)
    old.execute("INSERT INTO commissions (id, client_id, artist_id, title) VALUES ('c1', 'bob', 'ada', 'Portrait')")
    old.execute("INSERT INTO notifications (id, recipient_id, kind, actor_id, subject_id, data) "
                "VALUES ('n1', 'ada', 'commission', 'bob', 'c1', '{\"event\": \"requested\"}')")
    assert store.migrate(old) == CURRENT
    assert [tuple(row) for row in old.execute("SELECT id, kind, subject_id, data FROM notifications")] == [
        ("n1", "commission", "c1", '{"event": "requested"}')]
    old.execute("INSERT INTO notifications (id, recipient_id, kind) VALUES ('n2', 'ada', 'order')")  # a new kind
    old.execute("DELETE FROM commissions WHERE id = 'c1'")  # the trigger made again still cleans up
    assert [row[0] for row in old.execute("SELECT id FROM notifications")] == ["n2"]
    assert old.execute("PRAGMA foreign_key_check").fetchall() == []


def test_version_12_keeps_the_orders_and_sales_log_it_rebuilds(tmp_path):
    old = at_version(tmp_path, 11)
    old.execute("INSERT INTO artworks (id, artist_id, title, edition_size) VALUES ('w1', 'ada', 'Print', 10)")
    old.execute("INSERT INTO orders (id, artwork_id, artist_id, buyer_id, title, is_edition, quantity, currency, "
                "unit_price, subtotal, total, provider, expires_at) VALUES ('o1', 'w1', 'ada', 'bob', 'Print', 1, 3, "
                "'EUR', 1000, 3000, 3000, 'manual', '2030-01-01T00:00:00.000Z')")
    old.execute("INSERT INTO sales_events (order_id, actor_role, kind, amount) VALUES ('o1', 'buyer', 'created', 3000)")
    old.execute("INSERT INTO notifications (id, recipient_id, kind, subject_id) VALUES ('n1', 'ada', 'order', 'o1')")
    assert store.migrate(old) == CURRENT
    assert tuple(old.execute("SELECT id, kind, quantity, total, unit_cost FROM orders").fetchone()) == (
        "o1", "artwork", 3, 3000, 0)
    assert tuple(old.execute("SELECT order_id, kind, amount, license_id FROM sales_events").fetchone()) == (
        "o1", "created", 3000, None)
    assert old.execute("SELECT editions_remaining FROM artworks").fetchone()[0] == 7
    # The triggers made again still count an edition's prints back when an order is cancelled...
    old.execute("UPDATE orders SET status = 'cancelled' WHERE id = 'o1'")
    assert old.execute("SELECT editions_remaining FROM artworks").fetchone()[0] == 10
    # ... keep the log append-only, and take the new kinds.
    with pytest.raises(sqlite3.IntegrityError):
        old.execute("DELETE FROM sales_events")
    old.execute("INSERT INTO notifications (id, recipient_id, kind) VALUES ('n2', 'ada', 'license')")
    assert old.execute("PRAGMA foreign_key_check").fetchall() == []


def test_version_13_turns_enquiry_threads_into_conversations(tmp_path):
    old = at_version(tmp_path, 12)
    old.execute("INSERT INTO artworks (id, artist_id, title) VALUES ('w1', 'ada', 'Harbour')")
    old.execute("INSERT INTO enquiries (id, artwork_id, artwork_title, artist_id, collector_id) "
                "VALUES ('e1', 'w1', 'Harbour', 'ada', 'bob')")
    for author, body in (("bob", "Is it framed?"), ("ada", "Yes, in oak.")):
        old.execute("INSERT INTO enquiry_messages (enquiry_id, author_id, body) VALUES ('e1', ?, ?)", (author, body))
    old.execute("INSERT INTO commissions (id, client_id, artist_id, title) VALUES ('c1', 'bob', 'ada', 'Portrait')")
    old.execute("INSERT INTO notifications (id, recipient_id, kind, subject_id) VALUES ('n1', 'ada', 'enquiry', 'e1')")
    assert store.migrate(old) == CURRENT
    assert [tuple(r) for r in old.execute("SELECT author_id, body FROM messages WHERE conversation_id = 'e1' "
                                          "ORDER BY id")] == [("bob", "Is it framed?"), ("ada", "Yes, in oak.")]
    assert tuple(old.execute("SELECT message_count, status FROM enquiries").fetchone()) == (2, "answered")
    members = old.execute("SELECT conversation_id, account_id, unread_count FROM conversation_members "
                          "ORDER BY conversation_id, account_id").fetchall()
    assert [tuple(m) for m in members] == [("c1", "ada", 0), ("c1", "bob", 0), ("e1", "ada", 0), ("e1", "bob", 0)]
    # The trigger made after the copy keeps both the conversation's and the enquiry's counts.
    old.execute("INSERT INTO messages (conversation_id, author_id, body) VALUES ('e1', 'bob', 'Thanks')")
    assert tuple(old.execute("SELECT message_count, status FROM enquiries").fetchone()) == (3, "open")
    assert old.execute("SELECT unread_count FROM conversation_members WHERE account_id = 'ada' "
                       "AND conversation_id = 'e1'").fetchone()[0] == 1
    old.execute("INSERT INTO notifications (id, recipient_id, kind, subject_id) VALUES ('n2', 'ada', 'message', 'e1')")
    assert old.execute("SELECT count(*) FROM notifications").fetchone()[0] == 2
    assert old.execute("PRAGMA foreign_key_check").fetchall() == []
