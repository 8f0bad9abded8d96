"""The upload pipeline: bytes in, everything the store needs out, decoding the image once.

validate -> decode a reduced working copy (JPEG DCT scaling) -> normalise (orientation, sRGB)
-> cascade of thumbnails -> encode -> EXIF summary -> analysis on the small copies.
"""

import hashlib
import time
from dataclasses import dataclass, field, replace

import numpy as np

from . import analysis, derivatives, exif, fingerprint, keypoints, vocabulary, watermark
from .decode import DEFAULT_MAX_PIXELS, decode
from .fingerprint import Fingerprint, Probe

# Encoded during the upload. JPEG costs a few ms at every size and WebP little at the two small
# sizes; the large WebP (20-90 ms) is made on its first request and then kept.
EAGER_RENDITIONS = (("small", "jpeg"), ("medium", "jpeg"), ("large", "jpeg"), ("small", "webp"),
                    ("medium", "webp"))


@dataclass
class Processed:
    sha256: str
    mime: str
    extension: str
    file_size: int
    width: int
    height: int
    frames: int
    exif: dict
    renditions: dict          # (size name, format) -> encoded bytes
    hashes: dict              # kind -> signed 64-bit int
    histogram: np.ndarray     # float32, analysis.HISTOGRAM_SIZE values
    palette: list
    colour_tags: list
    quality: dict
    fingerprint: Fingerprint
    probe: Probe  # to look the upload up in the image index (copy checks), with its keypoints
    timings: dict = field(default_factory=dict)  # stage -> milliseconds

    @property
    def keypoints(self) -> keypoints.Keypoints:
        """The keypoints kept for the stored work: the strongest of the query's."""
        return self.probe.keypoints.strongest(keypoints.STORED_FEATURES)

    @property
    def words(self) -> np.ndarray:
        return self.probe.words[:keypoints.STORED_FEATURES]


class _Stopwatch:
    def __init__(self):
        self.timings, self._last = {}, time.perf_counter()

    def lap(self, stage):
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + (now - self._last) * 1000
        self._last = now


def process(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, renditions=EAGER_RENDITIONS) -> "Processed":
    """Run the whole pipeline on `data`; raises decode.ImageRejected for files we do not accept."""
    clock = _Stopwatch()
    digest = hashlib.sha256(data).hexdigest()
    clock.lap("checksum")
    decoded = decode(data, max_pixels=max_pixels, long_edge=derivatives.SIZES["large"], admit=True)
    clock.lap("decode")
    sizes = derivatives.cascade(decoded.image)
    clock.lap("resize")
    encoded = {(size, fmt): derivatives.encode(sizes[size], fmt) for size, fmt in renditions}
    clock.lap("encode")
    summary = exif.summarise(decoded.exif)
    clock.lap("exif")
    small, medium = derivatives.flatten(sizes["small"]), derivatives.flatten(sizes["medium"])
    hashes = analysis.perceptual_hashes(small)
    histogram = analysis.hsv_histogram(small)
    colours = analysis.palette(small)
    prints = fingerprint.fingerprint(small)
    clock.lap("analysis")
    probe_ = query_probe(small, medium)
    clock.lap("copy probe")
    quality = analysis.quality_report(medium, decoded.width, decoded.height)
    clock.lap("quality")
    return Processed(
        sha256=digest, mime=decoded.mime, extension=decoded.extension, file_size=len(data),
        width=decoded.width, height=decoded.height, frames=decoded.frames, exif=summary,
        renditions=encoded, hashes=hashes, histogram=histogram, palette=colours,
        colour_tags=analysis.colour_tags(colours), quality=quality, fingerprint=prints, probe=probe_,
        timings=clock.timings,
    )


def query_probe(small, medium) -> Probe:
    """The copy-detection probe of the small (256 px) and medium (640 px) copies, with the
    medium copy's keypoints and their visual words."""
    found = keypoints.detect_query(medium)
    voting = vocabulary.words(found.descriptors, vocabulary.QUERY_BRANCHES)
    return replace(fingerprint.probe(small), keypoints=found, query_words=voting,
                   words=voting[::vocabulary.QUERY_BRANCHES].copy())


def probe(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Probe:
    """A copy-detection probe of an image that is looked up but not stored, made exactly as an
    upload's is, so a lookup and an upload of the same file find the same works."""
    return query_probe(*analysis_copies(data, max_pixels=max_pixels))


def analysis_copies(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS):
    """(small, medium): the copies process() analyses, made the same way (the same decode and
    resize cascade), for work on a stored original."""
    decoded = decode(data, max_pixels=max_pixels, long_edge=derivatives.SIZES["large"], admit=True)
    sizes = derivatives.cascade(decoded.image)
    return derivatives.flatten(sizes["small"]), derivatives.flatten(sizes["medium"])


def render(data: bytes, size: str, fmt: str, *, mark=None, max_pixels: int = DEFAULT_MAX_PIXELS) -> bytes:
    """One rendition made on request (any size, a watermark) from the stored original."""
    long_edge = derivatives.long_edge_of(size)
    decoded = decode(data, max_pixels=max_pixels, long_edge=long_edge)
    image = derivatives.resize(decoded.image, long_edge)
    if mark is not None:
        image = watermark.apply(image, mark)
    return derivatives.encode(image, fmt, eager=False)
