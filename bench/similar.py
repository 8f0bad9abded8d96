"""Image index at scale: copy and similar-art lookups over 1,000,000 images, and memory.

Prints figures; asserts nothing. BENCH_IMAGES sets the size (default 1,000,000), BENCH_SAMPLES
the number of timed lookups per kind (default 200). Synthetic: random 64-bit hashes, random
colour vectors and visual words for the crowd, plus 50 real fingerprints and keypoints of
generated pictures at random rows. The crowd's words are drawn from the word frequencies of real
keypoints (of 200 other generated pictures), INDEXED per work, so common words are as common
as they are in real pictures. The queries are the pipeline's probes (hashes, keypoints, words) of
the planted pictures after changes copiers make: a 15% crop with a corner credit and JPEG quality
60, a half crop, a phone photo at an angle, a 15 degree tilt, a 90 degree turn and a collage.

The copy lookup is search.visual.find_copies as a request runs it: hash candidates, the word
vote, and geometric verification of the best voted rows; a crowd row's keypoints are those of
another real picture, so every verification costs what a real one does (its SQLite read of about
10 kB per row is not included). Timed on one core, inside the process.
"""

import os
import random
import sys
import time
import tracemalloc
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import percentile, timed  # noqa: E402
from bench.copy_transforms import collage, crop, dihedral, jpeg, perspective, region, rotate, watermark  # noqa: E402
from imaging import derivatives, fingerprint, keypoints, pipeline, vocabulary  # noqa: E402
from search import visual, words  # noqa: E402
from search.images import HASH_KINDS, ImageIndex  # noqa: E402
from tests.conftest import painting  # noqa: E402

PLANTED = 50
CHANGES = {
    "crop+credit+jpeg": lambda p, r: jpeg(watermark(crop(p, r, 0.15), r, "corner"), r, 60),
    "half crop": lambda p, r: region(p, r, 0.5),
    "phone photo": lambda p, r: perspective(p, r, 0.22),
    "tilt 15": lambda p, r: rotate(p, r, 15),
    "turn 90": lambda p, r: dihedral(p, r, "90"),
    "collage 2x2": lambda p, r: collage(p, r, 2),
}


def analysed(picture):
    """The small and medium copies an upload of `picture` is analysed at."""
    sizes = derivatives.cascade(picture.convert("RGB"))
    return sizes["small"], sizes["medium"]


def stored_keypoints(picture):
    return keypoints.detect_query(analysed(picture)[1]).strongest(keypoints.STORED_FEATURES)


def word_frequencies():
    """How often each visual word occurs among the stored keypoints of generated pictures."""
    counts = np.ones(vocabulary.WORDS)
    for seed in range(200):
        counts += np.bincount(vocabulary.words(stored_keypoints(painting(5000 + seed)).descriptors),
                              minlength=vocabulary.WORDS)
    return counts / counts.sum()


def crowd_words(index, size, rng):
    """INDEXED words per crowd row, drawn from real word frequencies (repeats within a row kept:
    they only make chance agreement likelier)."""
    frequencies = word_frequencies()
    per_row = int(words.INDEXED * 0.94)    # real works: about 94% of their INDEXED words are distinct
    rows = np.repeat(np.arange(size, dtype=np.int32), per_row)
    drawn = np.concatenate([rng.choice(vocabulary.WORDS, min(2**24, len(rows) - start), p=frequencies).astype(np.uint16)
                            for start in range(0, len(rows), 2**24)])
    index.words.load(rows, drawn, size)


def synthetic_index(size, rng):
    index = ImageIndex()
    index._reset(size)
    index.alive[:] = True
    index.private[:] = rng.random(size) < 0.05
    index.artist[:] = rng.integers(0, size // 20, size)
    index.ids[:] = np.char.encode(np.char.zfill(np.arange(size).astype(str), 36))
    for kind in HASH_KINDS:
        index.hashes[kind][:] = rng.integers(0, 2**63, size, dtype=np.int64).view(np.uint64) * np.uint64(2) + \
            rng.integers(0, 2, size).astype(np.uint64)
    colour = rng.random((size, fingerprint.COLOUR_SIZE), dtype=np.float32) ** 3
    index.colour[:] = colour / np.linalg.norm(colour, axis=1, keepdims=True)
    index.artist_codes = {f"artist{i}": i for i in range(size // 20)}
    return index


def plant(index, rng):
    """Real fingerprints and keypoints of generated pictures at random rows: ({row: Keypoints},
    [(change, row, query probe)])."""
    queries, stored = [], {}
    rows = rng.choice(index.capacity, PLANTED, replace=False)
    chooser = random.Random(1)
    for seed, row in enumerate(rows):
        picture = painting(1000 + seed, (900, 700))
        prints = fingerprint.fingerprint(analysed(picture)[0])
        for kind in HASH_KINDS:
            index.hashes[kind][row] = np.int64(getattr(prints, kind)).view(np.uint64)
        index.colour[row] = prints.colour
        index.private[row] = False
        stored[int(row)] = stored_keypoints(picture)
        index.words.set(int(row), vocabulary.words(stored[int(row)].descriptors))
        for change, make in CHANGES.items():
            queries.append((change, int(row), pipeline.query_probe(*analysed(make(picture, chooser)))))
    return stored, queries


def keypoints_lookup(index, stored):
    """keypoints_of for find_copies: planted rows have their own; a crowd row those of a planted
    picture chosen by its row, so that verifying it costs what verifying a real work does."""
    planted = list(stored.values())
    rows_of = {index.ids[row].decode(): row for row in stored}

    def keypoints_of(artwork_ids):
        return {i: stored[rows_of[i]] if i in rows_of else planted[int(i) % len(planted)] for i in artwork_ids}
    return keypoints_of


def timings(run, probes, count):
    """Milliseconds of `count` calls of run(probe), cycling through the probes."""
    return [timed(partial(run, probes[i % len(probes)]), 1)[0] for i in range(count)]


def main():
    size = int(os.environ.get("BENCH_IMAGES", 1_000_000))
    samples = int(os.environ.get("BENCH_SAMPLES", 200))
    rng = np.random.default_rng(7)
    tracemalloc.start()
    index = synthetic_index(size, rng)
    crowd_words(index, size, rng)
    stored, queries = plant(index, rng)
    started = time.perf_counter()
    index.build_quarters()
    build = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    hashes = index.nbytes() - index.words.nbytes()
    print(f"{size:,} images; multi-index and word postings built in {build:.1f} s")
    print(f"index arrays: {index.nbytes() / size:.0f} bytes per image ({index.nbytes() / 2**20:.0f} MiB): "
          f"hashes and colours {hashes / size:.0f}, visual words {index.words.nbytes() / size:.0f}; "
          f"traced Python allocations {traced / 2**20:.0f} MiB")
    keypoints_of = keypoints_lookup(index, stored)
    allowed = index.visible(None)

    def lookup(probe):
        return visual.find_copies(index, probe, allowed, keypoints_of)

    print(f"\n{'change':<18} {'found':>7} {'voted':>7} {'median ms':>10} {'p99 ms':>8}   (copy lookup, find_copies; "
          f"voted: among the {visual.VERIFY_CANDIDATES} best voted rows)")
    everything = []
    for change in CHANGES:
        cases = [(row, probe) for name, row, probe in queries if name == change]
        found = sum(row in {match[0] for match in lookup(probe)} for row, probe in cases)
        voted = sum(row in index.keypoint_candidates(probe, allowed, visual.VERIFY_CANDIDATES) for row, probe in cases)
        times = timings(lookup, [probe for _, probe in cases], samples // len(CHANGES))
        everything += times
        print(f"{change:<18} {found:>3}/{len(cases):<3} {voted:>3}/{len(cases):<3} {np.median(times):>10.2f} "
              f"{percentile(times, 0.99):>8.2f}")
    print(f"{'all':<18} {'':>15} {np.median(everything):>10.2f} {percentile(everything, 0.99):>8.2f}")

    probes = [probe for _, _, probe in queries]
    stages = {
        "hash matches": lambda p: index.matches(p, allowed=allowed),
        "word vote": lambda p: index.keypoint_candidates(p, allowed, visual.VERIFY_CANDIDATES),
        "vote + verification": lambda p: visual.verified(index, p, allowed, keypoints_of),
        "similar art": lambda p: index.similar(p.colour, p.full_dct[:2], allowed=allowed, limit=20),
    }
    print(f"\n{'stage':<20} {'median ms':>10} {'p99 ms':>8}")
    for name, run in stages.items():
        times = timings(run, probes, samples)
        print(f"{name:<20} {np.median(times):>10.2f} {percentile(times, 0.99):>8.2f}")


if __name__ == "__main__":
    main()
