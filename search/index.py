"""The in-memory side of search: every artwork's ranking data, one copy per server process.

FTS5 decides what matches. Scoring every match with FTS5's bm25() costs about a microsecond per
row (90 ms for a word in 100,000 works), and facet counts cost as much again, so the scores and
facets come from here instead: numpy arrays indexed by doc_id (search_documents.doc_id) holding
each work's filter and facet values, its popularity and quality, and its term postings.

Freshness: every change a ranking could notice is logged in search_changes by triggers. Each
request first reads the log past the last entry this process applied (one indexed lookup when
nothing changed) and updates those documents, in the same read transaction as its FTS query,
so the two always agree. A reindex bumps search_state.generation, which reloads everything.

Text: postings (term, doc, column, frequency) are kept sorted by term, with terms in alphabetical
order, so a prefix is one contiguous slice. A document whose text changes after the load is
marked stale there and kept in a small `delta` until the next compaction.
"""

import bisect
import threading
from collections import Counter
from datetime import datetime
from itertools import repeat

import numpy as np

import store
from imaging.analysis import COLOUR_NAMES
from search.text import stems, tokens
from store.artworks import AVAILABILITY, RATE_OF_CURRENCY

COLUMNS = ("title", "description", "tags", "medium", "category", "artist", "colours", "keywords")
# Fold the delta into the sorted postings once this many documents changed since the last load.
COMPACT_AFTER = 5000

_DOCUMENTS_SQL = f"""
    SELECT s.doc_id, {", ".join("s." + column for column in COLUMNS)},
           a.artist_id, a.availability_status, a.medium AS medium_value, a.category_id, a.created_at,
           -- In the conversion table's base currency, so price sorts and filters compare across currencies.
           a.price * {RATE_OF_CURRENCY} AS price,
           a.like_count, a.comment_count, a.share_count, a.view_count, a.quality_score, ar.location
    FROM artwork_search_text s
    JOIN artworks a ON a.id = s.artwork_id
    JOIN artists ar ON ar.id = a.artist_id
"""


class Codes:
    """Small integer codes for repeated values (artists, mediums, locations); -1 for none.

    display keeps the first spelling seen of each value, for facets ('Oil' rather than 'oil').
    """

    def __init__(self):
        self.code_of, self.values, self.display = {}, [], []

    def code(self, value, display=None):
        if value is None:
            return -1
        code = self.code_of.get(value)
        if code is None:
            code = self.code_of[value] = len(self.values)
            self.values.append(value)
            self.display.append(display if display is not None else value)
        return code

    def get(self, value):
        return self.code_of.get(value, -1)


def normalise_label(value):
    """Mediums and locations compare without case or surrounding space ('Oil ' is 'oil')."""
    text = " ".join(str(value).split()).lower() if value is not None else ""
    return text or None


def _text_key(row):
    """A fingerprint of a row's text, to tell a text change from a counter change."""
    return hash(tuple(row[column] for column in COLUMNS))


def _trimmed(value):
    return " ".join(str(value).split()) if value is not None else None


def epoch(timestamp):
    """Seconds since 1970 of a timestamp in the schema's format."""
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


class Postings:
    """Term postings sorted by (term, doc); term ids are positions in the sorted vocabulary."""

    def __init__(self, vocabulary, terms, docs, cols, freqs):
        self.vocabulary = vocabulary                      # sorted list of str
        self.offsets = np.searchsorted(terms, np.arange(len(vocabulary) + 1)).astype(np.int64)
        self.terms, self.docs, self.cols, self.freqs = terms, docs, cols, freqs

    @classmethod
    def build(cls, entries):
        """entries: iterable of (doc_id, (tokens, columns, frequencies)) as document_terms() makes them."""
        provisional, words = {}, []
        terms, docs, cols, freqs = [], [], [], []
        for doc_id, (doc_tokens, doc_cols, doc_freqs) in entries:
            for token in doc_tokens:
                term = provisional.get(token)
                if term is None:
                    term = provisional[token] = len(words)
                    words.append(token)
                terms.append(term)
            docs += [doc_id] * len(doc_tokens)
            cols += doc_cols
            freqs += doc_freqs
        return cls.from_arrays(words, np.asarray(terms, np.int32), np.asarray(docs, np.int32),
                               np.asarray(cols, np.int8), np.asarray(freqs, np.float32))

    @classmethod
    def from_arrays(cls, words, terms, docs, cols, freqs):
        """words: the word of each term id used in `terms`, in any order; renumbered alphabetically."""
        alphabetical = sorted(range(len(words)), key=words.__getitem__)
        rank = np.empty(len(words), dtype=np.int32)
        rank[alphabetical] = np.arange(len(words), dtype=np.int32)
        terms = rank[terms] if len(terms) else terms
        order = np.lexsort((docs, terms))
        return cls([words[i] for i in alphabetical], terms[order], docs[order], cols[order], freqs[order])


def document_terms(row):
    """((tokens, columns, frequencies), length in tokens) of one artwork_search_text row: one entry
    per distinct token of each column."""
    keyed = []
    for column_index, column in enumerate(COLUMNS):
        found = tokens(row[column])
        if found:
            keyed += zip(repeat(column_index), found)
    # One Counter per document, not per column: its set-up costs more than counting a title.
    counts = Counter(keyed)
    return (([token for _, token in counts], [column for column, _ in counts], list(counts.values())),
            len(keyed))


class SearchIndex:
    """Ranking data for one database; use search.index_for(path) to share it within a process."""

    def __init__(self):
        # Held by a search for its refresh and its scoring, so a concurrent refresh in another
        # thread never changes the arrays under it.
        self.lock = threading.RLock()
        self.generation = None
        self.seq = 0
        self._reset(capacity=0)

    @property
    def loaded(self) -> bool:
        """Whether a first refresh has read the database in."""
        return self.generation is not None

    # --- Keeping up with the database -----------------------------------------------------------

    def refresh(self, conn):
        """Bring this index up to the database's state as `conn` sees it (call inside its read
        transaction, before the FTS query, so both see the same snapshot)."""
        store.require_read_snapshot(conn)
        generation = conn.execute("SELECT generation FROM search_state").fetchone()[0]
        oldest, newest = store.change_log_bounds(conn, "search_changes")
        with self.lock:
            if generation != self.generation or (oldest and self.seq < oldest - 1):
                self._load_all(conn, generation, newest)
            elif newest > self.seq:
                self._apply(conn, store.changed_since(conn, "search_changes", "doc_id", self.seq, newest))
                self.seq = newest
                if len(self.delta) > COMPACT_AFTER:
                    self._compact()
        return self

    def _reset(self, capacity):
        self.capacity = capacity
        self.alive = np.zeros(capacity, bool)
        self.private = np.zeros(capacity, bool)
        self.artist = np.full(capacity, -1, np.int32)
        self.medium = np.full(capacity, -1, np.int32)
        self.category = np.full(capacity, -1, np.int32)
        self.location = np.full(capacity, -1, np.int32)
        self.availability = np.zeros(capacity, np.int8)
        self.colours = np.zeros(capacity, np.int32)
        self.price = np.full(capacity, np.nan)
        self.created = np.zeros(capacity)
        # 64-bit: a view counter has no upper bound that 32 bits could promise.
        self.likes = np.zeros(capacity, np.int64)
        self.comments = np.zeros(capacity, np.int64)
        self.shares = np.zeros(capacity, np.int64)
        self.views = np.zeros(capacity, np.int64)
        self.quality = np.full(capacity, np.nan, np.float32)
        self.length = np.zeros(capacity, np.float32)
        self.text_key = np.zeros(capacity, np.int64)
        self.stale = np.zeros(capacity, bool)
        self.artists, self.mediums, self.locations = Codes(), Codes(), Codes()
        self.delta = {}          # doc_id -> (term ids, columns, frequencies) for texts changed since the load
        self.delta_terms = {}    # term id -> set of doc_ids in delta that hold it
        self.extra_terms = {}    # token -> term id, for words the sorted vocabulary lacks
        self.postings = Postings.build([])
        self.stem_groups = {}
        self._words_cache = None
        self._ceiling = None

    def _grow(self, needed):
        if needed <= self.capacity:
            return
        capacity = max(needed, int(self.capacity * 1.5) + 1024)
        for name in ("alive", "private", "artist", "medium", "category", "location", "availability", "colours",
                     "price", "created", "likes", "comments", "shares", "views", "quality", "length", "text_key",
                     "stale"):
            old = getattr(self, name)
            fill = {"price": np.nan, "quality": np.nan, "artist": -1, "medium": -1, "category": -1,
                    "location": -1}.get(name, 0)
            grown = np.full(capacity, fill, dtype=old.dtype)
            grown[:len(old)] = old
            setattr(self, name, grown)
        self.capacity = capacity

    def _load_all(self, conn, generation, seq):
        rows = conn.execute(_DOCUMENTS_SQL + " ORDER BY s.doc_id").fetchall()
        self._reset(capacity=(rows[-1]["doc_id"] + 1) if rows else 0)
        entries = []
        for row in rows:
            self._set_attributes(row)
            entries.append((row["doc_id"], self._set_text(row)))
        self.postings = Postings.build(entries)
        self._group_stems()
        self.generation, self.seq = generation, seq

    def _apply(self, conn, doc_ids):
        self._ceiling = None
        found = set()
        for start in range(0, len(doc_ids), 500):
            chunk = doc_ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in conn.execute(_DOCUMENTS_SQL + f" WHERE s.doc_id IN ({marks})", chunk):
                found.add(row["doc_id"])
                self._grow(row["doc_id"] + 1)
                was_alive = self.alive[row["doc_id"]]
                self._set_attributes(row)
                # Most changes are counters (a like, a view): the text, and its tokens, stay as they are.
                if not was_alive or self.text_key[row["doc_id"]] != _text_key(row):
                    self._replace_text(row["doc_id"], self._set_text(row))
        for doc_id in set(doc_ids) - found:
            if doc_id < self.capacity and self.alive[doc_id]:
                self.alive[doc_id] = False
                self._replace_text(doc_id, [])

    def _set_attributes(self, row):
        doc = row["doc_id"]
        self.alive[doc] = True
        self.private[doc] = row["availability_status"] == "private"
        self.availability[doc] = AVAILABILITY.index(row["availability_status"])
        self.artist[doc] = self.artists.code(row["artist_id"])
        self.medium[doc] = self.mediums.code(normalise_label(row["medium_value"]), _trimmed(row["medium_value"]))
        self.location[doc] = self.locations.code(normalise_label(row["location"]), _trimmed(row["location"]))
        self.category[doc] = -1 if row["category_id"] is None else row["category_id"]
        self.colours[doc] = sum(1 << COLOUR_NAMES.index(name) for name in row["colours"].split()
                                if name in COLOUR_NAMES)
        self.price[doc] = np.nan if row["price"] is None else float(row["price"])
        self.created[doc] = epoch(row["created_at"])
        self.likes[doc], self.comments[doc] = row["like_count"], row["comment_count"]
        self.shares[doc], self.views[doc] = row["share_count"], row["view_count"]
        self.quality[doc] = np.nan if row["quality_score"] is None else row["quality_score"]

    def _set_text(self, row):
        """Record the text's key and length; returns its terms (document_terms())."""
        self.text_key[row["doc_id"]] = _text_key(row)
        counts, self.length[row["doc_id"]] = document_terms(row)
        return counts

    def _replace_text(self, doc_id, counts):
        for term in self.delta.get(doc_id, (np.zeros(0, np.int32),))[0]:
            self.delta_terms.get(int(term), set()).discard(doc_id)
        self.stale[doc_id] = True
        doc_tokens, doc_cols, doc_freqs = counts or ([], [], [])
        term_ids = np.asarray([self._term_id(token) for token in doc_tokens], dtype=np.int32)
        self.delta[doc_id] = (term_ids, np.asarray(doc_cols, dtype=np.int8), np.asarray(doc_freqs, dtype=np.float32))
        for term in set(term_ids.tolist()):
            self.delta_terms.setdefault(term, set()).add(doc_id)

    def _term_id(self, token):
        term = self.lookup(token)
        if term is not None:
            return term
        term = self.extra_terms[token] = len(self.postings.vocabulary) + len(self.extra_terms)
        self.stem_groups.setdefault(stems([token])[0], []).append(term)
        return term

    def _compact(self):
        """Fold the delta into fresh sorted postings (no database work: only arrays)."""
        p = self.postings
        keep = ~self.stale[p.docs]
        words = p.vocabulary + sorted(self.extra_terms, key=self.extra_terms.get)
        live = [doc for doc in self.delta if self.alive[doc]]
        parts = [(p.terms[keep], p.docs[keep], p.cols[keep], p.freqs[keep])]
        parts += [(self.delta[doc][0], np.full(len(self.delta[doc][0]), doc, np.int32), *self.delta[doc][1:])
                  for doc in live]
        self.postings = Postings.from_arrays(words, *(np.concatenate(arrays) for arrays in zip(*parts, strict=True)))
        self.delta, self.delta_terms, self.extra_terms = {}, {}, {}
        self.stale[:] = False
        self._words_cache = None
        self._group_stems()

    def _group_stems(self):
        self.stem_groups = {}
        for term, word_stem in enumerate(stems(self.postings.vocabulary)):
            self.stem_groups.setdefault(word_stem, []).append(term)

    # --- Vocabulary -------------------------------------------------------------------------------

    @property
    def vocabulary_size(self):
        return len(self.postings.vocabulary) + len(self.extra_terms)

    def word(self, term_id):
        vocabulary = self.postings.vocabulary
        if term_id < len(vocabulary):
            return vocabulary[term_id]
        return next(token for token, term in self.extra_terms.items() if term == term_id)

    def lookup(self, token):
        """The term id of `token`, or None if no document (live or stale) ever held it."""
        vocabulary = self.postings.vocabulary
        position = bisect.bisect_left(vocabulary, token)
        if position < len(vocabulary) and vocabulary[position] == token:
            return position
        return self.extra_terms.get(token)

    def prefixed(self, prefix):
        """Term ids of every word that starts with `prefix`."""
        vocabulary = self.postings.vocabulary
        lo = bisect.bisect_left(vocabulary, prefix)
        hi = bisect.bisect_left(vocabulary, prefix + "\U0010ffff")
        extra = [term for token, term in self.extra_terms.items() if token.startswith(prefix)]
        return list(range(lo, hi)) + extra

    def inflections(self, token):
        """Term ids of the words that share `token`'s stem (its own id among them if indexed)."""
        return list(self.stem_groups.get(stems([token])[0], ()))

    def words_list(self):
        """Every indexed word (the typo corrector's candidates); rebuilt only when words are added."""
        size = self.vocabulary_size
        if self._words_cache is None or len(self._words_cache) != size:
            self._words_cache = list(self.postings.vocabulary) + sorted(self.extra_terms, key=self.extra_terms.get)
        return self._words_cache

    # --- Scoring data -----------------------------------------------------------------------------

    def gather(self, term_weights, column_weights):
        """(doc ids, weights): one entry per (term, column) posting of the given terms, weighted by
        term weight x column weight x frequency. Summed per document (np.bincount) this is FTS5's
        bm25 "f(q, D)" for a phrase, extended to a weighted group of alternative words.

        term_weights: {term id: weight}; column_weights: an array in COLUMNS order.
        """
        p = self.postings
        docs, weights = [np.zeros(0, np.int32)], [np.zeros(0)]
        base = sorted(term for term in term_weights if term < len(p.vocabulary))
        for start, stop in _runs(base):
            lo, hi = p.offsets[start], p.offsets[stop]
            slice_docs = p.docs[lo:hi]
            keep = ~self.stale[slice_docs]
            term_weight = np.asarray([term_weights[t] for t in range(start, stop)])[p.terms[lo:hi] - start]
            docs.append(slice_docs[keep])
            weights.append((column_weights[p.cols[lo:hi]] * p.freqs[lo:hi] * term_weight)[keep])
        for term, weight in term_weights.items():
            for doc in self.delta_terms.get(term, ()):
                term_ids, cols, freqs = self.delta[doc]
                hit = term_ids == term
                docs.append(np.full(int(hit.sum()), doc, np.int32))
                weights.append(column_weights[cols[hit]] * freqs[hit] * weight)
        return np.concatenate(docs), np.concatenate(weights)

    def activity(self, docs):
        """The raw engagement E of each doc, as search.ranking defines it."""
        return self.likes[docs] + 2.0 * self.comments[docs] + 3.0 * self.shares[docs] + self.views[docs] / 20.0

    def activity_ceiling(self):
        """The largest engagement in the index, kept until the next change."""
        if self._ceiling is None:
            self._ceiling = float(self.activity(np.flatnonzero(self.alive)).max(initial=0.0))
        return self._ceiling

    def live_count(self):
        return int(self.alive.sum())

    def average_length(self):
        live = self.alive.sum()
        return float(self.length[self.alive].sum() / live) if live else 0.0


def _runs(sorted_ids):
    """Consecutive runs in sorted ids, as (start, stop) ranges: a prefix is one run."""
    runs = []
    for term in sorted_ids:
        if runs and runs[-1][1] == term:
            runs[-1][1] = term + 1
        else:
            runs.append([term, term + 1])
    return [tuple(run) for run in runs]


_indexes: dict = {}
_indexes_lock = threading.Lock()


def index_for(database):
    """The process-wide SearchIndex of a database file."""
    with _indexes_lock:
        return _indexes.setdefault(str(database), SearchIndex())
