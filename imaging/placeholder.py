"""Placeholder pictures for catalogue records that come without an image.

Deterministic: the same seed text always gives the same picture (two colours and a shape taken
from its hash), in the work's aspect ratio, so imports can be repeated and compared.
"""

import hashlib
import io

from PIL import Image, ImageDraw

LONG_EDGE = 256
MAX_ASPECT = 4.0


def placeholder(seed, width=None, height=None, long_edge=LONG_EDGE):
    """PNG bytes of a placeholder in the proportions width:height (any unit; square if unknown)."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    aspect = (width / height) if width and height and width > 0 and height > 0 else 1.0
    aspect = min(max(aspect, 1 / MAX_ASPECT), MAX_ASPECT)
    size = (long_edge, max(1, round(long_edge / aspect))) if aspect >= 1 else (max(1, round(long_edge * aspect)),
                                                                               long_edge)
    background, accent = tuple(digest[0:3]), tuple(digest[3:6])
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    w, h = size
    left, top = digest[6] % (w // 2 + 1), digest[7] % (h // 2 + 1)
    box = (left, top, left + w // 2, top + h // 2)
    (draw.ellipse if digest[8] % 2 else draw.rectangle)(box, fill=accent)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
