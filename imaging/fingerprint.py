"""Copy-detection fingerprints: hashes that survive what people do to an image they repost.

A stored fingerprint describes the image with its uniform borders trimmed away, in luminance
only (so greyscale, saturation and most hue changes leave it alone):

- `full_dct` / `full_gradient`: a DCT hash and a gradient (difference) hash of the whole trimmed
  image. They catch resizing, recompression, borders and letterboxing (trimmed), watermarks,
  brightness, contrast and colour changes.
- `centre_dct` / `centre_gradient`: the same two hashes of the central window
  [CENTRE_MARGIN, 1 - CENTRE_MARGIN] in both directions. Cropping at most CENTRE_MARGIN off any
  side leaves that window whole, only somewhere else in the picture.
- `colour`: a short Hellinger-normalised colour histogram (COLOUR_SIZE values) for colour
  evidence and for visual similarity.

A query is "probed":
- its whole-picture hashes are taken in all 16 ORIENTATIONS: the 8 turns and flips of the
  square (as Meta's PDQ does), each also with its tones inverted (a negative is a copy too);
- its DCT and gradient hashes are taken over a grid of windows, as given and mirrored, each one
  where the original's central window would sit if the query had been cropped by CROP_STEPS on
  each side (or rotated a little inside a larger canvas);
- the pictures it holds (sub_pictures: a collage's cells, the work on a screenshot of a page, a
  meme between its captions) get whole-picture hashes of their own, as given and mirrored.
search.copies turns the distances into a score.

Both hashes are 64 bits, stored as signed 64-bit integers (SQLite's integer).
"""

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageOps
from scipy.fft import dctn

WORK_EDGE = 256
DCT_SIDE = 32            # the DCT hash keeps the 8 x 8 lowest frequencies of a 32 x 32 copy
CENTRE_MARGIN = 0.2
# Crop fractions assumed per side when probing; the negative one is a query whose picture sits
# inside a slightly larger canvas (a rotated copy keeps its corners as filled triangles).
CROP_STEPS = (-0.04, 0.0, 0.1, 0.2)
# Border trimming: a row or column is border while its pixels stay this close (in 0-255 levels)
# to the outermost row's median. Real borders are flat; painted dark backgrounds are not quite.
BORDER_TOLERANCE = 1.5
MAX_TRIM = 0.85          # an axis that would lose more than this is a flat picture, not a border

HUE_BINS, TONE_BINS = 12, 2
GREY_BINS = 4
COLOUR_SIZE = HUE_BINS * TONE_BINS + GREY_BINS


@dataclass(frozen=True)
class Fingerprint:
    full_dct: int
    full_gradient: int
    centre_dct: int
    centre_gradient: int
    colour: np.ndarray    # float32, COLOUR_SIZE values, unit length

    def hashes(self):
        return {"full_dct": self.full_dct, "full_gradient": self.full_gradient,
                "centre_dct": self.centre_dct, "centre_gradient": self.centre_gradient}


# What turns the query back into the original, per orientation, and (ORIENTATIONS) the change
# the copy made; orientation 8 + i is orientation i with inverted tones. 0 and 1 (as given,
# mirrored) are also the windows' axis 0.
DIHEDRAL = (None, Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180,
            Image.Transpose.ROTATE_270, Image.Transpose.FLIP_TOP_BOTTOM, Image.Transpose.TRANSPOSE,
            Image.Transpose.TRANSVERSE)
ORIENTATIONS = tuple(f"{turn}{', inverted' if inverted else ''}" for inverted in (False, True) for turn in (
    "as given", "mirrored", "turned 90 degrees clockwise", "turned 180 degrees", "turned 90 degrees anticlockwise",
    "flipped upside down", "transposed", "transposed the other way"))
REFLECTIONS = (1, 5, 6, 7)     # the orientations that are mirror images
# Sub-pictures: a region counts when it differs from the query's background and is this large.
BACKGROUND_TOLERANCE = 14
BACKGROUND_SHARE = 0.04
MIN_PART_SIDE = 0.18           # of the query's width and height
MAX_PART_AREA = 0.85           # a larger region is the picture itself, which the whole hashes cover
MAX_PARTS = 9


@dataclass(frozen=True)
class Probe:
    """A query image's hashes."""
    full_dct: np.ndarray          # uint64 (16,), one per ORIENTATIONS
    full_gradient: np.ndarray     # uint64 (16,)
    window_dct: np.ndarray        # uint64 (2, windows): as given, mirrored
    window_gradient: np.ndarray   # uint64 (2, windows)
    windows: tuple                # (x0, y0, x1, y1) fractions of the trimmed query, per window
    part_dct: np.ndarray          # uint64 (2, 2 x parts): as given, mirrored; each box, then its centre
    part_gradient: np.ndarray     # uint64 (2, 2 x parts)
    parts: tuple                  # boxes (fractions of the untrimmed query) of the pictures it holds
    colour: np.ndarray
    inverted_colour: np.ndarray   # the colours of the negative, for the inverted orientations
    # imaging.keypoints.Keypoints of the query, their visual words (one each, as a stored work
    # keeps them) and the words the query votes with (imaging.vocabulary.QUERY_BRANCHES each),
    # when the caller took them (imaging.pipeline does); without them only hashes are looked up.
    keypoints: Any = None
    words: Any = None
    query_words: Any = None


# --- Preparation ----------------------------------------------------------------------------------

def working_copy(image):
    """An RGB copy no larger than WORK_EDGE, borders trimmed."""
    rgb = image.convert("RGB")
    if max(rgb.size) > WORK_EDGE:
        rgb = rgb.copy()
        rgb.thumbnail((WORK_EDGE, WORK_EDGE), Image.Resampling.BOX)
    left, top, right, bottom = border_box(np.asarray(rgb.convert("L"), dtype=np.float32))
    return rgb.crop((left, top, right, bottom))


def border_box(luma):
    """(left, top, right, bottom) of the picture inside flat borders or letterbox bars."""
    height, width = luma.shape
    top, bottom = _flat_lines(luma), _flat_lines(luma[::-1])
    left, right = _flat_lines(luma.T), _flat_lines(luma.T[::-1])
    if top + bottom > MAX_TRIM * height or height - top - bottom < 8:
        top = bottom = 0
    if left + right > MAX_TRIM * width or width - left - right < 8:
        left = right = 0
    return left, top, width - right, height - bottom


def _flat_lines(lines):
    """How many lines from the start stay close to the colour of the first one."""
    deviation = np.abs(lines - np.median(lines[0]))
    flat = (deviation.mean(axis=1) <= BORDER_TOLERANCE) & (deviation.max(axis=1) <= 4 * BORDER_TOLERANCE)
    return len(lines) if flat.all() else int(np.argmin(flat))


# --- Hashes ---------------------------------------------------------------------------------------

def _as_uint64(bits):
    return np.packbits(bits, axis=1).view(">u8").ravel().astype(np.uint64)


def dct_hashes(grey, boxes):
    """A DCT hash of each box (fractions): low frequencies above or below their median."""
    width, height = grey.size
    stack = np.stack([np.asarray(grey.resize((DCT_SIDE, DCT_SIDE), Image.Resampling.BILINEAR,
                                             box=(x0 * width, y0 * height, x1 * width, y1 * height)),
                                 dtype=np.float32) for x0, y0, x1, y1 in boxes])
    low = dctn(stack, axes=(1, 2), norm="ortho")[:, :8, :8].reshape(len(boxes), 64)
    # The DC term says only how bright the window is; the median is taken without it.
    return _as_uint64(low > np.median(low[:, 1:], axis=1, keepdims=True))


def gradient_hashes(grey, boxes):
    """A difference hash of each box: is each of 8 x 8 cells brighter than its right neighbour."""
    width, height = grey.size
    stack = np.stack([np.asarray(grey.resize((9, 8), Image.Resampling.BOX,
                                             box=(x0 * width, y0 * height, x1 * width, y1 * height)),
                                 dtype=np.int16) for x0, y0, x1, y1 in boxes])
    return _as_uint64((stack[:, :, 1:] > stack[:, :, :-1]).reshape(len(boxes), 64))


def to_signed(value):
    value = int(value)
    return value - (1 << 64) if value >= (1 << 63) else value


def to_unsigned(values):
    return np.asarray(values, dtype=np.int64).view(np.uint64)


# --- Colour ---------------------------------------------------------------------------------------

def colour_vector(rgb):
    """Hue x tone for coloured pixels plus grey levels, square-rooted and unit length, so the
    dot product of two is their Bhattacharyya coefficient."""
    hsv = np.asarray(rgb.convert("HSV"), dtype=np.uint16).reshape(-1, 3)
    coloured = hsv[:, 1] >= 48
    hue = hsv[:, 0] * HUE_BINS // 256
    tone = hsv[:, 2] * TONE_BINS // 256
    grey = HUE_BINS * TONE_BINS + hsv[:, 2] * GREY_BINS // 256
    index = np.where(coloured, hue * TONE_BINS + tone, grey)
    counts = np.sqrt(np.bincount(index, minlength=COLOUR_SIZE).astype(np.float32))
    return counts / max(float(np.linalg.norm(counts)), 1e-9)


# --- Fingerprint and probe ------------------------------------------------------------------------

CENTRE = (CENTRE_MARGIN, CENTRE_MARGIN, 1 - CENTRE_MARGIN, 1 - CENTRE_MARGIN)
WHOLE = (0.0, 0.0, 1.0, 1.0)


def fingerprint(image):
    rgb = working_copy(image)
    grey = rgb.convert("L")
    dct = dct_hashes(grey, (WHOLE, CENTRE))
    gradient = gradient_hashes(grey, (WHOLE, CENTRE))
    return Fingerprint(full_dct=to_signed(dct[0]), full_gradient=to_signed(gradient[0]),
                       centre_dct=to_signed(dct[1]), centre_gradient=to_signed(gradient[1]),
                       colour=colour_vector(rgb))


def _axis_windows():
    """Where the original's central span lies in a query cropped by (first, last) on one axis."""
    windows = []
    for first, last in itertools.product(CROP_STEPS, CROP_STEPS):
        shown = 1 - first - last
        low, high = (CENTRE_MARGIN - first) / shown, (1 - CENTRE_MARGIN - first) / shown
        if low >= -1e-9 and high <= 1 + 1e-9:
            windows.append((max(low, 0.0), min(high, 1.0)))
    return sorted(set(windows))


PROBE_WINDOWS = tuple((x0, y0, x1, y1) for x0, x1 in _axis_windows() for y0, y1 in _axis_windows())


def sub_pictures(rgb):
    """Boxes (fractions) of the pictures inside a larger one: regions that differ from its
    background (its commonest colour, when that covers BACKGROUND_SHARE of it), after an
    opening has erased lines of text."""
    from scipy import ndimage

    pixels = np.asarray(rgb, dtype=np.int16)
    levels = (pixels // 8).reshape(-1, 3)
    codes = (levels[:, 0] * 32 + levels[:, 1]) * 32 + levels[:, 2]
    counts = np.bincount(codes, minlength=32 ** 3)
    if counts.max() < BACKGROUND_SHARE * len(codes):
        return ()
    common = codes == counts.argmax()
    background = np.median(pixels.reshape(-1, 3)[common], axis=0)
    busy = np.abs(pixels - background).max(axis=2) > BACKGROUND_TOLERANCE
    busy = ndimage.binary_opening(busy, structure=np.ones((3, 3), bool))
    labels, _ = ndimage.label(busy)
    height, width = busy.shape
    boxes = []
    for rows, columns in ndimage.find_objects(labels):
        w, h = columns.stop - columns.start, rows.stop - rows.start
        if w >= MIN_PART_SIDE * width and h >= MIN_PART_SIDE * height and w * h <= MAX_PART_AREA * width * height:
            box = (columns.start / width, rows.start / height, columns.stop / width, rows.stop / height)
            boxes.append((w * h, box))
    return tuple(box for _, box in sorted(boxes, reverse=True)[:MAX_PARTS])


def _oriented_hashes(grey):
    """Whole-picture (DCT, gradient) hashes in every orientation of ORIENTATIONS."""
    turned = [grey if turn is None else grey.transpose(turn) for turn in DIHEDRAL]
    turned += [ImageOps.invert(g) for g in turned]
    return (np.concatenate([dct_hashes(g, (WHOLE,)) for g in turned]),
            np.concatenate([gradient_hashes(g, (WHOLE,)) for g in turned]))


def _part_hashes(image):
    """(boxes, DCT hashes, gradient hashes) of the sub-pictures, as given and mirrored (2, parts);
    the boxes are fractions of the untrimmed query."""
    rgb = image.convert("RGB")
    if max(rgb.size) > WORK_EDGE:
        rgb = rgb.copy()
        rgb.thumbnail((WORK_EDGE, WORK_EDGE), Image.Resampling.BOX)
    parts = sub_pictures(rgb)
    if not parts:
        return parts, np.zeros((2, 0), np.uint64), np.zeros((2, 0), np.uint64)
    grey = rgb.convert("L")
    # A sub-picture's own border (a collage's gutter edge, a frame) is trimmed as a whole one is.
    boxes = []
    for x0, y0, x1, y1 in parts:
        width, height = grey.size
        crop = grey.crop((round(x0 * width), round(y0 * height), round(x1 * width), round(y1 * height)))
        left, top, right, bottom = border_box(np.asarray(crop, dtype=np.float32))
        w, h = crop.size
        boxes.append((x0 + (x1 - x0) * left / w, y0 + (y1 - y0) * top / h,
                      x0 + (x1 - x0) * right / w, y0 + (y1 - y0) * bottom / h))
    # Each sub-picture also offers its central window, for when its box is a little off.
    boxes += [(x0 + CENTRE_MARGIN * (x1 - x0), y0 + CENTRE_MARGIN * (y1 - y0),
               x1 - CENTRE_MARGIN * (x1 - x0), y1 - CENTRE_MARGIN * (y1 - y0)) for x0, y0, x1, y1 in boxes]
    mirrored = tuple((max(0.0, 1 - x1), y0, min(1.0, 1 - x0), y1) for x0, y0, x1, y1 in boxes)
    dct = np.stack([dct_hashes(grey, boxes), dct_hashes(ImageOps.mirror(grey), mirrored)])
    gradient = np.stack([gradient_hashes(grey, boxes), gradient_hashes(ImageOps.mirror(grey), mirrored)])
    return tuple(boxes[:len(parts)]), dct, gradient


def probe(image):
    rgb = working_copy(image)
    grey = rgb.convert("L")
    mirrored = ImageOps.mirror(grey)
    full_dct, full_gradient = _oriented_hashes(grey)
    parts, part_dct, part_gradient = _part_hashes(image)
    window_dct = np.stack([dct_hashes(g, PROBE_WINDOWS) for g in (grey, mirrored)])
    window_gradient = np.stack([gradient_hashes(g, PROBE_WINDOWS) for g in (grey, mirrored)])
    return Probe(full_dct=full_dct, full_gradient=full_gradient, window_dct=window_dct,
                 window_gradient=window_gradient, windows=PROBE_WINDOWS, part_dct=part_dct,
                 part_gradient=part_gradient, parts=parts, colour=colour_vector(rgb),
                 inverted_colour=colour_vector(ImageOps.invert(rgb)))
