"""What people do to an image they repost: each transformation at several strengths.

Shared by bench/copy_eval.py and the copy-detection tests. Every function takes a PIL image and
a random.Random (for seeded choices) and returns a new RGB image.
"""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps


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


def dihedral(image, rng, turn):
    """One of the seven rotations and flips of the square's symmetry group, other than identity."""
    operations = {"90": Image.Transpose.ROTATE_90, "180": Image.Transpose.ROTATE_180,
                  "270": Image.Transpose.ROTATE_270, "vflip": Image.Transpose.FLIP_TOP_BOTTOM,
                  "transpose": Image.Transpose.TRANSPOSE, "transverse": Image.Transpose.TRANSVERSE}
    return image.convert("RGB").transpose(operations[turn])


def invert(image, rng, _):
    return ImageOps.invert(image.convert("RGB"))


def _background(size, rng):
    """A cluttered surface (a desk, a wall, a screen's surroundings): noise over a gradient."""
    generator = np.random.default_rng(rng.randrange(2**32))
    base = np.array([rng.randrange(256) for _ in range(3)], np.float32)
    noise = generator.normal(0, 40, (size[1] // 8 + 1, size[0] // 8 + 1, 3))
    small = Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))
    return small.resize(size, Image.Resampling.BICUBIC)


def perspective(image, rng, tilt):
    """A phone photo of a print or a screen: the picture seen at an angle (its corners moved
    inwards by up to `tilt` of its size), a little rotated, on a background, softened and
    recompressed."""
    picture = image.convert("RGB")
    w, h = picture.size
    canvas_size = (round(w * 1.25), round(h * 1.25))
    ox, oy = (canvas_size[0] - w) / 2, (canvas_size[1] - h) / 2
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    moved = [(x + ox + rng.uniform(0, tilt) * w * (1 if x == 0 else -1),
              y + oy + rng.uniform(0, tilt) * h * (1 if y == 0 else -1)) for x, y in corners]
    coefficients = _perspective_coefficients(corners, moved)
    warped = picture.transform(canvas_size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    mask = Image.new("L", picture.size, 255).transform(canvas_size, Image.Transform.PERSPECTIVE, coefficients)
    photo = _background(canvas_size, rng)
    photo.paste(warped, (0, 0), mask)
    photo = ImageEnhance.Brightness(photo.filter(ImageFilter.GaussianBlur(0.8))).enhance(rng.uniform(0.85, 1.1))
    return jpeg(photo, rng, 75)


def _perspective_coefficients(source, target):
    """PIL's eight perspective coefficients mapping each target corner to its source corner."""
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    return np.linalg.solve(np.array(rows, float), np.array(source, float).ravel()).tolist()


def screenshot(image, rng, scale):
    """The picture on a web page captured whole: a header bar, lines of text and a sidebar
    around it, the picture `scale` of the page's width."""
    picture = image.convert("RGB")
    page_w = 1000
    shown_w = round(page_w * scale)
    shown = picture.resize((shown_w, max(8, round(picture.height * shown_w / picture.width))),
                           Image.Resampling.LANCZOS)
    page = Image.new("RGB", (page_w, shown.height + 260), (250, 250, 250))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, page_w, 60), fill=tuple(rng.randrange(40, 120) for _ in range(3)))
    font = ImageFont.load_default(size=18)
    draw.text((20, 18), f"gallery-{rng.randrange(999)}.example  Home  Explore  Shop", fill=(255, 255, 255), font=font)
    left = rng.choice([40, page_w - shown_w - 40])
    page.paste(shown, (left, 90))
    text_x = 60 + shown_w if left == 40 else 40
    for line in range(8):
        draw.text((text_x, 100 + 28 * line), "lorem ipsum dolor sit amet " * 2, fill=(60, 60, 60), font=font)
    draw.text((40, shown.height + 110), f"Posted by user{rng.randrange(9999)} · 3,201 likes", fill=(90, 90, 90),
              font=font)
    return jpeg(page, rng, 85)


def meme(image, rng, _):
    """A captioned meme: white bars above and below with large black text."""
    picture = image.convert("RGB")
    w, h = picture.size
    bar = max(24, h // 5)
    canvas = Image.new("RGB", (w, h + 2 * bar), (255, 255, 255))
    canvas.paste(picture, (0, bar))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=max(12, bar * 2 // 3))
    draw.text((w * 0.05, bar * 0.1), "WHEN THE ART", fill=(0, 0, 0), font=font)
    draw.text((w * 0.05, h + bar * 1.1), "HITS DIFFERENT", fill=(0, 0, 0), font=font)
    return jpeg(canvas, rng, 80)


def collage(image, rng, cells):
    """The picture as one cell of a grid of `cells` x `cells` pictures (the others generated)."""
    from tests.conftest import painting

    side = 300
    grid = Image.new("RGB", (side * cells, side * cells), (255, 255, 255))
    own = rng.randrange(cells * cells)
    for cell in range(cells * cells):
        tile = image.convert("RGB") if cell == own else painting(rng.randrange(10**6), (side, side))
        tile = ImageOps.fit(tile, (side - 8, side - 8), Image.Resampling.LANCZOS) if cell != own else \
            ImageOps.contain(tile, (side - 8, side - 8), Image.Resampling.LANCZOS)
        grid.paste(tile, ((cell % cells) * side + 4, (cell // cells) * side + 4))
    return jpeg(grid, rng, 85)


def region(image, rng, kept):
    """One rectangle holding `kept` of the picture's area, of random shape and place."""
    w, h = image.size
    aspect = rng.uniform(0.75, 1.33)
    cw = min(w, round((kept * w * h * aspect) ** 0.5))
    ch = min(h, round(kept * w * h / cw))
    x, y = rng.randrange(w - cw + 1), rng.randrange(h - ch + 1)
    return image.convert("RGB").crop((x, y, x + cw, y + ch))


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

# What copies met in the wild go through (issue 20), beyond the edits above.
WILD_TRANSFORMATIONS = (
    ("rotate90", ("90", "180", "270"), dihedral),
    ("flip", ("vflip", "transpose", "transverse"), dihedral),
    ("perspective", (0.12, 0.22), perspective),
    ("screenshot", (0.6, 0.4), screenshot),
    ("meme", ("-",), meme),
    ("collage", (2, 3), collage),
    ("region", (0.75, 0.6, 0.5), region),
    ("tilt", (10, 15), rotate),
    ("invert", ("-",), invert),
)


def variants(image, rng, transformations=TRANSFORMATIONS + WILD_TRANSFORMATIONS):
    """(transformation, strength, image) for every transformation at every strength."""
    for name, strengths, function in transformations:
        for strength in strengths:
            yield name, strength, function(image, rng, strength)
