"""The image index: every artwork's fingerprint in numpy arrays, for copy detection and visual
similarity, kept in step with the database by each process on its own.

Rows are search_documents doc ids (stable integers), so no per-image Python object is kept:
about 200 bytes an image (bench/similar.py measures it). image_changes logs every fingerprint
added or removed and every work made private or public again; refresh() reads the entries past
the last one applied, in the caller's read transaction, so two processes on one database agree
after their next lookup. A process further behind than the pruned log reloads everything.

Lookups are vectorised: whole-picture hashes are compared with all rows at once (np.bitwise_count),
and the probe's 324 window hashes find rows through a multi-index over the 16-bit quarters of
each central-window hash (a copy within 16 bits almost always keeps one quarter exact, and the
probe has many windows near the right one). Only those candidates are scored in full.
"""

import threading

import numpy as np

from imaging.fingerprint import COLOUR_SIZE
from search import copies

HASH_KINDS = ("full_dct", "full_gradient", "centre_dct", "centre_gradient")
# A row becomes a candidate when its whole-picture distance is within this (the copy threshold
# is near 28 bits), or when one of its window-hash quarters equals one of the probe's.
WHOLE_CANDIDATE_DISTANCE = 40
MAX_WINDOW_CANDIDATES = 512
QUARTERS = 4
# Rows added since the multi-index was built are scanned directly until there are this many.
REBUILD_AFTER = 20000
# Visual similarity: colour agreement counts most; the structure of the whole picture breaks ties
# between works of one palette. Structure is re-scored on the best colour candidates only.
COLOUR_WEIGHT, STRUCTURE_WEIGHT = 0.7, 0.3
STRUCTURE_POOL = 500

_ROWS_SQL = """
    SELECT d.doc_id, f.artwork_id, a.artist_id, a.availability_status = 'private' AS private,
           f.full_dct, f.full_gradient, f.centre_dct, f.centre_gradient, f.colour
    FROM image_fingerprints f
    JOIN artworks a ON a.id = f.artwork_id
    JOIN search_documents d ON d.artwork_id = f.artwork_id
"""


class ImageIndex:
    def __init__(self):
        self.lock = threading.RLock()
        self.seq = None
        self._reset(0)

    # --- Keeping up with the database -----------------------------------------------------------

    def refresh(self, conn):
        """Apply every change logged since the last refresh (call inside a read transaction)."""
        newest = conn.execute("SELECT max(seq) FROM image_changes").fetchone()[0] or 0
        oldest = conn.execute("SELECT min(seq) FROM image_changes").fetchone()[0] or 0
        with self.lock:
            if self.seq is None or (oldest and self.seq < oldest - 1):
                self._load_all(conn, newest)
            elif newest > self.seq:
                changed = [row[0] for row in conn.execute(
                    "SELECT DISTINCT artwork_id FROM image_changes WHERE seq > ? AND seq <= ?", (self.seq, newest))]
                self._apply(conn, changed)
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
        self.quarters = None     # [(sorted quarter values, their rows)] per quarter
        self.recent = []         # rows set since the multi-index was built

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
        """Set rows from (doc_id, artwork_id, artist_id, private, four hashes, colour blob) records."""
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
                self.alive[np.isin(self.ids, [g.encode() for g in gone])] = False
        if len(self.recent) > REBUILD_AFTER:
            self.build_quarters()

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

    def artist_code(self, artist_id):
        return self.artist_codes.setdefault(artist_id, len(self.artist_codes))

    def build_quarters(self):
        rows = np.flatnonzero(self.alive)
        self.quarters = []
        for part in range(QUARTERS):
            values = _quarter(self.hashes["centre_dct"][rows], part)
            order = np.argsort(values, kind="stable")
            self.quarters.append((values[order], rows[order].astype(np.int32)))
        self.recent = []

    # --- Lookups ----------------------------------------------------------------------------------

    def visible(self, viewer_id=None):
        """Rows a viewer may see: alive, and public or their own."""
        own = self.artist == self.artist_codes.get(viewer_id, -2)
        return self.alive & (~self.private | own)

    def candidates(self, probe):
        """Rows worth scoring in full for this probe."""
        whole = np.full(self.capacity, 255, np.int16)
        for orientation in range(2):
            distance = (copies.hamming(self.hashes["full_dct"], probe.full_dct[orientation])
                        + copies.hamming(self.hashes["full_gradient"], probe.full_gradient[orientation]))
            np.minimum(whole, distance, out=whole)
        by_whole = np.flatnonzero(whole <= WHOLE_CANDIDATE_DISTANCE)
        return np.union1d(by_whole, self._window_candidates(probe.window_dct.ravel()))

    def _window_candidates(self, window_hashes):
        found = []
        for part, (values, rows) in enumerate(self.quarters or []):
            wanted = np.unique(_quarter(window_hashes, part))
            start, stop = np.searchsorted(values, wanted, "left"), np.searchsorted(values, wanted, "right")
            hits = stop > start
            if hits.any():
                found.append(np.concatenate([rows[a:b] for a, b in zip(start[hits], stop[hits], strict=False)]))
        if self.recent:
            recent = np.asarray(self.recent, np.int64)
            match = np.zeros(len(recent), bool)
            for part in range(QUARTERS):
                match |= np.isin(_quarter(self.hashes["centre_dct"][recent], part), _quarter(window_hashes, part))
            found.append(recent[match])
        if not found:
            return np.zeros(0, np.int64)
        rows, counts = np.unique(np.concatenate(found), return_counts=True)
        # Rows sharing most quarters with the probe's windows first, when there are too many.
        return rows[np.argsort(-counts, kind="stable")[:MAX_WINDOW_CANDIDATES]]

    def stored(self, rows):
        return {**{kind: self.hashes[kind][rows] for kind in HASH_KINDS}, "colour": self.colour[rows]}

    def matches(self, probe, *, viewer_id=None, limit=20):
        """[(row, score, Evidence, position)] of visible rows scoring at least COPY_THRESHOLD, best first."""
        rows = self.candidates(probe)
        rows = rows[self.visible(viewer_id)[rows]]
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
        rows = np.argpartition(-colour_similarity, pool - 1)[:pool]
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
        arrays += [array for pair in (self.quarters or []) for array in pair]
        return sum(array.nbytes for array in arrays)


def _quarter(hashes, part):
    return ((np.asarray(hashes, np.uint64) >> np.uint64(16 * part)) & np.uint64(0xFFFF)).astype(np.uint16)


_indexes = {}
_indexes_lock = threading.Lock()


def index_for(database):
    """The process-wide ImageIndex of a database file."""
    with _indexes_lock:
        return _indexes.setdefault(str(database), ImageIndex())
