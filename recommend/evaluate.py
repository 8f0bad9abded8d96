"""Offline evaluation of featured and the feed: leave-last-out over likes.

Each user with at least two likes has their latest like held out; what is left trains the
scores (like counts, the co-like model). Each user's top 10 is then judged:

    hit rate@10  the held-out work is in the top 10 (ir-measures Success@10)
    NDCG@10      the same, discounted by its position (ir-measures nDCG@10)
    coverage     the share of public works in anybody's top 10
    artist Gini  how unequally the top-10 places are spread over the artists with public works
                 (0 even, 1 one artist has them all)
    novelty      the mean of -log2((likes + 1) / (users + 1)) over the works shown: higher shows
                 less-known works

against a popularity baseline (most liked in training first). Featured is one list for all; each
user's top 10 is that list without the works they already like. The held-out likes are taken out
of the featured counts (views are not: they can only make a held-out work look worse). Trending
is left out of the feed's evaluation: it is computed from the same likes that are held out.
"""

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import ir_measures
import numpy as np
from ir_measures import Success, nDCG

from recommend import featured, model, personal, scores
from search import images
from search import index as text_index
from store import ranking

K = 10
MEASURES = {"hit_rate@10": Success @ K, "ndcg@10": nDCG @ K}
HEADLINE = ("hit_rate@10", "ndcg@10")
METRICS = ("hit_rate@10", "ndcg@10", "coverage", "artist_gini", "novelty")
DEFAULT_USERS = 2000
MIN_USERS = 5
_NOTHING = "__nothing__"


@dataclass
class Split:
    train: list          # [(user id, doc)]
    held_out: dict       # {user id: (doc, liked_at)}
    liked: dict          # {user id: [doc, ...] latest first}, training likes only


def leave_last_out(likes, *, max_users=DEFAULT_USERS, seed=0):
    """likes: [(user id, doc, liked_at)] sorted by user then time. Users are sampled (seeded) when
    there are more than max_users with two likes or more; all of them still train."""
    by_user = {}
    for user, doc, liked_at in likes:
        by_user.setdefault(user, []).append((doc, liked_at))
    eligible = sorted(user for user, items in by_user.items() if len(items) >= 2)
    if len(eligible) > max_users:
        eligible = np.random.default_rng(seed).choice(eligible, max_users, replace=False).tolist()
    chosen = set(eligible)
    train, held_out, liked = [], {}, {}
    for user, items in by_user.items():
        kept = items[:-1] if user in chosen else items
        if user in chosen:
            held_out[user] = items[-1]
        train += [(user, doc) for doc, _ in kept]
        liked[user] = [doc for doc, _ in reversed(kept)]
    return Split(train, held_out, liked)


def measure(lists, split, public_docs, artist_of, popularity, user_count):
    """The metrics of {user: [doc, ...]} (top 10 each) for the held-out users."""
    qrels = [ir_measures.Qrel(user, str(doc), 1) for user, (doc, _) in split.held_out.items()]
    run = []
    for user in split.held_out:
        shown = lists.get(user, [])[:K]
        run += [ir_measures.ScoredDoc(user, str(doc), float(K - rank)) for rank, doc in enumerate(shown)]
        if not shown:
            run.append(ir_measures.ScoredDoc(user, _NOTHING, 0.0))
    aggregate = ir_measures.calc_aggregate(list(MEASURES.values()), qrels, run) if qrels else {}
    metrics = {name: float(aggregate.get(m, 0.0)) for name, m in MEASURES.items()}
    shown = [doc for user in split.held_out for doc in lists.get(user, [])[:K]]
    metrics["coverage"] = len(set(shown)) / max(len(public_docs), 1)
    impressions = Counter(int(artist_of[doc]) for doc in shown)
    artists = np.unique(artist_of[public_docs])
    metrics["artist_gini"] = scores.gini([impressions.get(int(a), 0) for a in artists])
    metrics["novelty"] = (float(np.mean([-math.log2((popularity[doc] + 1) / (user_count + 1)) for doc in shown]))
                          if shown else 0.0)
    return {name: round(value, 4) for name, value in metrics.items()}


# --- Running an evaluation -------------------------------------------------------------------------

@dataclass
class Context:
    split: Split
    words: object
    pictures: object
    public_docs: np.ndarray
    popularity: np.ndarray
    now: datetime


def context(conn, database, *, max_users=DEFAULT_USERS, seed=0, now=None):
    now = now or datetime.now(UTC)
    conn.execute("BEGIN")
    try:
        words = text_index.index_for(database).refresh(conn)
        pictures = images.index_for(database).refresh(conn)
        likes = ranking.all_likes(conn)
    finally:
        conn.execute("COMMIT")
    split = leave_last_out(likes, max_users=max_users, seed=seed)
    public_docs = np.flatnonzero(words.alive & ~words.private)
    popularity = np.bincount([doc for _, doc in split.train], minlength=words.capacity).astype(float)
    return Context(split, words, pictures, public_docs, popularity, now)


def _measure(ctx, lists):
    return measure(lists, ctx.split, ctx.public_docs, ctx.words.artist, ctx.popularity,
                   len(ctx.split.liked))


def popularity_lists(ctx):
    """Most liked in training first, less what each user already likes."""
    order = [int(d) for d in ctx.public_docs[np.argsort(-ctx.popularity[ctx.public_docs], kind="stable")]]
    return {user: _unseen(order, ctx.split.liked.get(user, [])) for user in ctx.split.held_out}


def featured_lists(conn, database, ctx, config):
    order = featured_order(conn, database, ctx, config)
    return {user: _unseen(order, ctx.split.liked.get(user, [])) for user in ctx.split.held_out}


def _unseen(order, liked):
    liked, shown = set(liked), []
    for doc in order:
        if doc not in liked:
            shown.append(doc)
            if len(shown) == K:
                break
    return shown


def _without_held_out(ctx, config):
    """A pool adjustment taking each held-out like (decayed by its age) off its work's count."""
    def adjust(pool):
        row_of = {int(doc): row for row, doc in enumerate(pool.docs)}
        for doc, liked_at in ctx.split.held_out.values():
            if doc in row_of:
                age = (ctx.now - ranking.parse_timestamp(liked_at)).total_seconds() / 86400
                if 0 <= age <= featured.HALF_LIVES_READ * config.half_life_days:
                    row = row_of[doc]
                    pool.likes[row] = max(pool.likes[row] - float(scores.decay(age, config.half_life_days)), 0.0)
    return adjust


def feed_lists(conn, database, ctx, featured_config):
    """Each held-out user's feed from a model trained without their held-out like."""
    items = model.ItemModel.from_likes(ctx.split.train, ctx.words.capacity,
                                       model.text_matrix(ranking.all_tfidf_blobs(conn), ctx.words.capacity))
    featured_docs = featured_order(conn, database, ctx, featured_config)
    follows = {}
    for follower, following in ranking.all_follows(conn):
        follows.setdefault(follower, []).append(following)
    since = ranking.timestamp(ctx.now - timedelta(days=personal.FOLLOWING_DAYS))
    lists = {}
    for user in ctx.split.held_out:
        reader = personal.Reader(user, ctx.split.liked.get(user, []), follows.get(user, []))
        recent = ranking.recent_docs_by_artists(conn, reader.follows, since, personal.FOLLOWING_LIMIT)
        picks = personal.rank(reader, ctx.words, ctx.pictures, items, recent, [], featured_docs, ctx.now, size=K)
        lists[user] = [pick.doc for pick in picks]
    return lists


def featured_order(conn, database, ctx, config):
    """The featured list under `config`, with the held-out likes taken out of its counts."""
    items = featured.featured_artworks(conn, database, config, ctx.now, adjust=_without_held_out(ctx, config))
    doc_of = {artwork_id: doc for doc, artwork_id in ranking.docs_of_artworks(conn, [i["artwork_id"] for i in items])}
    return [doc_of[item["artwork_id"]] for item in items if item["artwork_id"] in doc_of]


def evaluate_featured(conn, database, configs, *, max_users=DEFAULT_USERS, seed=0, now=None):
    """{label: metrics} for the popularity baseline and each of {label: FeaturedConfig}."""
    ctx = context(conn, database, max_users=max_users, seed=seed, now=now)
    results = {"popularity": _measure(ctx, popularity_lists(ctx))}
    for label, config in configs.items():
        results[label] = _measure(ctx, featured_lists(conn, database, ctx, config))
    return results, len(ctx.split.held_out)


def evaluate_feed(conn, database, featured_config, *, max_users=DEFAULT_USERS, seed=0, now=None):
    """{label: metrics} for the popularity baseline, featured and the personal feed."""
    ctx = context(conn, database, max_users=max_users, seed=seed, now=now)
    results = {"popularity": _measure(ctx, popularity_lists(ctx)),
               "featured": _measure(ctx, featured_lists(conn, database, ctx, featured_config)),
               "feed": _measure(ctx, feed_lists(conn, database, ctx, featured_config))}
    return results, len(ctx.split.held_out)


# --- The gate on curator changes -----------------------------------------------------------------

def gate(conn, database, live_config, candidate, *, tolerance, max_users=DEFAULT_USERS, now=None):
    """Compare a candidate featured config with the live one. Returns the figures and the headline
    metrics on which the candidate falls more than `tolerance` (a fraction of the live value)
    below the live config; nothing is refused when fewer than MIN_USERS users can be evaluated."""
    results, users = evaluate_featured(conn, database, {"live": live_config, "candidate": candidate},
                                       max_users=max_users, now=now)
    worse = []
    if users >= MIN_USERS:
        worse = [name for name in HEADLINE
                 if results["candidate"][name] < results["live"][name] * (1 - tolerance) - 1e-9]
    return {"users": users, "tolerance": tolerance, "headline": list(HEADLINE), "live": results["live"],
            "candidate": results["candidate"], "popularity_baseline": results["popularity"],
            "enough_data": users >= MIN_USERS, "worse_on": worse}


def table(results):
    """Text rows: one column per label, one row per metric."""
    labels = list(results)
    widths = [max(14, len(label) + 2) for label in labels]
    lines = [f"{'metric':<14}" + "".join(f"{label:>{width}}" for label, width in zip(labels, widths, strict=True))]
    for name in METRICS:
        lines.append(f"{name:<14}" + "".join(f"{results[label][name]:>{width}.4f}"
                                             for label, width in zip(labels, widths, strict=True)))
    return lines
