"""The image index: every artwork's fingerprint in numpy arrays, for copy detection and visual
similarity, kept in step with the database by each process on its own.

Rows are search_documents doc ids (stable integers), so no per-image Python object is kept:
about 200 bytes an image (bench/similar.py measures it). image_changes logs every fingerprint
added or removed and every work made private or public again; refresh() reads the entries past
the last one applied, in the caller's read transaction, so two processes on one database agree
after their next lookup. A process further behind than the pruned log reloads everything.

Lookups are vectorised: whole-picture hashes are compared with all rows at once (np.bitwise_count),
and the probe's other hashes (windows, the other 14 orientations, sub-pictures) find rows
through a multi-index over the 16-bit quarters of each stored hash: a copy keeps some quarter
of some matching hash exact, and each hit is checked at once against the hash that found it.
Only those candidates are scored in full.
"""

import threading

import numpy as np

import store
from imaging import vocabulary
from imaging.fingerprint import COLOUR_SIZE
from search import copies
from search.words import WordIndex

HASH_KINDS = ("full_dct", "full_gradient", "centre_dct", "centre_gradient")
QUARTER_KINDS = HASH_KINDS
# A row becomes a candidate when its whole-picture distance is within this (the copy threshold
# is near 28 bits), or when one of its window-hash quarters equals one of the probe's.
WHOLE_CANDIDATE_DISTANCE = 40
WHOLE_DCT_PREFILTER = 22   # whole-picture copies keep the DCT part near half of their distance
# A window candidate's DCT hash (one of the two in the window distance) must be this close.
WINDOW_CANDIDATE_BITS = 14
MAX_WINDOW_CANDIDATES = 512
QUARTERS = 4
# Rows added since the multi-index was built are scanned directly until there are this many.
REBUILD_AFTER = 2000
# Visual similarity: colour agreement counts most; the structure of the whole picture breaks ties
# between works of one palette. Structure is re-scored on the best colour candidates only.
COLOUR_WEIGHT, STRUCTURE_WEIGHT = 0.7, 0.3
STRUCTURE_POOL = 500

_ROWS_SQL = """
    SELECT d.doc_id, f.artwork_id, a.artist_id, a.availability_status = 'private' AS private,
           f.full_dct, f.full_gradient, f.centre_dct, f.centre_gradient, f.colour, k.words, k.vocabulary
    FROM image_fingerprints f
    JOIN artworks a ON a.id = f.artwork_id
    JOIN search_documents d ON d.artwork_id = f.artwork_id
    LEFT JOIN image_keypoints k ON k.artwork_id = f.artwork_id
"""


class ImageIndex:
    def __init__(self):
        self.lock = threading.RLock()
        self.seq = None
        self._reset(0)

    @property
    def loaded(self) -> bool:
        """Whether a first refresh has read the database in."""
        return self.seq is not None

    # --- Keeping up with the database -----------------------------------------------------------

    def refresh(self, conn):
        """Apply every change logged since the last refresh (call inside a read transaction)."""
        store.require_read_snapshot(conn)
        oldest, newest = store.change_log_bounds(conn, "image_changes")
        with self.lock:
            if self.seq is None or (oldest and self.seq < oldest - 1):
                self._load_all(conn, newest)
            elif newest > self.seq:
                self._apply(conn, store.changed_since(conn, "image_changes", "artwork_id", self.seq, newest))
                self.seq = newest
        return self

    def _reset(self, capacity):
        self.capacity = capacity
        self.alive = np.zeros(capacity, bool)
        self.private = np.zeros(capacity, bool)
        self.artist = np.full(capacity, -1, np.int32)
        self.ids = np.zeros(capacity, "S36")
        self.hashes = {kind: np.zeros(capacity, np.uint64) for kind in HASH_KINDS}
        self.colour = np.zeros((capacity, COLOUR_SIZE), np.float32)
        self.artist_codes = {}
        self.quarters = None     # {hash kind: [(sorted quarter values, their rows)] per quarter}
        self.recent = []         # rows set since the multi-index was built
        self.words = WordIndex()

    def _grow(self, needed):
        if needed <= self.capacity:
            return
        capacity = max(needed, int(self.capacity * 1.5) + 1024)

        def grown(old, fill=0):
            new = np.full((capacity, *old.shape[1:]), fill, dtype=old.dtype)
            new[:len(old)] = old
            return new
        self.alive, self.private, self.ids = grown(self.alive), grown(self.private), grown(self.ids)
        self.artist = grown(self.artist, -1)
        self.hashes = {kind: grown(values) for kind, values in self.hashes.items()}
        self.colour = grown(self.colour)
        self.capacity = capacity

    def _load_all(self, conn, seq):
        rows = conn.execute(_ROWS_SQL + " ORDER BY d.doc_id").fetchall()
        self._reset(capacity=(rows[-1]["doc_id"] + 1) if rows else 0)
        self.load_rows(rows)
        self.seq = seq

    def load_rows(self, rows):
        """Set rows from (doc_id, artwork_id, artist_id, private, four hashes, colour blob, and
        optionally visual words with their vocabulary's identity) records."""
        for row in rows:
            self._set(row)
        self.build_quarters()

    def _apply(self, conn, artwork_ids):
        for start in range(0, len(artwork_ids), 500):
            chunk = artwork_ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            found = set()
            for row in conn.execute(_ROWS_SQL + f" WHERE f.artwork_id IN ({marks})", chunk):
                found.add(row["artwork_id"])
                self._set(row)
                self.recent.append(row["doc_id"])
            gone = set(chunk) - found
            if gone:
                rows = np.flatnonzero(np.isin(self.ids, [g.encode() for g in gone]))
                self.alive[rows] = False
                for row in rows:
                    self.words.set(int(row), None)
        if len(self.recent) > REBUILD_AFTER:
            self.build_quarters()
        elif self.words.needs_build():
            self.words.build(self.capacity)

    def _set(self, row):
        doc = row["doc_id"]
        self._grow(doc + 1)
        self.alive[doc] = True
        self.private[doc] = bool(row["private"])
        self.ids[doc] = row["artwork_id"].encode()
        self.artist[doc] = self.artist_code(row["artist_id"])
        for kind in HASH_KINDS:
            self.hashes[kind][doc] = np.int64(row[kind]).view(np.uint64)
        self.colour[doc] = np.frombuffer(row["colour"], dtype="<f4")
        words = row["words"] if "words" in row.keys() else None
        current = words is not None and row["vocabulary"] == vocabulary.identity()
        self.words.set(doc, np.frombuffer(words, "<u2") if current else None)

    def artist_code(self, artist_id):
        return self.artist_codes.setdefault(artist_id, len(self.artist_codes))

    def build_quarters(self):
        rows = np.flatnonzero(self.alive)
        self.quarters = {}
        for kind in QUARTER_KINDS:
            self.quarters[kind] = []
            for part in range(QUARTERS):
                values = _quarter(self.hashes[kind][rows], part)
                order = np.argsort(values, kind="stable")
                self.quarters[kind].append((values[order], rows[order].astype(np.int32)))
        self.recent = []
        self.words.build(self.capacity)

    # --- Lookups ----------------------------------------------------------------------------------

    def visible(self, viewer_id=None):
        """Rows a viewer may see: alive, and public or their own."""
        own = self.artist == self.artist_codes.get(viewer_id, -2)
        return self.alive & (~self.private | own)

    def candidates(self, probe):
        """Rows worth scoring in full for this probe."""
        by_whole = [np.zeros(0, np.int64)]
        for orientation in range(2):
            # One full scan of the DCT hashes; the gradient hashes only for the rows it leaves.
            dct = np.bitwise_count(self.hashes["full_dct"] ^ probe.full_dct[orientation])
            rows = np.flatnonzero(dct <= WHOLE_DCT_PREFILTER)
            gradient = np.bitwise_count(self.hashes["full_gradient"][rows] ^ probe.full_gradient[orientation])
            by_whole.append(rows[dct[rows].astype(np.int16) + gradient <= WHOLE_CANDIDATE_DISTANCE])
        by_whole = np.concatenate(by_whole)
        # The other orientations and the sub-pictures are whole pictures too, but looked up
        # through the multi-index: 14 more full scans would cost more than the rest together.
        half = probe.part_dct.shape[1] // 2
        by_window = self._window_candidates({
            "full_dct": np.concatenate([probe.full_dct[2:], probe.part_dct[:, :half].ravel()]),
            "full_gradient": np.concatenate([probe.full_gradient[2:], probe.part_gradient[:, :half].ravel()]),
            "centre_dct": np.concatenate([probe.window_dct.ravel(), probe.part_dct[:, half:].ravel()]),
            "centre_gradient": np.concatenate([probe.window_gradient.ravel(), probe.part_gradient[:, half:].ravel()])})
        return np.union1d(by_whole, by_window)

    def _window_candidates(self, window_hashes):
        """Rows with a hash that shares a 16-bit quarter with the same kind of hash of the probe
        (a window, an orientation, a sub-picture), nearest first by that hash's full distance;
        rows added since the multi-index was built are compared directly.
        window_hashes: {kind: uint64 array}."""
        rows, distances = [np.zeros(0, np.int64)], [np.zeros(0, np.int16)]
        for kind, probes in window_hashes.items():
            for part, (values, sorted_rows) in enumerate((self.quarters or {}).get(kind, [])):
                wanted = _quarter(probes, part)
                start = np.searchsorted(values, wanted, "left")
                lengths = np.searchsorted(values, wanted, "right") - start
                # Every (window, row) pair of every hit range, without a Python loop over ranges.
                positions = np.repeat(start - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
                hit_rows = sorted_rows[positions]
                rows.append(hit_rows)
                distances.append(copies.hamming(self.hashes[kind][hit_rows],
                                                probes[np.repeat(np.arange(len(probes)), lengths)]))
            if self.recent:
                recent = np.asarray(self.recent, np.int64)
                rows.append(recent)
                distances.append(copies.hamming(self.hashes[kind][recent][:, None], probes[None, :]).min(axis=1))
        rows, distances = np.concatenate(rows), np.concatenate(distances)
        keep = distances <= WINDOW_CANDIDATE_BITS
        order = np.argsort(distances[keep], kind="stable")
        rows = rows[keep][order]
        _, first = np.unique(rows, return_index=True)
        return rows[np.sort(first)][:MAX_WINDOW_CANDIDATES]

    def keypoint_candidates(self, probe, allowed, limit):
        """Rows whose works share the most visual words with the probe's keypoints."""
        voting = probe.query_words if probe.query_words is not None else probe.words
        if voting is None or not len(voting):
            return np.zeros(0, np.int64)
        rows, _ = self.words.vote(voting, allowed, limit)
        return rows

    def stored(self, rows):
        return {**{kind: self.hashes[kind][rows] for kind in HASH_KINDS}, "colour": self.colour[rows]}

    def matches(self, probe, *, viewer_id=None, allowed=None, limit=20):
        """[(row, score, Evidence, position)] scoring at least COPY_THRESHOLD, best first, among the
        rows `viewer_id` may see or, if given, the rows the boolean mask `allowed` marks."""
        rows = self.candidates(probe)
        rows = rows[(self.visible(viewer_id) if allowed is None else allowed)[rows]]
        if not len(rows):
            return []
        evidence = copies.evidence(probe, self.stored(rows))
        scores = copies.scores(evidence.features())
        order = [i for i in np.argsort(-scores, kind="stable") if scores[i] >= copies.COPY_THRESHOLD][:limit]
        return [(int(rows[i]), float(scores[i]), evidence, i) for i in order]

    def similar(self, colour, full_dct, *, allowed, limit=20):
        """(rows, similarity 0..1) ranked by visual similarity to a colour vector and whole-picture
        DCT hashes (one per orientation); `allowed` masks the rows that may be returned."""
        colour_similarity = self.colour @ np.asarray(colour, np.float32)
        colour_similarity[~allowed[:len(colour_similarity)]] = -1.0
        pool = min(STRUCTURE_POOL, int(allowed.sum()))
        if pool <= 0:
            return np.zeros(0, np.int64), np.zeros(0)
        rows = _top(colour_similarity, pool)
        distance = np.min([copies.hamming(self.hashes["full_dct"][rows], h) for h in np.atleast_1d(full_dct)], axis=0)
        structure = np.clip(1.0 - distance / 32.0, 0.0, 1.0)
        similarity = COLOUR_WEIGHT * np.clip(colour_similarity[rows], 0, 1) + STRUCTURE_WEIGHT * structure
        order = np.argsort(-similarity, kind="stable")[:limit]
        return rows[order], similarity[order]

    def row_of(self, artwork_id):
        found = np.flatnonzero(self.ids == artwork_id.encode())
        return int(found[0]) if len(found) and self.alive[found[0]] else None

    def nbytes(self):
        arrays = [self.alive, self.private, self.artist, self.ids, self.colour, *self.hashes.values()]
        arrays += [array for parts in (self.quarters or {}).values() for pair in parts for array in pair]
        return sum(array.nbytes for array in arrays) + self.words.nbytes()


def _top(values, count):
    """Indexes of the `count` largest values, in no order. A cut-off read off a strided sample
    leaves a few thousand rows for argpartition instead of a million; if fewer than `count`
    pass it, the whole array is partitioned."""
    if len(values) > 50 * count:
        sample = values[:: max(1, len(values) // 20000)]
        rank = min(len(sample) - 1, 4 * count * len(sample) // len(values))
        cutoff = np.partition(sample, len(sample) - 1 - rank)[len(sample) - 1 - rank]
        above = np.flatnonzero(values >= cutoff)
        if len(above) >= count:
            return above[np.argpartition(-values[above], count - 1)[:count]]
    return np.argpartition(-values, count - 1)[:count]


def _quarter(hashes, part):
    return ((np.asarray(hashes, np.uint64) >> np.uint64(16 * part)) & np.uint64(0xFFFF)).astype(np.uint16)


_indexes: dict[str, ImageIndex] = {}
_indexes_lock = threading.Lock()


def index_for(database):
    """The process-wide ImageIndex of a database file."""
    with _indexes_lock:
        return _indexes.setdefault(str(database), ImageIndex())
