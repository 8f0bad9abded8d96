"""The visual-word inverted index: the candidate stage of keypoint matching.

Each indexed work contributes the distinct visual words (imaging.vocabulary) of its INDEXED
strongest keypoints. A query's words vote for the works that hold them, each vote weighted by
the word's inverse document frequency, and a work's total is divided by the square root of its
own words' weight (a cosine on idf-weighted binary vectors), so a busy picture with many
common words does not outvote the true one. The best voted rows go to geometric verification.

Postings are one int32 array of rows sorted by word, with an offset per word: 4 bytes per
indexed word of a work. Rows set since the last build are kept aside and voted for directly
until there are REBUILD_AFTER of them.
"""

import numpy as np

from imaging.vocabulary import WORDS

INDEXED = 200               # strongest keypoints of a work whose words are indexed
# A query votes with the words of its strongest keypoints, which survive a change best; its
# rarest words, tried first, were mostly noise (a phone photo's background, JPEG blocks).
MAX_QUERY_WORDS = 400
MIN_SHARED = 3              # fewer shared words than this is chance
# A vote adds SHARED_UNIT + idf, so one float per row carries both the count and the idf sum:
# idf is below log(2 * documents + 2) < 30 and a query has MAX_QUERY_WORDS words, whose idf
# sum therefore stays below SHARED_UNIT.
SHARED_UNIT = 16384.0
REBUILD_AFTER = 2000


class WordIndex:
    def __init__(self):
        self.offsets = np.zeros(WORDS + 1, np.int64)
        self.rows = np.zeros(0, np.int32)
        self.weight = np.zeros(0, np.float32)        # per row: the sum of its words' idf
        self.idf = np.ones(WORDS, np.float32)
        self.pending: dict[int, np.ndarray] = {}      # row -> words, set since the last build
        self.dropped: set[int] = set()               # rows whose postings are stale

    def set(self, row: int, words: np.ndarray | None) -> None:
        """A row's words (None or empty to drop the row)."""
        self.dropped.add(row)
        if words is not None and len(words):
            self.pending[row] = np.unique(np.asarray(words[:INDEXED], np.uint16))
        else:
            self.pending.pop(row, None)

    def needs_build(self) -> bool:
        return len(self.pending) + len(self.dropped) > REBUILD_AFTER

    def build(self, capacity: int) -> None:
        """Fold pending rows into the postings and recompute idf over every indexed row."""
        words = np.repeat(np.arange(WORDS, dtype=np.uint16), np.diff(self.offsets))
        rows = self.rows
        if self.dropped:
            keep = ~np.isin(rows, np.fromiter(self.dropped, np.int32, len(self.dropped)))
            words, rows = words[keep], rows[keep]
        if self.pending:
            words = np.concatenate([words, *self.pending.values()])
            rows = np.concatenate([rows, *(np.full(len(w), r, np.int32) for r, w in self.pending.items())])
        self.pending, self.dropped = {}, set()
        self.load(rows, words, capacity)

    def load(self, rows: np.ndarray, words: np.ndarray, capacity: int) -> None:
        """Replace the postings with (row, word) pairs given as two flat arrays."""
        order = np.argsort(words, kind="stable")      # a radix sort for 16-bit keys
        counts = np.bincount(words, minlength=WORDS)
        self.rows = np.asarray(rows, np.int32)[order]
        self.offsets = np.concatenate([[0], np.cumsum(counts)])
        documents = max(int(np.count_nonzero(np.bincount(self.rows, minlength=1))), 1)
        self.idf = np.log((documents + 1) / (counts + 0.5)).astype(np.float32)
        self.weight = np.bincount(self.rows, weights=np.repeat(self.idf, counts), minlength=capacity).astype(np.float32)

    def vote(self, words: np.ndarray, allowed: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, shared word counts) of up to `limit` allowed rows, best voted first; `words`
        are the query keypoints' words, strongest keypoint first."""
        distinct, first = np.unique(np.asarray(words, np.uint16), return_index=True)
        wanted = distinct[np.argsort(first, kind="stable")[:MAX_QUERY_WORDS]]
        capacity = len(allowed)
        totals = self._totals(wanted, capacity)
        own_weight = {}
        for row, own in self.pending.items():
            if row < capacity:
                common = np.intersect1d(own, wanted, assume_unique=True)
                totals[row] = len(common) * SHARED_UNIT + self.idf[common].sum()
                own_weight[row] = self.idf[own].sum()
        if self.dropped:
            stale = np.fromiter(self.dropped - self.pending.keys(), np.int64)
            totals[stale[stale < capacity]] = 0
        # Only rows past the shared floor are scored: at a million works, a few percent of them.
        voted = np.flatnonzero((totals >= MIN_SHARED * SHARED_UNIT) & allowed)
        shared = (totals[voted] // SHARED_UNIT).astype(np.int64)
        weight = self.weight[np.minimum(voted, len(self.weight) - 1)] if len(self.weight) else np.zeros(len(voted))
        weight = np.where(voted < len(self.weight), weight, 0)
        for position in np.flatnonzero(np.isin(voted, list(own_weight))):
            weight[position] = own_weight[int(voted[position])]
        score = (totals[voted] - shared * SHARED_UNIT) / np.sqrt(
            np.maximum(weight, 1e-6) * max(float(self.idf[wanted].sum()), 1e-6))
        if len(voted) > limit:
            keep = np.argpartition(-score, limit - 1)[:limit]
            voted, score, shared = voted[keep], score[keep], shared[keep]
        order = np.argsort(-score, kind="stable")
        return voted[order], shared[order]

    def _totals(self, wanted: np.ndarray, capacity: int) -> np.ndarray:
        """Per row: SHARED_UNIT times the number of `wanted` words its postings hold, plus the
        sum of their idf, from one bincount (the costly pass, once per posting)."""
        bounds = [(int(self.offsets[w]), int(self.offsets[w + 1])) for w in wanted.tolist()]
        rows = np.concatenate([self.rows[a:b] for a, b in bounds] + [np.zeros(0, np.int32)], dtype=np.int64)
        weights = np.repeat(self.idf[wanted].astype(np.float64) + SHARED_UNIT, [b - a for a, b in bounds])
        return np.bincount(rows, weights=weights, minlength=capacity)[:capacity]

    def nbytes(self) -> int:
        return self.offsets.nbytes + self.rows.nbytes + self.weight.nbytes + self.idf.nbytes
