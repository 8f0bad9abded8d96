"""The personal feed: a ranked list of works for one reader, with the reason each is there.

Candidates come from four sources, each scored 0..1 (divided by its best candidate):

    following  new works (60 days) of the artists the reader follows, 0.5 ** (age / 14 days)
    similar    works like the reader's 20 latest likes: colour agreement with their mean
               colour and TF-IDF cosine with their summed text, averaged
    co_liked   works liked by people who liked the reader's 50 latest likes (item-to-item,
               sparse matrix products), damped by the square root of each work's popularity
    trending   this week's trending works, by rank; featured works, by rank, for a reader
               with no likes (cold start) and as a small share for everyone

    score = 1.0 following + 0.8 similar + 1.0 co_liked + 0.3 trending + 0.2 featured

The reason is the source that contributed most. Never shown: the reader's own works, works they
already like, private works. Diversity: each further work of an artist already in the list counts
at 0.7 ** (works of theirs above), and a near-duplicate of a work above is left out.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from recommend import featured, model, scores, trending
from search import images
from search import index as text_index
from store import ranking

SOURCE_WEIGHTS = {"following": 1.0, "similar": 0.8, "co_liked": 1.0, "trending": 0.3, "featured": 0.2}
FOLLOWING_DAYS, FOLLOWING_HALF_LIFE_DAYS, FOLLOWING_LIMIT = 60, 14.0, 300
SIMILAR_FROM, CO_LIKED_FROM = 20, 50
CANDIDATES_PER_SOURCE = 200
ARTIST_REPEAT = 0.7
SIZE = 200


@dataclass
class Reader:
    user_id: str
    liked: list           # doc ids, latest like first
    follows: list         # artist ids


@dataclass
class Pick:
    doc: int
    score: float
    source: str
    because: int | None   # the liked doc behind "similar" and "co_liked"


def ranked_feed(conn, database, user_id, *, model_max_age, now=None, size=SIZE):
    """[Pick] for user_id, best first (reads the database; writes nothing)."""
    now = now or datetime.now(UTC)
    reader = Reader(user_id, ranking.liked_docs(conn, user_id), ranking.followed_artist_ids(conn, user_id))
    featured_docs = _docs_of(conn, [item["artwork_id"] for item in
                                    featured.featured_list(conn, database, "featured_artworks", now=now).items])
    trending_docs = _docs_of(conn, [item["key"] for item in trending.trending_items(conn, "artworks", "7d", now=now)])
    conn.execute("BEGIN")
    try:
        words = text_index.index_for(database).refresh(conn)
        pictures = images.index_for(database).refresh(conn)
        items = model.model_for(conn, database, words.capacity, model_max_age)
        following = ranking.recent_docs_by_artists(conn, reader.follows, ranking.timestamp(
            now - timedelta(days=FOLLOWING_DAYS)), FOLLOWING_LIMIT)
        with words.lock, pictures.lock:
            return rank(reader, words, pictures, items, following, trending_docs, featured_docs, now, size)
    finally:
        conn.execute("COMMIT")


def _docs_of(conn, artwork_ids):
    doc_of = {artwork_id: doc for doc, artwork_id in ranking.docs_of_artworks(conn, artwork_ids)}
    return [doc_of[artwork_id] for artwork_id in artwork_ids if artwork_id in doc_of]


def rank(reader, words, pictures, items, following, trending_docs, featured_docs, now, size=SIZE):
    """[Pick] best first, from plain inputs (the offline evaluation calls this directly)."""
    allowed = words.alive & ~words.private
    own = words.artists.get(reader.user_id)
    if own >= 0:
        allowed &= words.artist != own
    liked = [d for d in reader.liked if d < len(allowed)]
    allowed[liked] = False
    sources = {
        "following": _following(following, now),
        "similar": _similar(reader, pictures, items, allowed),
        "co_liked": _co_liked(reader, items, allowed),
        "trending": _by_rank(trending_docs),
        "featured": _by_rank(featured_docs),
    }
    table = _blend(sources, allowed)
    picks = _diversify(table, words, pictures, size)
    _attribute(picks, reader, pictures, items)
    return picks


def _following(rows, now):
    scores_ = {}
    for doc, created_at in rows:
        age = max((now - ranking.parse_timestamp(created_at)).total_seconds() / 86400, 0.0)
        scores_[doc] = float(0.5 ** (age / FOLLOWING_HALF_LIFE_DAYS))
    return scores_


def _top(values, allowed, count=CANDIDATES_PER_SOURCE):
    values = np.where(allowed[:len(values)], values[:len(allowed)], 0.0)
    if not len(values):
        return {}
    best = np.argpartition(-values, min(count, len(values) - 1))[:count]
    return {int(d): float(values[d]) for d in best if values[d] > 0}


def _similar(reader, pictures, items, allowed):
    recent = reader.liked[:SIMILAR_FROM]
    if not recent:
        return {}
    total = np.zeros(len(allowed))
    with_picture = [d for d in recent if d < pictures.capacity and pictures.alive[d]]
    if with_picture:
        profile = pictures.colour[with_picture].mean(axis=0)
        profile /= np.linalg.norm(profile) or 1.0
        visual = pictures.colour @ profile
        total[:len(visual)] += 0.5 * np.clip(visual[:len(total)], 0, 1)
    if items.text is not None:
        known = [d for d in recent if d < items.text.shape[0]]
        profile = items.text[known].sum(axis=0) if known else None
        if profile is not None and np.any(profile):
            profile = np.asarray(profile).ravel()
            profile /= np.linalg.norm(profile)
            text = items.text @ profile
            total[:len(text)] += 0.5 * np.clip(text[:len(total)], 0, 1)
    return _top(total, allowed)


def _co_liked(reader, items, allowed):
    if not reader.liked:
        return {}
    return _top(items.co_liked(reader.liked[:CO_LIKED_FROM], exclude_user=reader.user_id), allowed)


def _by_rank(docs):
    return {doc: 1.0 - i / len(docs) for i, doc in enumerate(docs)}


def _blend(sources, allowed):
    """{doc: (score, strongest source)} over every allowed candidate."""
    table = {}
    for name, found in sources.items():
        top = max(found.values(), default=0.0)
        if top <= 0:
            continue
        for doc, value in found.items():
            if doc >= len(allowed) or not allowed[doc]:
                continue
            contribution = SOURCE_WEIGHTS[name] * value / top
            score, best, best_contribution = table.get(doc, (0.0, None, 0.0))
            if contribution > best_contribution:
                best, best_contribution = name, contribution
            table[doc] = (score + contribution, best, best_contribution)
    return table


def _diversify(table, words, pictures, size):
    """Greedy: the best adjusted score each time, an artist's further works discounted, and
    near-duplicates of a work already taken left out."""
    docs = np.fromiter(table, np.int64, len(table))
    if not len(docs):
        return []
    base = np.asarray([table[d][0] for d in docs])
    artists = words.artist[docs]
    hashes = featured.picture_features(pictures, docs)
    taken, per_artist, picks = [], {}, []
    available = np.ones(len(docs), bool)
    repeat = np.zeros(len(docs))
    while len(picks) < size and available.any():
        adjusted = np.where(available, base * ARTIST_REPEAT ** repeat, -np.inf)
        row = int(np.argmax(adjusted))
        available[row] = False
        if scores.near_duplicates_of(hashes, row, taken) is not None:
            continue
        taken.append(row)
        artist = artists[row]
        per_artist[artist] = per_artist.get(artist, 0) + 1
        repeat[artists == artist] = per_artist[artist]
        picks.append(Pick(int(docs[row]), round(float(base[row]), 4), table[int(docs[row])][1], None))
    return picks


def _attribute(picks, reader, pictures, items):
    """Name the liked work behind each "similar" and "co_liked" pick."""
    for pick in picks:
        if pick.source == "co_liked":
            counts = items.co_like_counts(pick.doc, reader.liked[:CO_LIKED_FROM])
            pick.because = int(reader.liked[int(np.argmax(counts))]) if len(counts) else None
        elif pick.source == "similar":
            pick.because = _most_similar(pick.doc, reader.liked[:SIMILAR_FROM], pictures, items)


def _most_similar(doc, liked, pictures, items):
    similarity = np.zeros(len(liked))
    if doc < pictures.capacity and pictures.alive[doc]:
        for i, other in enumerate(liked):
            if other < pictures.capacity and pictures.alive[other]:
                similarity[i] += float(pictures.colour[other] @ pictures.colour[doc])
    if items.text is not None and doc < items.text.shape[0]:
        known = [i for i, other in enumerate(liked) if other < items.text.shape[0]]
        if known:
            text = np.asarray((items.text[[liked[i] for i in known]] @ items.text[doc].T).todense()).ravel()
            similarity[known] += text
    return int(liked[int(np.argmax(similarity))]) if len(liked) else None
