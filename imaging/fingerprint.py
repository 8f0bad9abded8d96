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

A query is "probed": its hashes are taken as it is and mirrored (a horizontal flip costs the
index nothing), and its DCT and gradient hashes are taken over a grid of windows, each one where
the original's central window would sit if the query had been cropped by CROP_STEPS on each side
(or rotated a little inside a larger canvas). search.copies turns the distances into a score.

Both hashes are 64 bits, stored as signed 64-bit integers (SQLite's integer).
"""

import itertools
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Probe:
    """A query image's hashes; axis 0 is orientation (0 as given, 1 mirrored)."""
    full_dct: np.ndarray          # uint64 (2,)
    full_gradient: np.ndarray     # uint64 (2,)
    window_dct: np.ndarray        # uint64 (2, windows)
    window_gradient: np.ndarray   # uint64 (2, windows)
    windows: tuple                # (x0, y0, x1, y1) fractions of the trimmed query, per window
    colour: np.ndarray


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


def probe(image):
    rgb = working_copy(image)
    grey = rgb.convert("L")
    boxes = (WHOLE, *PROBE_WINDOWS)
    dct = np.stack([dct_hashes(g, boxes) for g in (grey, ImageOps.mirror(grey))])
    gradient = np.stack([gradient_hashes(g, boxes) for g in (grey, ImageOps.mirror(grey))])
    return Probe(full_dct=dct[:, 0], full_gradient=gradient[:, 0], window_dct=dct[:, 1:],
                 window_gradient=gradient[:, 1:], windows=PROBE_WINDOWS, colour=colour_vector(rgb))
