"""Score components and the diversity re-rank on small hand-made data."""

import numpy as np
import pytest

from recommend import scores
from recommend.config import FeaturedConfig, Similarity
from search import copies


def pool(**arrays):
    size = len(next(iter(arrays.values())))
    defaults = {"docs": np.arange(size), "artists": np.arange(size), "mediums": np.full(size, -1),
                "age_days": np.zeros(size), "quality": np.full(size, np.nan), "likes": np.zeros(size),
                "comments": np.zeros(size), "shares": np.zeros(size), "views": np.zeros(size),
                "days_since_featured": np.full(size, np.inf)}
    return scores.Pool(**{**defaults, **{name: np.asarray(value, float) for name, value in arrays.items()}})


def test_two_likes_from_three_views_no_longer_beat_two_hundred_from_four_hundred():
    works = pool(likes=[2, 200, 5], views=[3, 400, 1000])
    raw_rate = works.likes / works.views
    assert raw_rate[0] > raw_rate[1]  # the old formula's mistake
    engagement = scores.components(works, FeaturedConfig())["engagement"]
    assert engagement[1] > engagement[0]
    assert engagement[1] == 1.0


def test_with_enough_views_the_smoothed_rate_approaches_the_raw_rate():
    rate = scores.smoothed_rate(np.array([500.0, 1.0]), np.array([10_000.0, 100_000.0]), prior_views=50)
    assert rate[0] == pytest.approx(0.05, abs=0.001)


def test_comments_and_shares_weigh_more_than_likes():
    works = pool(likes=[3, 0, 0], comments=[0, 2, 0], shares=[0, 0, 1], views=[100, 100, 100])
    assert list(scores.interactions(works)) == [3.0, 4.0, 3.0]


def test_an_interaction_loses_half_its_weight_each_half_life():
    assert list(scores.decay([0, 7, 14], 7)) == [1.0, 0.5, 0.25]


def test_quality_recency_and_novelty_components():
    works = pool(quality=[0.9, np.nan], age_days=[0, 30], days_since_featured=[np.inf, 14])
    parts = scores.components(works, FeaturedConfig())
    assert list(parts["quality"]) == [pytest.approx(0.9), 0.5]
    assert list(parts["recency"]) == [1.0, 0.5]          # recency half-life 30 days
    assert list(parts["novelty"]) == [1.0, 0.5]          # featured one novelty half-life ago


def test_the_score_is_the_weighted_mean_of_the_components_and_the_breakdown_adds_up():
    works = pool(likes=[10, 0], views=[20, 20], quality=[1.0, 0.0], age_days=[0, 0])
    config = FeaturedConfig()
    parts = scores.components(works, config)
    score = scores.weighted_score(parts, config.weights)
    breakdown = scores.breakdown(parts, config.weights, 0)
    assert sum(part["contribution"] for part in breakdown.values()) == pytest.approx(score[0], abs=1e-3)
    assert score[0] > score[1]


def features(count, colours=None, hashes=None):
    colour = np.zeros((count, 3), np.float32) if colours is None else np.asarray(colours, np.float32)
    has_picture = np.ones(count, bool) if hashes is not None or colours is not None else np.zeros(count, bool)
    hash_arrays = None
    if hashes is not None:
        hash_arrays = np.repeat(np.asarray(hashes, np.uint64)[:, None], 4, axis=1)
    return scores.Features(colour=colour, text=None, mediums=np.full(count, -1), hashes=hash_arrays,
                           has_picture=has_picture)


def rerank(relevance, artists, feats, **options):
    settings = {"size": 10, "max_per_artist": 10, "relevance_weight": 1.0, "similarity_weights": Similarity(),
                **options}
    return scores.rerank(np.asarray(relevance, float), np.asarray(artists), feats, **settings)


def test_at_most_k_works_per_artist():
    picked = rerank([1.0, 0.9, 0.8, 0.7, 0.6], [1, 1, 1, 2, 2], features(5), max_per_artist=2)
    assert [row for row, *_ in picked] == [0, 1, 3, 4]


def test_near_duplicates_collapse_into_the_better_work():
    far = (1 << 63) - 1
    picked = rerank([1.0, 0.9, 0.8], [1, 2, 3], features(3, hashes=[0, 1, far]))  # 0 and 1 differ by one bit
    assert [row for row, *_ in picked] == [0, 2]
    assert picked[0][3] == [1]
    assert copies.hamming(np.uint64(0), np.uint64(1)) == 1


def test_near_duplicates_stay_when_collapsing_is_off():
    picked = rerank([1.0, 0.9], [1, 2], features(2, hashes=[0, 1]), collapse=False)
    assert [row for row, *_ in picked] == [0, 1]


def test_near_duplicates_compared_up_front_answer_as_those_compared_one_by_one():
    """NearDuplicates(head=...) looks its first rows up in a pairwise table; rows past the head,
    and takes from past it, must still be answered exactly as without the table."""
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, 2**63, (120, 4), dtype=np.uint64)
    for row in range(0, 120, 6):          # twins by whole picture, by window, and across the head's edge
        hashes[row + 1] = hashes[row] ^ np.uint64(0b1011)
        hashes[row + 2, 2:] = hashes[row, 2:] ^ np.uint64(1)
    hashes[61] = hashes[10]
    hashes[11, 0] ^= np.uint64((1 << 20) - 1)     # whole 20 bits off: still a near-duplicate of row 10
    feats = scores.Features(colour=None, text=None, mediums=None, hashes=hashes,
                            has_picture=rng.random(120) > 0.1)
    plain, headed = scores.NearDuplicates(feats, 120), scores.NearDuplicates(feats, 120, head=50)
    twins = 0
    for row in rng.permutation(120):
        expected = plain.twin_of(row)
        assert headed.twin_of(row) == expected
        if expected is None:
            plain.take(row)
            headed.take(row)
        twins += expected is not None
    assert twins >= 30


@pytest.mark.parametrize("head", [0, 3])
def test_a_work_near_two_taken_ones_is_the_twin_of_the_one_taken_first(head):
    low, high = np.uint64((1 << 10) - 1), np.uint64(((1 << 10) - 1) << 20)
    first = np.zeros(4, np.uint64)
    second = first ^ (low | high)        # 20 bits from `first` in every hash: 40 apart, not twins
    between = first ^ low                # 10 bits from `first` and from `second`: a twin of both
    feats = scores.Features(colour=None, text=None, mediums=None, hashes=np.stack([first, second, between]),
                            has_picture=np.ones(3, bool))
    taken = scores.NearDuplicates(feats, 3, head=head)
    taken.take(1)
    assert taken.twin_of(0) is None
    taken.take(0)
    assert taken.twin_of(2) == 1


def test_marginal_relevance_lifts_a_different_work_over_a_similar_one():
    red, also_red, blue = [1, 0, 0], [1, 0, 0], [0, 0, 1]
    colours = features(3, colours=[red, also_red, blue])
    by_score = rerank([1.0, 0.95, 0.8], [1, 2, 3], colours)
    diverse = rerank([1.0, 0.95, 0.8], [1, 2, 3], colours, relevance_weight=0.6,
                     similarity_weights=Similarity(visual=1, text=0, medium=0))
    assert [row for row, *_ in by_score] == [0, 1, 2]
    assert [row for row, *_ in diverse] == [0, 2, 1]
    assert diverse[2][2] == pytest.approx(1.0)  # the similar one carries its similarity to the work above


def test_pins_take_their_positions_and_move_the_rest_down():
    assert scores.apply_pins(["a", "b", "c", "d"], [("d", 1), ("b", 3)], size=4) == ["d", "a", "b", "c"]
    assert scores.apply_pins(["a", "b"], [("z", 9)], size=5) == ["a", "b", "z"]
    assert scores.apply_pins(["a", "b", "c"], [("z", 1)], size=3) == ["z", "a", "b"]


def test_gini_is_zero_for_equal_shares_and_near_one_for_one_taker():
    assert scores.gini([3, 3, 3]) == 0.0
    assert scores.gini([0, 0, 0, 10]) == pytest.approx(0.75)
    assert scores.gini([]) == 0.0
