"""Similar art for one artwork: visual (colour and structure), text (TF-IDF, tags, medium,
category) or both, without near-duplicates crowding the list.

Both indexes number works by search_documents.doc_id, so their arrays line up. Text candidates come
from the search index's postings for the work's own title, tag, medium, category and keyword
words (weighted by rarity); they are then scored exactly:

    text = 0.55 x TF-IDF cosine + 0.25 x tag Jaccard + 0.1 x same medium + 0.1 x same category

(before the first reindex there are no TF-IDF vectors, and the word overlap of the two texts stands
in for the cosine). Visual similarity is search.images': colour agreement and whole-picture
structure. `mixed` averages the two over the union of both candidate sets.
"""

import sqlite3

import numpy as np

from search import copies, images, tfidf
from search import index as text_index_module
from search.index import COLUMNS
from search.text import tokens

MODES = ("visual", "text", "mixed")
CANDIDATES = 200
TEXT_WEIGHTS = {"cosine": 0.55, "tags": 0.25, "medium": 0.1, "category": 0.1}
COLUMN_WEIGHTS = np.array([{"title": 2.0, "description": 0.5, "tags": 3.0, "medium": 1.5, "category": 1.5,
                            "keywords": 2.0}.get(column, 0.0) for column in COLUMNS])

_TEXT_SQL = """
    SELECT d.doc_id, d.tfidf, s.title, s.description, s.tags, s.medium, s.category, s.keywords,
           a.category_id, lower(trim(coalesce(a.medium, ''))) AS medium_key
    FROM search_documents d
    JOIN artwork_search_text s ON s.doc_id = d.doc_id
    JOIN artworks a ON a.id = d.artwork_id
"""


def similar_artworks(conn: sqlite3.Connection, database: str, artwork_id: str, *, mode: str = "mixed",
                     viewer_id: str | None = None, limit: int = 20) -> list[tuple[str, float, dict]]:
    """[(artwork_id, similarity, {visual, text})] best first, the artwork itself left out."""
    conn.execute("BEGIN")
    try:
        pictures = images.index_for(database).refresh(conn)
        words = text_index_module.index_for(database)
        with pictures.lock, words.lock:
            words.refresh(conn)
            return _similar(conn, pictures, words, artwork_id, mode, viewer_id, limit)
    finally:
        conn.execute("COMMIT")


def _similar(conn, pictures, words, artwork_id, mode, viewer_id, limit):
    source = conn.execute(_TEXT_SQL + " WHERE d.artwork_id = ?", (artwork_id,)).fetchone()
    if source is None:
        return []
    doc = source["doc_id"]
    allowed = _allowed(pictures, words, viewer_id)
    allowed[doc] = False
    has_picture = doc < pictures.capacity and pictures.alive[doc]
    visual, text = {}, {}
    if mode in ("visual", "mixed") and has_picture:
        rows, similarity = pictures.similar(pictures.colour[doc], pictures.hashes["full_dct"][doc],
                                            allowed=allowed[:pictures.capacity], limit=CANDIDATES)
        visual = dict(zip(rows.tolist(), similarity.tolist(), strict=False))
    if mode in ("text", "mixed"):
        text = _text_scores(conn, source, _text_candidates(words, source, allowed))
    if mode == "mixed":
        pool = sorted(set(visual) | set(text))
        if has_picture:
            visual = dict(zip(pool, _visual_scores(pictures, doc, pool), strict=False))
        text = {**_text_scores(conn, source, [d for d in pool if d not in text]), **text}
        combined = {d: (visual.get(d, 0.0) + text.get(d, 0.0)) / (2 if has_picture else 1) for d in pool}
    else:
        combined = visual if mode == "visual" else text
    ranked = sorted(combined, key=lambda d: -combined[d])
    kept = _without_near_duplicates(pictures, doc, ranked, limit)
    ids = dict(conn.execute(
        f"SELECT doc_id, artwork_id FROM search_documents WHERE doc_id IN ({', '.join('?' * len(kept))})",
        kept).fetchall()) if kept else {}
    return [(ids[d], round(combined[d], 4), {"visual": _rounded(visual.get(d)), "text": _rounded(text.get(d))})
            for d in kept if d in ids]


def _rounded(value):
    return None if value is None else round(value, 4)


def _allowed(pictures, words, viewer_id):
    """Docs the viewer may see, from the text index (which holds every work)."""
    own = words.artist == words.artists.get(viewer_id) if viewer_id is not None else False
    allowed = words.alive & (~words.private | own)
    if len(allowed) < pictures.capacity:
        allowed = np.concatenate([allowed, np.zeros(pictures.capacity - len(allowed), bool)])
    return allowed


def _visual_scores(pictures, doc, rows):
    rows = np.asarray(rows, np.int64)
    inside = rows < pictures.capacity
    result = np.zeros(len(rows))
    rows_in = rows[inside]
    colour = np.clip(pictures.colour[rows_in] @ pictures.colour[doc], 0, 1)
    distance = copies.hamming(pictures.hashes["full_dct"][rows_in], pictures.hashes["full_dct"][doc])
    structure = np.clip(1 - distance / 32.0, 0, 1)
    result[inside] = np.where(pictures.alive[rows_in],
                              images.COLOUR_WEIGHT * colour + images.STRUCTURE_WEIGHT * structure, 0.0)
    return result.tolist()


def _text_candidates(words, source, allowed):
    text = " ".join(source[column] or "" for column in ("title", "tags", "medium", "category", "keywords"))
    term_weights = {}
    live = max(words.live_count(), 1)
    for token in set(tokens(text)):
        term = words.lookup(token)
        if term is None:
            continue
        docs, _ = words.gather({term: 1.0}, np.ones(len(COLUMNS)))
        frequency = len(np.unique(docs))
        if frequency:
            term_weights[term] = float(np.log(1 + live / frequency))
    if not term_weights:
        return []
    docs, weights = words.gather(term_weights, COLUMN_WEIGHTS)
    scores = np.bincount(docs, weights=weights, minlength=len(allowed))[:len(allowed)]
    scores[~allowed[:len(scores)]] = 0
    best = np.argsort(-scores, kind="stable")[:CANDIDATES]
    return [int(d) for d in best if scores[d] > 0]


def _text_scores(conn, source, docs):
    if not docs:
        return {}
    rows = conn.execute(_TEXT_SQL + f" WHERE d.doc_id IN ({', '.join('?' * len(docs))})", docs).fetchall()
    return {row["doc_id"]: text_similarity(source, row) for row in rows}


def text_similarity(a, b):
    if a["tfidf"] and b["tfidf"]:
        cosine = _sparse_cosine(tfidf.decode(a["tfidf"]), tfidf.decode(b["tfidf"]))
    else:
        cosine = _jaccard(_words(a), _words(b))
    tags = _jaccard(set((a["tags"] or "").lower().split()), set((b["tags"] or "").lower().split()))
    same_medium = float(bool(a["medium_key"]) and a["medium_key"] == b["medium_key"])
    same_category = float(a["category_id"] is not None and a["category_id"] == b["category_id"])
    w = TEXT_WEIGHTS
    return w["cosine"] * cosine + w["tags"] * tags + w["medium"] * same_medium + w["category"] * same_category


def _sparse_cosine(a, b):
    (a_terms, a_weights), (b_terms, b_weights) = a, b
    _, ia, ib = np.intersect1d(a_terms, b_terms, return_indices=True)
    return float(np.dot(a_weights[ia], b_weights[ib]))


def _words(row):
    text = " ".join(row[column] or "" for column in ("title", "description", "tags", "keywords"))
    return {word for word in tokens(text) if len(word) > 2}


def _jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


def _without_near_duplicates(pictures, doc, ranked, limit):
    """Drop works that are near-duplicates of the artwork by its own artist, and keep one of each
    group of near-duplicates among the results."""
    kept = []
    for candidate in ranked:
        if len(kept) >= limit:
            break
        if candidate < pictures.capacity and pictures.alive[candidate]:
            same_artist = doc < pictures.capacity and pictures.artist[candidate] == pictures.artist[doc]
            if same_artist and pictures.alive[doc] and near_duplicate(pictures, doc, candidate):
                continue
            if any(near_duplicate(pictures, other, candidate) for other in kept
                   if other < pictures.capacity and pictures.alive[other]):
                continue
        kept.append(candidate)
    return kept


def near_duplicate(pictures, a, b):
    """Two indexed works are near-duplicates when their whole pictures or central windows agree
    within the copy threshold's distance."""
    h = pictures.hashes

    def distance(dct, gradient):
        return int(copies.hamming(h[dct][a], h[dct][b])) + int(copies.hamming(h[gradient][a], h[gradient][b]))
    whole, centre = distance("full_dct", "full_gradient"), distance("centre_dct", "centre_gradient")
    return min(whole, centre + copies.WINDOW_PENALTY) <= copies.NEAR_DUPLICATE_DISTANCE
