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

from dataclasses import dataclass

import numpy as np

HASH_BITS = 64
WINDOW_PENALTY = 4
# Logistic coefficients for (1, match distance, colour); `bench.copy_eval --fit` prints them.
COEFFICIENTS = (20.2603, -0.6842, -0.3815)
COPY_THRESHOLD = 0.5


def hamming(a, b):
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.int16)


@dataclass(frozen=True)
class Evidence:
    """Per candidate arrays, aligned with the candidates passed to evidence()."""
    whole: np.ndarray
    whole_mirrored: np.ndarray
    window: np.ndarray
    window_index: np.ndarray
    window_mirrored: np.ndarray
    colour: np.ndarray

    @property
    def distance(self):
        return np.minimum(self.whole, self.window + WINDOW_PENALTY)

    @property
    def by_window(self):
        """Whether the match rests on a window (a crop or rotation) rather than the whole picture."""
        return self.window + WINDOW_PENALTY < self.whole

    def features(self):
        return np.column_stack([self.distance, self.colour]).astype(np.float64)


def evidence(probe, stored):
    """stored: {"full_dct", "full_gradient", "centre_dct", "centre_gradient"} uint64 arrays (n,)
    and "colour" float (n, COLOUR_SIZE)."""
    whole = (hamming(probe.full_dct[:, None], stored["full_dct"][None, :])
             + hamming(probe.full_gradient[:, None], stored["full_gradient"][None, :]))    # (2, n)
    window = (hamming(probe.window_dct[:, :, None], stored["centre_dct"][None, None, :])
              + hamming(probe.window_gradient[:, :, None], stored["centre_gradient"][None, None, :]))
    flat = window.reshape(-1, window.shape[-1])                                             # (2W, n)
    best = flat.argmin(axis=0)
    columns = np.arange(flat.shape[1])
    windows = window.shape[1]
    colour = 1.0 - np.clip(np.asarray(stored["colour"], dtype=np.float32) @ probe.colour, 0.0, 1.0)
    return Evidence(whole=whole.min(axis=0), whole_mirrored=whole.argmin(axis=0) == 1,
                    window=flat[best, columns], window_index=best % windows,
                    window_mirrored=best >= windows, colour=colour)


def scores(features, coefficients=COEFFICIENTS):
    """The calibrated chance of a copy for each row of Evidence.features()."""
    bias, *weights = coefficients
    return 1.0 / (1.0 + np.exp(-(bias + features @ np.asarray(weights))))


# The match distance at which the fitted score crosses COPY_THRESHOLD for equal colours; two
# indexed works this close are near-duplicates of each other.
NEAR_DUPLICATE_DISTANCE = int(COEFFICIENTS[0] / -COEFFICIENTS[1])
