"""Image index at scale: near-duplicate and similar-art lookups over 1,000,000 images, and memory.

Prints figures; asserts nothing. BENCH_IMAGES sets the size (default 1,000,000), BENCH_SAMPLES
the number of timed lookups per kind (default 200). Synthetic: random 64-bit hashes and random
colour vectors for the crowd, plus 50 real fingerprints of generated pictures at random rows; each
query is the probe of one of those pictures after a 15% crop, a corner credit and JPEG quality 60,
so its window hashes are real. Timed on one core, inside the process, as a request would call it.
"""

import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import percentile, timed  # noqa: E402
from bench.copy_transforms import crop, jpeg, watermark  # noqa: E402
from imaging import fingerprint  # noqa: E402
from search.images import HASH_KINDS, ImageIndex  # noqa: E402
from tests.conftest import painting  # noqa: E402

PLANTED = 50


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
    """Real fingerprints of generated pictures at random rows; (row, query probe) pairs."""
    pairs = []
    rows = rng.choice(index.capacity, PLANTED, replace=False)
    chooser = random.Random(1)
    for seed, row in enumerate(rows):
        picture = painting(1000 + seed)
        prints = fingerprint.fingerprint(picture)
        for kind in HASH_KINDS:
            index.hashes[kind][row] = np.int64(getattr(prints, kind)).view(np.uint64)
        index.colour[row] = prints.colour
        index.private[row] = False
        copy = jpeg(watermark(crop(picture, chooser, 0.15), chooser, "corner"), chooser, 60)
        pairs.append((int(row), fingerprint.probe(copy)))
    return pairs


def main():
    size = int(os.environ.get("BENCH_IMAGES", 1_000_000))
    samples = int(os.environ.get("BENCH_SAMPLES", 200))
    rng = np.random.default_rng(7)
    tracemalloc.start()
    index = synthetic_index(size, rng)
    pairs = plant(index, rng)
    started = time.perf_counter()
    index.build_quarters()
    build = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"{size:,} images; multi-index built in {build * 1000:.0f} ms")
    print(f"index arrays: {index.nbytes() / size:.0f} bytes per image "
          f"({index.nbytes() / 2**20:.0f} MiB; traced Python allocations {traced / 2**20:.0f} MiB)")

    found = sum(row in {m[0] for m in index.matches(probe)} for row, probe in pairs)
    candidates = [len(index.candidates(probe)) for _, probe in pairs]
    print(f"planted copies found: {found} of {len(pairs)}; candidates scored per query: "
          f"median {int(np.median(candidates))}, max {max(candidates)}")

    queries = [pairs[i % len(pairs)][1] for i in range(samples)]
    near = [timed(lambda p=probe: index.matches(p), 1)[0] for probe in queries]
    similar = [timed(lambda p=probe: index.similar(p.colour, p.full_dct, allowed=index.visible(None), limit=20),
                     1)[0] for probe in queries]
    print(f"{'lookup':<16} {'median ms':>10} {'p99 ms':>8}")
    for name, values in (("near-duplicate", near), ("similar art", similar)):
        print(f"{name:<16} {np.median(values):>10.2f} {percentile(values, 0.99):>8.2f}")


if __name__ == "__main__":
    main()
