"""Pure functions on images: validate, decode, normalise, resize, encode, describe.

No Flask and no SQL here: callers pass bytes and get bytes and plain data back.
"""

from .decode import (
    DEFAULT_MAX_PIXELS,
    CorruptImage,
    ImageRejected,
    TooManyPixels,
    UnsupportedImageType,
    set_pixel_budget,
)
from .pipeline import Processed, probe, process, render
from .watermark import Watermark

__all__ = [
    "DEFAULT_MAX_PIXELS", "CorruptImage", "ImageRejected", "Processed", "TooManyPixels",
    "UnsupportedImageType", "Watermark", "probe", "process", "render", "set_pixel_budget",
]
