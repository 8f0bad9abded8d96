"""Text watermarks drawn onto a copy of an image."""

import hashlib
import json
from dataclasses import asdict, dataclass

from PIL import Image, ImageDraw, ImageFont

POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right", "center", "tiled")


@dataclass(frozen=True)
class Watermark:
    text: str
    opacity: float = 0.3
    position: str = "bottom-right"

    def key(self):
        """A short, stable name for cached files rendered with these settings."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]


def apply(image, mark):
    """A copy of `image` with `mark` drawn on it, scaled to the image (readable on thumbnails too)."""
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font = ImageFont.load_default(size=max(10, min(base.size) // 18))
    left, top, right, bottom = draw.textbbox((0, 0), mark.text, font=font)
    text_w, text_h = right - left, bottom - top
    alpha = round(255 * max(0.0, min(1.0, mark.opacity)))
    margin = max(4, min(base.size) // 40)
    for x, y in _placements(base.size, (text_w, text_h), mark.position, margin):
        # A dark outline keeps white text legible on light areas.
        draw.text((x - left, y - top), mark.text, font=font, fill=(255, 255, 255, alpha),
                  stroke_width=max(1, font.size // 16), stroke_fill=(0, 0, 0, alpha // 2))
    marked = Image.alpha_composite(base, layer)
    return marked if image.mode == "RGBA" else marked.convert("RGB")


def _placements(size, text_size, position, margin):
    (width, height), (text_w, text_h) = size, text_size
    if position == "tiled":
        step_x, step_y = text_w + 4 * margin, text_h + 6 * margin
        return [(x + (step_x // 2 if row % 2 else 0), y)
                for row, y in enumerate(range(margin, height, step_y))
                for x in range(-step_x // 2, width, step_x)]
    x = {"left": margin, "right": width - text_w - margin}.get(position.split("-")[-1], (width - text_w) // 2)
    y = {"top": margin, "bottom": height - text_h - margin}.get(position.split("-")[0], (height - text_h) // 2)
    return [(x, y)]
