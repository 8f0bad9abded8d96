"""The feed's candidate selection on plain arrays."""

import numpy as np
import pytest

from recommend import personal


def best_by_sorting(values, allowed, count):
    docs = np.flatnonzero((values > 0) & allowed)
    order = np.lexsort((-docs, -values[docs]))    # best value first, then the newest (highest) doc
    return {int(doc): float(values[doc]) for doc in docs[order[:count]]}


@pytest.mark.parametrize("kind", ["spread", "few levels", "sparse", "none above zero"])
def test_top_candidates_are_exactly_the_best_allowed_ones(kind):
    rng = np.random.default_rng(7)
    for _ in range(20):
        size = int(rng.integers(1, 150_000))
        values = {"spread": rng.random(size), "few levels": rng.integers(0, 4, size).astype(float),
                  "sparse": np.where(rng.random(size) < 0.002, rng.random(size), 0.0),
                  "none above zero": -rng.random(size)}[kind]
        allowed = rng.random(size) > 0.3
        assert personal._top(values, allowed, 200) == best_by_sorting(values, allowed, 200)


def test_equal_values_at_the_cut_go_to_the_newest_works():
    values = np.array([5.0, 3.0, 3.0, 3.0, 3.0, 0.0, 3.0])
    allowed = np.array([True, True, True, True, False, True, True])
    assert set(personal._top(values, allowed, 3)) == {0, 6, 3}


def test_the_popular_order_gives_what_the_top_candidates_would():
    """The popular source reads a per-model order instead of selecting from every like count."""
    from recommend.model import ItemModel

    rng = np.random.default_rng(11)
    likes = [(f"u{user}", int(doc)) for user in range(300) for doc in rng.zipf(1.6, 40) % 5000]
    items = ItemModel.from_likes(sorted(set(likes)), 5000, None)
    for _ in range(10):
        allowed = rng.random(5000) > 0.4
        leading = personal._leading(items.popular_order, allowed)
        assert len(leading) == len(set(leading)) == 200
        assert set(leading) == set(personal._top(items.popularity, allowed))
