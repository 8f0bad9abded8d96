"""Featured works and rising artists: the curated front page.

A list is computed once per period (config.period_hours, counted from midnight UTC) and config
version, stored in ranking_snapshots so that every server process serves the same one, and kept
in memory after its first read. A new config version starts a new list at once; a work that is
deleted or made private drops out when served. `flask --app app rankings refresh` computes the
current lists ahead of the first visitor (run it from a scheduler at each period's start).

Featured works (the components are in recommend.scores):
  1. candidates: every public work, less the curator's excluded works and artists;
  2. score: the weighted components, from interactions of the last 4 half-lives (at most 120
     days; recommend.activity keeps them in memory);
  3. re-rank the best 5 x size by maximal marginal relevance over visual, text and medium
     similarity, at most max_per_artist per artist, near-duplicates collapsed into the better one;
  4. pins: each pinned work (if it is public) at its position.

Rising artists, per artist with a public work:
    follower growth   = (net new followers, last 7 days + 1) / (followers before them + 10)
    engagement growth = (interactions on their works, last 7 days + 1)
                        / (the weekly average of the 28 days before + 5)
    score = 0.5 follower growth + 0.3 engagement growth (each / its max) + 0.2 novelty
"""

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from recommend import activity, lists, model, scores
from recommend.config import DEFAULT, FeaturedConfig
from search import images
from search import index as text_index
from store import ranking

POOL_FACTOR = 5          # the re-rank looks at this many candidates per place
MIN_POOL = 500
NOVELTY_TOP = 20         # an artist counts as featured when in the first this many places
NOVELTY_MEMORY_DAYS = 90
HALF_LIVES_READ = 4      # interactions older than this many half-lives weigh under 1/16: left out
RISING_WEIGHTS = {"follower_growth": 0.5, "engagement_growth": 0.3, "novelty": 0.2}
RISING_PRIOR_FOLLOWERS, RISING_PRIOR_INTERACTIONS = 10.0, 5.0

_parsed_lock = threading.Lock()
_parsed: dict = {}    # config JSON text -> FeaturedConfig


def period_start(now, hours):
    """The start of the period holding `now` (periods counted from midnight UTC)."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = int((now - midnight).total_seconds() // (hours * 3600))
    return midnight + timedelta(hours=hours * elapsed)


def live(conn):
    """(version, FeaturedConfig) of the live config; version 0 is the defaults. Versions are
    append-only, so a parsed config is kept by its text."""
    version, text = ranking.live_config_text(conn)
    if not version:
        return 0, DEFAULT
    with _parsed_lock:
        config = _parsed.get(text)
    if config is None:
        config = FeaturedConfig.model_validate_json(text)
        with _parsed_lock:
            _parsed[text] = config
    return version, config


# --- Serving --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Listing:
    items: list
    period_start: str
    config_version: int


def featured_list(conn, database, list_name, *, now=None):
    """The current period's Listing of 'featured_artworks' or 'featured_artists', computed and
    stored first when no process has yet."""
    now = now or datetime.now(UTC)
    version, config = live(conn)
    start = ranking.timestamp(period_start(now, config.period_hours))
    compute = featured_artworks if list_name == "featured_artworks" else rising_artists
    items = lists.stored_list(conn, database, list_name, start, version,
                              lambda: compute(conn, database, config, now))
    return Listing(items, start, version)


# --- Featured works -------------------------------------------------------------------------------

def featured_artworks(conn, database, config, now, *, adjust=None):
    """The featured list under `config`: [{artwork_id, artist_id, score, score_breakdown}].

    adjust(pool): lets the offline evaluation take held-out likes out of the counts.
    """
    conn.execute("BEGIN")
    try:
        words = text_index.index_for(database).refresh(conn)
        pictures = images.index_for(database).refresh(conn)
        recent = activity.activity_for(database).refresh(conn, now.timestamp())
        with words.lock, pictures.lock:
            pool = load_pool(conn, words, recent, config, now)
            if adjust is not None:
                adjust(pool)
            ranked = rank_pool(conn, pool, pictures, config)
    finally:
        conn.execute("COMMIT")
    return shape_items(conn, words, ranked, config)


def load_pool(conn, words, recent, config, now, *, with_history=True):
    """Every public work not excluded, with its decayed interaction counts (from `recent`, a
    RecentActivity)."""
    alive = words.alive & ~words.private
    excluded_artists = [words.artists.get(artist) for artist in config.exclusions.artists]
    alive &= ~np.isin(words.artist, [code for code in excluded_artists if code >= 0])
    excluded_docs = [doc for doc, _ in ranking.docs_of_artworks(conn, config.exclusions.artworks)]
    alive[[d for d in excluded_docs if d < len(alive)]] = False
    docs = np.flatnonzero(alive)
    pool = scores.Pool(docs=docs, artists=words.artist[docs], mediums=words.medium[docs],
                       age_days=(now.timestamp() - words.created[docs]) / 86400, quality=words.quality[docs],
                       likes=np.zeros(len(docs)), comments=np.zeros(len(docs)), shares=np.zeros(len(docs)),
                       views=np.zeros(len(docs)), days_since_featured=np.full(len(docs), np.inf))
    counts = recent.decayed(words.capacity, now.timestamp(), config.half_life_days,
                            HALF_LIVES_READ * config.half_life_days)
    pool.views, pool.likes = counts["view"][docs], counts["like"][docs]
    pool.comments, pool.shares = counts["comment"][docs], counts["share"][docs]
    if with_history:
        pool.days_since_featured = days_since_featured(conn, words, now, config)[pool.artists]
    return pool


def days_since_featured(conn, words, now, config):
    """Days since each artist (by code) was last among the first featured works; inf if never."""
    start = period_start(now, config.period_hours)
    since = ranking.timestamp(start - timedelta(days=NOVELTY_MEMORY_DAYS))
    last = ranking.last_featured(conn, ranking.timestamp(start), top=NOVELTY_TOP, since=since)
    days_since = np.full(len(words.artists.values) + 1, np.inf)
    for artist_id, when in last.items():
        code = words.artists.get(artist_id)
        if code >= 0:
            days_since[code] = max((start - ranking.parse_timestamp(when)).total_seconds() / 86400, 0.0)
    return days_since


def rank_pool(conn, pool, pictures, config):
    """[(pool row, relevance, breakdown)] in featured order, before pins."""
    parts = scores.components(pool, config)
    base = scores.weighted_score(parts, config.weights)
    size = min(len(pool.docs), max(POOL_FACTOR * config.size, MIN_POOL))
    rows = np.argsort(-base, kind="stable")[:size]
    if not len(rows):
        return []
    features = candidate_features(conn, pictures, pool.docs[rows], pool.mediums[rows])
    top = float(base[rows[0]]) or 1.0
    diversity = config.diversity
    picked = scores.rerank(base[rows] / top, pool.artists[rows], features, size=config.size,
                           max_per_artist=diversity.max_per_artist, relevance_weight=diversity.relevance,
                           similarity_weights=diversity.similarity, collapse=diversity.collapse_near_duplicates)
    ranked = []
    for row, mmr, similar, collapsed in picked:
        entry = {"score": round(float(base[rows[row]]), 4),
                 **scores.breakdown(parts, config.weights, rows[row]),
                 "similarity_to_above": round(similar, 4), "rerank_score": round(mmr, 4),
                 "near_duplicates_collapsed": len(collapsed)}
        ranked.append((int(pool.docs[rows[row]]), entry))
    return ranked


def candidate_features(conn, pictures, docs, mediums):
    """Colour vectors, hashes and TF-IDF rows of the candidates (zeros where a work has none)."""
    features = picture_features(pictures, docs)
    features.text = tfidf_matrix(conn, docs)
    features.mediums = np.asarray(mediums)
    return features


def picture_features(pictures, docs):
    """Features with the colour vectors and hashes of `docs` from the image index."""
    docs = np.asarray(docs, np.int64)
    inside = docs < pictures.capacity
    has_picture = np.zeros(len(docs), bool)
    has_picture[inside] = pictures.alive[docs[inside]]
    colour = np.zeros((len(docs), pictures.colour.shape[1]), np.float32)
    colour[has_picture] = pictures.colour[docs[has_picture]]
    hashes = np.zeros((len(docs), len(images.HASH_KINDS)), np.uint64)
    for column, kind in enumerate(images.HASH_KINDS):
        hashes[has_picture, column] = pictures.hashes[kind][docs[has_picture]]
    return scores.Features(colour=colour, text=None, mediums=None, hashes=hashes, has_picture=has_picture)


def tfidf_matrix(conn, docs):
    """The unit TF-IDF rows of `docs`, in their order, as a CSR matrix (None before the first reindex)."""
    position = {int(doc): i for i, doc in enumerate(docs)}
    blobs = [(position[doc], blob) for doc, blob in ranking.tfidf_blobs(conn, docs)]
    return model.text_matrix(blobs, len(docs))


def shape_items(conn, words, ranked, config):
    """Stored items: pins placed, artwork and artist ids filled in."""
    pins = ranking.docs_of_artworks(conn, [pin.artwork_id for pin in config.pins], public_only=True)
    pin_doc = dict((artwork_id, doc) for doc, artwork_id in pins)
    positions = [(pin_doc[pin.artwork_id], pin.position) for pin in config.pins if pin.artwork_id in pin_doc]
    entries = dict(ranked)
    order = scores.apply_pins([doc for doc, _ in ranked], positions, config.size)
    ids = ranking.doc_artwork_ids(conn, order)
    items = []
    for doc in order:
        entry = dict(entries.get(doc, {}))
        pinned = next((position for d, position in positions if d == doc), None)
        if pinned is not None:
            entry["pinned_position"] = pinned
        items.append({"artwork_id": ids[doc], "artist_id": words.artists.values[words.artist[doc]],
                      "score": entry.pop("score", None), "score_breakdown": entry})
    return items


# --- Preview --------------------------------------------------------------------------------------

def preview(conn, database, candidate, *, now=None):
    """The candidate config's list beside the live one, with each work's move."""
    now = now or datetime.now(UTC)
    live_items = featured_list(conn, database, "featured_artworks", now=now).items
    candidate_items = featured_artworks(conn, database, candidate, now)
    live_positions = {item["artwork_id"]: i for i, item in enumerate(live_items, 1)}
    candidate_positions = {item["artwork_id"]: i for i, item in enumerate(candidate_items, 1)}
    moves = []
    for position, item in enumerate(candidate_items, 1):
        before = live_positions.get(item["artwork_id"])
        moves.append({"artwork_id": item["artwork_id"], "position": position, "live_position": before,
                      "moved": None if before is None else before - position})
    dropped = [artwork_id for artwork_id in live_positions if artwork_id not in candidate_positions]
    return {"live": live_items, "candidate": candidate_items, "moves": moves, "dropped": dropped}


# --- Rising artists -------------------------------------------------------------------------------

def rising_artists(conn, database, config, now):
    """[{artist_id, score, score_breakdown}] best first."""
    conn.execute("BEGIN")
    try:
        words = text_index.index_for(database).refresh(conn)
        with words.lock:
            public = words.alive & ~words.private
            artist_codes = np.unique(words.artist[public])
            artist_ids = [words.artists.values[code] for code in artist_codes]
            novelty_days = days_since_featured(conn, words, now, config)[artist_codes]
        today = now.astimezone(UTC).date()
        week, month = (today - timedelta(days=6)).isoformat(), (today - timedelta(days=34)).isoformat()
        tomorrow = (today + timedelta(days=1)).isoformat()
        follows = _by_artist(ranking.follows_between(conn, week, tomorrow))
        recent = _by_artist(ranking.artist_interactions_between(conn, week, tomorrow))
        before = _by_artist(ranking.artist_interactions_between(conn, month, week))
        follower_counts = ranking.follower_counts(conn)
    finally:
        conn.execute("COMMIT")
    excluded = set(config.exclusions.artists)
    return _rising(artist_ids, novelty_days, follows, recent, before, follower_counts, excluded,
                   config)


def _by_artist(rows):
    result = {}
    for artist_id, kind, count in rows:
        result.setdefault(artist_id, {})[kind] = count
    return result


def _rising(artist_ids, days_since_featured, follows, recent, before, follower_counts, excluded, config):
    def interactions(counts):
        return sum(scores.INTERACTION_WEIGHTS[kind] * counts.get(kind, 0) for kind in scores.INTERACTION_WEIGHTS)
    net = np.asarray([follows.get(a, {}).get("follow", 0) - follows.get(a, {}).get("unfollow", 0)
                      for a in artist_ids], float)
    followers = np.asarray([follower_counts.get(a, 0) for a in artist_ids], float)
    follower_growth = np.maximum(net + 1, 0) / (np.maximum(followers - net, 0) + RISING_PRIOR_FOLLOWERS)
    recent_i = np.asarray([interactions(recent.get(a, {})) for a in artist_ids], float)
    weekly_before = np.asarray([interactions(before.get(a, {})) for a in artist_ids], float) / 4
    engagement_growth = (recent_i + 1) / (weekly_before + RISING_PRIOR_INTERACTIONS)
    parts = {"follower_growth": _unit(follower_growth), "engagement_growth": _unit(engagement_growth),
             "novelty": 1.0 - scores.decay(days_since_featured, config.novelty_half_life_days)}
    score = sum(RISING_WEIGHTS[name] * parts[name] for name in RISING_WEIGHTS)
    items = []
    for row in np.argsort(-score, kind="stable"):
        if artist_ids[row] in excluded:
            continue
        items.append({"artist_id": artist_ids[row], "score": round(float(score[row]), 4),
                      "score_breakdown": {name: {"value": round(float(parts[name][row]), 4),
                                                 "contribution": round(float(RISING_WEIGHTS[name] * parts[name][row]),
                                                                       4)}
                                          for name in RISING_WEIGHTS}})
        if len(items) >= config.size:
            break
    return items


def _unit(values):
    top = float(values.max(initial=0.0))
    return values / top if top > 0 else np.zeros(len(values))
