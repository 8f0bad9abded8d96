import numpy as np

from imaging import keypoints, vocabulary
from tests.conftest import painting


def test_k_majority_recovers_well_separated_centres():
    rng = np.random.default_rng(0)
    centres = rng.integers(0, 2**63, (8, 4), dtype=np.int64).view(np.uint64)
    # Each point is a centre with 10 of its 256 bits flipped.
    points = []
    for centre in centres:
        for _ in range(50):
            bits = np.unpackbits(centre.view(np.uint8))
            bits[rng.choice(256, 10, replace=False)] ^= 1
            points.append(np.packbits(bits).view(np.uint64))
    found = vocabulary.k_majority(np.array(points), 8, np.random.default_rng(1))
    distances = vocabulary._distances(centres, found)
    assert distances.min(axis=1).max() <= 3


def test_the_shipped_vocabulary_gives_a_descriptor_and_its_slightly_changed_copy_the_same_word_mostly():
    found = keypoints.detect(painting(3, (640, 480)), 300)
    rng = np.random.default_rng(2)
    noisy = found.descriptors.copy()
    for row in noisy:
        row[rng.integers(0, 32, 1)] ^= np.uint8(1 << int(rng.integers(0, 8)))   # one bit flipped
    same = vocabulary.words(found.descriptors) == vocabulary.words(noisy)
    assert same.mean() >= 0.8
    assert vocabulary.words(found.descriptors).max() < vocabulary.WORDS


def test_a_query_descriptor_more_changed_still_meets_its_stored_word_among_its_two():
    found = keypoints.detect(painting(4, (640, 480)), 300)
    rng = np.random.default_rng(3)
    changed = found.descriptors.copy()
    for row in changed:
        for byte in rng.choice(32, 12, replace=False):                   # 12 of 256 bits flipped
            row[byte] ^= np.uint8(1 << int(rng.integers(0, 8)))
    stored = vocabulary.words(found.descriptors)
    voting = vocabulary.words(changed, 2).reshape(-1, 2)
    assert (voting[:, 0] == vocabulary.words(changed)).all() and (voting[:, 0] != voting[:, 1]).all()
    one, either = (voting[:, 0] == stored).mean(), (voting == stored[:, None]).any(axis=1).mean()
    assert either >= one + 0.05


def test_the_vocabulary_identity_is_its_file_digest():
    assert len(vocabulary.identity()) == 16 and vocabulary.identity() == vocabulary.identity()
