"""The personal feed: a ranked list of works for one reader, with the reason each is there.

Candidates come from four sources, each scored 0..1 (divided by its best candidate):

    following  new works (60 days) of the artists the reader follows, 0.5 ** (age / 14 days)
    similar    works like the reader's 20 latest likes: colour agreement with their mean
               colour and TF-IDF cosine with their summed text, averaged
    co_liked   works liked by people who liked the reader's 50 latest likes (item-to-item,
               sparse matrix products), damped by the square root of each work's popularity
    popular    the most liked works (log of their likes)
    trending   this week's trending works, by rank; featured works, by rank, for a reader
               with no likes (cold start) and as a small share for everyone

    score = 1.0 following + 0.8 similar + 1.0 co_liked + 0.5 popular + 0.3 trending + 0.2 featured

(popular was added at 0.5 after bench/rank_eval.py: on simulated readers it lifted hit rate@10
from 0.0117 to 0.0159 while keeping coverage 30 times the popularity baseline's.)

The reason is the source that contributed most. Never shown: the reader's own works, works they
already like, private works. Diversity: each further work of an artist already in the list counts
at 0.7 ** (works of theirs above), and a near-duplicate of a work above is left out.
"""

import heapq
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from recommend import featured, model, scores, trending
from search import images
from search import index as text_index
from store import ranking

SOURCE_WEIGHTS = {"following": 1.0, "similar": 0.8, "co_liked": 1.0, "popular": 0.5, "trending": 0.3, "featured": 0.2}
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
    because: int | None              # the liked doc behind "similar" and "co_liked"
    artwork_id: str | None = None    # filled in by ranked_feed, with because_id
    because_id: str | None = None


def ranked_feed(conn, database, user_id, *, model_max_age, now=None, size=SIZE):
    """[Pick] for user_id, best first, artwork ids filled in (reads the database; writes nothing)."""
    now = now or datetime.now(UTC)
    reader = Reader(user_id, ranking.liked_docs(conn, user_id), ranking.followed_artist_ids(conn, user_id))
    featured_ids = [item["artwork_id"] for item in
                    featured.featured_list(conn, database, "featured_artworks", now=now).items]
    trending_ids = [item["key"] for item in trending.trending_items(conn, database, "artworks", "7d", now=now)]
    conn.execute("BEGIN")
    try:
        words = text_index.index_for(database).refresh(conn)
        pictures = images.index_for(database).refresh(conn)
        items = model.model_for(conn, database, words.capacity, model_max_age)
        following = ranking.recent_docs_by_artists(conn, reader.follows, ranking.timestamp(
            now - timedelta(days=FOLLOWING_DAYS)), FOLLOWING_LIMIT)
        with words.lock, pictures.lock:
            picks = rank(reader, words, pictures, items, following, _docs_of(conn, pictures, trending_ids),
                         _docs_of(conn, pictures, featured_ids), now, size)
            ids = _artwork_ids(conn, pictures, [pick.doc for pick in picks] +
                               [pick.because for pick in picks if pick.because is not None])
    finally:
        conn.execute("COMMIT")
    for pick in picks:
        pick.artwork_id, pick.because_id = ids.get(pick.doc), ids.get(pick.because)
    return [pick for pick in picks if pick.artwork_id is not None]


# Featured and trending lists are fixed for their period; their docs are looked up once each.
_list_docs: dict = {}


def _docs_of(conn, pictures, artwork_ids):
    """The docs of those works that still exist, in the list's order. A remembered answer is
    checked against the image index, which holds each doc's artwork: a work may have been
    deleted since, and its doc number reused. SQL answers when the check fails."""
    key = (id(pictures), tuple(artwork_ids))
    pairs = _list_docs.get(key)
    if pairs is None or not _held_by_index(pictures, pairs):
        found = {artwork_id: doc for doc, artwork_id in ranking.docs_of_artworks(conn, artwork_ids)}
        pairs = [(found[artwork_id], artwork_id) for artwork_id in artwork_ids if artwork_id in found]
        if len(_list_docs) >= 16:
            _list_docs.clear()
        _list_docs[key] = pairs
    return [doc for doc, _ in pairs]


def _held_by_index(pictures, pairs):
    docs = np.asarray([doc for doc, _ in pairs], np.int64)
    if len(docs) and docs.max() >= pictures.capacity:
        return False
    return bool(np.all(pictures.alive[docs]) and
                np.array_equal(pictures.ids[docs], np.asarray([a.encode() for _, a in pairs], "S36")))


def _artwork_ids(conn, pictures, docs):
    """{doc: artwork id} of those docs that exist: from the image index where it holds the doc
    (call inside the transaction it was refreshed in), from SQL for works without a picture."""
    docs = np.unique(np.asarray(docs, np.int64))
    held = docs[docs < pictures.capacity]
    held = held[pictures.alive[held]]
    ids = {int(doc): artwork_id.decode() for doc, artwork_id in zip(held, pictures.ids[held], strict=True)}
    ids.update(ranking.doc_artwork_ids(conn, [int(doc) for doc in docs if int(doc) not in ids]))
    return ids


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
        "popular": {doc: float(np.log1p(items.popularity[doc])) for doc in _leading(items.popular_order, allowed)},
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
    """{doc: value} of the `count` best allowed docs with a value above 0. Ties at the cut go to
    the newest works (the highest doc ids), as in the popular order: a stated choice rather than
    wherever a partition happens to leave equal values."""
    values = values[:len(allowed)]
    values = np.where(allowed[:len(values)], values, 0)
    # Partitioning only the values that reach a floor read off a sample is ten times quicker
    # than partitioning all 100,000, and exact whenever `count` of them reach it.
    candidates = np.flatnonzero(values >= _floor(values, count))
    if len(candidates) < count:
        candidates = np.flatnonzero(values)
    candidates = candidates[values[candidates] > 0]
    if len(candidates) > count:
        found = values[candidates]
        cut = np.partition(found, -count)[-count]   # the count-th best value
        above, level = candidates[found > cut], candidates[found == cut]   # both in doc order
        candidates = np.concatenate([above, level[len(level) - (count - len(above)):]])
    return {int(d): float(values[d]) for d in candidates}


def _leading(order, allowed, count=CANDIDATES_PER_SOURCE):
    """The first `count` allowed docs of `order`, read in growing slices from its start."""
    chosen, start, step = [], 0, 2 * count
    while len(chosen) < count and start < len(order):
        part = order[start:start + step]
        part = part[part < len(allowed)]
        chosen += part[allowed[part]].tolist()
        start, step = start + step, 2 * step
    return chosen[:count]


def _floor(values, count, step=64):
    """A value that about four times `count` of `values` reach, judged from every step-th one."""
    sample = values[::step]
    place = 4 * count // step
    return np.partition(sample, -place)[-place] if len(sample) > place else 0


def _similar(reader, pictures, items, allowed):
    recent = reader.liked[:SIMILAR_FROM]
    if not recent:
        return {}
    total = np.zeros(len(allowed), np.float32)
    with_picture = [d for d in recent if d < pictures.capacity and pictures.alive[d]]
    if with_picture:
        _add_half_clipped(total, pictures.colour, pictures.colour[with_picture].mean(axis=0))
    if items.text is not None:
        known = [d for d in recent if d < items.text.shape[0]]
        if known:
            _add_half_clipped(total, items.text, np.asarray(items.text[known].sum(axis=0)).ravel())
    return _top(total, allowed)


def _add_half_clipped(total, rows, profile):
    """total += 0.5 x the cosine (clipped at 0) of each of `rows` (unit vectors) with `profile`;
    the half goes into the profile, and float32 throughout, to spare passes over 100,000 values."""
    length = np.linalg.norm(profile)
    if not length:
        return
    cosine = rows @ (profile * np.float32(0.5 / length))
    width = min(len(cosine), len(total))
    total[:width] += np.maximum(cosine[:width], 0)


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
    near-duplicates of a work already taken left out. A lazy heap: a work popped with a stale
    discount goes back with the current one."""
    docs = sorted(table, key=lambda doc: -table[doc][0])
    if not docs:
        return []
    hashes = featured.picture_features(pictures, docs)
    artists = words.artist[docs].tolist()
    heap = [(-table[doc][0], row, 0) for row, doc in enumerate(docs)]
    heapq.heapify(heap)
    # Rows are best first, so the first 1.25 x size hold most picks: compared with each other up
    # front (a larger head costs more to compare than it saves at 100,000 works).
    taken, per_artist, picks = scores.NearDuplicates(hashes, size, head=size + size // 4), {}, []
    while heap and len(picks) < size:
        negative, row, discounted_for = heapq.heappop(heap)
        seen = per_artist.get(artists[row], 0)
        if seen != discounted_for:
            heapq.heappush(heap, (-table[docs[row]][0] * ARTIST_REPEAT ** seen, row, seen))
            continue
        if taken.twin_of(row) is not None:
            continue
        taken.take(row)
        per_artist[artists[row]] = seen + 1
        doc = docs[row]
        picks.append(Pick(doc, round(table[doc][0], 4), table[doc][1], None))
    return picks


def _attribute(picks, reader, pictures, items):
    """Name the liked work behind each "similar" and "co_liked" pick (one matrix product per source)."""
    for source, liked, affinity in (("co_liked", reader.liked[:CO_LIKED_FROM], items.co_like_counts),
                                    ("similar", reader.liked[:SIMILAR_FROM],
                                     lambda docs, others: _similarities(docs, others, pictures, items))):
        chosen = [pick for pick in picks if pick.source == source]
        if not chosen or not liked:
            continue
        table = affinity([pick.doc for pick in chosen], liked)
        for pick, row in zip(chosen, np.argmax(table, axis=1), strict=True):
            pick.because = int(liked[int(row)])


def _similarities(docs, liked, pictures, items):
    """Colour agreement plus TF-IDF cosine of each of `docs` (rows) with each liked work (columns)."""
    table = np.zeros((len(docs), len(liked)))
    both = featured.picture_features(pictures, docs), featured.picture_features(pictures, liked)
    table += np.clip(both[0].colour @ both[1].colour.T, 0, 1)
    if items.text is not None:
        height = items.text.shape[0]
        rows = items.text[[d if d < height else 0 for d in docs]]
        columns = items.text[[d if d < height else 0 for d in liked]]
        text = (rows @ columns.T).toarray()
        text[[i for i, d in enumerate(docs) if d >= height]] = 0
        text[:, [j for j, d in enumerate(liked) if d >= height]] = 0
        table += text
    return table
