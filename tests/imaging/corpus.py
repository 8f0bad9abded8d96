"""A corpus of malformed images, made afresh from real encodings of every accepted format:
bit flips, truncations and header fuzz, seeded so that a failing case can be named and re-made."""

import io
import random
from dataclasses import dataclass

from PIL import Image

from imaging import decode
from tests.conftest import painting

# Every format an upload may be, with what Pillow needs to write it.
FORMATS = {
    "jpeg": ("JPEG", {"quality": 90}),
    "jpeg-progressive": ("JPEG", {"quality": 80, "progressive": True}),
    "mpo": ("MPO", {"save_all": True}),
    "png": ("PNG", {}),
    "webp": ("WEBP", {"quality": 80}),
    "webp-lossless": ("WEBP", {"lossless": True}),
    "gif": ("GIF", {"save_all": True}),
    "tiff": ("TIFF", {"compression": "tiff_lzw"}),
    "tiff-raw": ("TIFF", {}),
    "bmp": ("BMP", {}),
    "avif": ("AVIF", {"quality": 60}),
}
if decode.HEIF_SUPPORTED:
    FORMATS["heic"] = ("HEIF", {"quality": 60})

MUTATIONS = ("bit_flips", "truncate", "header_fuzz", "splice")


@dataclass(frozen=True)
class Case:
    name: str       # format-mutation-seed, enough to re-make it
    data: bytes


def original(fmt: str, seed: int = 0) -> bytes:
    """A real, valid file of `fmt`: a small painting (with an EXIF block, so that its parser is
    reached too), two frames for the formats that hold several."""
    pillow_format, options = FORMATS[fmt]
    image = painting(seed, size=(96, 72))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Easel test camera"
    options = dict(options)
    if options.pop("save_all", False):
        options.update(save_all=True, append_images=[painting(seed + 1, size=(96, 72))])
    if pillow_format in ("JPEG", "MPO", "PNG", "WEBP", "TIFF", "AVIF", "HEIF"):
        options["exif"] = exif
    buffer = io.BytesIO()
    (image.convert("P") if pillow_format == "GIF" else image).save(buffer, pillow_format, **options)
    return buffer.getvalue()


def mutate(data: bytes, mutation: str, rng: random.Random) -> bytes:
    body = bytearray(data)
    if mutation == "bit_flips":
        for _ in range(rng.randint(1, 12)):
            position = rng.randrange(len(body))
            body[position] ^= 1 << rng.randrange(8)
    elif mutation == "truncate":
        del body[rng.randrange(1, len(body)):]
    elif mutation == "header_fuzz":
        # The first bytes hold the signature, sizes and chunk lengths; keep the first 4 so that
        # the file still sniffs as its type and reaches the decoder.
        for _ in range(rng.randint(1, 8)):
            position = rng.randrange(4, min(len(body), 256))
            body[position] = rng.choice((0x00, 0xFF, 0x7F, 0x80, rng.randrange(256)))
    elif mutation == "splice":
        start = rng.randrange(len(body))
        end = min(len(body), start + rng.randint(1, 64))
        body[start:end] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 128)))
    return bytes(body)


def corpus(size: int = 1000, seed: int = 2026) -> list[Case]:
    """`size` malformed files, spread evenly over every format and mutation."""
    originals = {fmt: original(fmt) for fmt in FORMATS}
    kinds = [(fmt, mutation) for fmt in FORMATS for mutation in MUTATIONS]
    cases = []
    for number in range(size):
        fmt, mutation = kinds[number % len(kinds)]
        case_seed = seed * 100_000 + number
        data = mutate(originals[fmt], mutation, random.Random(case_seed))
        cases.append(Case(f"{fmt}-{mutation}-{case_seed}", data))
    return cases
