"""TF-IDF: fitted by reindex, keywords in the full-text row, vectors for text similarity."""

import numpy as np

from search import tfidf
from search.engine import search_artworks
from search.index import SearchIndex
from tests.search.conftest import person, work


def keywords(conn, artwork_id):
    return conn.execute("SELECT keywords FROM search_documents WHERE artwork_id = ?", (artwork_id,)).fetchone()[0]


def vector(conn, artwork_id):
    blob = conn.execute("SELECT tfidf FROM search_documents WHERE artwork_id = ?", (artwork_id,)).fetchone()[0]
    return dict(zip(*(part.tolist() for part in tfidf.decode(blob)), strict=True)) if blob else {}


def test_reindex_fits_and_writes_keywords_and_unit_vectors(conn, gallery):
    stats = tfidf.reindex(conn)
    assert stats["documents"] == 7 and stats["vocabulary"] > 20 and stats["artists"] == 3
    words = keywords(conn, gallery["works"]["lilies"]).split()
    assert "lilies" in words and "the" not in words and len(words) <= tfidf.KEYWORDS
    weights = np.asarray(list(vector(conn, gallery["works"]["lilies"]).values()))
    assert np.isclose(np.linalg.norm(weights), 1.0)
    row = conn.execute("SELECT f.keywords FROM artworks_fts f JOIN search_documents d ON d.doc_id = f.rowid "
                       "WHERE d.artwork_id = ?", (gallery["works"]["lilies"],)).fetchone()
    assert row["keywords"] == " ".join(words)


def test_new_and_edited_works_get_keywords_from_the_stored_model(conn, gallery):
    tfidf.reindex(conn)
    artist = gallery["artists"]["monet"]
    fresh = work(conn, artist, "Pond of lilies", description="Water lilies again")
    tfidf.describe(conn, [fresh])
    assert "lilies" in keywords(conn, fresh).split()
    conn.execute("UPDATE artworks SET title = 'Mountain pond' WHERE id = ?", (fresh,))
    tfidf.describe_artwork(conn, fresh)
    assert "mountain" in keywords(conn, fresh).split()


def test_similar_texts_have_close_vectors(conn, gallery):
    tfidf.reindex(conn)
    artist = gallery["artists"]["monet"]
    first = work(conn, artist, "Water lilies at dawn")
    second = work(conn, artist, "Water lilies at dusk")
    tfidf.describe(conn, [first, second])
    a, b, far = vector(conn, first), vector(conn, second), vector(conn, gallery["works"]["players"])
    cosine = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    assert cosine > 0.5 and sum(weight * far.get(term, 0.0) for term, weight in a.items()) == 0.0


def test_describe_before_any_fit_does_nothing_and_an_empty_corpus_fits_nothing(conn):
    artist = person(conn, "early")
    artwork = work(conn, artist, "The")
    tfidf.describe(conn, [artwork])
    assert keywords(conn, artwork) == ""
    assert tfidf.reindex(conn)["vocabulary"] == 0
    assert search_artworks(conn, SearchIndex(), text="the ").total == 1
