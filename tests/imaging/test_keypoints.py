"""Local features find a work inside a larger picture, turned or seen at an angle, and the
geometric check refuses look-alikes."""

import random

from bench.copy_transforms import perspective, region, rotate, screenshot
from imaging import keypoints, vocabulary
from tests.conftest import painting


def _work(seed=5):
    return painting(seed, (640, 480))


def test_a_work_inside_a_screenshot_is_found_with_the_box_it_fills():
    work = _work()
    page = screenshot(work, random.Random(1), 0.6)
    found = keypoints.verify(keypoints.detect_query(page), keypoints.detect(work))
    assert found is not None and found.inliers >= keypoints.MIN_INLIERS
    x0, y0, x1, y1 = found.query_box
    assert 0.5 <= x1 - x0 <= 0.7      # the picture fills 60% of the page's width
    assert found.stored_box == (0.0, 0.0, 1.0, 1.0)


def test_a_turned_photo_at_an_angle_and_a_half_crop_are_found():
    work, rng = _work(), random.Random(2)
    stored = keypoints.detect(work)
    turned = keypoints.verify(keypoints.detect_query(rotate(work, rng, 15)), stored)
    assert turned is not None and 10 <= abs(turned.rotation) <= 20
    assert keypoints.verify(keypoints.detect_query(perspective(work, rng, 0.2)), stored) is not None
    half = keypoints.verify(keypoints.detect_query(region(work, rng, 0.5)), stored)
    assert half is not None
    x0, y0, x1, y1 = half.stored_box
    assert 0.35 <= (x1 - x0) * (y1 - y0) <= 0.65


def test_a_query_pyramid_enlarged_above_the_picture_keeps_positions_in_its_pixels():
    work = _work()
    query = keypoints.detect_query(work)
    width, height = query.size
    assert query.positions[:, 0].max() < width and query.positions[:, 1].max() < height
    found = keypoints.verify(query, keypoints.detect(work))
    assert found is not None and abs(found.rotation) < 1 and found.perspective < 1e-3
    assert all(abs(q - s) < 0.02 for q, s in zip(found.query_box, found.stored_box, strict=True))
    assert found.stored_box[2] - found.stored_box[0] > 0.9    # the same picture, not a 1.2x part of it


def test_different_works_and_disjoint_crops_do_not_pass():
    work = _work()
    assert keypoints.verify(keypoints.detect_query(_work(6)), keypoints.detect(work)) is None
    left, right = work.crop((0, 0, 300, 480)), work.crop((340, 0, 640, 480))
    assert keypoints.verify(keypoints.detect_query(right), keypoints.detect(left)) is None


def test_a_featureless_image_has_no_keypoints_and_matches_nothing():
    from PIL import Image

    flat = keypoints.detect(Image.new("RGB", (200, 200), (90, 120, 30)))
    assert len(flat) == 0
    assert keypoints.verify(keypoints.detect_query(_work()), flat) is None


def test_blobs_round_trip():
    found = keypoints.detect(_work())
    again = keypoints.Keypoints.from_blobs(*found.to_blobs(), *found.size)
    assert (again.descriptors == found.descriptors).all() and (again.positions == found.positions).all()


def test_the_compiled_matcher_finds_the_distances_opencv_finds():
    import cv2

    stored = keypoints.detect(_work()).descriptors
    query = keypoints.detect_query(perspective(_work(), random.Random(3), 0.15)).descriptors
    nearest, distance, second = keypoints._two_nearest(vocabulary.as_words64(stored), vocabulary.as_words64(query))
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(stored, query, k=2)
    assert distance.tolist() == [int(best.distance) for best, _ in pairs]
    assert second.tolist() == [int(other.distance) for _, other in pairs]
    # Where the nearest is not tied, both name the same query descriptor.
    untied = distance < second
    assert untied.mean() > 0.5
    assert (nearest[untied] == [best.trainIdx for best, other in pairs if best.distance < other.distance]).all()
