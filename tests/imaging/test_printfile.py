"""Print-ready files: from the original at full resolution, upright, in sRGB with its profile,
at the size and DPI asked."""

import io

from PIL import Image, ImageCms

from imaging import printfile
from market import prints
from tests.conftest import encoded, painting


def opened(made):
    return Image.open(io.BytesIO(made.data))


def test_the_file_has_the_sheets_pixels_dpi_and_an_srgb_profile():
    original = encoded(painting(11, (3000, 2000)))
    option = prints.size_option("fine_art_print", "30x40", 3000, 2000)
    made = printfile.make_print_file(original, option.crop, option.file_pixels, option.file_dpi)
    with opened(made) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", option.file_pixels)
        assert image.info["dpi"] == (166, 166)
        profile = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
        assert "srgb" in ImageCms.getProfileDescription(profile).lower()
        assert "exif" not in image.info
    assert (made.width, made.height, made.dpi) == (*option.file_pixels, 166)


def test_the_crop_comes_from_the_original_not_a_rendition():
    # A 3000 px wide original whose left quarter is red and the rest blue: a 30x30 print keeps
    # the centred 2000 px square, so its left edge is blue, and its detail is the original's.
    image = Image.new("RGB", (3000, 2000), (20, 40, 200))
    image.paste((220, 20, 20), (0, 0, 750, 2000))
    option = prints.size_option("fine_art_print", "30x30", 3000, 2000)
    made = printfile.make_print_file(encoded(image), option.crop, option.file_pixels, option.file_dpi)
    with opened(made) as printed:
        assert option.crop == (500, 0, 2000, 2000)
        red_edge = 250 * printed.width // 2000
        assert printed.getpixel((red_edge // 2, printed.height // 2))[0] > 150  # red from 500 to 750
        assert printed.getpixel((printed.width - 5, printed.height // 2))[2] > 150
        assert max(printed.size) > 1280  # larger than any stored rendition


def test_an_exif_rotated_original_prints_upright():
    landscape = painting(12, (1800, 1200))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side: displayed after a quarter turn clockwise
    data = encoded(landscape, exif=exif)
    assert printfile.upright_size(data) == (1200, 1800)
    option = prints.size_option("poster", "21x30", 1200, 1800)
    made = printfile.make_print_file(data, option.crop, option.file_pixels, option.file_dpi)
    with opened(made) as printed:
        assert printed.height > printed.width


def test_a_cmyk_original_is_converted_to_srgb():
    cmyk = Image.new("CMYK", (1600, 1200), (0, 255, 255, 0))  # full magenta and yellow: red
    option = prints.size_option("poster", "21x30", 1600, 1200)
    made = printfile.make_print_file(encoded(cmyk), option.crop, option.file_pixels, option.file_dpi)
    with opened(made) as printed:
        red, green, blue = printed.getpixel((printed.width // 2, printed.height // 2))
        assert printed.mode == "RGB" and red > 200 and green < 80 and blue < 80
