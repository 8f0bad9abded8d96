"""The evidence picture of a copy alert: the original and the copy side by side, the matched
region outlined in each."""

import io

from PIL import Image, ImageDraw, ImageFont

HEIGHT = 480
GAP = 24
CAPTION = 36
OUTLINE = (255, 45, 85)
BACKGROUND = (245, 245, 245)


def _panel(image: Image.Image, box, caption: str) -> Image.Image:
    picture = image.convert("RGB")
    picture = picture.resize((max(1, round(picture.width * HEIGHT / picture.height)), HEIGHT), Image.Resampling.LANCZOS)
    panel = Image.new("RGB", (picture.width, HEIGHT + CAPTION), BACKGROUND)
    panel.paste(picture, (0, CAPTION))
    draw = ImageDraw.Draw(panel)
    draw.text((4, 8), caption, fill=(20, 20, 20), font=ImageFont.load_default(size=18))
    x0, y0, x1, y1 = box
    draw.rectangle((x0 * picture.width, CAPTION + y0 * HEIGHT, x1 * picture.width - 1, CAPTION + y1 * HEIGHT - 1),
                   outline=OUTLINE, width=4)
    return panel


def side_by_side(original: Image.Image, copy: Image.Image, original_box, copy_box, *,
                 original_caption: str = "Original", copy_caption: str = "Copy") -> bytes:
    """A PNG of both pictures at one height with their matched boxes (fractions x0, y0, x1, y1)."""
    left, right = _panel(original, original_box, original_caption), _panel(copy, copy_box, copy_caption)
    sheet = Image.new("RGB", (left.width + GAP + right.width, left.height), BACKGROUND)
    sheet.paste(left, (0, 0))
    sheet.paste(right, (left.width + GAP, 0))
    out = io.BytesIO()
    sheet.save(out, "PNG", optimize=True)
    return out.getvalue()
