"""Score components and the diversity re-rank shared by featured, the feed and the evaluation:
pure functions over numpy arrays, no SQL.

Engagement, for each work, from the interactions of other people (never the artist's own), each
weighted by 0.5 ** (age in days / half_life_days):

    I = likes + 2 comments + 3 shares                  (interactions)
    V = page views
    p = sum(I) / sum(V) over the candidates             (the average rate, 0.01..1)
    engagement = (I + m p) / (V + m) / max over the candidates        m = prior_views

so a work's rate is pulled toward the average until it has had about m views of its own: 2 likes
from 3 views scores (2 + 50 p) / 53, below 200 likes from 400 views at (200 + 50 p) / 450, where
the raw rate (2/3 against 1/2) had it the other way round.

    velocity = log(1 + I) / log(1 + max I)             (how much is happening, whatever the views)
    quality  = the image quality score (0.5 when unknown)
    recency  = 0.5 ** (age of the work in days / recency_half_life_days)
    novelty  = 1 - 0.5 ** (days since the artist was last featured / novelty_half_life_days)
               (1 for an artist never featured)
    score    = sum(weight x component) / sum(weights)                     (0..1)
"""

import math
from dataclasses import dataclass

import numpy as np

from search import copies

COMPONENTS = ("engagement", "velocity", "quality", "recency", "novelty")
INTERACTION_WEIGHTS = {"like": 1.0, "comment": 2.0, "share": 3.0}
DEFAULT_RATE = 0.05   # the average rate when nobody viewed anything yet
UNKNOWN_QUALITY = 0.5


@dataclass
class Pool:
    """Parallel arrays, one entry per candidate work."""
    docs: np.ndarray
    artists: np.ndarray                 # artist codes
    mediums: np.ndarray                 # medium codes, -1 when unknown
    age_days: np.ndarray
    quality: np.ndarray                 # NaN when unknown
    likes: np.ndarray                   # decayed counts
    comments: np.ndarray
    shares: np.ndarray
    views: np.ndarray
    days_since_featured: np.ndarray     # inf for artists never featured


def decay(age_days, half_life_days):
    return np.power(0.5, np.asarray(age_days, float) / half_life_days)


def interactions(pool):
    w = INTERACTION_WEIGHTS
    return w["like"] * pool.likes + w["comment"] * pool.comments + w["share"] * pool.shares


def smoothed_rate(interactions_, views, prior_views):
    """(I + m p) / (V + m), p the pooled rate of all candidates."""
    total_views = float(views.sum())
    prior = float(np.clip(interactions_.sum() / total_views, 0.01, 1.0)) if total_views > 0 else DEFAULT_RATE
    denominator = views + prior_views
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, (interactions_ + prior_views * prior) / safe, prior)


def components(pool, config):
    """{component name: array of 0..1} for every candidate."""
    counts = interactions(pool)
    rate = smoothed_rate(counts, pool.views, config.prior_views)
    top_rate, top_count = float(rate.max(initial=0.0)), float(counts.max(initial=0.0))
    return {
        "engagement": rate / top_rate if top_rate > 0 else np.zeros(len(counts)),
        "velocity": np.log1p(counts) / math.log1p(top_count) if top_count > 0 else np.zeros(len(counts)),
        "quality": np.nan_to_num(pool.quality.astype(float), nan=UNKNOWN_QUALITY),
        "recency": decay(np.maximum(pool.age_days, 0), config.recency_half_life_days),
        "novelty": 1.0 - decay(pool.days_since_featured, config.novelty_half_life_days),
    }


def weighted_score(parts, weights):
    """sum(weight x component) / sum(weights)."""
    total = sum(getattr(weights, name) for name in COMPONENTS)
    score = np.zeros(len(next(iter(parts.values()))))
    for name in COMPONENTS:
        score = score + getattr(weights, name) * parts[name]
    return score / total


def breakdown(parts, weights, row):
    total = sum(getattr(weights, name) for name in COMPONENTS)
    return {name: {"value": round(float(parts[name][row]), 4),
                   "contribution": round(float(getattr(weights, name) * parts[name][row] / total), 4)}
            for name in COMPONENTS}


# --- Diversity --------------------------------------------------------------------------------------

@dataclass
class Features:
    """What the re-rank compares, one row per candidate: unit colour vectors (zeros without a
    picture), unit TF-IDF rows (scipy CSR), medium codes, and perceptual hashes (an n x 4 uint64
    matrix, columns in search.images.HASH_KINDS order: full DCT, full gradient, centre DCT,
    centre gradient)."""
    colour: np.ndarray
    text: object
    mediums: np.ndarray
    hashes: np.ndarray | None
    has_picture: np.ndarray


def similarity_to(features, row, weights):
    """Similarity (0..1) of every candidate to candidate `row`: colour, text and medium."""
    total = weights.visual + weights.text + weights.medium
    if total == 0:
        return np.zeros(len(features.mediums))
    colour = np.clip(features.colour @ features.colour[row], 0, 1) if features.has_picture[row] else 0.0
    text = np.asarray((features.text @ features.text[row].T).todense()).ravel() if features.text is not None else 0.0
    medium = (features.mediums == features.mediums[row]) & (features.mediums >= 0)
    return (weights.visual * colour + weights.text * np.clip(text, 0, 1) + weights.medium * medium) / total


def near_duplicates(hashes, others):
    """close[i, j]: whether hashes[i] and others[j] (rows of four uint64 hashes in
    search.images.HASH_KINDS order) are near-duplicates: whole pictures or central windows within
    the copy threshold's distance (DCT + gradient)."""
    hashes, others = np.ascontiguousarray(hashes.T), np.ascontiguousarray(others.T)   # one row per kind
    bits = [np.bitwise_count(hashes[kind, :, None] ^ others[kind, None, :]) for kind in range(4)]
    return ((bits[0] + bits[1] <= copies.NEAR_DUPLICATE_DISTANCE) |
            (bits[2] + bits[3] <= copies.NEAR_DUPLICATE_DISTANCE - copies.WINDOW_PENALTY))


class NearDuplicates:
    """The works taken so far, to tell whether a candidate is a near-duplicate of one of them.

    head: how many of the first rows (put the likeliest picks first) to compare with each other
    up front. One pairwise comparison then answers for them by lookup, instead of a comparison
    with every taken work on each question (about 7 us each, 200 times over in the feed).
    """

    def __init__(self, features, capacity, head=0):
        self.features = features
        self.usable = features.hashes is not None
        self.rows = np.zeros(capacity, np.int64)
        self.hashes = np.zeros((capacity, 4), np.uint64)
        self.count = 0
        self.head = min(head, len(features.has_picture)) if self.usable else 0
        self.twins = {}        # head row -> the other head rows it nearly duplicates (pairs are rare)
        self.first_twin = {}   # head row -> the first taken row it nearly duplicates
        if self.head:
            hashes, pictured = features.hashes[:self.head], features.has_picture[:self.head]
            close = near_duplicates(hashes, hashes) & pictured[:, None] & pictured[None, :]
            np.fill_diagonal(close, False)
            for row, other in zip(*(side.tolist() for side in np.nonzero(close)), strict=True):
                self.twins.setdefault(row, []).append(other)

    def twin_of(self, row):
        """The (first) taken row that `row` nearly duplicates, or None."""
        if not self.count or not self.usable or not self.features.has_picture[row]:
            return None
        if row < self.head:
            return self.first_twin.get(row)
        close = near_duplicates(self.features.hashes[row:row + 1], self.hashes[:self.count])[0]
        return int(self.rows[close.argmax()]) if close.any() else None

    def take(self, row):
        if not (self.usable and self.features.has_picture[row]):
            return
        self.rows[self.count], self.hashes[self.count] = row, self.features.hashes[row]
        self.count += 1
        if row < self.head:
            twins = self.twins.get(row, ())
        elif self.head:
            twins = np.flatnonzero(near_duplicates(self.features.hashes[row:row + 1],
                                                   self.features.hashes[:self.head])[0]).tolist()
        else:
            twins = ()
        for other in twins:
            self.first_twin.setdefault(other, row)


def rerank(relevance, artists, features, *, size, max_per_artist, relevance_weight, similarity_weights,
           collapse=True):
    """Greedy maximal-marginal-relevance selection.

    relevance: 0..1 per candidate. Each step takes the candidate with the best
    relevance_weight x relevance - (1 - relevance_weight) x (its highest similarity to those already
    taken), skipping artists who have max_per_artist works in and, when `collapse`, near-duplicates
    of a work already in (which is credited with them). Returns [(row, mmr score, similarity to
    those above, [rows collapsed into it])].
    """
    count = len(relevance)
    available = np.ones(count, bool)
    highest_similarity = np.zeros(count)
    per_artist, chosen, picked = {}, [], []
    collapsed, taken = {}, NearDuplicates(features, size)
    while len(chosen) < size and available.any():
        mmr = relevance_weight * relevance - (1 - relevance_weight) * highest_similarity
        mmr = np.where(available, mmr, -np.inf)
        row = int(np.argmax(mmr))
        available[row] = False
        if per_artist.get(artists[row], 0) >= max_per_artist:
            continue
        if collapse:
            twin = taken.twin_of(row)
            if twin is not None:
                collapsed.setdefault(twin, []).append(row)
                continue
        per_artist[artists[row]] = per_artist.get(artists[row], 0) + 1
        picked.append((row, float(mmr[row]), float(highest_similarity[row])))
        chosen.append(row)
        taken.take(row)
        if relevance_weight < 1:
            highest_similarity = np.maximum(highest_similarity,
                                            similarity_to(features, row, similarity_weights))
    return [(row, score, similar, collapsed.get(row, [])) for row, score, similar in picked]


def apply_pins(ranked, pins, size):
    """Place each pinned item at its position (1-based) after taking it out of wherever it was.

    ranked: a list of keys; pins: [(key, position)] for the items that may be shown. A position
    past the end puts the item last.
    """
    pinned = {key for key, _ in pins}
    result = [key for key in ranked if key not in pinned]
    for key, position in sorted(pins, key=lambda pin: pin[1]):
        result.insert(min(position - 1, len(result)), key)
    return result[:size]


def gini(counts):
    """Gini coefficient of non-negative counts (0: all equal; near 1: one takes all)."""
    values = np.sort(np.asarray(counts, float))
    if not len(values) or values.sum() == 0:
        return 0.0
    ranks = np.arange(1, len(values) + 1)
    return float(((2 * ranks - len(values) - 1) * values).sum() / (len(values) * values.sum()))
