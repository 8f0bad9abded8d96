"""Validate untrusted image bytes and decode them into a normalised sRGB working copy.

Order matters: the type is sniffed from the bytes, Pillow may only use the decoder for that
type, the pixel budget is checked on the header before any pixel is decoded, and only then is
the image loaded (reduced in the JPEG decoder itself when a smaller copy is all we need).
"""

import contextlib
import io
import warnings
from dataclasses import dataclass

import magic
import numpy as np

# Registered now, not on Pillow's lazy first use: Image.open(formats=["JPEG", "MPO"]) looks
# "MPO" up before that plugin has been loaded (KeyError: 'MPO').
from PIL import AvifImagePlugin, Image, ImageCms, ImageFile, MpoImagePlugin, UnidentifiedImageError  # noqa: F401

try:  # HEIC/HEIF is accepted only where the plugin installs cleanly (see requirements.txt).
    import pillow_heif
    pillow_heif.register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the platform's wheels
    HEIF_SUPPORTED = False

DEFAULT_MAX_PIXELS = 100_000_000
SNIFF_BYTES = 8192
# Long edge to short edge. Hand scrolls reach about 1:30; past 1:50 an upload is a strip of
# pixels that no thumbnail can show (a 65535 x 1 PNG) and is refused.
MAX_ASPECT_RATIO = 50
# A JPEG cannot hold more than about 170 pixels a byte, even a flat, progressive, optimised one
# (measured with libjpeg at 8000 x 6000). Far past that, the header claims pixels the file does
# not have: a 632-byte file claiming 90 MP would be decoded as grey padding.
MAX_JPEG_PIXELS_PER_BYTE = 2000

# Sniffed MIME type -> (the only Pillow decoders allowed for it, extension for the stored original).
# Everything else (SVG, PSD, EPS, ICO, TGA, PNM, QOI, ...) is refused: rarely used decoders are
# where most Pillow advisories have been, and none of them is a format artists deliver.
ACCEPTED_TYPES = {
    "image/jpeg": (("JPEG", "MPO"), "jpg"),
    "image/png": (("PNG",), "png"),
    "image/webp": (("WEBP",), "webp"),
    "image/gif": (("GIF",), "gif"),
    "image/tiff": (("TIFF",), "tif"),
    "image/bmp": (("BMP",), "bmp"),
    "image/x-ms-bmp": (("BMP",), "bmp"),
    "image/avif": (("AVIF",), "avif"),
}
if HEIF_SUPPORTED:
    ACCEPTED_TYPES.update({"image/heic": (("HEIF",), "heic"), "image/heif": (("HEIF",), "heic")})

# Never decode a truncated file as if it were whole (Pillow's default, kept explicit).
ImageFile.LOAD_TRUNCATED_IMAGES = False
# Pillow only warns between MAX_IMAGE_PIXELS and twice that; a warning would let such an image through.
warnings.simplefilter("error", Image.DecompressionBombWarning)
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS

SRGB_PROFILE = ImageCms.createProfile("sRGB")


class ImageRejected(ValueError):
    """The bytes are not an image we accept; `status` is the HTTP status that says why."""

    status = 400


class UnsupportedImageType(ImageRejected):
    status = 415


class CorruptImage(ImageRejected):
    status = 422


class TooManyPixels(ImageRejected):
    status = 413


def set_pixel_budget(max_pixels):
    """Pillow's own bomb check follows the configured budget (process-wide, like Pillow's setting)."""
    Image.MAX_IMAGE_PIXELS = max_pixels


def sniff_type(data):
    """The MIME type libmagic reads from the bytes themselves; names and headers are not trusted."""
    return magic.from_buffer(bytes(data[:SNIFF_BYTES]), mime=True)


def accepted_type(data):
    """(mime, pillow formats, extension) for acceptable bytes, else UnsupportedImageType."""
    mime = sniff_type(data)
    if mime not in ACCEPTED_TYPES:
        allowed = "JPEG, PNG, WebP, GIF, TIFF, BMP, AVIF" + (" and HEIC" if HEIF_SUPPORTED else "")
        raise UnsupportedImageType(f"The file is {mime}; upload {allowed}.")
    formats, extension = ACCEPTED_TYPES[mime]
    return mime, formats, extension


@dataclass
class Decoded:
    """A normalised working copy: oriented, sRGB, mode RGB or RGBA, at most as large as asked."""

    image: Image.Image
    mime: str
    extension: str
    width: int           # full-resolution size after orientation
    height: int
    frames: int
    exif: Image.Exif


@contextlib.contextmanager
def damage_tolerated():
    """Pillow's warnings about damage it reads past (a TIFF tag longer than the file) are not
    a reason to refuse the image, nor, where warnings are errors, to fail; a decompression bomb
    stays one."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def open_checked(data, max_pixels=DEFAULT_MAX_PIXELS):
    """Open (header only) with the decoder the sniffed type allows, and enforce the pixel budget."""
    mime, formats, extension = accepted_type(data)
    try:
        with damage_tolerated():
            image = Image.open(io.BytesIO(data), formats=list(formats))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise TooManyPixels(f"The image has more pixels than the {max_pixels:,} allowed.") from error
    except UnidentifiedImageError as error:
        raise CorruptImage(f"The file starts like {mime} but is not a readable image.") from error
    except Exception as error:  # noqa: BLE001 - plugins raise anything (KeyError, RuntimeError) on bad headers
        raise CorruptImage(f"The {mime} file could not be read: {error}") from error
    width, height = image.size
    if width < 1 or height < 1:
        raise CorruptImage("The image has no pixels.")
    # Pillow's own limit too, in case its warning was not turned into an error (warning filters
    # are process-wide and test runners reset them).
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    if width * height > limit:
        raise TooManyPixels(f"The image is {width}x{height}; at most {limit:,} pixels are allowed.")
    return image, mime, extension


def check_admissible(image, data):
    """Rules for a new upload (a stored original is still rendered): a sane aspect ratio, and a
    JPEG whose header does not claim far more pixels than its bytes can hold."""
    width, height = image.size
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise CorruptImage(f"The image is {width}x{height}; its long edge may be at most "
                           f"{MAX_ASPECT_RATIO} times its short edge.")
    if image.format in ("JPEG", "MPO") and width * height > MAX_JPEG_PIXELS_PER_BYTE * len(data):
        raise CorruptImage(f"The JPEG header claims {width}x{height} pixels, which {len(data):,} bytes "
                           "cannot hold: the file is truncated or forged.")


def decode(data, *, max_pixels=DEFAULT_MAX_PIXELS, long_edge=None, admit=False):
    """Validate and decode `data` into a Decoded working copy.

    long_edge: the largest size any output needs. A JPEG is then decoded at a reduced scale
    (DCT scaling: 1/2, 1/4, 1/8) that still covers it, which is several times cheaper.
    admit: also apply the rules for new uploads (check_admissible).
    """
    image, mime, extension = open_checked(data, max_pixels)
    if admit:
        check_admissible(image, data)
    frames = getattr(image, "n_frames", 1)
    width, height = image.size
    if long_edge and image.format in ("JPEG", "MPO") and max(width, height) > long_edge:
        scale = long_edge / max(width, height)
        image.draft(image.mode, (max(1, int(width * scale)), max(1, int(height * scale))))
    try:
        with damage_tolerated():
            image.load()  # the first frame only: animations and multi-page files keep their cover
        exif = _read_exif(image)  # after load: PNG reads EXIF by loading, which must not hide errors
        working = orient(to_srgb(image), _orientation(exif))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise TooManyPixels(f"The image has more pixels than the {max_pixels:,} allowed.") from error
    except Exception as error:  # noqa: BLE001 - any decoder failure on untrusted bytes is bad input
        raise CorruptImage(f"The {mime} file is damaged or incomplete: {error}") from error
    if _orientation(exif) in (5, 6, 7, 8):
        width, height = height, width
    return Decoded(working, mime, extension, width, height, frames, exif)


def _read_exif(image):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # malformed EXIF is common and harmless: we ignore it
            return image.getexif()
    except Exception:  # noqa: BLE001 - a broken EXIF block never rejects an image
        return Image.Exif()


# EXIF orientation -> the transpose that displays the image upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def orient(image, orientation):
    method = _UPRIGHT.get(orientation)
    return image.transpose(method) if method is not None else image


def _orientation(exif):
    try:
        return int(exif.get(0x0112, 1))
    except (TypeError, ValueError):
        return 1


def to_srgb(image):
    """RGB or RGBA in sRGB, whatever the mode and embedded profile."""
    icc = image.info.get("icc_profile")
    converted = _to_8bit(image)
    if icc and converted.mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        converted = _apply_profile(converted, icc)
    if converted.mode not in ("RGB", "RGBA"):
        converted = converted.convert("RGBA" if _has_alpha(converted) else "RGB")
    return converted


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _to_8bit(image):
    """Scale high-bit-depth and float modes into 8 bits (Pillow's convert would clip them)."""
    mode = image.mode
    if mode.startswith("I;16"):
        values = np.asarray(image, dtype=np.float32) / 257.0
    elif mode in ("I", "F"):
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        if low < 0 or high > 255:  # scale the range present; 0..255 data keeps its values
            values = (values - low) * (255.0 / max(high - low, 1e-9))
    elif mode == "LAB":
        return ImageCms.applyTransform(image, _LAB_TO_SRGB)
    elif mode == "P":
        return image.convert("RGBA" if _has_alpha(image) else "RGB")
    else:
        return image
    return Image.fromarray(np.clip(values + 0.5, 0, 255).astype(np.uint8), "L")


_LAB_TO_SRGB = ImageCms.buildTransform(ImageCms.createProfile("LAB"), SRGB_PROFILE, "LAB", "RGB")


def _apply_profile(image, icc):
    """Convert from the embedded profile to sRGB; a broken profile is ignored (assume sRGB)."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if image.mode in ("RGB", "RGBA") and "srgb" in ImageCms.getProfileDescription(source).lower():
            return image  # already sRGB: skip a transform that would change nothing
        output = "RGBA" if image.mode in ("RGBA", "LA") else "RGB"
        source_image = image.convert("RGBA") if image.mode == "LA" else image
        return ImageCms.profileToProfile(source_image, source, SRGB_PROFILE, outputMode=output)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
