"""TF-IDF over artwork text: keywords for the full-text index and vectors for "more like this".

`reindex` fits the model on every artwork (title, description, tags, medium, category), stores
its vocabulary and idf in tfidf_terms, writes each work's vector and top keywords, and rebuilds
the FTS tables in one pass. New and edited works get a vector and keywords from the stored model
when they are written (describe()); words the model has not seen wait for the next reindex.

Vectors are stored sparse and L2-normalised, so the dot product of two is their cosine.
"""

import sqlite3

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from search.text import tokens
from store import transaction, utc_now

TEXT_COLUMNS = ("title", "description", "tags", "medium", "category")
KEYWORDS = 8
MIN_WORD_LENGTH = 3
# Fitting on a handful of works keeps every word; on a real catalogue, words in a single work are
# noise for similarity and words in most works say nothing.
SMALL_CORPUS = 50

_models: dict = {}


def analyse(text):
    return [word for word in tokens(text)
            if len(word) >= MIN_WORD_LENGTH and not word.isdigit() and word not in ENGLISH_STOP_WORDS]


def _vectorizer(corpus_size=None, vocabulary=None):
    small = corpus_size is not None and corpus_size < SMALL_CORPUS
    return TfidfVectorizer(analyzer=analyse, sublinear_tf=True, dtype=np.float32, vocabulary=vocabulary,
                           min_df=1 if small or vocabulary else 2, max_df=1.0 if small or vocabulary else 0.5)


def document_text(row):
    return "\n".join(row[column] or "" for column in TEXT_COLUMNS)


def encode(vector):
    """A 1 x n sparse row as bytes: int32 term indexes, then float32 weights (little-endian)."""
    return vector.indices.astype("<i4").tobytes() + vector.data.astype("<f4").tobytes()


def decode(blob):
    """(term indexes, weights) from encode()'s bytes."""
    half = len(blob) // 2
    return np.frombuffer(blob[:half], dtype="<i4"), np.frombuffer(blob[half:], dtype="<f4")


def keywords_of(vector, terms, count=KEYWORDS):
    order = np.argsort(-vector.data, kind="stable")[:count]
    return " ".join(terms[vector.indices[i]] for i in order)


# --- The stored model ---------------------------------------------------------------------------

def load_model(conn):
    """The fitted vectorizer and its term list, or (None, None) before the first reindex.

    Cached per database and fit time, so each process reads the model once per reindex.
    """
    fitted_at = conn.execute("SELECT tfidf_fitted_at FROM search_state").fetchone()[0]
    if fitted_at is None:
        return None, None
    key = (conn.execute("PRAGMA database_list").fetchone()["file"], fitted_at)
    if key not in _models:
        rows = conn.execute("SELECT term, idf FROM tfidf_terms ORDER BY term_index").fetchall()
        if not rows:
            return None, None
        terms = [row["term"] for row in rows]
        vectorizer = _vectorizer(vocabulary=terms)
        vectorizer.idf_ = np.asarray([row["idf"] for row in rows], dtype=np.float32)
        _models.clear()  # one model per process is enough; an old fit is never used again
        _models[key] = (vectorizer, terms)
    return _models[key]


def describe(conn: sqlite3.Connection, artwork_ids: list[str]) -> None:
    """Write the vector and keywords of these artworks with the stored model (inside the caller's
    transaction). Does nothing before the first reindex."""
    vectorizer, terms = load_model(conn)
    if vectorizer is None or not artwork_ids:
        return
    marks = ", ".join("?" * len(artwork_ids))
    rows = conn.execute(f"SELECT doc_id, {', '.join(TEXT_COLUMNS)} FROM artwork_search_text "
                        f"WHERE artwork_id IN ({marks})", list(artwork_ids)).fetchall()
    if not rows:
        return
    matrix = vectorizer.transform([document_text(row) for row in rows])
    conn.executemany("UPDATE search_documents SET keywords = ?, tfidf = ? WHERE doc_id = ?",
                     [(keywords_of(matrix[i], terms), encode(matrix[i]), row["doc_id"])
                      for i, row in enumerate(rows)])


# --- Reindex ------------------------------------------------------------------------------------

def reindex(conn: sqlite3.Connection, progress=None) -> dict[str, int]:
    """Fit TF-IDF on every artwork, rewrite keywords and vectors, rebuild both FTS tables.

    progress: an optional callable wrapping an iterable (tqdm) for the per-document pass.
    Returns {"documents", "vocabulary", "artists"}.
    """
    rows = conn.execute(f"SELECT doc_id, {', '.join(TEXT_COLUMNS)} FROM artwork_search_text "
                        "ORDER BY doc_id").fetchall()
    texts = [document_text(row) for row in rows]
    vectorizer, matrix, terms = _vectorizer(len(texts)), None, []
    try:
        matrix = vectorizer.fit_transform(texts) if texts else None
        terms = list(vectorizer.get_feature_names_out()) if matrix is not None else []
    except ValueError:  # no word survived the filters (an empty or stop-word-only corpus)
        matrix = None
    positions = progress(range(len(rows))) if progress else range(len(rows))
    updates = [(keywords_of(matrix[i], terms), encode(matrix[i])) if matrix is not None else ("", None)
               for i in positions]
    with transaction(conn):
        conn.execute("UPDATE search_state SET bulk = 1")
        conn.execute("DELETE FROM tfidf_terms")
        if terms:
            conn.executemany("INSERT INTO tfidf_terms (term_index, term, idf) VALUES (?, ?, ?)",
                             [(i, term, float(idf)) for i, (term, idf) in enumerate(zip(terms, vectorizer.idf_,
                                                                                          strict=True))])
        conn.executemany("UPDATE search_documents SET keywords = ?, tfidf = ? WHERE doc_id = ?",
                         [(*update, row["doc_id"]) for update, row in zip(updates, rows, strict=True)])
        _rebuild_fts(conn)
        artists = conn.execute("SELECT count(*) FROM artist_search_documents").fetchone()[0]
        conn.execute("UPDATE search_state SET bulk = 0, generation = generation + 1, tfidf_fitted_at = ?",
                     (utc_now() if terms else None,))
    return {"documents": len(rows), "vocabulary": len(terms), "artists": artists}


def _rebuild_fts(conn):
    conn.execute("DELETE FROM artworks_fts")
    conn.execute("""
        INSERT INTO artworks_fts (rowid, title, description, tags, medium, category, artist, colours, keywords)
        SELECT doc_id, title, description, tags, medium, category, artist, colours, keywords
        FROM artwork_search_text ORDER BY doc_id
    """)
    conn.execute("DELETE FROM artists_fts")
    conn.execute("""
        INSERT INTO artists_fts (rowid, username, artist_name, bio, location, specialties)
        SELECT doc_id, username, artist_name, bio, location, specialties FROM artist_search_text ORDER BY doc_id
    """)
    conn.execute("INSERT INTO artworks_fts (artworks_fts) VALUES ('optimize')")
    conn.execute("INSERT INTO artists_fts (artists_fts) VALUES ('optimize')")


def describe_artwork(conn, artwork_id):
    """describe() for one artwork."""
    describe(conn, [artwork_id])
