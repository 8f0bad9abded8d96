"""The full-text rows and each process's ranking index follow every change to the data."""

import pytest

from search import index as index_module
from search import tfidf
from search.engine import search_artworks
from search.index import SearchIndex
from store import taxonomy
from tests.search.conftest import person, work

QUERIES = ["blue ", "horse ", "cezanne ", "oil ", "wat", "mount", "-blue", "", "renamed ", "garden "]


def fts_rows(conn):
    return conn.execute("SELECT rowid, * FROM artworks_fts ORDER BY rowid").fetchall()


def expected_rows(conn):
    return conn.execute("SELECT doc_id, title, description, tags, medium, category, artist, colours, keywords "
                        "FROM artwork_search_text ORDER BY doc_id").fetchall()


def assert_in_step(conn):
    assert [tuple(row) for row in fts_rows(conn)] == [tuple(row) for row in expected_rows(conn)]


def results(conn, index):
    # Six places: a long-lived index sums its float32 lengths in another order than a fresh one, so
    # scores may differ in the ninth.
    return {text: [(hit.artwork_id, round(hit.score, 6)) for hit in search_artworks(conn, index, text=text).hits]
            for text in QUERIES}


def change_everything(conn, gallery):
    works, artists = gallery["works"], gallery["artists"]
    conn.execute("UPDATE artworks SET title = 'Renamed lilies', medium = 'Acrylic' WHERE id = ?", (works["lilies"],))
    taxonomy.set_tags(conn, works["wave"], ["tsunami", "boats"])
    conn.execute("UPDATE artists SET artist_name = 'Paul Renamed' WHERE id = ?", (artists["cezanne"],))
    conn.execute("UPDATE categories SET name = 'Renamed landscape' WHERE id = 12")
    conn.execute("UPDATE artworks SET availability_status = 'private' WHERE id = ?", (works["horse"],))
    conn.execute("UPDATE artworks SET like_count = 500 WHERE id = ?", (works["players"],))
    conn.execute("DELETE FROM artworks WHERE id = ?", (works["haystacks"],))
    work(conn, artists["monet"], "Garden at Giverny", description="New blue flowers", colours=["blue"])


def test_full_text_rows_follow_every_kind_of_change(conn, gallery):
    assert_in_step(conn)
    change_everything(conn, gallery)
    assert_in_step(conn)
    row = conn.execute("SELECT * FROM artworks_fts WHERE artworks_fts MATCH 'renamed'").fetchall()
    assert len(row) == 3  # the renamed title (also a landscape), the renamed artist's two works
    conn.execute("DELETE FROM artists WHERE id = ?", (gallery["artists"]["cezanne"],))
    assert_in_step(conn)


def test_a_long_lived_index_answers_like_a_fresh_one_after_changes(conn, index, gallery):
    results(conn, index)  # load before the changes: later ones arrive through the change log
    change_everything(conn, gallery)
    assert results(conn, index) == results(conn, SearchIndex())
    assert results(conn, index)["renamed "]  # the new words are searchable


def test_compacting_the_delta_changes_no_answer(conn, index, gallery, monkeypatch):
    results(conn, index)
    monkeypatch.setattr(index_module, "COMPACT_AFTER", 1)
    change_everything(conn, gallery)
    compacted = results(conn, index)
    assert index.delta == {}
    assert compacted == results(conn, SearchIndex())


def test_a_private_or_deleted_work_leaves_search_at_once(conn, index, gallery):
    assert search_artworks(conn, index, text="wave ").total == 1
    conn.execute("UPDATE artworks SET availability_status = 'private' WHERE id = ?", (gallery["works"]["wave"],))
    assert search_artworks(conn, index, text="wave ").total == 0
    conn.execute("DELETE FROM artworks WHERE id = ?", (gallery["works"]["mountain"],))
    assert search_artworks(conn, index, text="sainte ").total == 0


def test_a_reindex_or_a_pruned_log_reloads_everything(conn, index, gallery):
    results(conn, index)
    generation = index.generation
    tfidf.reindex(conn)
    results(conn, index)
    assert index.generation == generation + 1
    conn.execute("UPDATE artworks SET title = 'Pruned' WHERE id = ?", (gallery["works"]["wave"],))
    conn.execute("DELETE FROM search_changes")  # as if the log had been pruned past this process
    conn.execute("UPDATE artworks SET like_count = 1 WHERE id = ?", (gallery["works"]["lilies"],))
    assert search_artworks(conn, index, text="pruned ").total == 1


def test_migration_indexes_what_a_database_already_holds(tmp_path):
    import store
    from tests.store.test_migrations import released
    old = released(tmp_path, 3)
    old.execute("INSERT INTO artists (id, username, email, password_hash, artist_name) "
                "VALUES ('a1', 'ada', 'ada@example.com', 'x', 'Ada Lovelace')")
    old.execute("INSERT INTO artworks (id, artist_id, title, description) VALUES ('w1', 'a1', 'Engine', 'Bernoulli')")
    store.migrate(old)
    assert old.execute("SELECT rowid FROM artworks_fts WHERE artworks_fts MATCH 'bernoulli lovelace'").fetchall()
    assert old.execute("SELECT rowid FROM artists_fts WHERE artists_fts MATCH 'ada'").fetchall()


@pytest.mark.parametrize("column, value", [("bio", "Painter of zebras"), ("location", "Zebraville"),
                                           ("specialties", '["zebra studies"]')])
def test_artist_search_rows_follow_profile_changes(conn, column, value):
    artist = person(conn, "zed")
    conn.execute(f"UPDATE artists SET {column} = ? WHERE id = ?", (value, artist))
    assert conn.execute("SELECT count(*) FROM artists_fts WHERE artists_fts MATCH 'zebra*'").fetchone()[0] == 1
