"""The image pipeline on real images made with Pillow: validation, normalisation, outputs."""

import io
import resource
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

import imaging
from imaging import analysis, derivatives, exif, watermark
from imaging.decode import decode
from tests.conftest import image_bytes


def png_claiming(width, height):
    """A PNG whose header claims width x height, followed by a tiny IDAT: a decompression bomb."""
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def pixel(data, xy):
    return Image.open(io.BytesIO(data)).convert("RGB").getpixel(xy)


def close(rgb, expected, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, expected, strict=True))


# --- Rejections ------------------------------------------------------------------------------

def test_text_named_jpg_is_unsupported():
    with pytest.raises(imaging.UnsupportedImageType) as caught:
        imaging.process(b"Just some notes about the painting, not a picture at all.\n")
    assert caught.value.status == 415 and "text/plain" in str(caught.value)


@pytest.mark.parametrize("fmt", ["PSD", "SVG", "EPS", "ICO"])
def test_formats_outside_the_whitelist_are_unsupported(fmt):
    samples = {
        "PSD": b"8BPS\x00\x01" + b"\0" * 64,
        "SVG": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
        "EPS": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
        "ICO": image_bytes("ICO", size=(16, 16)),
    }
    with pytest.raises(imaging.UnsupportedImageType):
        imaging.process(samples[fmt])


def test_truncated_jpeg_is_corrupt():
    data = image_bytes(size=(400, 300))
    with pytest.raises(imaging.CorruptImage) as caught:
        imaging.process(data[: len(data) // 2])
    assert caught.value.status == 422


def test_png_claiming_50000_pixels_square_is_refused_without_decoding():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(imaging.TooManyPixels) as caught:
        imaging.process(png_claiming(50_000, 50_000))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert caught.value.status == 413
    assert grown_mb < 100  # 50000 x 50000 RGB would be 7.5 GB


def test_pixel_budget_is_configurable_and_checked_on_the_header():
    data = png_claiming(2_000, 1_000)
    with pytest.raises(imaging.TooManyPixels):
        decode(data, max_pixels=1_000_000)


def test_pillow_bomb_warning_is_an_error():
    # Between Pillow's limit and twice it, Pillow itself only warns; that must not let it through.
    previous = Image.MAX_IMAGE_PIXELS
    try:
        imaging.set_pixel_budget(1_000_000)
        with pytest.raises(imaging.TooManyPixels):
            decode(png_claiming(1_500, 1_000), max_pixels=10**9)
    finally:
        imaging.set_pixel_budget(previous)


# --- Normalisation ---------------------------------------------------------------------------

def test_exif_rotated_jpeg_is_displayed_upright():
    image = Image.new("RGB", (60, 40), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 30, 40))  # left half red
    orientation = Image.Exif()
    orientation[0x0112] = 6  # stored lying down: rotate 90 degrees clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=orientation.tobytes(), quality=95)
    processed = imaging.process(buffer.getvalue())
    assert (processed.width, processed.height) == (40, 60)
    small = processed.renditions[("small", "jpeg")]
    assert Image.open(io.BytesIO(small)).size == (40, 60)
    assert close(pixel(small, (20, 5)), (255, 0, 0)) and close(pixel(small, (20, 55)), (0, 0, 255))


def test_cmyk_jpeg_becomes_rgb_with_the_right_colour():
    processed = imaging.process(image_bytes("JPEG", mode="CMYK", colour=(0, 255, 255, 0)))
    assert close(pixel(processed.renditions[("small", "jpeg")], (2, 2)), (255, 0, 0), tolerance=60)
    assert processed.palette[0]["name"] == "red"


def test_16_bit_png_is_scaled_not_clipped():
    grey16 = Image.fromarray(np.full((40, 60), 40_000, dtype=np.uint16))
    buffer = io.BytesIO()
    grey16.save(buffer, "PNG")
    processed = imaging.process(buffer.getvalue())
    value = pixel(processed.renditions[("small", "jpeg")], (5, 5))
    assert close(value, (155, 155, 155), tolerance=6)  # 40000 / 257


def test_animated_gif_uses_its_first_frame():
    frames = [Image.new("RGB", (50, 50), colour) for colour in ((220, 20, 20), (20, 20, 220))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    processed = imaging.process(buffer.getvalue())
    assert processed.frames == 2
    assert processed.palette[0]["name"] == "red"


def test_transparency_is_flattened_on_white_for_jpeg():
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    processed = imaging.process(buffer.getvalue())
    assert pixel(processed.renditions[("small", "jpeg")], (5, 5)) == (255, 255, 255)


def test_icc_profile_is_converted_to_srgb():
    from PIL import ImageCms
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))  # anything that is not sRGB
    image = Image.new("RGB", (32, 32), (120, 60, 200))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", icc_profile=profile.tobytes())
    processed = imaging.process(buffer.getvalue())
    assert processed.width == 32  # decoded and converted (or the broken profile ignored), not refused


# --- Outputs ---------------------------------------------------------------------------------

def test_large_jpeg_gets_every_eager_rendition_at_its_size():
    processed = imaging.process(image_bytes(size=(3000, 2000)))
    for (size, fmt), data in processed.renditions.items():
        rendered = Image.open(io.BytesIO(data))
        assert rendered.format == {"jpeg": "JPEG", "webp": "WEBP"}[fmt]
        assert max(rendered.size) == derivatives.SIZES[size]
        assert not rendered.info.get("exif") and not rendered.info.get("icc_profile")
    assert (processed.width, processed.height) == (3000, 2000)


def test_small_images_are_never_enlarged():
    processed = imaging.process(image_bytes(size=(100, 80)))
    assert Image.open(io.BytesIO(processed.renditions[("large", "jpeg")])).size == (100, 80)


def test_hashes_fit_sqlite_and_match_for_a_re_encoded_copy():
    original = imaging.process(image_bytes(size=(800, 600)))
    copy = imaging.process(image_bytes("PNG", size=(400, 300)))
    for kind in analysis.HASH_KINDS:
        assert -(2**63) <= original.hashes[kind] < 2**63
    assert analysis.hamming(original.hashes["phash"], copy.hashes["phash"]) <= 6
    assert original.histogram.shape == (analysis.HISTOGRAM_SIZE,)
    assert original.histogram.sum() == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(("rgb", "name"), [
    ((220, 30, 30), "red"), ((30, 60, 200), "blue"), ((40, 160, 60), "green"), ((240, 220, 40), "yellow"),
    ((245, 245, 245), "white"), ((10, 10, 10), "black"), ((128, 128, 128), "grey"), ((110, 70, 30), "brown"),
    ((240, 140, 20), "orange"), ((130, 40, 170), "purple"), ((230, 100, 170), "pink"), ((20, 170, 170), "teal"),
])
def test_colour_names(rgb, name):
    assert analysis.colour_name(rgb) == name


def test_palette_shares_and_colour_tags():
    image = Image.new("RGB", (100, 100), (30, 60, 200))
    image.paste((220, 30, 30), (0, 0, 100, 30))
    colours = analysis.palette(image)
    assert [c["name"] for c in colours[:2]] == ["blue", "red"]
    assert sum(c["share"] for c in colours) == pytest.approx(1.0, abs=0.01)
    assert analysis.colour_tags(colours) == ["blue", "red"]


def test_quality_report_explains_a_low_score():
    flat = imaging.process(image_bytes(size=(300, 200)))
    detailed = imaging.process(_noise_jpeg((2400, 1800)))
    assert 0 <= flat.quality["score"] < detailed.quality["score"] <= 1
    assert any("Resolution" in reason for reason in flat.quality["reasons"])
    assert set(flat.quality["measures"]) == {"megapixels", "sharpness", "shadows_clipped", "highlights_clipped",
                                             "contrast", "colourfulness"}


def _noise_jpeg(size):
    rng = np.random.default_rng(7)
    array = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_exif_summary_keeps_camera_facts_and_never_gps():
    tags = Image.Exif()
    tags[0x010F], tags[0x0110], tags[0x8298] = "Fujifilm", "X-T5", "(c) Ada"
    tags[0x8825] = {2: (48.0, 51.0, 24.0), 1: "N"}  # GPS latitude
    exif_ifd = tags.get_ifd(0x8769)
    exif_ifd[0x829A], exif_ifd[0x8827], exif_ifd[0x9003] = 0.004, 400, "2024:05:01 14:03:22"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 90, 90)).save(buffer, "JPEG", exif=tags.tobytes())
    processed = imaging.process(buffer.getvalue())
    assert processed.exif == {"camera_make": "Fujifilm", "camera_model": "X-T5", "copyright": "(c) Ada",
                              "date_taken": "2024-05-01T14:03:22", "exposure_time": "1/250", "iso": 400}
    for data in processed.renditions.values():
        assert b"Fujifilm" not in data and b"GPS" not in data


def test_exif_summary_ignores_malformed_values():
    tags = Image.Exif()
    tags[0x0132] = "not a date"
    assert exif.summarise(tags) == {}


def test_watermark_changes_pixels_where_it_is_placed():
    image = Image.new("RGB", (400, 300), (30, 30, 30))
    mark = watermark.Watermark("© Ada", opacity=0.8, position="bottom-right")
    marked = watermark.apply(image, mark)
    difference = np.abs(np.asarray(marked, dtype=int) - np.asarray(image, dtype=int)).sum(axis=2)
    rows, cols = np.nonzero(difference)
    assert rows.min() > 150 and cols.min() > 200  # bottom right only
    tiled = watermark.apply(image, watermark.Watermark("© Ada", 0.8, "tiled"))
    assert np.count_nonzero(np.asarray(tiled) != np.asarray(image)) > 5 * np.count_nonzero(difference)


def test_render_on_request_makes_any_size_with_a_watermark():
    data = image_bytes(size=(3000, 2000))
    full = Image.open(io.BytesIO(imaging.render(data, "full", "png")))
    assert full.size == (3000, 2000)
    marked = imaging.render(data, "medium", "webp", mark=watermark.Watermark("x", 0.5))
    assert Image.open(io.BytesIO(marked)).size == (640, 427)
