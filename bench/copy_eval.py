"""Copy detection on real images: precision, recall and F1 per transformation, against a plain
single-pHash baseline. Prints figures; asserts nothing; skips when ../shared/data is absent.

The collection (../shared/data/images):
- indexed: the 100 artworks of art/ (the originals) and photos 1-50 of photos/ (distractors);
- queries: every transformation of bench/copy_transforms.py at each strength, applied with a
  fixed seed to each artwork (positives: the answer is that artwork) and to photos 76-100,
  which are not indexed (negatives: the answer is nothing).
A prediction is every indexed image scored at or above the threshold; one that is not the
query's original is a false positive.

The baseline is what the upload pipeline stored before this issue: imagehash's pHash of the
256 px copy, a match when the Hamming distance is at most t, with t chosen on this very
collection as the largest that keeps precision >= 0.99 (generous to the baseline).

`--fit` first refits the score's logistic coefficients (search/copies.py) on a disjoint set:
photos 1-50 as originals with their transformations (other seed) as positives and photos 51-75
transformed as negatives. It never sees an artwork. art_variants/ (real copies found in the
wild, with hard negatives) is reported at the end, one line per file.
"""

import argparse
import csv
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.copy_transforms import variants  # noqa: E402
from imaging import analysis, derivatives, fingerprint, keypoints, pipeline, vocabulary  # noqa: E402
from search import copies, visual  # noqa: E402
from search.images import ImageIndex  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "images"


def load(path):
    with Image.open(path) as image:
        image.load()
        return ImageOps.exif_transpose(image).convert("RGB")


def baseline_hash(image):
    small = image.copy()
    small.thumbnail((256, 256), Image.Resampling.BOX)
    return analysis.perceptual_hashes(small)["phash"]


class Collection:
    """The indexed side: an ImageIndex as the server holds it (so candidate selection counts),
    the same fingerprints as arrays (to fit on every pair), and baseline pHashes."""

    def __init__(self, images):
        small_medium = [analysis_copies(image) for image in images]
        prints = [fingerprint.fingerprint(small) for small, _ in small_medium]
        found = [keypoints.detect_query(medium).strongest(keypoints.STORED_FEATURES) for _, medium in small_medium]
        self.keypoints = {str(row): points for row, points in enumerate(found)}
        self.stored = {kind: fingerprint.to_unsigned([getattr(p, kind) for p in prints])
                       for kind in ("full_dct", "full_gradient", "centre_dct", "centre_gradient")}
        self.stored["colour"] = np.stack([p.colour for p in prints])
        self.baseline = fingerprint.to_unsigned([baseline_hash(image) for image in images])
        self.index = ImageIndex()
        self.index.load_rows([{"doc_id": row, "artwork_id": str(row), "artist_id": str(row), "private": False,
                               **p.hashes(), "colour": p.colour.astype("<f4").tobytes(),
                               "words": vocabulary.words(points.descriptors).astype("<u2").tobytes(),
                               "vocabulary": vocabulary.identity()}
                              for row, (p, points) in enumerate(zip(prints, found, strict=True))])

    def predict(self, probe, coefficients, threshold):
        """Rows the index's candidate stage finds and the score passes, by hashes or by verified
        keypoints, as search.visual.find_copies decides (with these coefficients)."""
        rows = self.index.candidates(probe)
        hashed = {}
        if len(rows):
            scores = copies.scores(copies.evidence(probe, self.index.stored(rows)).features(), coefficients)
            order = np.argsort(-scores, kind="stable")
            hashed = {int(row): float(score) for row, score in zip(rows[order], scores[order], strict=True)
                      if score >= threshold}
        checks = visual.verified(self.index, probe, self.index.alive, self._keypoints_of,
                                 list(hashed)[:visual.VERIFIED_HASH_MATCHES])
        kept = {row for row, score in hashed.items() if not (row in checks and visual.refuted(score, checks[row]))}
        kept |= {row for row, check in checks.items()
                 if check is not None and copies.keypoint_score(check.inliers) >= threshold}
        return np.asarray(sorted(kept), np.int64)

    def _keypoints_of(self, artwork_ids):
        return {i: self.keypoints[i] for i in artwork_ids}


def analysis_copies(image):
    """The small and medium copies an upload of `image` is analysed at."""
    sizes = derivatives.cascade(image.convert("RGB"))
    return sizes["small"], sizes["medium"]


def query_probe(image, with_keypoints=True):
    small, medium = analysis_copies(image)
    return pipeline.query_probe(small, medium) if with_keypoints else fingerprint.probe(small)


def queries(originals, negatives, seed, with_keypoints=True):
    """(transformation, strength, expected index or None, probe, baseline hash)."""
    rng = random.Random(seed)
    result = []
    for expected, image in [*enumerate(originals), *((None, image) for image in negatives)]:
        for name, strength, variant in variants(image, rng):
            result.append((name, strength, expected, query_probe(variant, with_keypoints),
                           fingerprint.to_unsigned([baseline_hash(variant)])[0]))
    return result


def features(collection, query_list):
    """(features, labels) of every (query, indexed image) pair."""
    rows, labels = [], []
    for _name, _strength, expected, probe, _ in query_list:
        rows.append(copies.evidence(probe, collection.stored).features())
        label = np.zeros(len(collection.baseline), bool)
        if expected is not None:
            label[expected] = True
        labels.append(label)
    return np.concatenate(rows), np.concatenate(labels)


def fit(collection, query_list):
    from sklearn.linear_model import LogisticRegression

    x, y = features(collection, query_list)
    model = LogisticRegression(C=1.0, max_iter=5000).fit(x, y)
    return (float(model.intercept_[0]), *(float(w) for w in model.coef_[0]))


def tally(query_list, predict):
    """{transformation: [tp, fp, fn]} plus "overall"."""
    counts = defaultdict(lambda: [0, 0, 0])
    for name, _strength, expected, probe, base in query_list:
        predicted = set(predict(probe, base))
        for key in (name, "overall"):
            hit = expected is not None and expected in predicted
            counts[key][0] += hit
            counts[key][1] += len(predicted - {expected})
            counts[key][2] += expected is not None and not hit
    return counts


def measures(tp, fp, fn):
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def baseline_threshold(collection, query_list):
    best = 0
    for threshold in range(0, 33):
        tp, fp, _ = tally(query_list, lambda probe, base, cut=threshold: np.flatnonzero(
            copies.hamming(base, collection.baseline) <= cut))["overall"]
        if tp + fp and tp / (tp + fp) >= 0.99:
            best = threshold
    return best


def report(collection, query_list, coefficients, threshold):
    model = tally(query_list, lambda probe, base: collection.predict(probe, coefficients, threshold))
    cut = baseline_threshold(collection, query_list)
    base = tally(query_list, lambda probe, b: np.flatnonzero(copies.hamming(b, collection.baseline) <= cut))
    print(f"\nscore >= {threshold}  |  baseline: pHash distance <= {cut}")
    print(f"{'transformation':<12} {'queries':>7} | {'precision':>9} {'recall':>6} {'F1':>6} |"
          f" {'pHash P':>7} {'R':>6} {'F1':>6}")
    names = [name for name in dict.fromkeys(q[0] for q in query_list)] + ["overall"]
    for name in names:
        total = sum(1 for q in query_list if name in (q[0], "overall"))
        p, r, f = measures(*model[name])
        bp, br, bf = measures(*base[name])
        print(f"{name:<12} {total:>7} | {p:>9.3f} {r:>6.3f} {f:>6.3f} | {bp:>7.3f} {br:>6.3f} {bf:>6.3f}")
    return model


def wild_variants(collection, names, coefficients, threshold):
    folder = DATA / "art_variants"
    with open(folder / "index.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    print(f"\nart_variants/ (copies found in the wild; 'no' rows are hard negatives), score >= {threshold}")
    for row in rows:
        probe = query_probe(load(folder / row["file"]))
        evidence = copies.evidence(probe, collection.stored)
        score = copies.scores(evidence.features(), coefficients)
        canonical = names.index(row["canonical_file"]) if row["canonical_file"] in names else None
        predicted = set(collection.predict(probe, coefficients, threshold).tolist())
        checks = visual.verified(collection.index, probe, collection.index.alive, collection._keypoints_of,
                                 [canonical] if canonical is not None else [])
        check = checks.get(canonical) if canonical is not None else None
        inliers = check.inliers if check is not None else 0
        own = float(score[canonical]) if canonical is not None else float("nan")
        others = [names[i] for i in predicted if i != canonical]
        print(f"  {row['is_same_artwork']:<6} {row['relation'][:34]:<34} hash score {own:.3f} "
              f"whole {evidence.whole[canonical]:>3} window {evidence.window[canonical]:>3} inliers {inliers:>3} "
              f"{'FOUND' if canonical in predicted else '-':<5} {'others: ' + ', '.join(others) if others else ''}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fit", action="store_true", help="refit the logistic coefficients first")
    parser.add_argument("--threshold", type=float, default=copies.COPY_THRESHOLD)
    parser.add_argument("--queries-from", type=int, default=100, metavar="N",
                        help="transform only the first N artworks (all 100 are indexed); for quick runs")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return
    started = time.perf_counter()
    with open(DATA / "art" / "index.csv", newline="") as handle:
        art_names = [row["file"] for row in csv.DictReader(handle)]
    photos = sorted(p for p in (DATA / "photos").iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
    art = [load(DATA / "art" / name) for name in art_names]
    photo_images = [load(path) for path in photos]
    coefficients = copies.COEFFICIENTS
    if args.fit:
        training = Collection(photo_images[:50])
        coefficients = fit(training, queries(photo_images[:50], photo_images[50:75], args.seed + 1,
                                             with_keypoints=False))
        print("fitted coefficients (1, match distance, colour):", tuple(round(c, 4) for c in coefficients))
    collection = Collection(art + photo_images[:50])
    query_list = queries(art[:args.queries_from], photo_images[75:75 + max(1, args.queries_from // 4)], args.seed)
    print(f"{len(art)} artworks and {len(photo_images[:50])} photographs indexed; {len(query_list)} queries "
          f"({len(photo_images[75:])} unindexed photographs transformed as negatives)")
    report(collection, query_list, coefficients, args.threshold)
    wild_variants(collection, art_names + [p.name for p in photos[:50]], coefficients, args.threshold)
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
