"""Local features for copy detection: ORB keypoints with binary descriptors, and the geometric
check that tells a copy from a look-alike.

Whole-picture and window hashes (imaging.fingerprint) cannot see a work that fills only part of
the query (a screenshot, a captioned meme, a collage, a phone photo with the desk around it),
nor a query that keeps only part of the work, nor a photo taken at an angle. Keypoints can:
each is a small patch with a 256-bit descriptor that survives scale, rotation, perspective and
recompression. A copy is confirmed only when enough matched keypoints agree on one homography
(RANSAC), which two different paintings of one subject, or two crops of different regions of
one picture, do not produce.

Positions are kept in pixels of the working copy (longest side WORK_EDGE), with its size, so a
homography maps one picture's working copy onto the other's.
"""

from dataclasses import dataclass

import cv2
import numba
import numpy as np
from PIL import Image

from imaging.vocabulary import as_words64

WORK_EDGE = 640
STORED_FEATURES = 320      # per stored work
QUERY_FEATURES = 1000      # a query may hold the work in a small part of itself
LEVELS = 8                 # ORB's scale pyramid, each level 1/1.2 of the one above
# A copy most often shows the work smaller than the stored working copy does (a phone photo with
# the desk around it, a screenshot, a collage), so the query pyramid starts one level above the
# picture's own size, on a copy enlarged 1.2 times: detail that is fine in the stored work then has
# a level to be found at in the copy. bench/copy_eval's phone photos: recall 0.890 -> 0.925, for
# 3 ms a query. (A work's stored keypoints are the strongest of its own query's, so they share it.)
QUERY_UPSCALED_LEVELS = 1
DESCRIPTOR_BYTES = 32
# Verification: Lowe's ratio test on the two nearest descriptors, then OpenCV's USAC_FAST (RANSAC
# with local optimisation). Plain RANSAC ran all its iterations on a chance candidate, 1.6 ms
# against 0.07, and made most of a lookup's tail at a million works (p99 52 -> 23 ms), for the same
# copies verified. (A ratio of 0.85 kept more of a steep phone photo's matches, but let so many
# chance rows through that a lookup at a million works took 95 ms instead of 28.)
RATIO = 0.8
MAX_DESCRIPTOR_DISTANCE = 80
REPROJECTION_PX = 6.0
MIN_INLIERS = 14
# A homography that squashes or stretches the picture this much is a chance fit, not a view.
MIN_AREA_RATIO, MAX_AREA_RATIO = 1 / 40, 40.0

cv2.setNumThreads(1)   # requests already run in parallel; OpenCV's own threads only contend


@dataclass(frozen=True)
class Keypoints:
    positions: np.ndarray      # float32 (n, 2), pixels of the working copy
    descriptors: np.ndarray    # uint8 (n, DESCRIPTOR_BYTES), strongest first
    size: tuple                # (width, height) of the working copy

    def __len__(self):
        return len(self.positions)

    def strongest(self, count: int) -> "Keypoints":
        return Keypoints(self.positions[:count], self.descriptors[:count], self.size)

    def to_blobs(self):
        """(positions, descriptors) as bytes, as store.artworks keeps them."""
        return self.positions.astype("<f4").tobytes(), self.descriptors.tobytes()

    @classmethod
    def from_blobs(cls, positions, descriptors, width, height):
        return cls(np.frombuffer(positions, "<f4").reshape(-1, 2),
                   np.frombuffer(descriptors, np.uint8).reshape(-1, DESCRIPTOR_BYTES), (width, height))


@dataclass(frozen=True)
class Verification:
    """How one picture's keypoints map onto another's."""
    inliers: int
    homography: np.ndarray     # 3 x 3, query working copy -> stored working copy
    query_box: tuple           # fractions (x0, y0, x1, y1) of the query that show the work
    stored_box: tuple          # fractions of the stored work that the query shows
    rotation: float            # degrees, the homography's in-plane turn
    perspective: float         # size of its projective terms, 0 for an affine view
    mirrored: bool


def grey_working_copy(image: Image.Image) -> np.ndarray:
    grey = image.convert("L")
    if max(grey.size) > WORK_EDGE:
        grey = grey.copy()
        grey.thumbnail((WORK_EDGE, WORK_EDGE), Image.Resampling.BOX)
    return np.asarray(grey)


def detect(image: Image.Image, features: int = STORED_FEATURES, upscaled_levels: int = 0) -> Keypoints:
    """The strongest `features` ORB keypoints, strongest first (empty for a featureless image),
    from a scale pyramid that starts `upscaled_levels` above the working copy's own size; their
    positions are in the working copy's pixels whichever level they were found at."""
    grey = grey_working_copy(image)
    orb = cv2.ORB_create(  # type: ignore[attr-defined]
        nfeatures=features, scaleFactor=1.2, nlevels=LEVELS + upscaled_levels, edgeThreshold=15, patchSize=31,
        fastThreshold=10, firstLevel=upscaled_levels)
    size = (grey.shape[1], grey.shape[0])
    try:
        found, descriptors = orb.detectAndCompute(grey, None)
    except cv2.error:      # a picture too thin for ORB's scale pyramid (a 1 px strip) has none
        found, descriptors = (), None
    if descriptors is None:
        return Keypoints(np.zeros((0, 2), np.float32), np.zeros((0, DESCRIPTOR_BYTES), np.uint8), size)
    order = np.argsort([-point.response for point in found], kind="stable")
    positions = np.array([found[i].pt for i in order], np.float32).reshape(-1, 2)
    return Keypoints(positions, descriptors[order], size)


def detect_query(image: Image.Image) -> Keypoints:
    return detect(image, QUERY_FEATURES, QUERY_UPSCALED_LEVELS)


def verify(query: Keypoints, stored: Keypoints) -> Verification | None:
    """The homography most matched keypoints agree on, or None when too few do."""
    if len(query) < MIN_INLIERS or len(stored) < MIN_INLIERS:
        return None
    nearest, distance, second = _two_nearest(as_words64(stored.descriptors), as_words64(query.descriptors))
    good = np.flatnonzero((distance <= MAX_DESCRIPTOR_DISTANCE) & (distance < RATIO * second))
    if len(good) < MIN_INLIERS:
        return None
    source = query.positions[nearest[good]]
    target = stored.positions[good]
    homography, mask = cv2.findHomography(source, target, cv2.USAC_FAST, REPROJECTION_PX, maxIters=2000,
                                          confidence=0.995)
    if homography is None:
        return None
    inliers = int(mask.sum())
    if inliers < MIN_INLIERS or not _plausible(homography, query.size):
        return None
    return _describe(homography, inliers, query.size, stored.size)


@numba.njit(cache=True, nogil=True)
def _popcount(x):
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@numba.njit(cache=True, nogil=True)
def _two_nearest(stored, query):
    """(index of the nearest query descriptor, its Hamming distance, the second nearest's
    distance) for each stored descriptor (both uint64 n x 4, 256 bits; with one query descriptor the
    second distance is out of reach). Compiled: OpenCV's knnMatch took 1.7 ms for 320 x 1000
    descriptors, most of a verification and so most of a lookup's cost at a million works;
    this takes 0.45 ms and finds the same distances."""
    count = stored.shape[0]
    nearest = np.full(count, -1, np.int64)
    distance = np.full(count, 1 << 20, np.int64)
    second = np.full(count, 1 << 20, np.int64)
    for i in range(count):
        a0, a1, a2, a3 = stored[i, 0], stored[i, 1], stored[i, 2], stored[i, 3]
        for j in range(query.shape[0]):
            d = np.int64(_popcount(a0 ^ query[j, 0]) + _popcount(a1 ^ query[j, 1])
                         + _popcount(a2 ^ query[j, 2]) + _popcount(a3 ^ query[j, 3]))
            if d < distance[i]:
                second[i] = distance[i]
                distance[i] = d
                nearest[i] = j
            elif d < second[i]:
                second[i] = d
    return nearest, distance, second


def _corners(size):
    width, height = size
    return np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32).reshape(-1, 1, 2)


def _plausible(homography, query_size):
    """A view of a flat picture: it keeps orientation, its corners stay in front of the camera,
    and the mapped area is neither a sliver nor a blow-up."""
    if not np.all(np.isfinite(homography)) or abs(homography[2, 2]) < 1e-9:
        return False
    corners = _corners(query_size).reshape(-1, 2)
    depth = corners @ homography[2, :2] + homography[2, 2]
    if np.any(depth * np.sign(homography[2, 2]) <= 0):
        return False
    mapped = cv2.perspectiveTransform(_corners(query_size), homography).reshape(-1, 2)
    if not _convex(mapped):
        return False
    ratio = _area(mapped) / float(query_size[0] * query_size[1])
    return MIN_AREA_RATIO <= ratio <= MAX_AREA_RATIO


def _area(polygon):
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def _convex(polygon):
    edges = np.roll(polygon, -1, axis=0) - polygon
    turns = edges[:, 0] * np.roll(edges[:, 1], -1) - edges[:, 1] * np.roll(edges[:, 0], -1)
    return bool(np.all(turns > 0) or np.all(turns < 0))


def _clipped_box(polygon, size):
    """The bounding box of a polygon inside a picture of `size`, as fractions."""
    width, height = size
    x0, y0 = np.clip(polygon.min(axis=0), 0, [width, height])
    x1, y1 = np.clip(polygon.max(axis=0), 0, [width, height])
    return tuple(round(float(v), 3) for v in (x0 / width, y0 / height, x1 / width, y1 / height))


def _describe(homography, inliers, query_size, stored_size):
    to_query = np.linalg.inv(homography)
    stored_in_query = cv2.perspectiveTransform(_corners(stored_size), to_query).reshape(-1, 2)
    query_in_stored = cv2.perspectiveTransform(_corners(query_size), homography).reshape(-1, 2)
    linear = homography[:2, :2] / homography[2, 2]
    rotation = float(np.degrees(np.arctan2(linear[1, 0] - linear[0, 1], linear[0, 0] + linear[1, 1])))
    perspective = float(np.hypot(*homography[2, :2]) / abs(homography[2, 2]) * max(query_size))
    return Verification(inliers=inliers, homography=homography,
                        query_box=_clipped_box(stored_in_query, query_size),
                        stored_box=_clipped_box(query_in_stored, stored_size),
                        rotation=round(rotation, 1), perspective=round(perspective, 3),
                        mirrored=bool(np.linalg.det(linear) < 0))
