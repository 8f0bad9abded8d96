"""What people do to an image they repost: each transformation at several strengths.

Shared by bench/copy_eval.py and the copy-detection tests. Every function takes a PIL image and
a random.Random (for seeded choices) and returns a new RGB image.
"""

import io

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps


def resize(image, rng, factor):
    size = (max(16, round(image.width * factor)), max(16, round(image.height * factor)))
    return image.convert("RGB").resize(size, Image.Resampling.LANCZOS)


def jpeg(image, rng, quality):
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def crop(image, rng, fraction):
    """Up to `fraction` off each axis, split at random between its two sides; one time in three
    all of it from a single side, and one time in two only one axis."""
    def sides():
        if rng.random() < 1 / 3:
            return (fraction, 0.0) if rng.random() < 0.5 else (0.0, fraction)
        first = rng.uniform(0, fraction)
        return first, fraction - first
    (left, right), (top, bottom) = sides(), sides()
    if rng.random() < 0.5:
        if rng.random() < 0.5:
            top = bottom = 0.0
        else:
            left = right = 0.0
    w, h = image.size
    return image.convert("RGB").crop((round(left * w), round(top * h), round(w - right * w), round(h - bottom * h)))


def border(image, rng, fraction):
    """A flat border `fraction` of the long edge wide, black, white or a random colour."""
    colour = rng.choice([(0, 0, 0), (255, 255, 255), tuple(rng.randrange(256) for _ in range(3))])
    return ImageOps.expand(image.convert("RGB"), border=max(1, round(max(image.size) * fraction)), fill=colour)


def letterbox(image, rng, aspect):
    """Black bars to make the picture `aspect` (width / height), as a video frame or square post."""
    w, h = image.size
    size = (round(h * aspect), h) if w / h < aspect else (w, round(w / aspect))
    canvas = Image.new("RGB", size, (0, 0, 0))
    canvas.paste(image.convert("RGB"), ((size[0] - w) // 2, (size[1] - h) // 2))
    return canvas


def watermark(image, rng, style):
    """Text over the picture: a corner credit, a large caption across it, or a tiled stamp."""
    result = image.convert("RGB")
    layer = Image.new("RGBA", result.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    w, h = result.size
    text = f"© reposted {rng.randrange(10000)}"
    if style == "corner":
        font = ImageFont.load_default(size=max(10, h // 20))
        draw.text((w * 0.55, h * 0.9), text, fill=(255, 255, 255, 200), font=font)
    elif style == "caption":
        font = ImageFont.load_default(size=max(12, h // 9))
        draw.text((w * 0.05, h * rng.uniform(0.3, 0.6)), text, fill=(255, 255, 255, 190), font=font)
    else:
        font = ImageFont.load_default(size=max(10, h // 16))
        for row in range(0, h, max(1, h // 5)):
            draw.text(((row // 3) % max(1, w // 4), row), text, fill=(255, 255, 255, 90), font=font)
    return Image.alpha_composite(result.convert("RGBA"), layer).convert("RGB")


def enhance(kind):
    enhancer = {"brightness": ImageEnhance.Brightness, "contrast": ImageEnhance.Contrast,
                "saturation": ImageEnhance.Color}[kind]
    return lambda image, rng, factor: enhancer(image.convert("RGB")).enhance(factor)


def hue(image, rng, degrees):
    h, s, v = image.convert("RGB").convert("HSV").split()
    shift = round(degrees * 256 / 360)
    return Image.merge("HSV", (h.point(lambda x: (x + shift) % 256), s, v)).convert("RGB")


def greyscale(image, rng, _):
    return image.convert("L").convert("RGB")


def hflip(image, rng, _):
    return ImageOps.mirror(image.convert("RGB"))


def rotate(image, rng, degrees):
    """Turned by `degrees` either way on a larger canvas (black corners), as a phone photo of a print."""
    angle = degrees if rng.random() < 0.5 else -degrees
    return image.convert("RGB").rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)


def repost(image, rng, _):
    """Several at once: a 10% crop, half size, a corner credit and JPEG quality 50."""
    return jpeg(watermark(resize(crop(image, rng, 0.1), rng, 0.5), rng, "corner"), rng, 50)


# (transformation, [strengths], function); the strength is the function's last argument.
TRANSFORMATIONS = (
    ("resize", (0.5, 0.25), resize),
    ("jpeg", (70, 50, 30), jpeg),
    ("crop", (0.05, 0.1, 0.2), crop),
    ("border", (0.03, 0.1), border),
    ("letterbox", (16 / 9, 1.0), letterbox),
    ("watermark", ("corner", "caption", "tiled"), watermark),
    ("brightness", (0.7, 1.3), enhance("brightness")),
    ("contrast", (0.7, 1.4), enhance("contrast")),
    ("saturation", (0.3, 1.7), enhance("saturation")),
    ("hue", (20, 90), hue),
    ("greyscale", ("-",), greyscale),
    ("hflip", ("-",), hflip),
    ("rotate", (2, 5), rotate),
    ("repost", ("-",), repost),
)


def variants(image, rng):
    """(transformation, strength, image) for every transformation at every strength."""
    for name, strengths, function in TRANSFORMATIONS:
        for strength in strengths:
            yield name, strength, function(image, rng, strength)
