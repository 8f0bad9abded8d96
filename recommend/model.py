"""The feed's item model: who liked what (a sparse users x works matrix) and every work's TF-IDF row.

Built from the database once and kept per process; rebuilt in the background when older than
`max_age` seconds (FEED_MODEL_MAX_AGE, five minutes by default), while requests go on with the
previous one. A reader's own likes and follows are always read fresh by the feed, so
the model's age only delays how soon other people's new likes change "popular with people who
liked ..." and how soon a new work can be "similar to" something.
"""

import logging
import threading
import time

import numpy as np
from scipy import sparse

import store
from search import tfidf
from store import ranking

log = logging.getLogger("easel")

_models: dict = {}
_lock = threading.Lock()


class ItemModel:
    def __init__(self, user_codes, likes, text, built_at=None):
        self.user_codes = user_codes            # {user id: row of `likes`}
        self.likes = likes                      # CSR users x docs, 1 per like
        self.by_doc = likes.T.tocsr()           # CSR docs x users
        self.popularity = np.asarray(likes.sum(axis=0)).ravel()
        self.damping = 1 / np.sqrt(np.maximum(self.popularity, 1))    # co_liked's, computed once
        # Liked works, most liked first, and among equals the newest (as many likes in less time):
        # the popular source reads its candidates from the front.
        liked = np.flatnonzero(self.popularity)
        self.popular_order = liked[np.lexsort((-liked, -self.popularity[liked]))]
        self.text = text                        # CSR docs x terms, unit rows (None before a reindex)
        self.built_at = time.monotonic() if built_at is None else built_at

    @classmethod
    def from_likes(cls, likes, capacity, text):
        """likes: [(user id, doc id)]; capacity: the number of doc ids to allow for."""
        user_codes = {}
        rows = np.fromiter((user_codes.setdefault(user, len(user_codes)) for user, _ in likes), np.int64,
                           len(likes))
        docs = np.fromiter((doc for _, doc in likes), np.int64, len(likes))
        width = max(capacity, int(docs.max()) + 1 if len(docs) else 0)
        matrix = sparse.csr_matrix((np.ones(len(likes), np.float32), (rows, docs)), shape=(len(user_codes), width))
        return cls(user_codes, matrix, text)

    @classmethod
    def build(cls, conn, capacity):
        likes = [(user, doc) for user, doc, _ in ranking.all_likes(conn)]
        return cls.from_likes(likes, capacity, text_matrix(ranking.all_tfidf_blobs(conn), capacity))

    @property
    def width(self):
        return self.likes.shape[1]

    def co_liked(self, docs, exclude_user=None):
        """Scores of every work by how many people who liked `docs` also liked it, damped by the
        square root of its popularity so that favourites of everybody do not win by default."""
        docs = [d for d in docs if d < self.width]
        if not docs:
            return np.zeros(self.width)
        users = np.asarray(self.by_doc[docs].sum(axis=0)).ravel()
        if exclude_user in self.user_codes:
            users[self.user_codes[exclude_user]] = 0
        who = np.flatnonzero(users)
        if not len(who):
            return np.zeros(self.width)
        counts = np.asarray(self.likes[who].T @ users[who]).ravel()
        return counts * self.damping

    def co_like_counts(self, docs, others):
        """How many people liked both, for each of `docs` (rows) and each of `others` (columns)."""
        inside = [d if d < self.width else 0 for d in docs]
        counts = (self.by_doc[inside] @ self.by_doc[[o if o < self.width else 0 for o in others]].T).toarray()
        counts[[i for i, d in enumerate(docs) if d >= self.width]] = 0
        counts[:, [j for j, o in enumerate(others) if o >= self.width]] = 0
        return counts


def text_matrix(blobs, capacity):
    """CSR docs x terms from [(doc_id, tfidf blob)]."""
    rows, columns, values = [], [], []
    for doc, blob in blobs:
        if blob:
            terms, weights = tfidf.decode(blob)
            rows.append(np.full(len(terms), doc, np.int64))
            columns.append(terms)
            values.append(weights)
    if not rows:
        return None
    columns = np.concatenate(columns)
    height = max(capacity, int(max(doc for doc, _ in blobs)) + 1)
    return sparse.csr_matrix((np.concatenate(values), (np.concatenate(rows), columns)),
                             shape=(height, int(columns.max()) + 1))


def model_for(conn, database, capacity, max_age):
    """The process's model of `database`. The first is built in the calling request; once it is
    older than max_age seconds, a background thread builds the next on its own connection while
    requests go on with the current one, so no reader waits for a rebuild."""
    key = str(database)
    with _lock:
        current = _models.get(key)
        stale = current is not None and time.monotonic() - current.built_at > max_age
        if stale and not getattr(current, "rebuilding", False):
            current.rebuilding = True
            threading.Thread(target=_rebuild, args=(key, capacity), daemon=True).start()
    if current is not None:
        return current
    fresh = ItemModel.build(conn, capacity)
    with _lock:
        return _models.setdefault(key, fresh)


def _rebuild(database, capacity):
    conn = store.connect(database)
    try:
        fresh = ItemModel.build(conn, capacity)
        with _lock:
            _models[database] = fresh
    except Exception:
        log.exception("could not rebuild the feed model")
        with _lock:
            _models[database].rebuilding = False
    finally:
        conn.close()


def is_loaded(database) -> bool:
    with _lock:
        return str(database) in _models


def forget(database):
    with _lock:
        _models.pop(str(database), None)
