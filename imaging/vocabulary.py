"""A vocabulary of visual words for ORB descriptors: the candidate stage of keypoint matching.

Comparing a query's descriptors with every stored work's is out of reach at a million works, so
each descriptor is quantised to a word of a two-level tree (BRANCHING x BRANCHING leaves, in the
manner of DBoW2), and the image index keeps, per word, the rows whose works hold it. A query's
words then vote for rows, each vote weighted by the word's inverse document frequency; the best
voted rows go on to geometric verification (imaging.keypoints.verify).

The tree is trained by k-majority clustering (k-means under Hamming distance, each centre the
bitwise majority of its members) on photographs that are not artworks of the evaluation
(`python -m imaging.vocabulary ../shared/data/images/photos`: photos 1-75, which bench/copy_eval
never uses as evaluation negatives), and ships as VOCABULARY_FILE.
Words are uint16, so a work's words cost two bytes each in the database and four in the index.
"""

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BRANCHING = 256          # 65,536 words: at a million works a word's postings stay short
WORDS = BRANCHING * BRANCHING
VOCABULARY_FILE = Path(__file__).with_name("orb_vocabulary.npz")
TRAINING_ROUNDS = 12
SECOND_SCALE_EDGE = 400  # px: training also takes the descriptors of a copy this size
# Words per query descriptor (a stored one has one). With 65,536 words one is better than two:
# the second branch's words mostly vote for chance rows (bench/similar.py at a million works,
# found among the 8 best voted: crop+credit 38 -> 47, collage 28 -> 36 of 50; on bench/copy_eval's
# screenshots 0.52 -> 0.66 of copies voted into the best 8 of 150 works).
QUERY_BRANCHES = 1


def as_words64(descriptors: np.ndarray) -> np.ndarray:
    """ORB descriptors (uint8, n x 32) as uint64 n x 4, for Hamming distances by popcount."""
    return np.ascontiguousarray(descriptors, dtype=np.uint8).view(np.uint64).reshape(len(descriptors), -1)


def _distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Hamming distances (points x centres) between uint64-viewed descriptors."""
    total = np.zeros((len(points), len(centres)), np.uint16)
    for part in range(points.shape[1]):
        total += np.bitwise_count(points[:, part, None] ^ centres[None, :, part])
    return total


def _nearest(points: np.ndarray, centres: np.ndarray, chunk: int = 4096) -> np.ndarray:
    return np.concatenate([_distances(points[i:i + chunk], centres).argmin(axis=1)
                           for i in range(0, len(points), chunk)] or [np.zeros(0, np.int64)])


def _distances_to_children(points: np.ndarray, children: np.ndarray) -> np.ndarray:
    """Hamming distances (n x BRANCHING) from each point to its own row of `children`."""
    total = np.zeros(children.shape[:2], np.uint16)
    for part in range(points.shape[1]):
        total += np.bitwise_count(children[:, :, part] ^ points[:, part, None])
    return total


@dataclass(frozen=True)
class Vocabulary:
    top: np.ndarray       # uint64 (BRANCHING, 4): first-level centres
    leaves: np.ndarray    # uint64 (BRANCHING, BRANCHING, 4): second-level centres per first-level one

    def words(self, descriptors: np.ndarray, branches: int = 1) -> np.ndarray:
        """The word (0..WORDS-1, uint16) of each ORB descriptor (uint8, n x 32) or, with
        `branches` > 1, its nearest leaf under each of that many nearest first-level centres
        (n x branches words, a descriptor's together). A query takes two: a descriptor a change
        has moved across a first-level boundary still meets its stored word."""
        if not len(descriptors):
            return np.zeros(0, np.uint16)
        points = as_words64(descriptors)
        nearest = np.argsort(_distances(points, self.top), axis=1, kind="stable")[:, :branches]
        found = np.empty((len(points), branches), np.uint16)
        for column in range(branches):
            branch = nearest[:, column]
            found[:, column] = branch * BRANCHING + _distances_to_children(points, self.leaves[branch]).argmin(axis=1)
        return found.ravel()

    def save(self, path: Path = VOCABULARY_FILE) -> None:
        np.savez_compressed(path, top=self.top, leaves=self.leaves)

    @classmethod
    def load(cls, path: Path = VOCABULARY_FILE) -> "Vocabulary":
        with np.load(path) as saved:
            return cls(saved["top"], saved["leaves"])


_loaded: tuple[Vocabulary, str] | None = None


def _shipped() -> tuple[Vocabulary, str]:
    global _loaded
    if _loaded is None:
        digest = hashlib.sha256(VOCABULARY_FILE.read_bytes()).hexdigest()[:16]
        _loaded = (Vocabulary.load(), digest)
    return _loaded


def vocabulary() -> Vocabulary:
    """The shipped vocabulary, read once per process."""
    return _shipped()[0]


def identity() -> str:
    """A digest of the shipped vocabulary: words stored under another one are stale."""
    return _shipped()[1]


def words(descriptors: np.ndarray, branches: int = 1) -> np.ndarray:
    return vocabulary().words(descriptors, branches)


# --- Training -------------------------------------------------------------------------------------

def _majority(points: np.ndarray, labels: np.ndarray, count: int, previous: np.ndarray) -> np.ndarray:
    """Each cluster's bitwise majority; an empty cluster keeps its previous centre."""
    bits = np.unpackbits(points.view(np.uint8).reshape(len(points), -1), axis=1).astype(np.int32)
    sums = np.zeros((count, bits.shape[1]), np.int64)
    np.add.at(sums, labels, bits)
    sizes = np.bincount(labels, minlength=count)
    centres = np.packbits(sums * 2 > sizes[:, None], axis=1).view(np.uint64).reshape(count, -1)
    return np.where((sizes > 0)[:, None], centres, previous)


def k_majority(points: np.ndarray, count: int, rng: np.random.Generator,
               rounds: int = TRAINING_ROUNDS) -> np.ndarray:
    """`count` centres for uint64-viewed descriptors under Hamming distance."""
    if len(points) <= count:
        padding = points[rng.integers(0, max(len(points), 1), count - len(points))] if len(points) else \
            np.zeros((count, 4), np.uint64)
        return np.concatenate([points, padding])[:count]
    centres = points[rng.choice(len(points), count, replace=False)]
    for _ in range(rounds):
        centres = _majority(points, _nearest(points, centres), count, centres)
    return centres


def train(descriptors: np.ndarray, seed: int = 0) -> Vocabulary:
    rng = np.random.default_rng(seed)
    points = as_words64(descriptors)
    top = k_majority(points, BRANCHING, rng)
    branch = _nearest(points, top)
    leaves = np.stack([k_majority(points[branch == b], BRANCHING, rng) for b in range(BRANCHING)])
    return Vocabulary(top, leaves)


def main(argv: list[str] | None = None) -> None:
    from PIL import Image, ImageOps

    from imaging import keypoints

    parser = argparse.ArgumentParser(description="Train the ORB vocabulary on a folder of photographs.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--features", type=int, default=3000, help="ORB keypoints per image")
    parser.add_argument("--limit", type=int, default=75, help="the first N images, by name")
    parser.add_argument("--output", type=Path, default=VOCABULARY_FILE)
    args = parser.parse_args(argv)
    collected = []
    paths = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
    for path in paths[:args.limit]:
        with Image.open(path) as image:
            picture = ImageOps.exif_transpose(image).convert("RGB")
        collected.append(keypoints.detect(picture, args.features).descriptors)
        # A smaller copy gives other keypoints of the same photograph: more training descriptors
        # for 65,536 leaves than 75 photographs give at one scale.
        smaller = picture.copy()
        smaller.thumbnail((SECOND_SCALE_EDGE, SECOND_SCALE_EDGE))
        collected.append(keypoints.detect(smaller, args.features // 2).descriptors)
    descriptors = np.concatenate(collected)
    print(f"{len(descriptors)} descriptors from {len(paths[:args.limit])} photographs", file=sys.stderr)
    train(descriptors).save(args.output)


if __name__ == "__main__":
    main()
