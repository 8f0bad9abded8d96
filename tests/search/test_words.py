import numpy as np

from search import words
from search.words import WordIndex


def random_words(rng, count=150):
    return rng.choice(8000, count, replace=False).astype(np.uint16)


def built(rows):
    index = WordIndex()
    for row, own in enumerate(rows):
        index.set(row, own)
    index.build(len(rows))
    return index


def test_the_work_sharing_most_rare_words_is_voted_first():
    rng = np.random.default_rng(1)
    rows = [random_words(rng) for _ in range(300)]
    query = np.concatenate([rows[42][:60], random_words(rng, 200)])
    found, shared = built(rows).vote(query, np.ones(300, bool), limit=3)
    assert found[0] == 42 and shared[0] >= 60


def test_a_query_votes_with_its_strongest_keypoints_words_however_rare_its_others_are():
    rng = np.random.default_rng(5)
    rows = [random_words(rng) for _ in range(200)]
    unseen = np.arange(8000, 8000 + words.MAX_QUERY_WORDS, dtype=np.uint16)   # in no work: the rarest
    index = built(rows)
    assert index.vote(np.concatenate([rows[9][:40], unseen]), np.ones(200, bool), limit=1)[0].tolist() == [9]
    assert 9 not in index.vote(np.concatenate([unseen, rows[9][:40]]), np.ones(200, bool), limit=5)[0]


def test_rows_sharing_only_a_few_words_by_chance_are_not_candidates():
    rng = np.random.default_rng(2)
    rows = [random_words(rng, 40) for _ in range(50)]
    query = rows[7][:words.MIN_SHARED - 1]
    found, _ = built(rows).vote(query, np.ones(50, bool), limit=5)
    assert 7 not in found


def test_rows_set_after_the_build_are_voted_for_and_dropped_rows_are_not():
    rng = np.random.default_rng(3)
    rows = [random_words(rng) for _ in range(100)]
    index = built(rows)
    late = random_words(rng)
    index.set(100, late)
    index.set(5, None)
    allowed = np.ones(101, bool)
    assert index.vote(late, allowed, limit=1)[0].tolist() == [100]
    assert 5 not in index.vote(rows[5], allowed, limit=5)[0]
    index.build(101)
    assert index.vote(late, allowed, limit=1)[0].tolist() == [100]
    assert 5 not in index.vote(rows[5], allowed, limit=5)[0]


def test_rows_that_are_not_allowed_are_never_returned():
    rng = np.random.default_rng(4)
    rows = [random_words(rng) for _ in range(20)]
    allowed = np.ones(20, bool)
    allowed[3] = False
    assert 3 not in built(rows).vote(rows[3], allowed, limit=5)[0]


def test_a_vote_over_more_rows_than_the_shortlist_agrees_with_counting_every_row():
    rng = np.random.default_rng(5)
    count = words.SHORTLIST + 1000
    rows = [rng.choice(600, 60, replace=False).astype(np.uint16) for _ in range(count)]   # much shared by chance
    index = built(rows)
    query = rows[1234]
    found, shared = index.vote(query, np.ones(count, bool), limit=20)
    truth = np.array([len(np.intersect1d(own, query)) for own in rows])
    at_least = np.array([(truth >= c).sum() for c in range(truth.max() + 1)])
    floor = max(words.MIN_SHARED, int(np.flatnonzero(at_least >= words.SHORTLIST)[-1]))
    idf_sum = np.array([index.idf[np.intersect1d(own, query)].sum() for own in rows])
    weight = np.array([index.idf[own].sum() for own in rows])
    score = np.where(truth >= floor, idf_sum / np.sqrt(weight), -1)
    assert found[0] == 1234
    assert shared.tolist() == truth[found].tolist()
    assert sorted(found.tolist()) == sorted(np.argsort(-score, kind="stable")[:20].tolist())


def test_a_full_querys_idf_sum_cannot_spill_into_the_shared_count():
    # A billion works is past any collection one process holds; idf is below log(documents / 0.5).
    assert words.MAX_QUERY_WORDS * np.log(2 * 10**9) < words.SHARED_UNIT
