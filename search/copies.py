"""Copy detection: evidence from fingerprint hashes and colour, turned into one calibrated score.

For a query probe (imaging.fingerprint.probe) and a stored fingerprint the evidence is
- `whole`: the DCT + gradient hash distance (0-128 bits) of the whole pictures, in the better
  orientation (as given or mirrored);
- `window`: the smallest DCT + gradient distance between the stored central window and any of
  the probe's windows in either orientation; it stays small under crops and small rotations;
- `colour`: 1 - the Bhattacharyya coefficient of the two colour vectors (0 for the same colours).

The match distance is min(whole, window + WINDOW_PENALTY): either the whole pictures agree or
some window does, and a window is charged a few bits because the best of 512 windows is closer
by chance than one comparison (unrelated pairs: whole rarely below 35 bits, window below 29).
The score is a logistic model of (match distance, colour), fitted by
`python -m bench.copy_eval --fit` on photographs only (never on the artworks the evaluation
reports), so it reads as the chance that the query is a copy. A pair is a copy when the score
reaches COPY_THRESHOLD: with the fitted weights, a match distance under about 29 bits.
Colour earns a small weight: greyscale and hue-shifted copies are copies too.
"""

from dataclasses import dataclass, replace

import numpy as np

from imaging.keypoints import MIN_INLIERS

HASH_BITS = 64
WINDOW_PENALTY = 4
PART_PENALTY = 2       # a few dozen sub-picture comparisons, against the windows' 512
# Logistic coefficients for (1, match distance, colour); `bench.copy_eval --fit` prints them.
COEFFICIENTS = (20.2603, -0.6842, -0.3815)
COPY_THRESHOLD = 0.5
MATCHED_BY = ("whole", "window", "part")
KEYPOINT_SLOPE = 0.2


def hamming(a, b):
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.int16)


@dataclass(frozen=True)
class Evidence:
    """Per candidate arrays, aligned with the candidates passed to evidence()."""
    whole: np.ndarray
    orientation: np.ndarray       # index into imaging.fingerprint.ORIENTATIONS of the best whole match
    window: np.ndarray
    window_index: np.ndarray
    window_mirrored: np.ndarray
    part: np.ndarray
    part_index: np.ndarray
    part_mirrored: np.ndarray
    colour: np.ndarray

    def _candidates(self):
        return np.stack([self.whole, self.window + WINDOW_PENALTY, self.part + PART_PENALTY])

    @property
    def distance(self):
        return self._candidates().min(axis=0)

    @property
    def matched_by(self):
        """Per candidate, an index into MATCHED_BY: the evidence the distance rests on."""
        return self._candidates().argmin(axis=0)

    def features(self):
        return np.column_stack([self.distance, self.colour]).astype(np.float64)


def _best(distances):
    """(smallest distance, its flat index) per column of a (..., n) array."""
    flat = distances.reshape(-1, distances.shape[-1])
    if not len(flat):
        return np.full(distances.shape[-1], 2 * HASH_BITS, np.int16), np.zeros(distances.shape[-1], np.int64)
    best = flat.argmin(axis=0)
    return flat[best, np.arange(flat.shape[1])], best


def evidence(probe, stored):
    """stored: {"full_dct", "full_gradient", "centre_dct", "centre_gradient"} uint64 arrays (n,)
    and "colour" float (n, COLOUR_SIZE)."""
    def distances(dct, gradient, kind):
        return hamming(dct[..., None], stored[f"{kind}_dct"]) + hamming(gradient[..., None], stored[f"{kind}_gradient"])

    whole, orientation = _best(distances(probe.full_dct, probe.full_gradient, "full"))
    window, window_at = _best(distances(probe.window_dct, probe.window_gradient, "centre"))
    half = probe.part_dct.shape[1] // 2
    part_whole, part_at = _best(distances(probe.part_dct[:, :half], probe.part_gradient[:, :half], "full"))
    part_centre, centre_at = _best(distances(probe.part_dct[:, half:], probe.part_gradient[:, half:], "centre")
                                   + WINDOW_PENALTY - PART_PENALTY)
    by_centre = part_centre < part_whole
    part_at = np.where(by_centre, centre_at, part_at)
    colours = np.asarray(stored["colour"], dtype=np.float32)
    colour = 1.0 - np.clip(colours @ probe.colour, 0.0, 1.0)
    inverted = 1.0 - np.clip(colours @ probe.inverted_colour, 0.0, 1.0)
    windows = probe.window_dct.shape[1]
    found = Evidence(whole=whole, orientation=orientation, window=window, window_index=window_at % windows,
                     window_mirrored=window_at >= windows, part=np.minimum(part_whole, part_centre),
                     part_index=part_at % max(half, 1), part_mirrored=part_at >= max(half, 1), colour=colour)
    negative = (found.matched_by == 0) & (orientation >= 8)
    return replace(found, colour=np.where(negative, inverted, colour))


def scores(features, coefficients=COEFFICIENTS):
    """The calibrated chance of a copy for each row of Evidence.features()."""
    bias, *weights = coefficients
    return 1.0 / (1.0 + np.exp(-(bias + features @ np.asarray(weights))))


def keypoint_score(inliers: int) -> float:
    """The score of a verified keypoint match: COPY_THRESHOLD at imaging.keypoints.MIN_INLIERS
    inliers (fewer never verify), 0.95 at about twice as many. Two different works passed the
    geometric check with at most 11 inliers in bench/copy_eval.py's hard negatives."""
    return 1.0 / (1.0 + np.exp(-KEYPOINT_SLOPE * (inliers - MIN_INLIERS)))


# The match distance at which the fitted score crosses COPY_THRESHOLD for equal colours; two
# indexed works this close are near-duplicates of each other.
NEAR_DUPLICATE_DISTANCE = int(COEFFICIENTS[0] / -COEFFICIENTS[1])
