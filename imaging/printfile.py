"""Print-ready files, made from the stored original (never from a rendition, never watermarked).

The original is decoded at full resolution, turned upright and converted to sRGB (from its own
embedded profile where it has one); the product's box is cut out, resampled to the sheet's pixel
size and written as a JPEG at quality 95 with no chroma subsampling, the DPI in its header and
the sRGB profile embedded, so a print lab's RIP knows both the size and the colours meant.
"""

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageCms

from .decode import DEFAULT_MAX_PIXELS, SRGB_PROFILE, decode
from .derivatives import flatten

PRINT_JPEG_QUALITY = 95
SRGB_ICC = ImageCms.ImageCmsProfile(SRGB_PROFILE).tobytes()


@dataclass(frozen=True)
class PrintFile:
    data: bytes
    sha256: str
    width: int
    height: int
    dpi: int


def upright_size(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """(width, height) of the original as displayed (EXIF orientation applied), decoding little."""
    decoded = decode(data, max_pixels=max_pixels, long_edge=64)
    return decoded.width, decoded.height


def make_print_file(data: bytes, crop: tuple[int, int, int, int], pixels: tuple[int, int], dpi: int, *,
                    max_pixels: int = DEFAULT_MAX_PIXELS) -> PrintFile:
    """The print-ready JPEG of `crop` (left, top, width, height in the upright original's pixels),
    resampled to `pixels` (width, height) and labelled `dpi`."""
    working = flatten(decode(data, max_pixels=max_pixels).image)
    left, top, width, height = crop
    box = working.crop((left, top, left + width, top + height))
    # The sheet is never larger than the box (market.prints caps the DPI at the box's own), so
    # this only ever reduces; reducing_gap does the bulk of a large reduction as a cheap box
    # filter and keeps Lanczos for the last factor of 3 (bench/prints.py sets it beside a plain Lanczos).
    sheet = box if box.size == pixels else box.resize(pixels, Image.Resampling.LANCZOS, reducing_gap=3.0)
    buffer = io.BytesIO()
    sheet.save(buffer, "JPEG", quality=PRINT_JPEG_QUALITY, subsampling=0, dpi=(dpi, dpi), icc_profile=SRGB_ICC)
    encoded = buffer.getvalue()
    return PrintFile(encoded, hashlib.sha256(encoded).hexdigest(), sheet.width, sheet.height, dpi)
