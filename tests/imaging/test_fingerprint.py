"""Copy-detection fingerprints: every transformation of the issue is found, unrelated images are not."""

import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from bench.copy_transforms import TRANSFORMATIONS
from imaging import fingerprint
from search import copies
from tests.conftest import painting

SHARED_ART = Path(__file__).resolve().parents[3] / "shared" / "data" / "images" / "art"


def stored(images):
    prints = [fingerprint.fingerprint(image) for image in images]
    arrays = {kind: fingerprint.to_unsigned([getattr(p, kind) for p in prints])
              for kind in ("full_dct", "full_gradient", "centre_dct", "centre_gradient")}
    return {**arrays, "colour": np.stack([p.colour for p in prints])}


def scores_against(collection, image):
    evidence = copies.evidence(fingerprint.probe(image), collection)
    return copies.scores(evidence.features())


def every_variant(originals, seed=3):
    rng = random.Random(seed)
    for index, image in enumerate(originals):
        for name, strengths, function in TRANSFORMATIONS:
            for strength in strengths:
                yield index, f"{name} {strength}", function(image, rng, strength)


def test_border_box_finds_the_picture_inside_a_flat_border():
    picture = painting(1)
    framed = ImageOps.expand(picture, border=30, fill=(250, 250, 250))
    luma = np.asarray(framed.convert("L"), dtype=np.float32)
    left, top, right, bottom = fingerprint.border_box(luma)
    assert abs(left - 30) <= 1 and abs(top - 30) <= 1
    assert abs(right - (30 + picture.width)) <= 1 and abs(bottom - (30 + picture.height)) <= 1


def test_a_picture_that_is_all_one_colour_is_not_trimmed_away():
    luma = np.full((100, 80), 40.0, dtype=np.float32)
    assert fingerprint.border_box(luma) == (0, 0, 80, 100)


def test_a_dark_brushed_background_is_not_a_border():
    """Only flat margins go: a dark ground with brushwork (here noise of +-20 levels) stays."""
    picture = painting(2)
    dark = Image.new("RGB", (picture.width + 80, picture.height), (12, 12, 12))
    noise = np.random.default_rng(0).integers(0, 40, (dark.height, dark.width, 3), dtype=np.uint8)
    dark = Image.fromarray(np.asarray(dark) + noise)
    dark.paste(picture, (40, 0))
    left, _, right, _ = fingerprint.border_box(np.asarray(dark.convert("L"), dtype=np.float32))
    assert left < 10 and right > dark.width - 10


def test_fingerprints_are_deterministic_and_distinct():
    a, b = fingerprint.fingerprint(painting(5)), fingerprint.fingerprint(painting(5))
    assert a.hashes() == b.hashes() and np.allclose(a.colour, b.colour)
    assert fingerprint.fingerprint(painting(6)).hashes() != a.hashes()
    assert abs(float(np.linalg.norm(a.colour)) - 1.0) < 1e-5


def test_the_probe_covers_every_crop_window_both_ways_round():
    probe = fingerprint.probe(painting(7))
    assert probe.window_dct.shape == (2, len(fingerprint.PROBE_WINDOWS))
    assert len(fingerprint.PROBE_WINDOWS) >= 100
    assert all(0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 for x0, y0, x1, y1 in fingerprint.PROBE_WINDOWS)


def test_every_transformation_of_a_generated_picture_is_found():
    originals = [painting(seed) for seed in (11, 12, 13)]
    collection = stored(originals + [painting(seed) for seed in range(20, 26)])
    missed = []
    for index, label, variant in every_variant(originals):
        scores = scores_against(collection, variant)
        if scores[index] < copies.COPY_THRESHOLD:
            missed.append((index, label, round(float(scores[index]), 3)))
        assert (np.delete(scores, index) < copies.COPY_THRESHOLD).all(), (index, label)
    assert not missed


def test_unrelated_pictures_are_not_copies():
    collection = stored([painting(seed) for seed in range(30, 40)])
    for seed in range(40, 50):
        assert (scores_against(collection, painting(seed)) < copies.COPY_THRESHOLD).all()


def test_a_mirrored_copy_says_so_in_its_evidence():
    original = painting(8)
    evidence = copies.evidence(fingerprint.probe(ImageOps.mirror(original)), stored([original]))
    assert fingerprint.ORIENTATIONS[evidence.orientation[0]] == "mirrored" and evidence.whole[0] <= 6


def test_a_cropped_copy_matches_by_a_window():
    original = painting(9)
    cropped = original.crop((int(original.width * 0.2), 0, original.width, int(original.height * 0.85)))
    evidence = copies.evidence(fingerprint.probe(cropped), stored([original]))
    assert copies.MATCHED_BY[evidence.matched_by[0]] == "window"
    assert copies.scores(evidence.features())[0] >= copies.COPY_THRESHOLD


@pytest.mark.parametrize("turn", list(fingerprint.DIHEDRAL[1:]))
def test_every_turn_and_flip_is_matched_whole_in_the_orientation_that_undoes_it(turn):
    original = painting(10)
    evidence = copies.evidence(fingerprint.probe(original.transpose(turn)), stored([original]))
    undo = fingerprint.DIHEDRAL[int(evidence.orientation[0])]
    assert original.transpose(turn).transpose(undo).tobytes() == original.tobytes()
    assert evidence.whole[0] <= 6 and copies.scores(evidence.features())[0] >= copies.COPY_THRESHOLD


def test_a_negative_is_matched_in_an_inverted_orientation_with_its_colours_inverted_back():
    original = painting(11)
    evidence = copies.evidence(fingerprint.probe(ImageOps.invert(original)), stored([original]))
    assert fingerprint.ORIENTATIONS[evidence.orientation[0]] == "as given, inverted"
    assert evidence.colour[0] < 0.1 and copies.scores(evidence.features())[0] >= copies.COPY_THRESHOLD


def test_a_work_in_a_collage_is_found_as_a_sub_picture_with_its_box():
    original, others = painting(12, (300, 240)), [painting(seed, (300, 240)) for seed in (13, 14, 15)]
    collage = Image.new("RGB", (640, 520), (255, 255, 255))
    places = [(10, 10), (330, 10), (10, 270), (330, 270)]
    for (x, y), tile in zip(places, [others[0], original, *others[1:]], strict=True):
        collage.paste(tile, (x, y))
    probe = fingerprint.probe(collage)
    evidence = copies.evidence(probe, stored([original, *others]))
    assert copies.MATCHED_BY[evidence.matched_by[0]] == "part" and copies.scores(evidence.features())[0] >= 0.5
    box = np.array(probe.parts[int(evidence.part_index[0])])
    assert np.abs(box - [330 / 640, 10 / 520, 630 / 640, 250 / 520]).max() < 0.03


def test_a_plain_photograph_holds_no_sub_pictures():
    assert fingerprint.sub_pictures(painting(16)) == ()


@pytest.mark.skipif(not SHARED_ART.is_dir(), reason="../shared/data is absent")
def test_every_transformation_of_real_artworks_is_found():
    names = ("great_wave.jpg", "the_starry_night.jpg", "mona_lisa.jpg", "the_kiss.jpg")
    paths = [SHARED_ART / name for name in names if (SHARED_ART / name).exists()][:3]
    assert paths
    originals = []
    for path in paths:
        with Image.open(path) as image:
            originals.append(image.convert("RGB"))
    collection = stored(originals)
    missed = [(index, label) for index, label, variant in every_variant(originals, seed=5)
              if scores_against(collection, variant)[index] < copies.COPY_THRESHOLD]
    assert not missed
