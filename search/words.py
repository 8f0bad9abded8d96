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

import numba
import numpy as np

from imaging.vocabulary import WORDS

# Strongest keypoints of a work whose words are indexed: all it stores. At 200, a phone photo of
# a work met too few of them (bench/copy_eval perspective recall 0.84; 0.89 at 320).
INDEXED = 320
# A query votes with the words of its strongest keypoints, which survive a change best; its
# rarest words, tried first, were mostly noise (a phone photo's background, JPEG blocks).
MAX_QUERY_WORDS = 600
MIN_SHARED = 3              # fewer shared words than this is chance
# Only the rows sharing the most words (at least SHORTLIST of them, ties kept) are scored: at a
# million works two thirds of the rows share MIN_SHARED words by chance, and scoring them all
# cost more than the vote itself.
SHORTLIST = 2048
# A vote adds SHARED_UNIT + idf, so one float per row carries both the count and the idf sum:
# idf is below log(2 * documents + 2) < 30 for any collection that fits in memory, so the idf
# sum of MAX_QUERY_WORDS words stays below SHARED_UNIT.
SHARED_UNIT = 32768.0
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
        totals = np.zeros(max(capacity, len(self.weight)))
        histogram = np.zeros(len(wanted) + 2, np.int64)
        _accumulate(self.offsets, self.rows, wanted.astype(np.int64), self.idf[wanted].astype(np.float64) + SHARED_UNIT,
                    totals, histogram)
        totals = totals[:capacity]
        own_weight = self._recount_recent(totals, histogram, wanted)
        voted = np.flatnonzero((totals >= _floor(histogram) * SHARED_UNIT) & allowed)
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

    def _recount_recent(self, totals: np.ndarray, histogram: np.ndarray, wanted: np.ndarray) -> dict[int, float]:
        """Replace the postings' votes of rows set or dropped since the last build, in `totals`
        and its histogram; {row: the idf sum of its own words} of the rows set."""
        capacity = len(totals)
        recent = [row for row in self.dropped if row < capacity]
        before = (totals[recent] // SHARED_UNIT).astype(np.int64)
        np.subtract.at(histogram, before, 1)
        totals[recent] = 0
        own_weight = {}
        for row, own in self.pending.items():
            if row < capacity:
                common = np.intersect1d(own, wanted, assume_unique=True)
                totals[row] = len(common) * SHARED_UNIT + self.idf[common].sum()
                histogram[len(common)] += 1
                own_weight[row] = float(self.idf[own].sum())
        return own_weight

    def nbytes(self) -> int:
        return self.offsets.nbytes + self.rows.nbytes + self.weight.nbytes + self.idf.nbytes


def _floor(histogram: np.ndarray) -> int:
    """The most shared words that SHORTLIST rows or more have, and never under MIN_SHARED;
    histogram[c] counts the rows sharing c words (c >= 1)."""
    at_least = np.cumsum(histogram[:0:-1])[::-1]      # at_least[c - 1]: rows sharing c words or more
    enough = np.flatnonzero(at_least >= SHORTLIST)
    return max(MIN_SHARED, int(enough[-1]) + 1 if len(enough) else 0)


@numba.njit(cache=True, nogil=True)
def _accumulate(offsets, rows, wanted, votes, totals, histogram):
    """totals[row] += votes[k] for every posting of wanted[k], then histogram[c] counts the rows
    that share c words (c >= 1). Compiled, because at a million works a query's postings number
    about 3 million: in numpy the vote built two arrays that long (rows, and each posting's vote)
    for one bincount, then counted the shared words of every row again: 24 ms, against 9 ms."""
    for k in range(len(wanted)):
        vote = votes[k]
        for position in range(offsets[wanted[k]], offsets[wanted[k] + 1]):
            totals[rows[position]] += vote
    for row in range(len(totals)):
        histogram[int(totals[row] * (1.0 / SHARED_UNIT))] += 1
