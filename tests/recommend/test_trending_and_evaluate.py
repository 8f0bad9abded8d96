"""Trending growth and the leave-last-out measures on hand-made data."""

import math

import numpy as np
import pytest

from recommend import evaluate, trending


def test_growth_is_measured_against_each_works_own_baseline():
    recent = {"steady_star": 50.0, "climber": 10.0, "one_like": 1.0, "newcomer": 4.0}
    past = {"steady_star": 7 * 50.0, "climber": 7 * 1.0}   # baseline: 7 days before the 24 hours
    items = trending.rank(recent, past, scale=1 / 7)
    assert [item["key"] for item in items] == ["climber", "newcomer", "steady_star"]
    climber = items[0]
    assert climber["expected"] == pytest.approx(1.0)
    assert climber["growth"] == pytest.approx((10 + 3) / (1 + 3), abs=1e-3)
    assert items[-1]["growth"] == pytest.approx(1.0)      # a popular work that merely holds steady


def test_leave_last_out_holds_out_each_users_latest_like():
    likes = [("ann", 1, "t1"), ("ann", 2, "t2"), ("ann", 3, "t3"), ("bob", 4, "t1"), ("cy", 5, "t1"),
             ("cy", 1, "t2")]
    split = evaluate.leave_last_out(likes)
    assert split.held_out == {"ann": (3, "t3"), "cy": (1, "t2")}
    assert split.liked == {"ann": [2, 1], "bob": [4], "cy": [5]}
    assert sorted(split.train) == [("ann", 1), ("ann", 2), ("bob", 4), ("cy", 5)]


def test_sampling_keeps_everyone_in_training():
    likes = [(f"u{i}", doc, f"t{doc}") for i in range(10) for doc in (1, 2)]
    split = evaluate.leave_last_out(likes, max_users=3, seed=1)
    assert len(split.held_out) == 3
    assert len(split.train) == 20 - 3


def test_measures_on_hand_made_lists():
    split = evaluate.Split(train=[("a", 1), ("b", 1)], held_out={"a": (2, "t"), "b": (3, "t")},
                           liked={"a": [1], "b": [1]})
    lists = {"a": [2, 4], "b": [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 3]}   # b's hit is 11th: outside the top 10
    public = np.arange(20)
    artist_of = np.arange(20) % 4
    popularity = np.zeros(20)
    popularity[4] = 2
    metrics = evaluate.measure(lists, split, public, artist_of, popularity, user_count=2)
    assert metrics["hit_rate@10"] == 0.5
    assert metrics["ndcg@10"] == 0.5
    assert metrics["coverage"] == pytest.approx(11 / 20)
    shown = [2, 4] + [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    expected_novelty = np.mean([-math.log2((popularity[d] + 1) / 3) for d in shown])
    assert metrics["novelty"] == pytest.approx(expected_novelty, abs=1e-4)
    assert 0 < metrics["artist_gini"] < 1


def test_a_user_shown_nothing_counts_as_a_miss():
    split = evaluate.Split(train=[], held_out={"a": (2, "t"), "b": (3, "t")}, liked={})
    metrics = evaluate.measure({"a": [2]}, split, np.arange(5), np.zeros(5, int), np.zeros(5), user_count=2)
    assert metrics["hit_rate@10"] == 0.5
