"""Which print sizes an original's pixels allow, and the crop each one makes."""

import pytest

from market import prints


def test_sizes_turn_to_the_works_orientation():
    assert prints.oriented("30x40", 3000, 2000) == (40, 30)
    assert prints.oriented("30x40", 2000, 3000) == (30, 40)
    assert prints.oriented("40x30", 2000, 3000) == (30, 40)


def test_the_dpi_is_what_the_crop_gives_at_the_size_with_bleed():
    option = prints.size_option("fine_art_print", "30x40", 3000, 2000)
    # 40 + 2 x 0.3 cm = 40.6 cm = 15.98 in across, from a 2654 px wide box: 166 DPI.
    assert option.printed_cm == pytest.approx((40.6, 30.6))
    assert option.crop == (173, 0, 2654, 2000)
    assert (option.dpi, option.allowed, option.recommended) == (166, True, False)
    assert option.file_dpi == 166  # never upsampled past the original's own pixels
    assert option.file_pixels == (round(40.6 / 2.54 * 166), round(30.6 / 2.54 * 166))


def test_a_canvas_needs_pixels_for_its_wrap():
    flat = prints.size_option("fine_art_print", "30x40", 6000, 4500)
    canvas = prints.size_option("canvas", "30x40", 6000, 4500)
    assert canvas.printed_cm == pytest.approx((48, 38))
    assert canvas.dpi < flat.dpi


def test_a_large_original_is_recommended_at_300_dpi_and_capped_there():
    option = prints.size_option("poster", "21x30", 6000, 8000)
    assert option.recommended and option.file_dpi == 300


def test_the_largest_allowed_size_and_the_reason_a_size_is_not():
    assert prints.largest_allowed("fine_art_print", 3000, 2000).size == "30x40"
    refused = prints.size_option("fine_art_print", "40x50", 3000, 2000)
    assert not refused.allowed and refused.dpi == 125
    assert "150 DPI" in refused.limitation() and "2988x2398 px" in refused.limitation()
    assert prints.largest_allowed("canvas", 400, 300) is None


def test_matching_proportions_keep_every_pixel():
    option = prints.size_option("poster", "50x70", 5060, 7060)  # 50.6 x 70.6 cm with bleed
    assert option.kept_fraction(5060, 7060) > 0.995
