"""The image index: loaded from SQLite, kept in step by the change log, the same in two processes."""

import numpy as np

import store
from imaging import fingerprint
from search import copies
from search.images import ImageIndex
from store import artworks
from tests.conftest import painting
from tests.search.conftest import person, work


def add_fingerprinted(conn, artist_id, seed, **fields):
    artwork_id = work(conn, artist_id, f"Work {seed}", **fields)
    with store.transaction(conn):
        artworks.store_fingerprint(conn, artwork_id, fingerprint.fingerprint(painting(seed)))
    return artwork_id


def found(index, conn, seed, viewer_id=None):
    conn.execute("BEGIN")
    try:
        index.refresh(conn)
        return {index.ids[row].decode() for row, *_ in index.matches(fingerprint.probe(painting(seed)),
                                                                    viewer_id=viewer_id)}
    finally:
        conn.execute("COMMIT")


def test_an_upload_is_found_and_a_delete_forgotten(conn):
    artist = person(conn, "ada")
    index = ImageIndex()
    first = add_fingerprinted(conn, artist, 1)
    assert found(index, conn, 1) == {first}
    second = add_fingerprinted(conn, artist, 2)
    assert found(index, conn, 2) == {second}      # applied from the log, not reloaded
    with store.transaction(conn):
        conn.execute("DELETE FROM artworks WHERE id = ?", (first,))
    assert found(index, conn, 1) == set()
    assert found(index, conn, 2) == {second}


def test_two_processes_on_one_database_agree(conn):
    artist = person(conn, "bea")
    one, two = ImageIndex(), ImageIndex()
    artwork_id = add_fingerprinted(conn, artist, 3)
    assert found(one, conn, 3) == found(two, conn, 3) == {artwork_id}
    other = store.connect(conn.execute("PRAGMA database_list").fetchone()["file"])
    try:
        with store.transaction(other):
            other.execute("DELETE FROM artworks WHERE id = ?", (artwork_id,))
        replacement = add_fingerprinted(conn, artist, 4)
        assert found(one, other, 3) == found(two, conn, 3) == set()
        assert found(one, conn, 4) == found(two, other, 4) == {replacement}
    finally:
        other.close()


def test_private_works_only_for_their_artist(conn):
    owner, stranger = person(conn, "cyd"), person(conn, "dina")
    index = ImageIndex()
    artwork_id = add_fingerprinted(conn, owner, 5, availability_status="private")
    assert found(index, conn, 5) == set()
    assert found(index, conn, 5, viewer_id=stranger) == set()
    assert found(index, conn, 5, viewer_id=owner) == {artwork_id}
    with store.transaction(conn):
        conn.execute("UPDATE artworks SET availability_status = 'available' WHERE id = ?", (artwork_id,))
    assert found(index, conn, 5, viewer_id=stranger) == {artwork_id}


def test_a_pruned_log_reloads_everything(conn):
    artist = person(conn, "eddie")
    index = ImageIndex()
    kept = add_fingerprinted(conn, artist, 6)
    found(index, conn, 6)
    later = add_fingerprinted(conn, artist, 7)
    with store.transaction(conn):
        conn.execute("INSERT INTO image_changes (artwork_id) VALUES ('x')")
        conn.execute("DELETE FROM image_changes WHERE seq < (SELECT max(seq) FROM image_changes)")
    assert found(index, conn, 7) == {later} and found(index, conn, 6) == {kept}


def test_window_candidates_come_from_the_quarter_index_and_recent_rows(conn):
    artist = person(conn, "fay")
    index = ImageIndex()
    old = add_fingerprinted(conn, artist, 8)
    found(index, conn, 8)                      # builds the quarter index with `old`
    new = add_fingerprinted(conn, artist, 9)
    found(index, conn, 9)                      # `new` sits in the recent rows
    assert index.recent
    for seed, expected in ((8, old), (9, new)):
        original = painting(seed)
        cropped = original.crop((0, 0, int(original.width * 0.8), original.height))
        probe = fingerprint.probe(cropped)
        rows = index._window_candidates({"centre_dct": probe.window_dct.ravel()})
        assert expected in {index.ids[row].decode() for row in rows}


def test_similar_ranks_by_colour_and_structure(conn):
    artist = person(conn, "gus")
    index = ImageIndex()
    ids = [add_fingerprinted(conn, artist, seed) for seed in range(10, 16)]
    conn.execute("BEGIN")
    index.refresh(conn)
    conn.execute("COMMIT")
    probe = fingerprint.probe(painting(12))
    rows, similarity = index.similar(probe.colour, probe.full_dct, allowed=index.visible(None), limit=3)
    assert index.ids[rows[0]].decode() == ids[2]
    assert list(similarity) == sorted(similarity, reverse=True) and similarity[0] > 0.9
    assert index.nbytes() / max(index.alive.sum(), 1) > 0


def test_hamming_is_vectorised_over_unsigned_hashes():
    a = fingerprint.to_unsigned([-1, 0, 5])
    assert copies.hamming(a, np.uint64(0)).tolist() == [64, 0, 2]


def test_top_finds_the_same_rows_as_a_full_partition():
    from search.images import _top

    rng = np.random.default_rng(3)
    for size, count in ((1000, 10), (200_000, 500), (200_000, 3)):
        values = rng.random(size).astype(np.float32)
        assert set(_top(values, count)) == set(np.argsort(-values)[:count])
    ties = np.zeros(100_000, np.float32)
    assert len(set(_top(ties, 500))) == 500
